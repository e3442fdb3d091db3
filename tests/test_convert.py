"""contract_templates.convert: safe HTML, text, redline and PDF from .docx bytes."""
import io
import re
import shutil
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from conftest import installed
from contract_templates import KINDS, LANGUAGES, render_document
from contract_templates import convert
from contract_templates.convert import ConversionFailed, ConversionUnavailable
from contract_templates.sample import sample_context

needs_libreoffice = installed(convert.libreoffice_path() is not None, "LibreOffice")


class TagCollector(HTMLParser):
    """Every element and attribute a browser would build from the markup."""

    def __init__(self, markup: str):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def add_hyperlink(paragraph, target: str, text: str) -> None:
    # python-docx has no API for hyperlinks: the relationship and the element are made by hand.
    relationship = paragraph.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    run_text = OxmlElement("w:t")
    run_text.text = text
    run.append(run_text)
    link.append(run)
    paragraph._p.append(link)


def malicious_docx() -> bytes:
    document = Document()
    document.add_heading("Service contract", 1)
    paragraph = document.add_paragraph("Read the terms ")
    add_hyperlink(paragraph, "javascript:alert(1)", "here")
    document.add_paragraph('<script>alert(1)</script> and <img src=x onerror="alert(2)"> & more')
    document.add_picture(io.BytesIO(tiny_png()))
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Price"
    table.cell(0, 1).text = "<b>10</b>"
    return docx_bytes(document)


def test_a_malicious_document_comes_out_inert():
    markup = convert.docx_to_html(malicious_docx())
    found = TagCollector(markup)
    assert set(found.tags) <= convert.ALLOWED_TAGS
    assert not {"script", "img", "a", "iframe", "style"} & set(found.tags)
    assert found.attributes == []
    assert "javascript:" not in markup
    # The words stay readable, as text.
    assert "Read the terms here" in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=x" in markup
    assert "<td><p>&lt;b&gt;10&lt;/b&gt;</p></td>" in markup


def test_the_sanitiser_strips_what_mammoth_could_never_be_trusted_with():
    markup = convert.sanitise_html(
        '<p onclick="x()">a<script>alert(1)</script><style>p{}</style><iframe src="https://e.test"></iframe>'
        '<a href="javascript:alert(1)">b</a><img src="https://e.test/t.png" onerror="alert(2)"></p>'
        '<table><tr><td colspan="2" rowspan="x" style="color:red">c</td></tr></table>')
    assert markup == '<p>ab</p><table><tbody><tr><td colspan="2">c</td></tr></tbody></table>'


def test_headings_tables_and_emphasis_survive():
    markup = convert.docx_to_html(render_document("tariff_appendix", "en", sample_context("en")))
    found = TagCollector(markup)
    assert {"h1", "table", "tr", "td", "p"} <= set(found.tags)
    assert "Volga Telecom JSC" in markup
    # The sample's company name has & and quotes: escaped once, never doubled.
    assert "Example Retail &amp; Co" in markup and "&amp;amp;" not in markup


def test_text_follows_document_order_with_table_rows_as_lines():
    document = Document()
    document.add_paragraph("Before the table")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Destination", "Price"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Merged row"
    document.add_paragraph("After the table")
    assert convert.docx_to_text(docx_bytes(document)) == (
        "Before the table\nDestination\tPrice\nMerged row\nAfter the table")


def test_text_of_a_rendered_contract_in_russian():
    text = convert.docx_to_text(render_document("service_contract", "ru", sample_context("ru")))
    assert text.startswith("ДОГОВОР ОБ ОКАЗАНИИ УСЛУГ ТЕЛЕФОННОЙ СВЯЗИ\n")
    assert "АО «Волга Телеком»" in text


@pytest.mark.parametrize("function", [convert.docx_to_html, convert.docx_to_text])
def test_bytes_that_are_not_a_word_document_fail_clearly(function):
    with pytest.raises(ConversionFailed, match="cannot read the document as .docx"):
        function(b"this is not a zip file")


def marked(markup: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", markup)


def test_the_redline_marks_exactly_the_changed_words():
    result = convert.diff_words("The carrier may change prices with 30 days notice.",
                                "The carrier may change prices with 60 days written notice.")
    assert marked(result.html, "del") == ["30"]
    assert marked(result.html, "ins") == ["60", "written"]
    assert (result.inserted, result.deleted) == (2, 1)
    assert result.html == ("<p>The carrier may change prices with <del>30</del> <ins>60</ins> days "
                           "<ins>written</ins> notice.</p>")


def test_the_redline_escapes_everything():
    result = convert.diff_words("Fees < 5 & VAT", "Fees <script> 6 & VAT")
    assert result.html == "<p>Fees <del>&lt; 5</del> <ins>&lt;script&gt; 6</ins> &amp; VAT</p>"
    assert "<script>" not in result.html


def test_the_redline_keeps_paragraphs_and_shows_removed_ones():
    result = convert.diff_words("Alpha one.\nBravo two is gone.\nCharlie three.",
                                "Alpha one.\nCharlie three.\nDelta four.")
    assert result.html.split("\n") == [
        "<p>Alpha one.</p>",
        "<p><del>Bravo two is gone. ¶</del></p>",
        "<p>Charlie three. <ins>¶</ins></p>",
        "<p><ins>Delta four.</ins></p>",
    ]
    assert (result.inserted, result.deleted) == (2, 4)


def test_identical_documents_have_no_changes():
    data = render_document("supplementary_agreement", "en", sample_context("en"))
    result = convert.compare(data, data)
    assert not result.changed and "<ins>" not in result.html and "<del>" not in result.html


def test_redline_of_two_rendered_contracts():
    context = sample_context("en")
    old = render_document("service_contract", "en", context)
    context["carrier"]["price_change_notice_days"] = 90
    new = render_document("service_contract", "en", context)
    markup = convert.redline(old, new)
    assert marked(markup, "ins") == ["90"] and len(marked(markup, "del")) == 1
    assert convert.compare(old, new).inserted == 1


def test_pdf_needs_libreoffice(monkeypatch):
    monkeypatch.setattr(convert, "libreoffice_path", lambda: None)
    with pytest.raises(ConversionUnavailable, match="libreoffice-writer-nogui"):
        convert.docx_to_pdf(b"anything")


@pytest.fixture(scope="module")
def pdfs() -> dict[tuple[str, str], bytes | Exception]:
    """Every kind in every language converted once, two at a time: parallel runs must not collide."""
    if convert.libreoffice_path() is None:
        return {}
    jobs = [(kind, language) for language in LANGUAGES for kind in KINDS]

    def convert_one(job: tuple[str, str]) -> bytes | Exception:
        kind, language = job
        try:
            return convert.docx_to_pdf(render_document(kind, language, sample_context(language)))
        except Exception as error:  # reported by the test of that document alone
            return error
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(jobs, pool.map(convert_one, jobs)))


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


@needs_libreoffice
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_converts_to_pdf(pdfs, kind, language):
    pdf = pdfs[(kind, language)]
    assert not isinstance(pdf, Exception), pdf
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = pdf_text(pdf)
        # In Russian the name is Cyrillic text (Волга Телеком).
        assert sample_context(language)["carrier"]["name"] in text


@needs_libreoffice
def test_pdf_of_something_that_is_not_a_document_fails():
    with pytest.raises(ConversionFailed, match="could not convert"):
        convert.docx_to_pdf(b"this is not a zip file")


@needs_libreoffice
def test_pdf_conversion_that_takes_too_long_is_stopped():
    with pytest.raises(ConversionFailed, match="did not finish within"):
        convert.docx_to_pdf(render_document("pbx_sheet", "en", sample_context("en")), timeout=0.2)
