"""A stored document as a file: the .docx itself, a PDF (converted once and kept) or the sanitised HTML fragment.

:func:`document_as` serves one document as docx, pdf or html; the pages and the JSON API both use it.
"""
import fcntl
import os
from pathlib import Path

from flask import Response, current_app

from contract_templates import convert
from models import Document

FORMATS = ("docx", "pdf", "html")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The bare document HTML of the API needs nothing at all.
FRAGMENT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"


def docx_response(document: Document) -> Response:
    return Response(document.content, headers={
        "Content-Type": DOCX_TYPE,
        "Content-Disposition": f'attachment; filename="{document.filename}"',
        "X-Content-SHA256": document.sha256,
    })


def _pdf_filename(document: Document) -> str:
    return document.filename.removesuffix(".docx") + ".pdf"


def _pdf(document: Document) -> bytes:
    """The document as PDF, kept in the instance folder under its .docx's hash: a stored document never
    changes, and each conversion starts LibreOffice for a second or more. A lock per document lets one
    request convert while another asking for the same document waits for the result.

    No document holds a secret (a trunk password is always •••• in documents, see
    workflows.documents.build_context), so every PDF may be kept. Kept PDFs are still the company's contracts:
    the folder and its files are for the app's own user only."""
    folder = Path(current_app.instance_path) / "pdf"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # a folder made before PDFs were private too
    kept = folder / f"{document.sha256}.pdf"
    with _private_file(folder / f"{document.sha256}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not kept.is_file():
            unfinished = kept.with_suffix(".part")
            with _private_file(unfinished, "wb") as part:
                part.write(convert.docx_to_pdf(document.content))
            unfinished.replace(kept)
    return kept.read_bytes()


def _private_file(path: Path, mode: str):
    """Opens `path` for writing, made (or made again) readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, mode)


def pdf_response(document: Document) -> Response:
    """Raises ConversionUnavailable or ConversionFailed."""
    return Response(_pdf(document), headers={
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{_pdf_filename(document)}"',
        "X-Source-SHA256": document.sha256,
    })


def html_response(document: Document) -> Response:
    """Raises ConversionFailed."""
    return Response(convert.docx_to_html(document.content), headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": FRAGMENT_CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Source-SHA256": document.sha256,
    })


def document_as(document: Document, fmt: str) -> Response:
    """The document as "docx", "pdf" or "html" (the sanitised preview fragment).

    Raises ValueError for another format, ConversionUnavailable when a PDF is asked for and
    LibreOffice is not installed (answer 503), ConversionFailed when the conversion itself
    fails or times out (answer 500). Both are subclasses of convert.ConversionError.
    """
    if fmt == "docx":
        return docx_response(document)
    if fmt == "pdf":
        return pdf_response(document)
    if fmt == "html":
        return html_response(document)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
