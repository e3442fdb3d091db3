"""Tests for the contract_templates package (docx templates + sandboxed rendering)."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

import contract_templates
from contract_templates import (
    KINDS,
    LANGUAGES,
    TemplateError,
    render_document,
    render_template_file,
    template_path,
    template_version,
)
from contract_templates.sample import sample_context

# Which parts of the context each document must show.
SHOWS_NUMBERS = {"supplementary_agreement", "tripartite_agreement", "pbx_sheet"}
SHOWS_RATES = {"tariff_appendix"}
SHOWS_PROTOCOL = {"disagreement_protocol"}


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


def _docx_bytes(*paragraphs, header=None, footer=None, rows=None) -> bytes:
    """A small template: paragraphs, optionally a header/footer paragraph and
    a table with a docxtpl row loop over ``rows`` (a (loop tag, cells) pair)."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph().add_run(text)
    if rows:
        loop, cells = rows
        table = doc.add_table(rows=3, cols=len(cells))
        table.rows[0].cells[0].paragraphs[0].add_run(loop)
        for cell, text in zip(table.rows[1].cells, cells):
            cell.paragraphs[0].add_run(text)
        table.rows[2].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if header:
        doc.sections[0].header.paragraphs[0].add_run(header)
    if footer:
        doc.sections[0].footer.paragraphs[0].add_run(footer)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docxtpl_render(source, context) -> bytes:
    """Plain docxtpl, re-reading the template, with a sandbox like ours."""
    template = DocxTemplate(io.BytesIO(source) if isinstance(source, bytes) else source)
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    template.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _rendered_parts(data: bytes) -> dict[str, bytes]:
    """The parts a render writes: main document, headers, footers."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: package.read(name)
            for name in package.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name)
        }


# --------------------------------------------------------------------------- API


def test_public_constants():
    assert KINDS == (
        "service_contract",
        "tariff_appendix",
        "supplementary_agreement",
        "tripartite_agreement",
        "disagreement_protocol",
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
        "numbers", "trunk", "start_date", "protocol",
    }
    assert set(ctx["trunk"]) == {"type", "type_label", "registrar", "username", "password", "addresses"}
    assert len(ctx["tariff"]["rates"]) == 5
    assert all(set(rate) == {"destination", "price_per_minute", "price_text"}
               for rate in ctx["tariff"]["rates"])
    assert set(ctx["tariff"]) >= {"monthly_fee_text", "one_time_fee_text",
                                  "monthly_fee_words", "one_time_fee_words"}
    assert set(ctx["carrier"]) >= {"penalty_cap_text", "penalty_cap_words"}
    assert isinstance(ctx["protocol"]["round"], int)
    clause_fields = {"round", "clause", "carrier_wording", "our_wording", "agreed_wording", "answer",
                     "counter_wording"}
    assert ctx["protocol"]["clauses"] and all(set(item) == clause_fields for item in ctx["protocol"]["clauses"])
    assert ctx["protocol"]["history"] and all(set(item) == clause_fields for item in ctx["protocol"]["history"])
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
            assert [rate["destination"], rate["price_text"]] in rows
        assert ctx["tariff"]["monthly_fee_text"] in text
        assert ctx["tariff"]["one_time_fee_text"] in text
        assert ctx["tariff"]["name"] in text
        if lang == "ru":  # Russian documents give amounts in words too
            assert ctx["tariff"]["monthly_fee_words"] in text
            assert ctx["tariff"]["one_time_fee_words"] in text

    if kind in SHOWS_PROTOCOL:
        for item in ctx["protocol"]["clauses"]:
            row = next(row for row in rows if row[1] == item["carrier_wording"])
            assert item["clause"] in row[0]
            assert row[2] == item["our_wording"]
            assert row[3] == (item["agreed_wording"] or "—")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_service_contract_protective_terms(rendered, lang):
    ctx = sample_context(lang)
    text, _ = _doc_text(rendered["service_contract", lang])
    assert f"{ctx['carrier']['price_change_notice_days']} " in text
    assert f"{ctx['carrier']['invoice_dispute_days']} " in text
    assert f"{ctx['carrier']['penalty_cap_text']} ({ctx['carrier']['penalty_cap_words']})" in text
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


@pytest.mark.parametrize("lang", LANGUAGES)
def test_disagreement_protocol(rendered, lang):
    ctx = sample_context(lang)
    text, rows = _doc_text(rendered["disagreement_protocol", lang])
    title = "PROTOCOL OF DISAGREEMENTS" if lang == "en" else "ПРОТОКОЛ РАЗНОГЛАСИЙ"
    assert title in text
    agreed = "Agreed wording" if lang == "en" else "Согласованная редакция"
    header = next(row for row in rows if agreed in row)
    assert len(header) == 4
    items = ctx["protocol"]["clauses"]
    assert any(not item["agreed_wording"] for item in items)  # the sample has an open clause
    body = rows[rows.index(header) + 1:rows.index(header) + 1 + len(items)]
    for number, (row, item) in enumerate(zip(body, items), start=1):
        assert row[0].startswith(f"{number} /") and row[0].endswith(item["clause"])
        assert row[1:] == [item["carrier_wording"], item["our_wording"],
                           item["agreed_wording"] or "—"]
    assert ctx["company"]["signatory"] in text and ctx["carrier"]["signatory"] in text
    assert f"{ctx['protocol']['round']}" in text

    ctx["protocol"]["clauses"] = []
    empty_text, empty_rows = _doc_text(render_document("disagreement_protocol", lang, ctx))
    assert ("No clauses are in dispute." if lang == "en" else "Спорные пункты отсутствуют.") \
        in empty_text
    assert not any(item["carrier_wording"] in " ".join(row) for row in empty_rows for item in items)


# ------------------------------------------------------------- compiled cache


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_cached_render_matches_docxtpl(rendered, kind, lang):
    ctx = sample_context(lang)
    expected = _docxtpl_render(template_path(kind, lang), ctx)
    assert _doc_text(rendered[kind, lang]) == _doc_text(expected)
    # The rendered XML parts are byte for byte what docxtpl writes.
    assert _rendered_parts(rendered[kind, lang]) == _rendered_parts(expected)


def test_every_entry_is_kept(rendered):
    data = rendered["service_contract", "en"]
    with zipfile.ZipFile(io.BytesIO(data)) as out, \
            zipfile.ZipFile(template_path("service_contract", "en")) as template:
        assert out.testzip() is None
        assert sorted(out.namelist()) == sorted(template.namelist())
        for name in template.namelist():
            if name not in ("word/document.xml", "word/footer1.xml"):
                assert out.read(name) == template.read(name), name


def test_headers_footers_tables_and_line_breaks_match_docxtpl():
    data = _docx_bytes(
        "To: {{ company.legal_name }}",
        "Purpose: {{ request.purpose }}",
        header="Header {{ document.reference }} & {{ carrier.name }}",
        footer="Footer {{ company.tax_id }}",
        rows=("{%tr for rate in tariff.rates %}",
              ["{{ rate.destination }}", "{{ rate.price_text }}"]),
    )
    ctx = sample_context("en")
    # \n, \t and \a in values become Word breaks, tabs and paragraphs (docxtpl's resolve_listing).
    ctx["request"]["purpose"] = "line one\nline two\tcolumn\anew paragraph"
    ours = render_template_file(data, ctx)
    theirs = _docxtpl_render(data, ctx)
    assert _rendered_parts(ours) == _rendered_parts(theirs)
    text, rows = _doc_text(ours)
    assert "Header NR-00012 & Volga Telecom" in text and "Footer 1655123456" in text
    assert "line one\nline two\tcolumn" in text and "\nnew paragraph" in text
    assert [["Local", "RUB 0.90"]] == [row for row in rows if row[0] == "Local"]


def _with_footnotes(data: bytes, footnote_text: str) -> bytes:
    """``data`` plus a footnotes part (python-docx cannot add one itself)."""
    footnotes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{footnote_text}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    content_type = ('<Override PartName="/word/footnotes.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>')
    relationship = ('<Relationship Id="rId99" Target="footnotes.xml" Type="http://schemas.'
                    'openxmlformats.org/officeDocument/2006/relationships/footnotes"/>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                entry = entry.replace(b"</Types>", content_type.encode() + b"</Types>")
            if info.filename == "word/_rels/document.xml.rels":
                entry = entry.replace(b"</Relationships>",
                                      relationship.encode() + b"</Relationships>")
            target.writestr(info, entry)
        target.writestr("word/footnotes.xml", footnotes)
    return out.getvalue()


def test_footnotes_match_docxtpl():
    data = _with_footnotes(_docx_bytes("Body {{ company.name }}"),
                           "Note {{ carrier.legal_name }}: {{ request.purpose }}")
    ctx = sample_context("en")
    ours = render_template_file(data, ctx)
    theirs = _docxtpl_render(data, ctx)

    def footnotes(rendered):
        with zipfile.ZipFile(io.BytesIO(rendered)) as package:
            return package.read("word/footnotes.xml")

    assert footnotes(ours) == footnotes(theirs)
    expected = b"Note Volga Telecom JSC: Customers&#39; sales hotline (calls &gt; 2 min"
    assert expected in footnotes(ours)


def test_cache_compiles_each_template_once():
    contract_templates.clear_template_cache()
    env = contract_templates.jinja_environment()
    ctx = sample_context("ru")
    with mock.patch.object(env, "from_string", wraps=env.from_string) as from_string:
        first = render_document("tariff_appendix", "ru", ctx)
        compiles = from_string.call_count
        assert compiles == 2  # main document and footer
        ctx["tariff"]["name"] = "Second render"
        second = render_document("tariff_appendix", "ru", ctx)
        assert from_string.call_count == compiles
    info = contract_templates.template_cache_info()
    assert (info.hits, info.misses, info.size) == (1, 1, 1)
    assert "Second render" in _doc_text(second)[0]
    assert "Second render" not in _doc_text(first)[0]


def test_changed_template_bytes_get_a_new_cache_entry():
    contract_templates.clear_template_cache()
    ctx = sample_context("en")
    old = _docx_bytes("Old: {{ company.name }}")
    new = _docx_bytes("New: {{ company.name }}")
    assert "Old: Example Retail" in _doc_text(render_template_file(old, ctx))[0]
    assert "New: Example Retail" in _doc_text(render_template_file(new, ctx))[0]
    assert contract_templates.template_cache_info().size == 2
    assert "Old: Example Retail" in _doc_text(render_template_file(old, ctx))[0]
    assert contract_templates.template_cache_info().hits == 1


def test_cache_is_bounded(monkeypatch):
    contract_templates.clear_template_cache()
    monkeypatch.setattr(contract_templates, "_CACHE_SIZE", 2)
    ctx = sample_context("en")
    for number in range(4):
        render_template_file(_docx_bytes(f"Copy {number}: {{{{ company.name }}}}"), ctx)
    assert contract_templates.template_cache_info().size == 2


def test_cached_renders_do_not_leak_between_contexts():
    first, second = sample_context("en"), sample_context("en")
    first["company"]["legal_name"] = 'A & B <First> "One"'
    second["company"]["legal_name"] = "C & D <Second> 'Two'"
    for _ in range(2):
        text_one, _ = _doc_text(render_document("order_letter", "en", first))
        text_two, _ = _doc_text(render_document("order_letter", "en", second))
        assert first["company"]["legal_name"] in text_one and "Second" not in text_one
        assert second["company"]["legal_name"] in text_two and "First" not in text_two


def test_concurrent_renders_share_the_cache():
    contexts = [sample_context(lang) for lang in LANGUAGES for _ in range(2)]
    for number, ctx in enumerate(contexts):
        ctx["request"]["reference"] = f"NR-{number:05d}"

    def render(ctx):
        return ctx["request"]["reference"], render_document("pbx_sheet", ctx["language"], ctx)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render, contexts))
    for reference, data in results:
        text, _ = _doc_text(data)
        assert f"Request {reference}" in text or f"Заявка {reference}" in text


# ----------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "path, name",
    [(("company",), "company"), (("carrier", "penalty_cap_text"), "penalty_cap_text"),
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


def test_errors_on_the_cached_path(tmp_path):
    evil = _single_paragraph_docx(tmp_path / "evil.docx", "{{ cycler.__init__.__globals__ }}")
    for _ in range(2):  # the second attempt finds the template compiled
        with pytest.raises(TemplateError, match="unsafe|undefined"):
            render_template_file(evil, sample_context("en"))
    assert contract_templates.template_cache_info().hits >= 1

    render_document("service_contract", "en", sample_context("en"))  # now cached
    ctx = sample_context("en")
    del ctx["carrier"]["invoice_dispute_days"]
    with pytest.raises(TemplateError, match="undefined.*invoice_dispute_days"):
        render_document("service_contract", "en", ctx)


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


def test_every_document_kind_of_the_domain_has_templates():
    from models.choices import DocumentKind
    assert set(KINDS) == set(DocumentKind.values())
