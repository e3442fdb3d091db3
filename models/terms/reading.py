"""A carrier's own contract file (.docx, a PDF with text, or plain text) read into plain text.

Uploads are hostile until read: the size, the ZIP directory of a .docx, the page count of a PDF and the
length of the text are all capped before or while reading, and every refusal says what to upload instead.
A .docx gives one line per paragraph, with Word's automatic numbering written out ("4.2."), so that the
clauses can be split on it; a PDF gives its lines as laid out, without repeated page headers and footers.
"""
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NoReturn

import docx
import pypdf
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn

from ..zip_packages import zip_directory_problems
from models.errors import InvalidInput

__all__ = ["ACCEPTED_EXTENSIONS", "MAX_CONTRACT_BYTES", "MAX_PDF_PAGES", "MAX_TEXT_CHARACTERS", "ContractText",
           "read_contract"]

MAX_CONTRACT_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARACTERS = 500_000  # about 170 pages; a carrier's contract with its appendices has far fewer
MAX_PDF_PAGES = 300
# What python-docx parses into memory (every XML part); the whole archive is capped by zip_directory_problems.
MAX_DOCX_XML_BYTES = 25 * 1024 * 1024
ACCEPTED_EXTENSIONS = (".docx", ".pdf", ".txt")
ACCEPTED = "accepted are .docx, .pdf (with text) and .txt"

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WORD = re.compile(r"[^\W\d_]{2,}")
_INVISIBLE = re.compile("[\u00ad\u200b\ufeff\x00]")
_BINARY = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?\d{1,3}(?:\s*[-–—])?$"
                          r"|^(?:page|стр\.?|страница)\s*\d+(?:\s*(?:of|из)\s*\d+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ContractText:
    text: str
    kind: str  # "docx", "pdf" or "text"


def read_contract(filename: str, data: bytes) -> ContractText:
    """The text of an uploaded contract; InvalidInput({"file": reason}) when it cannot be read safely."""
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix in (".docm", ".dotm"):
        _refuse("a macro-enabled Word document is refused; save it as a .docx (Word Document) and upload that")
    if suffix in (".doc", ".rtf", ".odt"):
        _refuse(f"{suffix} files are not read; save it as .docx and upload that ({ACCEPTED})")
    if suffix not in ACCEPTED_EXTENSIONS:
        _refuse(f"{suffix or 'a name without an extension'} is not a contract format numberdesk reads; {ACCEPTED}")
    if not data:
        _refuse("the file is empty")
    if len(data) > MAX_CONTRACT_BYTES:
        _refuse(f"the file is larger than {MAX_CONTRACT_BYTES // 1024 // 1024} MB, the most a contract file may be")
    if suffix == ".docx":
        text, kind = _docx_text(data), "docx"
    elif suffix == ".pdf":
        text, kind = _pdf_text(data), "pdf"
    else:
        text, kind = _plain_text(data), "text"
    text = _tidy(text)
    if not _WORD.search(text):
        _refuse("no words could be read from the file (only images or empty pages?); upload the text of the "
                "contract as .docx, a PDF with text, or .txt")
    return ContractText(text=text, kind=kind)


def _refuse(reason: str) -> NoReturn:
    raise InvalidInput("the contract file cannot be read", {"file": reason})


def _looks_like(data: bytes) -> str:
    """What the first bytes say the file is, for refusals of a file named as something else."""
    head = data[:1024]
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive or an Office document"
    if b"%PDF-" in head:
        return "a PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Word .doc (or another old Office) file"
    if head.startswith(b"{\\rtf"):
        return "an RTF document"
    return ""


def _misnamed(extension: str, what_it_is: str) -> NoReturn:
    _refuse(f"the file is named {extension} but it is {what_it_is}; upload the contract as .docx, a PDF with "
            "text, or .txt")


def _too_long() -> NoReturn:
    _refuse(f"the contract has more than {MAX_TEXT_CHARACTERS:,} characters of text; upload the contract itself "
            "without unrelated material")


# --- .docx -----------------------------------------------------------------------------------------

def _docx_text(data: bytes) -> str:
    if not data.startswith(b"PK\x03\x04"):
        _misnamed(".docx", _looks_like(data) or "not a Word document (not a ZIP archive)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse("the .docx is a damaged ZIP archive and cannot be opened")
    with archive:
        entries = archive.infolist()
        problems = zip_directory_problems(entries)
        if problems:
            _refuse("the .docx is refused: " + "; ".join(problems))
        names = {entry.filename.lower(): entry for entry in entries}
        if "word/document.xml" not in names or "[content_types].xml" not in names:
            _misnamed(".docx", "a ZIP archive without a Word document in it")
        xml_bytes = sum(entry.file_size for entry in entries if entry.filename.lower().endswith((".xml", ".rels")))
        if xml_bytes > MAX_DOCX_XML_BYTES:
            _refuse(f"the document's text and formatting would unpack to {xml_bytes / 1024 / 1024:.0f} MB; at most "
                    f"{MAX_DOCX_XML_BYTES // 1024 // 1024} MB are read")
        content_types = archive.read(names["[content_types].xml"]).lower()
    if any(PurePosixPath(name).name == "vbaproject.bin" for name in names) \
            or b"macroenabled" in content_types or b"vbaproject" in content_types:
        _refuse("the document contains macros; macro-enabled documents are refused: save it as a .docx "
                "(Word Document) and upload that")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds of errors on a broken package; all mean the same here
        _refuse("the .docx is damaged and cannot be read; open it in Word, save it again and upload that")
    lines = _Lines()
    _block_lines(document.element.body, _Numbering(document), lines)
    return "\n".join(lines.lines)


class _Lines:
    """The lines read so far, refused once they hold more than MAX_TEXT_CHARACTERS."""

    def __init__(self):
        self.lines: list[str] = []
        self.length = 0

    def add(self, line: str) -> None:
        self.length += len(line) + 1
        if self.length > MAX_TEXT_CHARACTERS:
            _too_long()
        self.lines.append(line)


def _block_lines(container, numbering: "_Numbering", lines: _Lines) -> None:
    """The lines of the paragraphs and tables of a body, table cell or content control, in order."""
    for element in container.iterchildren():
        if element.tag == qn("w:p"):
            line = _paragraph_line(element, numbering)
            if line:
                lines.add(line)
        elif element.tag == qn("w:tbl"):
            for row in element.iterchildren(qn("w:tr")):
                _row_lines(row, numbering, lines)
        elif element.tag in (qn("w:sdt"), qn("w:customXml")):
            content = element.find(qn("w:sdtContent"))
            _block_lines(element if content is None else content, numbering, lines)


def _row_lines(row, numbering: "_Numbering", lines: _Lines) -> None:
    """A row of one-paragraph cells is one line, its cells separated by tabs (a price list, a clause number
    beside its text); a row with longer cells gives their paragraphs one line each."""
    cells = []
    for cell in row.iterchildren(qn("w:tc")):
        cell_lines = _Lines()
        _block_lines(cell, numbering, cell_lines)
        cells.append(cell_lines.lines)
    if all(len(cell) <= 1 for cell in cells):
        line = "\t".join(cell[0] for cell in cells if cell)
        if line:
            lines.add(line)
    else:
        for cell in cells:
            for line in cell:
                lines.add(line)


def _paragraph_line(paragraph, numbering: "_Numbering") -> str:
    text = "".join(_run_text(paragraph)).strip()
    # Word numbers an empty paragraph too, so it is counted even though it gives no line.
    label = numbering.label(paragraph)
    if not text:
        return ""
    return f"{label} {text}" if label else text


def _run_text(element):
    """The visible text of a paragraph: inserted text counts, deleted text (w:delText) and field codes
    (w:instrText) do not; a drawing's fallback copy of a text box is skipped."""
    for child in element.iterchildren():
        tag = child.tag
        if tag == qn("w:t"):
            yield child.text or ""
        elif tag == qn("w:tab"):
            yield "\t"
        elif tag in (qn("w:br"), qn("w:cr")):
            yield "\n"
        elif tag == qn("w:noBreakHyphen"):
            yield "-"
        elif tag == qn("w:pPr") or tag == _MC_FALLBACK:
            continue
        elif isinstance(tag, str):
            yield from _run_text(child)


_RUSSIAN_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"  # the letters Word numbers with (no ё, й, ъ, ы, ь)
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _format_number(value: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter", "russianLower", "russianUpper"):
        letters = _RUSSIAN_LETTERS if number_format.startswith("russian") else "abcdefghijklmnopqrstuvwxyz"
        # Word goes on a, ..., z, aa, bb, ...
        letter = letters[(value - 1) % len(letters)] * ((value - 1) // len(letters) + 1)
        return letter.upper() if number_format.endswith("Upper") or number_format == "upperLetter" else letter
    if number_format in ("lowerRoman", "upperRoman"):
        roman, rest = "", value
        for amount, digits in _ROMAN:
            while rest >= amount:
                roman, rest = roman + digits, rest - amount
        return roman.upper() if number_format == "upperRoman" else roman
    if number_format == "decimalZero":
        return f"{value:02d}"
    if number_format == "none":
        return ""
    return str(value)


@dataclass(frozen=True)
class _Level:
    start: int
    number_format: str
    text: str  # Word's level text, such as "%1.%2."
    legal: bool  # w:isLgl: the numbers of all levels are written as decimals
    style: str  # the paragraph style this level is linked to, if any


class _Numbering:
    """Word's automatic numbering written out as text, as far as the document's numbering part allows:
    levels, start values, restarts of a list (startOverride) and numbering that comes with a paragraph style.
    Lists that share an abstract numbering continue each other, as in Word."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, _Level]] = {}  # abstractNumId -> level -> its definition
        self.lists: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.style_numbering: dict[str, tuple[str | None, int | None]] = {}  # styleId -> (numId, level)
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> level -> last number given
        self.used: set[str] = set()
        styles = document.part.styles.element if _has_part(document, "styles") else None
        numbering = document.part.numbering_part.element if _has_part(document, "numbering") else None
        if styles is not None:
            self._read_styles(styles)
        if numbering is not None:
            self._read_numbering(numbering)

    def _read_styles(self, styles) -> None:
        based_on: dict[str, str] = {}
        own: dict[str, tuple[str | None, int | None]] = {}
        for style in styles.iterchildren(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            parent = style.find(qn("w:basedOn"))
            if parent is not None:
                based_on[style_id] = parent.get(qn("w:val"))
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                own[style_id] = _num_pr(num_pr)
        for style_id in set(based_on) | set(own):
            seen, current = set(), style_id
            while current and current not in own and current not in seen:
                seen.add(current)
                current = based_on.get(current)
            if current in own:
                self.style_numbering[style_id] = own[current]

    def _read_numbering(self, numbering) -> None:
        style_links: dict[str, str] = {}
        for abstract in numbering.iterchildren(qn("w:abstractNum")):
            abstract_id = abstract.get(qn("w:abstractNumId"))
            self.levels[abstract_id] = {}
            for level in abstract.iterchildren(qn("w:lvl")):
                self.levels[abstract_id][_int(level.get(qn("w:ilvl")), 0)] = _level(level)
            link = abstract.find(qn("w:numStyleLink"))
            if link is not None:
                style_links[abstract_id] = link.get(qn("w:val"))
        for num in numbering.iterchildren(qn("w:num")):
            abstract = num.find(qn("w:abstractNumId"))
            if abstract is None:
                continue
            overrides = {}
            for override in num.iterchildren(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    overrides[_int(override.get(qn("w:ilvl")), 0)] = _int(start.get(qn("w:val")), 1)
            self.lists[num.get(qn("w:numId"))] = (abstract.get(qn("w:val")), overrides)
        # A list that only points at a numbering style takes its levels from the list that style uses.
        for abstract_id, style in style_links.items():
            linked_num = self.style_numbering.get(style, (None, None))[0]
            if linked_num in self.lists and not self.levels.get(abstract_id):
                self.levels[abstract_id] = self.levels.get(self.lists[linked_num][0], {})

    def label(self, paragraph) -> str:
        """The number Word shows before this paragraph, such as "4.2." or "б)"; "" for none."""
        properties = paragraph.find(qn("w:pPr"))
        num_id, level = None, None
        style_id = None
        if properties is not None:
            style = properties.find(qn("w:pStyle"))
            style_id = style.get(qn("w:val")) if style is not None else None
            num_pr = properties.find(qn("w:numPr"))
            if num_pr is not None:
                num_id, level = _num_pr(num_pr)
        if num_id is None and style_id in self.style_numbering:
            num_id, style_level = self.style_numbering[style_id]
            level = style_level if level is None else level
        if num_id is None or num_id == "0" or num_id not in self.lists:
            return ""
        abstract_id, overrides = self.lists[num_id]
        levels = self.levels.get(abstract_id, {})
        if level is None:
            level = next((number for number, definition in levels.items() if definition.style == style_id), 0)
        if level not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.used:
            self.used.add(num_id)
            for restarted in overrides:
                for deeper in [number for number in counters if number >= restarted]:
                    del counters[deeper]

        def start(number: int) -> int:
            return overrides.get(number, levels[number].start if number in levels else 1)

        counters[level] = counters[level] + 1 if level in counters else start(level)
        for deeper in [number for number in counters if number > level]:
            del counters[deeper]
        definition = levels[level]
        if definition.number_format == "bullet":
            return "•"

        def written(match: re.Match) -> str:
            number = int(match.group(1)) - 1
            value = counters.setdefault(number, start(number)) if number <= level else start(number)
            shown = "decimal" if definition.legal or number not in levels else levels[number].number_format
            return _format_number(value, shown)

        return re.sub(r"%([1-9])", written, definition.text).strip()


def _has_part(document, which: str) -> bool:
    """Whether the document has its own styles or numbering part; python-docx would make a default one."""
    relationship = {"styles": RELATIONSHIP_TYPE.STYLES, "numbering": RELATIONSHIP_TYPE.NUMBERING}[which]
    return any(rel.reltype == relationship for rel in document.part.rels.values())


def _num_pr(num_pr) -> tuple[str | None, int | None]:
    num_id = num_pr.find(qn("w:numId"))
    level = num_pr.find(qn("w:ilvl"))
    return (num_id.get(qn("w:val")) if num_id is not None else None,
            _int(level.get(qn("w:val")), 0) if level is not None else None)


def _level(element) -> _Level:
    def value(tag: str, default: str) -> str:
        found = element.find(qn(tag))
        return found.get(qn("w:val"), default) if found is not None else default

    legal = element.find(qn("w:isLgl"))
    return _Level(start=_int(value("w:start", "1"), 1), number_format=value("w:numFmt", "decimal"),
                  text=value("w:lvlText", ""), legal=legal is not None and legal.get(qn("w:val"), "1") not in
                  ("0", "false"), style=value("w:pStyle", ""))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


# --- PDF -------------------------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    if b"%PDF-" not in data[:1024]:
        _misnamed(".pdf", _looks_like(data) or "not a PDF (it does not start with %PDF)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are encrypted only to restrict printing or copying and open without a password.
            try:
                opened = reader.decrypt("")
            except Exception:  # an encryption pypdf cannot undo is as good as a password
                opened = pypdf.PasswordType.NOT_DECRYPTED
            if opened == pypdf.PasswordType.NOT_DECRYPTED:
                _refuse("the PDF is protected with a password; upload it without the protection, or the .docx")
        page_count = len(reader.pages)
        if page_count > MAX_PDF_PAGES:
            _refuse(f"the PDF has {page_count} pages; at most {MAX_PDF_PAGES} are read")
        pages, length = [], 0
        for page in reader.pages:
            page_text = page.extract_text() or ""
            length += len(page_text)
            if length > MAX_TEXT_CHARACTERS:
                _too_long()
            pages.append(page_text)
    except InvalidInput:
        raise
    except Exception:  # pypdf raises many kinds of errors on a damaged or hostile file; all mean the same here
        _refuse("the PDF is damaged and cannot be read; upload the .docx or save the PDF again")
    if not any(_WORD.search(page) for page in pages):
        _refuse("the PDF has no text layer: it looks scanned; upload the carrier's .docx or a PDF with text")
    return "\n".join(_without_page_furniture(pages))


def _without_page_furniture(pages: list[str]) -> list[str]:
    """The pages' lines without page numbers and without the header and footer lines repeated on most pages
    (digits aside, so "page 3 of 12" repeats too)."""
    split = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    edges = Counter()
    for lines in split:
        edges.update({_shape(line) for line in lines[:2] + lines[-2:]})
    repeated = {shape for shape, count in edges.items() if count >= max(2, len(pages) * 0.6)}
    kept = []
    for lines in split:
        last = len(lines) - 1
        for index, line in enumerate(lines):
            at_edge = index < 2 or index > last - 2
            if at_edge and (_PAGE_NUMBER.match(line) or _shape(line) in repeated):
                continue
            kept.append(line)
    return kept


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.casefold())


# --- plain text ------------------------------------------------------------------------------------

def _plain_text(data: bytes) -> str:
    what_it_is = _looks_like(data)
    if what_it_is:
        _misnamed(".txt", what_it_is)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decoded(data, "utf-16")
    else:
        text = _decoded(data, "utf-8-sig")
        if text is None:
            # Russian files from Windows are often in its Cyrillic code page.
            text = _decoded(data, "cp1251")
    if text is None or _BINARY.search(text):
        _refuse("the .txt file is not text (it holds binary data); upload the contract as .docx, a PDF with text, "
                "or a text file in UTF-8 or Windows-1251")
    if len(text) > MAX_TEXT_CHARACTERS:
        _too_long()
    return text


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _tidy(text: str) -> str:
    """Unix line ends, no invisible characters, no trailing spaces, at most one empty line in a row."""
    text = _INVISIBLE.sub("", re.sub("\r\n|[\r\x0b\x0c]", "\n", text))
    lines = [line.rstrip() for line in text.split("\n")]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip("\n")
