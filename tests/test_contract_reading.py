"""A carrier's own contract file read into text and split into clauses."""
import io
import zipfile
from pathlib import Path

import pypdf
import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from models.errors import InvalidInput
from models.terms import reading
from models.terms.reading import MAX_CONTRACT_BYTES, read_contract
from models.terms.splitting import Clause, split_clauses
from packages import claim_size, repack

FIXTURES = Path(__file__).parent / "fixtures" / "carrier_contracts"
DEMO = Path(__file__).parent.parent / "demo" / "contracts"


# --- building Word documents -----------------------------------------------------------------------

def saved(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add_list(document: Document, levels: list[tuple[str, str]]) -> str:
    """A multi-level list definition, levels given as (number format, level text); returns its abstractNumId."""
    numbering = document.part.numbering_part.element
    abstract_id = str(100 + len(numbering.findall(qn("w:abstractNum"))))
    xml = f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
    for level, (number_format, text) in enumerate(levels):
        xml += (f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{number_format}"/>'
                f'<w:lvlText w:val="{text}"/></w:lvl>')
    abstract = parse_xml(xml + "</w:abstractNum>")
    first_list = numbering.find(qn("w:num"))
    if first_list is None:
        numbering.append(abstract)
    else:
        first_list.addprevious(abstract)
    return abstract_id


def use_list(document: Document, abstract_id: str, restart: bool = False) -> int:
    """A list (numId) of the definition; with ``restart`` its first level starts again at 1."""
    num = document.part.numbering_part.element.add_num(int(abstract_id))
    if restart:
        num.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="0"><w:startOverride w:val="1"/>'
                             '</w:lvlOverride>'))
    return num.numId


def numbered(document: Document, text: str, num_id: int, level: int, style: str | None = None):
    paragraph = document.add_paragraph(text, style=style)
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id
    return paragraph


def simple_docx(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    return saved(document)


def refusal(filename: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as refused:
        read_contract(filename, data)
    assert set(refused.value.fields) == {"file"}
    return refused.value.fields["file"]


# --- reading .docx ---------------------------------------------------------------------------------

def test_docx_writes_out_word_numbering_by_level_and_restarts_an_appendix():
    document = Document()
    contract = add_list(document, [("decimal", "%1."), ("decimal", "%1.%2."), ("russianLower", "%3)")])
    main = use_list(document, contract)
    document.add_paragraph("ДОГОВОР ОБ ОКАЗАНИИ УСЛУГ СВЯЗИ")
    numbered(document, "ПРЕДМЕТ ДОГОВОРА", main, 0)
    numbered(document, "Оператор оказывает услуги связи.", main, 1)
    numbered(document, "Абонент обязуется:", main, 1)
    numbered(document, "оплачивать услуги;", main, 2)
    numbered(document, "не нарушать правила.", main, 2)
    numbered(document, "", main, 1)  # an empty numbered paragraph still takes 1.3. in Word
    numbered(document, "Услуги оказываются круглосуточно.", main, 1)
    numbered(document, "СТОИМОСТЬ УСЛУГ", main, 0)
    numbered(document, "Стоимость определяется тарифами.", main, 1)
    document.add_paragraph("Приложение № 1")
    numbered(document, "ТАРИФЫ", use_list(document, contract, restart=True), 0)

    result = read_contract("volgalink.docx", saved(document))

    assert result.kind == "docx"
    assert result.text.splitlines() == [
        "ДОГОВОР ОБ ОКАЗАНИИ УСЛУГ СВЯЗИ",
        "1. ПРЕДМЕТ ДОГОВОРА",
        "1.1. Оператор оказывает услуги связи.",
        "1.2. Абонент обязуется:",
        "а) оплачивать услуги;",
        "б) не нарушать правила.",
        "1.4. Услуги оказываются круглосуточно.",
        "2. СТОИМОСТЬ УСЛУГ",
        "2.1. Стоимость определяется тарифами.",
        "Приложение № 1",
        "1. ТАРИФЫ",
    ]


def test_docx_numbering_that_comes_with_a_heading_style_and_legal_numbers():
    document = Document()
    sections = add_list(document, [("upperRoman", "%1."), ("decimal", "%1.%2")])
    definition = next(abstract for abstract in document.part.numbering_part.element.findall(qn("w:abstractNum"))
                      if abstract.get(qn("w:abstractNumId")) == sections)
    definition.findall(qn("w:lvl"))[1].append(parse_xml(f'<w:isLgl {nsdecls("w")}/>'))
    num_id = use_list(document, sections)
    heading_style = document.styles["Heading 1"].element
    num_pr = heading_style.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_numId().val = num_id
    document.add_paragraph("Charges", style="Heading 1")
    numbered(document, "The Customer shall pay the Charges.", num_id, 1)
    document.add_paragraph("Liability", style="Heading 1")
    numbered(document, "Liability is capped.", num_id, 1)

    assert read_contract("terms.docx", saved(document)).text.splitlines() == [
        "I. Charges", "1.1 The Customer shall pay the Charges.", "II. Liability", "2.1 Liability is capped."]


def test_docx_tables_content_controls_and_tracked_changes():
    document = Document()
    document.add_paragraph("4. ТАРИФЫ")
    prices = document.add_table(rows=2, cols=2)
    prices.cell(0, 0).text, prices.cell(0, 1).text = "Местные вызовы", "1,20 руб./мин"
    prices.cell(1, 0).text, prices.cell(1, 1).text = "4.2.", "Тарифы указаны с НДС."
    details = document.add_table(rows=1, cols=2)
    details.cell(0, 0).text = "Оператор:"
    details.cell(0, 0).add_paragraph("ИНН 1655000000")
    details.cell(0, 1).text = "Абонент:"
    body = document.element.body
    w = nsdecls("w")
    body.append(parse_xml(f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>4.3. Счета направляются ежемесячно.</w:t>'
                          '</w:r></w:p></w:sdtContent></w:sdt>'))
    body.append(parse_xml(f'<w:p {w}><w:r><w:t xml:space="preserve">4.4. Пеня составляет </w:t></w:r>'
                          '<w:del w:id="1" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>3%</w:delText>'
                          '</w:r></w:del><w:ins w:id="2" w:author="a" w:date="2026-01-01T00:00:00Z"><w:r>'
                          '<w:t>0,1%</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> в день.</w:t></w:r></w:p>'))
    body.append(body.find(qn("w:sectPr")))  # the section properties stay last

    assert read_contract("prices.docx", saved(document)).text.splitlines() == [
        "4. ТАРИФЫ",
        "Местные вызовы\t1,20 руб./мин",
        "4.2.\tТарифы указаны с НДС.",
        "Оператор:",
        "ИНН 1655000000",
        "Абонент:",
        "4.3. Счета направляются ежемесячно.",
        "4.4. Пеня составляет 0,1% в день.",
    ]


# --- reading PDFs and plain text -------------------------------------------------------------------

def test_pdf_lines_are_read_without_page_headers_and_numbers():
    result = read_contract("contract.pdf", (FIXTURES / "wrapped_ru.pdf").read_bytes())

    assert result.kind == "pdf"
    lines = result.text.splitlines()
    assert lines[0] == "ДОГОВОР № 15/2026 ОБ ОКАЗАНИИ УСЛУГ СВЯЗИ"
    assert "2.2. Оплата производится ежемесячно в течение" in lines
    assert "30 (тридцати) дней с даты выставления счёта, при этом абонентская плата за интернет-" in lines
    # The fixture's two pages both carry a header and a page number.
    assert not any("Страница" in line or "· Договор" in line for line in lines)


def test_a_wrapped_pdf_splits_into_its_clauses():
    clauses = split_clauses(read_contract("contract.pdf", (FIXTURES / "wrapped_ru.pdf").read_bytes()).text)

    assert [clause.number for clause in clauses] == [
        "", "1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2", "4.3"]
    by_number = {clause.number: clause for clause in clauses}
    assert by_number["1.2"] == Clause("1.2", "Статья 1. Предмет договора",
                                      "Договор вступает в силу с 01.12.2026 и действует до 31.12.2027 включительно.")
    assert by_number["2.2"].text == ("Оплата производится ежемесячно в течение 30 (тридцати) дней с даты выставления "
                                     "счёта, при этом абонентская плата за интернет-провайдерские услуги вносится "
                                     "авансом.")
    assert by_number["2.3"].text.endswith("в порядке, предусмотренном п. 4.3 Договора.")
    assert by_number["3.1"].text == ("Абонент обязуется: а) своевременно оплачивать Услуги; б) не использовать "
                                     "номера для массовых автоматических вызовов.")
    assert by_number["4.2"].text == ("Штраф за нарушение п. 3.1 Договора составляет 1 000,00 (одну тысячу) рублей "
                                     "за каждый случай.")
    assert {by_number[number].heading for number in ("4.1", "4.2", "4.3")} == {
        "Статья 4. ОТВЕТСТВЕННОСТЬ СТОРОН И ПОРЯДОК УРЕГУЛИРОВАНИЯ ПРЕТЕНЗИЙ"}
    assert clauses[0].text.startswith("ДОГОВОР № 15/2026 ОБ ОКАЗАНИИ УСЛУГ СВЯЗИ ООО «ВолгаЛинк»")


def test_a_pdf_protected_only_against_changes_is_read_and_one_with_a_password_is_refused():
    def encrypted(user_password: str) -> bytes:
        writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(FIXTURES / "wrapped_ru.pdf"))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    assert "1.1. Оператор оказывает Абоненту" in read_contract("open.pdf", encrypted("")).text
    assert "password" in refusal("locked.pdf", encrypted("secret"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
def test_plain_text_in_the_usual_encodings(encoding):
    text = "ДОГОВОР\r\n1. ПРЕДМЕТ\r\n1.1. Оператор оказывает услуги связи.\r\n"
    result = read_contract("contract.txt", text.encode(encoding))
    assert result == reading.ContractText(text="ДОГОВОР\n1. ПРЕДМЕТ\n1.1. Оператор оказывает услуги связи.",
                                          kind="text")


# --- refusals --------------------------------------------------------------------------------------

def test_refusals_by_name_size_and_content():
    assert "is empty" in refusal("contract.docx", b"")
    assert "larger than 10 MB" in refusal("contract.pdf", b"%PDF-1.7\n" + b"0" * MAX_CONTRACT_BYTES)
    assert "macro-enabled" in refusal("contract.docm", simple_docx("1. Text"))
    assert "macro-enabled" in refusal("contract.dotm", simple_docx("1. Text"))
    assert "save it as .docx" in refusal("contract.doc", b"\xd0\xcf\x11\xe0 old Word")
    unsupported = refusal("contract.xlsx", b"PK\x03\x04")
    assert ".xlsx is not a contract format" in unsupported and ".docx, .pdf (with text) and .txt" in unsupported
    assert "a name without an extension" in refusal("contract", b"text")


@pytest.mark.parametrize(("filename", "data", "reason"), [
    ("contract.docx", b"Dear customer, ...", "named .docx but it is not a Word document (not a ZIP archive)"),
    ("contract.docx", b"%PDF-1.7\n...", "named .docx but it is a PDF"),
    ("contract.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "named .docx but it is an old Word .doc"),
    ("contract.pdf", b"PK\x03\x04....", "named .pdf but it is a ZIP archive or an Office document"),
    ("contract.pdf", b"Dear customer", "named .pdf but it is not a PDF (it does not start with %PDF)"),
    ("contract.txt", b"%PDF-1.7\n...", "named .txt but it is a PDF"),
    ("contract.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text (it holds binary data)"),
    ("contract.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "the PDF is damaged"),
])
def test_content_that_does_not_match_the_name(filename, data, reason):
    assert reason in refusal(filename, data)


def test_a_scanned_pdf_is_refused():
    assert refusal("scan.pdf", (FIXTURES / "scanned.pdf").read_bytes()) == (
        "the PDF has no text layer: it looks scanned; upload the carrier's .docx or a PDF with text")


def test_macros_in_a_docx_are_refused():
    plain = simple_docx("1. Предмет договора")
    with_project = repack(plain, extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    types = zipfile.ZipFile(io.BytesIO(plain)).read("[Content_Types].xml")
    macro_type = types.replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                               b"application/vnd.ms-word.document.macroEnabled.main+xml")
    assert macro_type != types
    for data in (with_project, repack(plain, change={"[Content_Types].xml": macro_type})):
        assert "contains macros" in refusal("contract.docx", data)


def test_a_zip_that_is_no_word_document_and_a_damaged_one():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "a ZIP archive without a Word document in it" in refusal("contract.docx", out.getvalue())
    broken = repack(simple_docx("1. Text"), change={"word/document.xml": b"<w:document"})
    assert "damaged" in refusal("contract.docx", broken)


def test_zip_bombs_are_refused_before_anything_is_unpacked(monkeypatch):
    bomb = claim_size(simple_docx("1. Text"), "word/document.xml", 3 * 1024 * 1024 * 1024)
    reason = refusal("contract.docx", bomb)
    assert "the archive would unpack to 3073 MB; at most 50 MB are accepted" in reason
    compressed_hard = repack(simple_docx("1. Text"), extra={"word/media/blank.bin": bytes(2 * 1024 * 1024)})
    assert "ZIP bomb" in refusal("contract.docx", compressed_hard)
    monkeypatch.setattr(reading, "MAX_DOCX_XML_BYTES", 1000)
    assert "text and formatting would unpack to" in refusal("contract.docx", simple_docx("1. Text"))


def test_files_without_words_are_refused():
    images_only = simple_docx("", "   ", "12")
    assert "no words could be read" in refusal("contract.docx", images_only)
    assert "no words could be read" in refusal("contract.txt", "\n 1. 2. \n".encode())


def test_text_and_page_limits(monkeypatch):
    monkeypatch.setattr(reading, "MAX_TEXT_CHARACTERS", 200)
    too_long = "more than 200 characters of text"
    assert too_long in refusal("contract.txt", ("Слово " * 50).encode())
    assert too_long in refusal("contract.docx", simple_docx(*["Оператор оказывает услуги связи."] * 10))
    assert too_long in refusal("contract.pdf", (FIXTURES / "wrapped_ru.pdf").read_bytes())
    monkeypatch.setattr(reading, "MAX_PDF_PAGES", 1)
    assert refusal("contract.pdf", (FIXTURES / "wrapped_ru.pdf").read_bytes()) == (
        "the PDF has 2 pages; at most 1 are read")


# --- splitting -------------------------------------------------------------------------------------

RUSSIAN = """\
ДОГОВОР № 7/2026 ОБ ОКАЗАНИИ УСЛУГ СВЯЗИ
г. Казань «01» декабря 2026 г.
ООО «ВолгаЛинк» («Оператор») и ООО «Салон» («Абонент») заключили настоящий Договор о нижеследующем:
ПРЕДМЕТ ДОГОВОРА
1.1. Оператор оказывает Абоненту услуги связи.
1.2 Абонент принимает и оплачивает Услуги.
Статья 2. Стоимость услуг
п. 2.1. Стоимость Услуг определяется тарифами Оператора.
Пункт 2.2 Оплата производится в течение 10 (десяти) дней:
а) абонентская плата — авансом;
б) плата за соединения — по факту.
2.3) Тарифы действуют с 01.12.2026. Пеня составляет 0,1% в день.
2.3.1. Штраф составляет 1 000,00 рублей.
2.3.2. Счета направляются до 5 числа.
2.5. Оператор вправе изменять тарифы, уведомив Абонента за 30 дней.
Раздел 3
Ответственность сторон
3.1. Стороны несут ответственность в соответствии с законодательством.
3.2. Ответственность Оператора ограничена
4. ФОРС-МАЖОР
Стороны освобождаются от ответственности за неисполнение обязательств вследствие непреодолимой силы.
5) ЗАКЛЮЧИТЕЛЬНЫЕ ПОЛОЖЕНИЯ
5.1) Договор составлен в двух экземплярах.
"""


def test_russian_clauses_in_every_numbering_style():
    clauses = split_clauses(RUSSIAN)

    assert [(clause.number, clause.heading) for clause in clauses] == [
        ("", ""),
        ("1.1", "ПРЕДМЕТ ДОГОВОРА"),
        ("1.2", "ПРЕДМЕТ ДОГОВОРА"),
        ("2.1", "Статья 2. Стоимость услуг"),
        ("2.2", "Статья 2. Стоимость услуг"),
        ("2.3", "Статья 2. Стоимость услуг"),
        ("2.3.1", "Статья 2. Стоимость услуг"),
        ("2.3.2", "Статья 2. Стоимость услуг"),
        ("2.5", "Статья 2. Стоимость услуг"),
        ("3.1", "Раздел 3. Ответственность сторон"),
        ("3.2", "Раздел 3. Ответственность сторон"),
        ("4", "4. ФОРС-МАЖОР"),
        ("5.1", "5) ЗАКЛЮЧИТЕЛЬНЫЕ ПОЛОЖЕНИЯ"),
    ]
    texts = {clause.number: clause.text for clause in clauses}
    assert texts[""].startswith("ДОГОВОР № 7/2026 ОБ ОКАЗАНИИ УСЛУГ СВЯЗИ г. Казань «01» декабря 2026 г. ООО")
    assert texts["2.1"] == "Стоимость Услуг определяется тарифами Оператора."
    assert texts["2.2"] == ("Оплата производится в течение 10 (десяти) дней: а) абонентская плата — авансом; "
                            "б) плата за соединения — по факту.")
    assert texts["2.3"] == "Тарифы действуют с 01.12.2026. Пеня составляет 0,1% в день."
    assert texts["2.3.1"] == "Штраф составляет 1 000,00 рублей."
    # A short clause without a full stop and nothing under it stays a clause.
    assert texts["3.2"] == "Ответственность Оператора ограничена"
    assert texts["4"] == ("Стороны освобождаются от ответственности за неисполнение обязательств вследствие "
                          "непреодолимой силы.")


ENGLISH = """\
NORDTEL NETWORKS LTD STANDARD TERMS
Section 3. Charges
Clause 3.1 The Customer shall pay the Charges within 30 days of the invoice date.
3.2 Interest accrues at 10.5% a year on the overdue amount under clause 7.2 and clause
7.3 Nordtel may suspend the Services as set out in clause
4.1 Charges are payable in pounds.
3.3 The Customer shall:
(a) pay on time;
(b) not resell the Services.
4. Liability
Each party's liability is capped at the Charges paid in the 12 months before the claim.
5. TERM
5.1 The Agreement renews automatically for 12 months unless notice is given 30 days before the end.
"""


def test_english_clauses_ignore_numbers_that_only_begin_a_line():
    clauses = split_clauses(ENGLISH)

    assert [(clause.number, clause.heading) for clause in clauses] == [
        ("", ""),
        ("3.1", "Section 3. Charges"),
        ("3.2", "Section 3. Charges"),
        ("3.3", "Section 3. Charges"),
        ("4", "4. Liability"),
        ("5.1", "5. TERM"),
    ]
    texts = {clause.number: clause.text for clause in clauses}
    assert texts["3.2"] == ("Interest accrues at 10.5% a year on the overdue amount under clause 7.2 and clause 7.3 "
                            "Nordtel may suspend the Services as set out in clause 4.1 Charges are payable in "
                            "pounds.")
    assert texts["3.3"] == "The Customer shall: (a) pay on time; (b) not resell the Services."
    assert texts["4"] == "Each party's liability is capped at the Charges paid in the 12 months before the claim."


def test_page_lines_broken_mid_sentence_do_not_start_clauses():
    text = (
        "1. ОБЩИЕ ПОЛОЖЕНИЯ\n"
        "1.1. Оператор вправе приостановить оказание услуг Абоненту при нарушении сроков оплаты более чем\n"
        "2. Раза в течение календарного года, а также в иных случаях, предусмотренных законодательством\n"
        "и настоящим Договором, уведомив Абонента не менее чем за пять календарных дней до приостановления.\n"
        "1.2. Абонент вправе отказаться от отдельных номеров, уведомив Оператора в письменной форме за десять\n"
        "календарных дней.\n"
        "2. СТОИМОСТЬ\n"
        "2.1. Стоимость услуг определяется тарифами.\n")
    assert [clause.number for clause in split_clauses(text)] == ["1.1", "1.2", "2.1"]
    # The same lines as paragraphs of a Word document: a paragraph ends where it ends.
    assert [clause.number for clause in split_clauses("1. ОБЩИЕ ПОЛОЖЕНИЯ\n1.1. Текст без точки в конце абзаца и "
                                                      "довольно длинный для заголовка договора\n1.2. Следующий "
                                                      "пункт.")] == ["1.1", "1.2"]


def test_numbers_out_of_turn_continue_the_clause_before():
    clauses = split_clauses("1. ТЕРМИНЫ\n1.1. Первый пункт.\n1.3. Пункт после удалённого.\n"
                            "7.2. Не продолжает нумерацию.\n1.4. Продолжает.\n9. АДРЕСА СТОРОН\nг. Казань\n")
    assert [(clause.number, clause.text) for clause in clauses] == [
        ("1.1", "Первый пункт."),
        ("1.3", "Пункт после удалённого. 7.2. Не продолжает нумерацию."),
        ("1.4", "Продолжает."),
        ("9", "г. Казань"),
    ]


def test_text_without_numbered_clauses_is_one_preamble():
    assert split_clauses("Прайс-лист\nМестные вызовы 1,20 руб.\n") == [
        Clause("", "", "Прайс-лист Местные вызовы 1,20 руб.")]
    assert split_clauses("  \n") == []


# --- the demo contracts ----------------------------------------------------------------------------

def test_volgalink_demo_contract_splits_into_its_sections_and_risky_clauses():
    clauses = split_clauses(read_contract("volgalink_ru.docx", (DEMO / "volgalink_ru.docx").read_bytes()).text)

    assert len(clauses) == 36
    assert len({clause.heading for clause in clauses if clause.number}) == 10
    texts = {clause.number: clause.text for clause in clauses}
    assert "без предварительного уведомления" in texts["2.2"]
    assert "3 (трёх) календарных дней" in texts["2.5"] and "Оплата счёта" in texts["2.5"]
    assert "3 (трёх) процентов" in texts["4.2"] and "за каждый день просрочки" in texts["4.2"]
    assert "упущенную выгоду" in texts["4.3"]
    assert "90 (девяносто)" in texts["5.2"] and "3 (трёх) лет" in texts["5.2"]
    assert next(clause.heading for clause in clauses if clause.number == "2.2") == \
        "2. СТОИМОСТЬ УСЛУГ И ПОРЯДОК РАСЧЁТОВ"


def test_nordtel_demo_terms_read_the_same_from_docx_and_pdf():
    from_docx = split_clauses(read_contract("nordtel_en.docx", (DEMO / "nordtel_en.docx").read_bytes()).text)
    from_pdf = split_clauses(read_contract("nordtel_en.pdf", (DEMO / "nordtel_en.pdf").read_bytes()).text)

    assert len(from_docx) == 30
    assert from_pdf == from_docx
    texts = {clause.number: clause.text for clause in from_docx}
    assert "at least 14 days' notice by e-mail" in texts["3.2"]
    assert "within 5 Business Days" in texts["3.4"]
    assert "0.5% per day" in texts["3.5"] and "10% of that amount" in texts["3.5"]
    assert "12 months" in texts["5.2"]
    assert "at least 30 days before the end" in texts["6.2"]
