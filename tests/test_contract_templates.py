"""Tests for the contract_templates package (docx templates + sandboxed rendering)."""

from __future__ import annotations

import copy
import io
import re

import pytest
from docx import Document
from jinja2.sandbox import ImmutableSandboxedEnvironment

import contract_templates
from contract_templates import (
    KINDS,
    LANGUAGES,
    TemplateError,
    render_document,
    render_template_file,
    template_version,
)
from contract_templates.sample import sample_context

# Which parts of the context each document must show.
SHOWS_NUMBERS = {"supplementary_agreement", "tripartite_agreement", "pbx_sheet"}
SHOWS_RATES = {"tariff_appendix"}


def _doc_text(data: bytes) -> tuple[str, list[list[str]]]:
    """All paragraph text and all table cell text (nested tables, headers and
    footers included); also returns the table rows as lists of cell texts."""
    doc = Document(io.BytesIO(data))
    chunks: list[str] = []
    rows: list[list[str]] = []

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    cells = [cell.text for cell in row.cells]
                    rows.append(cells)
                    for cell in row.cells:
                        walk(cell)
            else:
                chunks.append(block.text)

    walk(doc)
    for section in doc.sections:
        walk(section.header)
        walk(section.footer)
    return "\n".join(chunks), rows


@pytest.fixture(scope="module")
def rendered():
    """Render every kind in every language once for the whole module."""
    return {
        (kind, lang): render_document(kind, lang, sample_context(lang))
        for kind in KINDS
        for lang in LANGUAGES
    }


def _single_paragraph_docx(path, text):
    doc = Document()
    doc.add_paragraph().add_run(text)  # whole tag in one run
    doc.save(path)
    return path


# --------------------------------------------------------------------------- API


def test_public_constants():
    assert KINDS == (
        "service_contract",
        "tariff_appendix",
        "supplementary_agreement",
        "tripartite_agreement",
        "order_letter",
        "pbx_sheet",
    )
    assert LANGUAGES == ("en", "ru")
    for kind in KINDS:
        for lang in LANGUAGES:
            assert (contract_templates.TEMPLATE_DIR / lang / f"{kind}.docx").is_file()


def test_single_sandboxed_environment():
    env = contract_templates.jinja_environment()
    assert isinstance(env, ImmutableSandboxedEnvironment)
    assert env.autoescape is True
    assert env is contract_templates.jinja_environment()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sample_context_is_complete_and_fresh(lang):
    ctx = sample_context(lang)
    assert ctx["language"] == lang
    assert set(ctx) >= {
        "document", "company", "carrier", "department", "request", "tariff", "pbx",
        "numbers", "trunk", "start_date",
    }
    assert set(ctx["trunk"]) == {"type", "registrar", "username", "password", "addresses"}
    assert len(ctx["tariff"]["rates"]) == 5
    assert "&" in ctx["company"]["legal_name"] and '"' in ctx["company"]["legal_name"]
    ctx["company"]["legal_name"] = "changed"
    assert sample_context(lang)["company"]["legal_name"] != "changed"


def test_sample_context_unknown_language():
    with pytest.raises(ValueError):
        sample_context("de")


# ------------------------------------------------------------------- rendering


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_renders_with_expected_content(rendered, kind, lang):
    ctx = sample_context(lang)
    data = rendered[kind, lang]
    assert data[:2] == b"PK"
    text, rows = _doc_text(data)

    # no docxtpl/jinja syntax left behind
    assert "{{" not in text and "{%" not in text and "}}" not in text and "%}" not in text

    assert ctx["company"]["legal_name"] in text
    assert ctx["carrier"]["legal_name"] in text
    assert ctx["request"]["reference"] in text
    if lang == "ru":
        assert re.search("[а-яА-Я]{4,}", text.replace(ctx["company"]["legal_name"], ""))

    if kind in SHOWS_NUMBERS:
        for number in ctx["numbers"]:
            assert number["e164"] in text
            assert number["national"] in text

    if kind in SHOWS_RATES:
        for rate in ctx["tariff"]["rates"]:
            row = [rate["destination"], rate["price_per_minute"], ctx["tariff"]["currency"]]
            assert row in rows
        assert ctx["tariff"]["monthly_fee"] in text
        assert ctx["tariff"]["one_time_fee"] in text
        assert ctx["tariff"]["name"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_service_contract_protective_terms(rendered, lang):
    ctx = sample_context(lang)
    text, _ = _doc_text(rendered["service_contract", lang])
    assert f"{ctx['carrier']['price_change_notice_days']} " in text
    assert f"{ctx['carrier']['invoice_dispute_days']} " in text
    assert f"{ctx['carrier']['penalty_cap']} {ctx['carrier']['currency']}" in text
    assert ctx["company"]["signatory"] in text and ctx["carrier"]["signatory"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_special_characters_survive_once(rendered, lang):
    ctx = sample_context(lang)
    for kind in KINDS:
        text, _ = _doc_text(rendered[kind, lang])
        assert ctx["company"]["legal_name"] in text  # & and " intact
        assert "&amp;" not in text and "&quot;" not in text and "&#34;" not in text
        assert "&lt;" not in text and "&#39;" not in text
    pbx_text, _ = _doc_text(rendered["pbx_sheet", lang])
    assert ctx["trunk"]["password"] in pbx_text  # & < > " intact
    supp_text, _ = _doc_text(rendered["supplementary_agreement", lang])
    assert ctx["request"]["purpose"] in supp_text


def test_more_special_characters_and_apostrophes():
    ctx = sample_context("en")
    ctx["department"]["name"] = "O'Brien's <Desk> & \"Co\" 'x' &amp;"
    text, _ = _doc_text(render_document("supplementary_agreement", "en", ctx))
    assert "O'Brien's <Desk> & \"Co\" 'x' &amp;" in text


def test_control_characters_do_not_break_the_document():
    ctx = sample_context("en")
    ctx["request"]["purpose"] = "bad\x00\x01chars\x0b here"
    text, _ = _doc_text(render_document("supplementary_agreement", "en", ctx))
    assert "badchars here" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tariff_without_end_date(lang):
    ctx = sample_context(lang)
    ctx["tariff"]["valid_to"] = ""
    text, _ = _doc_text(render_document("tariff_appendix", lang, ctx))
    assert ctx["tariff"]["valid_from"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_numbers_yet(lang):
    ctx = sample_context(lang)
    ctx["numbers"] = []
    ctx["trunk"] = {"type": "", "registrar": "", "username": "", "password": "", "addresses": []}
    for kind in ("supplementary_agreement", "tripartite_agreement"):
        text, rows = _doc_text(render_document(kind, lang, ctx))
        assert "+7843" not in text
        assert f"{ctx['request']['quantity']}" in text
        assert ctx["request"]["number_type_label"] in text
        assert not any("E.164" in " ".join(row) for row in rows)  # no numbers table
    text, _ = _doc_text(render_document("pbx_sheet", lang, ctx))
    assert "+7843" not in text
    assert ctx["department"]["ring_group"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pbx_sheet_trunk_variants(rendered, lang):
    ctx = sample_context(lang)
    text, rows = _doc_text(rendered["pbx_sheet", lang])
    for key in ("registrar", "username", "password"):
        assert ctx["trunk"][key] in text
    routes = [row for row in rows if row[1:2] in ([n["e164"]] for n in ctx["numbers"])]
    assert len(routes) == len(ctx["numbers"])
    assert all(ctx["department"]["ring_group"] in row[-1] for row in routes)

    ctx["trunk"] = {
        "type": "ip",
        "registrar": "",
        "username": "",
        "password": "",
        "addresses": ["198.51.100.10", "198.51.100.11"],
    }
    ip_text, _ = _doc_text(render_document("pbx_sheet", lang, ctx))
    assert "198.51.100.10" in ip_text and "198.51.100.11" in ip_text
    assert "sip.volgatelecom.example" not in ip_text


def test_tripartite_note_is_bold(rendered):
    doc = Document(io.BytesIO(rendered["tripartite_agreement", "en"]))
    vendor = sample_context("en")["pbx"]["vendor"]
    bold = [
        p for p in doc.paragraphs
        if vendor in p.text and "intermediary" in p.text and all(r.bold for r in p.runs)
    ]
    assert bold


# ----------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "path, name",
    [(("company",), "company"), (("carrier", "penalty_cap"), "penalty_cap"),
     (("tariff", "rates"), "rates")],
)
def test_missing_variable_raises_naming_it(path, name):
    ctx = copy.deepcopy(sample_context("en"))
    target = ctx
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    kind = "tariff_appendix" if name == "rates" else "service_contract"
    with pytest.raises(TemplateError) as info:
        render_document(kind, "en", ctx)
    assert name in str(info.value)
    assert "undefined" in str(info.value)


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ lipsum.__globals__ }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_sandbox_refuses_injection(tmp_path, attack):
    path = _single_paragraph_docx(tmp_path / "evil.docx", f"Hello {attack}")
    with pytest.raises(TemplateError) as info:
        render_template_file(path, sample_context("en"))
    assert "unsafe" in str(info.value) or "undefined" in str(info.value)


def test_render_template_file_accepts_path_bytes_and_file(tmp_path):
    path = _single_paragraph_docx(tmp_path / "ok.docx", "Party: {{ company.legal_name }}")
    ctx = sample_context("en")
    for source in (path, str(path), path.read_bytes(), io.BytesIO(path.read_bytes())):
        text, _ = _doc_text(render_template_file(source, ctx))
        assert f"Party: {ctx['company']['legal_name']}" in text


def test_syntax_error_and_bad_files(tmp_path):
    path = _single_paragraph_docx(tmp_path / "broken.docx", "{% if company %}unclosed")
    with pytest.raises(TemplateError, match="syntax"):
        render_template_file(path, sample_context("en"))
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(TemplateError):
        render_template_file(junk, sample_context("en"))
    with pytest.raises(TemplateError):
        render_template_file(tmp_path / "missing.docx", sample_context("en"))


def test_unknown_kind_or_language():
    with pytest.raises(TemplateError, match="kind"):
        render_document("lease", "en", sample_context("en"))
    with pytest.raises(TemplateError, match="language"):
        render_document("service_contract", "de", sample_context("en"))
    with pytest.raises(TemplateError):
        template_version("lease", "en")


# ---------------------------------------------------------------------- version


def test_template_version_stable_and_distinct():
    versions = {(k, lang): template_version(k, lang) for k in KINDS for lang in LANGUAGES}
    for (kind, lang), version in versions.items():
        assert re.fullmatch(r"[0-9a-f]{12}", version)
        assert template_version(kind, lang) == version
    assert len(set(versions.values())) == len(versions)
