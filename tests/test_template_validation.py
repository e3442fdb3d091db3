"""The context schema and the checks an uploaded contract template must pass."""
import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

import jinja2
import pytest
from docx import Document

from contract_templates import validation
from contract_templates.sample import sample_context
from contract_templates.schema import KIND_VARIABLES, TOP_LEVEL, VARIABLES, paths_of, reference, variables_for
from models import zip_packages
from packages import claim_size, repack
from contract_templates.validation import validate_template
from models.choices import DocumentKind

BUNDLED_KINDS = ("service_contract", "tariff_appendix", "supplementary_agreement", "tripartite_agreement",
                 "order_letter", "pbx_sheet")


def bundled(kind: str = "service_contract", language: str = "en") -> bytes:
    return (validation.PROJECT_ROOT / "contract_templates" / language / f"{kind}.docx").read_bytes()


def docx(*paragraphs: str) -> bytes:
    """A Word document with one paragraph (a single run, so tags stay whole) per text."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def check(data: bytes, kind: str = "service_contract", language: str = "en", filename: str = "upload.docx"):
    return validate_template(kind, language, data, filename)


def only_reason(reasons: list[str]) -> str:
    assert len(reasons) == 1, reasons
    return reasons[0]


# --- the schema ------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "ru"])
def test_schema_paths_match_the_sample_context_exactly(language):
    paths = set(paths_of(sample_context(language)))
    assert sorted(paths - set(VARIABLES)) == [], "in sample_context() but not described in the schema"
    assert sorted(set(VARIABLES) - paths) == [], "described in the schema but missing from sample_context()"


def test_schema_covers_every_kind_and_top_level_name():
    assert set(KIND_VARIABLES) == set(DocumentKind.values())
    assert set(TOP_LEVEL) == {path.split(".")[0].removesuffix("[]") for path in VARIABLES}
    assert set().union(*KIND_VARIABLES.values()) == set(TOP_LEVEL)
    assert all(description.strip() for description in VARIABLES.values())
    assert "numbers" not in KIND_VARIABLES["service_contract"]
    assert {"numbers", "trunk"} <= KIND_VARIABLES["pbx_sheet"]
    assert "protocol" in KIND_VARIABLES["disagreement_protocol"]
    assert "trunk" not in KIND_VARIABLES["tripartite_agreement"]


def test_reference_lists_a_kinds_variables_with_examples():
    rows = {row["path"]: row for row in reference("tariff_appendix", sample_context("en"))}
    assert set(rows) == set(variables_for("tariff_appendix"))
    assert rows["carrier.legal_name"]["example"] == "Volga Telecom JSC"
    assert rows["tariff.rates[].destination"]["example"] == "Local"
    assert rows["tariff.rates"]["type"] == "list"
    assert not any(path.startswith("numbers") for path in rows)


# --- valid uploads ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", BUNDLED_KINDS)
def test_bundled_templates_pass(kind):
    assert check(bundled(kind), kind=kind, filename=f"{kind}.docx") == []


def test_bundled_russian_template_passes():
    assert check(bundled("pbx_sheet", "ru"), kind="pbx_sheet", language="ru", filename="PBX.DOCX") == []


# --- the request -----------------------------------------------------------------------------------

def test_unknown_kind_and_language():
    reasons = validate_template("fax_cover", "de", bundled(), "a.docx")
    assert any("unknown document kind 'fax_cover'" in reason for reason in reasons)
    assert any("unknown language 'de'" in reason for reason in reasons)


def test_docm_name_is_refused():
    reason = only_reason(check(bundled(), filename="contract.docm"))
    assert ".docm" in reason and "macro" in reason


def test_empty_and_oversized_files(monkeypatch):
    assert check(b"") == ["the file is empty"]
    monkeypatch.setattr(validation, "MAX_UPLOAD_BYTES", 1000)
    assert "at most" in only_reason(check(bundled()))


# --- the package -----------------------------------------------------------------------------------

def test_not_a_zip():
    assert "not a ZIP archive" in only_reason(check(b"{\\rtf1 this is an RTF file}"))


def test_zip_that_is_not_a_word_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    reason = only_reason(check(out.getvalue()))
    assert "[Content_Types].xml" in reason and "word/document.xml" in reason


def test_macro_project_is_refused():
    reason = only_reason(check(repack(bundled(), extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})))
    assert "vbaProject.bin" in reason and "macro" in reason


def test_macro_content_type_is_refused():
    types = zipfile.ZipFile(io.BytesIO(bundled())).read("[Content_Types].xml")
    docm = types.replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                         b"application/vnd.ms-word.document.macroEnabled.main+xml")
    assert docm != types
    reason = only_reason(check(repack(bundled(), change={"[Content_Types].xml": docm})))
    assert "macroEnabled" in reason


def test_activex_is_refused():
    reasons = check(repack(bundled(), extra={"word/activeX/activeX1.xml": b"<ax/>"}))
    assert any("ActiveX" in reason for reason in reasons)


def test_too_many_entries():
    extra = {f"word/padding/part{number}.xml": b"<a/>" for number in range(zip_packages.MAX_ENTRIES)}
    assert "entries" in only_reason(check(repack(bundled(), extra=extra)))


def test_huge_uncompressed_size_claimed_by_the_directory():
    data = claim_size(repack(bundled(), extra={"word/media/big.bin": b"x" * 100}), "word/media/big.bin",
                      4_000_000_000)
    reasons = check(data)
    assert any("would unpack to" in reason for reason in reasons), reasons


def test_compression_ratio_too_high():
    reason = only_reason(check(repack(bundled(), extra={"word/media/zeros.bin": bytes(2 * 1024 * 1024)})))
    assert "suspiciously compressed" in reason and "word/media/zeros.bin" in reason


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "word/../../evil.xml"])
def test_paths_leaving_the_package(name):
    assert "'..' paths" in only_reason(check(repack(bundled(), extra={name: b"<a/>"})))


# --- what a contract may not refer to or carry inside ----------------------------------------------

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def with_relationship(data: bytes, kind: str, target: str, external: bool = False,
                      rels: str = "word/_rels/document.xml.rels") -> bytes:
    """`data` with one more relationship of type `kind`, in `rels` (created when missing)."""
    mode = ' TargetMode="External"' if external else ""
    relationship = f'<Relationship Id="rId99" Type="{R}/{kind}" Target="{target}"{mode}/>'.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        existing = archive.read(rels) if rels in archive.namelist() else None
    if existing is None:
        content = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + relationship + b"</Relationships>")
        return repack(data, extra={rels: content})
    return repack(data, change={rels: existing.replace(b"</Relationships>", relationship + b"</Relationships>")})


def with_body(data: bytes, xml: str) -> bytes:
    """`data` with raw WordprocessingML added at the end of the body."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = archive.read("word/document.xml").decode()
    position = document.rindex("<w:sectPr")
    return repack(data, change={"word/document.xml": (document[:position] + xml + document[position:]).encode()})


def field(instruction: str, simple: bool) -> str:
    """A paragraph with a field: w:fldSimple, or a complex field whose instruction is split over two runs."""
    if simple:
        return f'<w:p><w:fldSimple w:instr={quoteattr(instruction)}><w:r><w:t>result</w:t></w:r></w:fldSimple></w:p>'
    half = len(instruction) // 2
    return ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instruction[:half])}</w:instrText></w:r>'
            f'<w:r><w:instrText xml:space="preserve">{escape(instruction[half:])} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>result</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def test_an_external_relationship_is_refused():
    data = with_relationship(bundled(), "hyperlink", "https://attacker.example/track.png", external=True)
    reason = only_reason(check(data))
    assert reason.startswith('contains external relationships (TargetMode="External")')
    assert "hyperlink to https://attacker.example/track.png" in reason


def test_an_ole_object_is_refused():
    data = with_relationship(bundled(), "oleObject", "embeddings/oleObject1.bin")
    data = with_body(data, '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" '
                           'ProgID="Package" r:id="rId99"/></w:object></w:r></w:p>')
    reason = only_reason(check(data))  # the relationship and the element are one thing refused
    assert reason.startswith("contains an OLE object (") and reason.endswith("embedded objects are refused")
    assert "word/_rels/document.xml.rels: embeddings/oleObject1.bin" in reason and "word/document.xml" in reason


def test_an_embeddings_part_is_refused():
    reason = only_reason(check(repack(bundled(), extra={"word/embeddings/Microsoft_Excel_Sheet1.xlsx": b"PK"})))
    assert reason.startswith("contains embedded objects or files (OLE embeddings) "
                             "(word/embeddings/Microsoft_Excel_Sheet1.xlsx)")


def test_an_altchunk_is_refused():
    data = with_relationship(repack(bundled(), extra={"word/afchunk1.mht": b"MIME-Version: 1.0"}),
                             "aFChunk", "afchunk1.mht")
    data = with_body(data, '<w:altChunk r:id="rId99"/>')
    reason = only_reason(check(data))  # the relationship and the element are one thing refused
    assert reason.startswith("contains an altChunk (content imported as is from another file) (")
    assert "word/_rels/document.xml.rels: afchunk1.mht" in reason and "word/document.xml" in reason
    assert reason.endswith("altChunk is refused; paste the text instead")


def test_an_attached_template_is_refused():
    data = with_relationship(bundled(), "attachedTemplate", "file:///C:/Templates/Evil.dotm", external=True,
                             rels="word/_rels/settings.xml.rels")
    reason = only_reason(check(data))
    assert reason.startswith("contains an attached template (word/_rels/settings.xml.rels: "
                             "file:///C:/Templates/Evil.dotm)")
    assert "attached templates are refused" in reason


@pytest.mark.parametrize("simple", [False, True], ids=["instrText", "fldSimple"])
@pytest.mark.parametrize("instruction, name", [
    (r'DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"', "DDEAUTO"),
    ('DDE "excel" "sheet1!r1c1"', "DDE"),
    (r'INCLUDETEXT "\\\\attacker.example\\share\\clause.docx"', "INCLUDETEXT"),
    (r'INCLUDEPICTURE "https://attacker.example/pixel.png" \d', "INCLUDEPICTURE"),
    (r'includetext "c:\\secret.txt"', "INCLUDETEXT"),  # Word reads field names in any case
])
def test_fields_that_fetch_outside_content_are_refused(instruction, name, simple):
    reason = only_reason(check(with_body(bundled(), field(instruction, simple))))
    assert reason.startswith(f"contains a {name} field code (word/document.xml)")
    assert "DDE, INCLUDETEXT, INCLUDEPICTURE and other fields" in reason


def test_a_refused_field_inside_another_field_is_found():
    nested = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>IF 1 = 1 "</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>INCLUDE'
              '</w:instrText></w:r><w:r><w:instrText>TEXT "c:\\x.docx"</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:instrText>"</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    assert only_reason(check(with_body(bundled(), nested))).startswith("contains a INCLUDETEXT field code")


def test_ordinary_fields_pass():
    page = field("PAGE", simple=True) + field("NUMPAGES", simple=False) + field(r'DATE \@ "d MMMM yyyy"', True)
    assert check(with_body(bundled(), page)) == []


def test_a_refused_field_written_by_the_template_is_caught_by_the_sample_render():
    # No field in the package: the template's Jinja writes one, which only the rendered document shows.
    text = "{{ '<w:r><w:fldSimple w:instr=\"DDEAUTO c:\\\\windows\\\\calc.exe\"/></w:r>' | safe }}"
    reason = only_reason(check(docx(text)))
    assert reason.startswith("rendering with sample data failed: the document it made contains a DDEAUTO field code")


# --- the Jinja source ------------------------------------------------------------------------------

def test_syntax_error_with_context():
    reason = only_reason(check(docx("Between", "Carrier: {{ carrier.legal_name | }} signs", "and us")))
    assert reason.startswith("Jinja syntax error in the document body")
    assert "Carrier:" in reason and "signs" in reason


def test_unclosed_block():
    reason = only_reason(check(docx("{% if carrier.legal_name %}unfinished")))
    assert "syntax error" in reason and "endif" in reason


def test_tags_the_parser_cannot_read():
    assert "cannot be read: ValueError" in only_reason(check(docx("{{ 1" + "0" * 5000 + " }}")))


def test_unknown_variables_are_listed_by_name():
    reason = only_reason(check(docx("{{ foo }} {{ bar.baz }} {{ carrier.nickname }} {{ carrier.legal_name }}")))
    assert reason.startswith("unknown variable(s): bar, carrier.nickname, foo;")


def test_variables_of_other_kinds_are_unknown():
    template = docx("{% for number in numbers %}{{ number.e164 }}{% endfor %}")
    assert "unknown variable(s): numbers;" in only_reason(check(template, kind="service_contract"))


def test_loop_variables_are_checked_against_the_list_items():
    template = docx("{% for rate in tariff.rates %}{{ rate.destination }} {{ rate.cost }}{% endfor %}")
    assert "unknown variable(s): tariff.rates[].cost;" in only_reason(check(template, kind="tariff_appendix"))


def test_harmless_jinja_passes_the_static_checks():
    template = docx("{{ carrier.legal_name.upper() }} {{ tariff.rates | length }}",
                    "{% set total = 2 ** 3 %}{% for i in range(3) %}{{ loop.index }}{% endfor %}{{ total }}",
                    "{{ '-' * 40 }}")
    assert validation._dangerous_constructs([validation._PARSER.parse(source)
                                             for _, source in validation._jinja_sources(template)]) == []
    assert check(template) == []


@pytest.mark.parametrize("text, expected", [
    ("{{ ''.__class__.__mro__ }}", "internal attribute(s) __class__, __mro__"),
    ("{{ ().__class__.__base__.__subclasses__() }}", "__base__, __class__, __subclasses__"),
    ("{{ lipsum.__globals__ }}", "lipsum may not be used"),
    ("{{ cycler.__init__.__globals__ }}", "cycler may not be used"),
    ("{{ request.__class__ }}", "internal attribute(s) __class__"),
    ("{{ carrier['__class__'] }}", "internal attribute(s) __class__"),
    ("{{ carrier | attr('__class__') }}", "internal attribute(s) __class__"),
    ("{{ joiner() }}{{ namespace(a=1) }}", "joiner, namespace may not be used"),
    ("{{ self }}", "self may not be used"),
    ("{% for i in range(10**9) %}x{% endfor %}", "range() over 1,000,000,000 items"),
    ("{{ 'a' * 10**9 }}", "multiplying by 1,000,000,000"),
    ("{{ [1] * 99999999999999999 }}", "multiplying by an astronomical number"),
    ("{{ 10 ** 10000000000 }}", "'**' with the exponent 10,000,000,000"),
    ("{{ 2 ** request.quantity }}", "'**' with the exponent a variable"),
    ("{% include 'other.docx' %}", "include of other templates"),
])
def test_injection_attempts_are_refused_before_rendering(monkeypatch, text, expected):
    monkeypatch.setattr(validation, "render_sample", lambda *args: pytest.fail("must not render"))
    reasons = check(docx(text))
    assert any(expected in reason for reason in reasons), reasons


# --- the test render -------------------------------------------------------------------------------

def test_render_failure_with_sample_data_is_reported():
    reason = only_reason(check(docx("{{ tariff.rates[7].destination }}"), kind="tariff_appendix"))
    assert reason.startswith("rendering with sample data failed: undefined variable")


def test_endless_loop_is_stopped_by_the_cpu_limit(monkeypatch):
    monkeypatch.setattr(validation, "RENDER_CPU_SECONDS", 1)
    loops = ("{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
             "{% endfor %}{% endfor %}{% endfor %}")
    assert only_reason(check(docx(loops))) == "rendering with sample data took too long (stopped after 1 s)"


def test_wall_clock_timeout(monkeypatch):
    monkeypatch.setattr(validation, "RENDER_WALL_SECONDS", 0.01)
    assert "took too long" in validation.render_sample("service_contract", "en", bundled())


def test_huge_allocation_is_stopped_by_the_memory_limit():
    reason = only_reason(check(docx("{{ 'a' * 10000 * 10000 * 100 }}")))
    assert reason.startswith("rendering with sample data used too much memory")


def test_render_sample_passes_only_the_kinds_variables():
    # trunk is in sample_context() but a service contract does not receive it.
    reason = validation.render_sample("service_contract", "en", docx("{{ trunk.type }}"))
    assert reason.startswith("rendering with sample data failed: undefined variable")
    assert validation.render_sample("pbx_sheet", "en", docx("{{ trunk.type }}")) is None


def test_jinja_is_a_version_without_known_sandbox_escapes():
    # 3.1.5 and 3.1.6 closed sandbox escapes through str.format and the attr filter.
    version = tuple(int(part) for part in jinja2.__version__.split(".")[:3])
    assert version >= (3, 1, 6)
