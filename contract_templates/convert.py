"""Turning stored .docx documents into something a reviewer can read: safe HTML, plain text,
a word-level redline between two versions, and PDF through LibreOffice.

Pure functions on bytes; nothing here knows about Flask or the database.

Errors: every function raises :class:`ConversionFailed` when the bytes are not a readable
Word document; :func:`docx_to_pdf` also raises :class:`ConversionUnavailable` when
LibreOffice is not installed, and :class:`ConversionFailed` when it errs or times out.
"""
from __future__ import annotations

import difflib
import html
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mammoth
import nh3
from docx import Document as open_docx
from docx.table import Table

__all__ = [
    "INSTALL_HINT",
    "ConversionError",
    "ConversionFailed",
    "ConversionUnavailable",
    "Redline",
    "compare",
    "diff_words",
    "docx_to_html",
    "docx_to_pdf",
    "docx_to_text",
    "libreoffice_path",
    "redline",
]

INSTALL_HINT = "apt-get install libreoffice-writer-nogui"


class ConversionError(Exception):
    """Base class: a document could not be converted."""


class ConversionUnavailable(ConversionError):
    """The converter (LibreOffice) is not installed on this machine."""


class ConversionFailed(ConversionError):
    """The converter ran but did not produce a result (bad input, crash, timeout)."""


# --- HTML -------------------------------------------------------------------------------

# Documents come from templates that admins may upload, so their HTML is untrusted: only
# plain formatting survives. Links and images are dropped (their text stays) because a
# preview has no need to navigate or load anything.
ALLOWED_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "span", "ul", "ol", "li", "table", "thead", "tbody", "tr", "td", "th",
}
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
# Tags whose text must not survive as text either.
DROPPED_WITH_CONTENT = {"script", "style"}

# Word's title styles are not known to mammoth; without this they become plain paragraphs.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => h2:fresh
"""


def _span_only_digits(tag: str, attribute: str, value: str) -> str | None:
    return value if value.isdigit() and len(value) <= 3 else None


def sanitise_html(markup: str) -> str:
    return nh3.clean(markup, tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
                     attributes=ALLOWED_ATTRIBUTES, attribute_filter=_span_only_digits, link_rel=None,
                     url_schemes=set(), strip_comments=True)


def docx_to_html(data: bytes) -> str:
    """The document as sanitised HTML: safe to put into a page as it is."""
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP)
    except Exception as error:  # a zip error, broken XML ...: all mean "not a Word document"
        raise ConversionFailed(f"cannot read the document as .docx: {error}") from error
    return sanitise_html(result.value)


# --- text -------------------------------------------------------------------------------

def _table_lines(table: Table) -> list[str]:
    """One line per row, cells separated by tabs; merged cells appear once."""
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            parts = []
            for block in cell.iter_inner_content():
                if isinstance(block, Table):
                    parts.extend(_table_lines(block))
                else:
                    parts.append(block.text)
            cells.append(" ".join(part for part in parts if part.strip()))
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def docx_to_text(data: bytes) -> str:
    """Paragraphs and table rows of the body, in document order, one per line."""
    try:
        document = open_docx(io.BytesIO(data))
    except Exception as error:
        raise ConversionFailed(f"cannot read the document as .docx: {error}") from error
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return "\n".join(lines)


# --- redline ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Redline:
    html: str
    inserted: int  # words
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


# A paragraph break is a token of its own, so that it is diffed like a word and the
# redline keeps the paragraphs of the documents.
_TOKEN = re.compile(r"\n|[^\s]+")
BREAK = "\n"


def _render(paragraphs: list[list[str]], tag: str | None, tokens: list[str]) -> None:
    words: list[str] = []

    def flush() -> None:
        if words:
            text = " ".join(html.escape(word) for word in words)
            paragraphs[-1].append(f"<{tag}>{text}</{tag}>" if tag else text)
            words.clear()

    for token in tokens:
        if token == BREAK:
            if tag:  # an added or removed paragraph break would otherwise be invisible
                words.append("¶")
            flush()
            paragraphs.append([])
        else:
            words.append(token)
    flush()


def diff_words(old_text: str, new_text: str) -> Redline:
    """Word-level redline of two texts whose paragraphs are separated by newlines."""
    old, new = _TOKEN.findall(old_text), _TOKEN.findall(new_text)
    # autojunk would treat common words of a long contract ("the", "и") as junk and
    # produce needlessly large changes.
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    paragraphs: list[list[str]] = [[]]
    inserted = deleted = 0
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            _render(paragraphs, None, old[old_start:old_end])
            continue
        if operation in ("delete", "replace"):
            _render(paragraphs, "del", old[old_start:old_end])
            deleted += sum(1 for token in old[old_start:old_end] if token != BREAK)
        if operation in ("insert", "replace"):
            _render(paragraphs, "ins", new[new_start:new_end])
            inserted += sum(1 for token in new[new_start:new_end] if token != BREAK)
    markup = "\n".join(f"<p>{' '.join(parts)}</p>" for parts in paragraphs if parts)
    return Redline(html=markup, inserted=inserted, deleted=deleted)


def compare(old: bytes, new: bytes) -> Redline:
    """The redline of two .docx documents, with counts of inserted and deleted words."""
    return diff_words(docx_to_text(old), docx_to_text(new))


def redline(old: bytes, new: bytes) -> str:
    """The redline of two .docx documents as HTML: deletions in <del>, insertions in <ins>."""
    return compare(old, new).html


# --- PDF --------------------------------------------------------------------------------

def libreoffice_path() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(data: bytes, timeout: float = 120) -> bytes:
    """Convert with LibreOffice headless; each run has its own profile so runs can overlap."""
    soffice = libreoffice_path()
    if soffice is None:
        raise ConversionUnavailable(f"LibreOffice is not installed; install it with: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="numberdesk-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(data)
        # Two LibreOffice processes sharing a profile talk to each other instead of
        # converting; a throw-away profile per run keeps them apart.
        profile = (work / "profile").as_uri()
        # The input filter is fixed: otherwise LibreOffice happily "converts" any bytes as plain text.
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--nolockcheck", "--nologo", "--nodefault", "--infilter=MS Word 2007 XML",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(source)]
        # A session of its own, so a timeout can end soffice.bin too, not only its launcher.
        with subprocess.Popen(command, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True) as process:
            try:
                output, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise ConversionFailed(f"LibreOffice did not finish within {timeout:g} seconds") from None
        result = work / "out" / "document.pdf"
        # LibreOffice exits 0 even when it could not read the input; the missing file tells.
        if process.returncode != 0 or not result.is_file():
            detail = output.decode(errors="replace").strip()[-500:]
            raise ConversionFailed(f"LibreOffice could not convert the document "
                                   f"(exit code {process.returncode}): {detail}")
        pdf = result.read_bytes()
    if not pdf.startswith(b"%PDF"):
        raise ConversionFailed("LibreOffice produced something that is not a PDF")
    return pdf
