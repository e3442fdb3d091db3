"""Reviewing documents in the browser: preview, PDF and redline.

Endpoints (for signed-in users who may see the document's request, as the .docx download is):

* ``documents.preview``  GET /documents/<id>/preview
* ``documents.pdf``      GET /documents/<id>.pdf
* ``documents.compare``  GET /documents/<id>/compare?with=<other_id>

:func:`document_as` serves one document as docx, pdf or html for the JSON API.
"""
import fcntl
import os
import secrets
from pathlib import Path

from flask import Blueprint, Response, current_app, make_response, render_template, request

from contract_templates import convert
from contract_templates.convert import ConversionFailed, ConversionUnavailable
from models import Document

from .access_rules import SIGNED_IN, rule
from .requests import docx_response, load_document

bp = Blueprint("documents", __name__)

FORMATS = ("docx", "pdf", "html")

# Documents come from templates that admins upload, so the preview is untrusted HTML even
# after sanitising: the page may load nothing but the app's own files, and only the
# styles that carry this response's nonce (base.html's inline style is blocked here).
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The bare document HTML of the API needs nothing at all.
FRAGMENT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"


def _page(template: str, status: int = 200, **context) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = make_response(render_template(
        template, csp_nonce=nonce, install_hint=convert.INSTALL_HINT,
        pdf_available=convert.libreoffice_path() is not None, **context), status)
    response.headers["Content-Security-Policy"] = PAGE_CSP.format(nonce=nonce)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _problem(status: int, title: str, message: str, document: Document | None = None,
             hint: str = "") -> Response:
    # The app's error handlers cover neither 400 nor 503, so these pages are rendered here.
    return _page("documents/problem.html", status, code=status, title=title, message=message,
                 document=document, hint=hint)


def _versions(document: Document) -> list[Document]:
    return [d for d in document.request.documents if d.kind == document.kind]


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


@bp.get("/documents/<int:document_id>/preview")
@rule(SIGNED_IN)
def preview(document_id: int):
    document = load_document(document_id)
    try:
        body, problem = convert.docx_to_html(document.content), ""
    except ConversionFailed as error:
        body, problem = "", str(error)
    return _page("documents/preview.html", d=document, r=document.request, body=body, problem=problem,
                 versions=_versions(document))


@bp.get("/documents/<int:document_id>.pdf")
@rule(SIGNED_IN)
def pdf(document_id: int):
    document = load_document(document_id)
    try:
        return pdf_response(document)
    except ConversionUnavailable:
        return _problem(503, "PDF not available",
                        "This server cannot make PDFs because LibreOffice is not installed. "
                        "The .docx download works as usual.", document, hint=convert.INSTALL_HINT)
    except ConversionFailed as error:
        return _problem(500, "PDF conversion failed", str(error), document)


@bp.get("/documents/<int:document_id>/compare")
@rule(SIGNED_IN)
def compare(document_id: int):
    document = load_document(document_id)
    versions = _versions(document)
    other_id = request.args.get("with", "").strip()
    if other_id:
        if not (other_id.isascii() and other_id.isdigit()):
            return _problem(400, "Cannot compare", "“with” must be the id of another document.", document)
        other = load_document(int(other_id))
        if other.request_id != document.request_id or other.kind != document.kind:
            return _problem(400, "Cannot compare",
                            "Only versions of the same document of the same request can be compared: "
                            f"{other.filename} is not a version of {document.filename}.", document)
    else:
        earlier = [d for d in versions if d.version < document.version]
        other = earlier[-1] if earlier else None
    if other is None:
        return _page("documents/compare.html", d=document, r=document.request, versions=versions,
                     old=None, new=document, result=None, problem="")
    # Whatever the order of the arguments, the older version is the one struck through.
    old, new = sorted((document, other), key=lambda d: d.version)
    try:
        result, problem = convert.compare(old.content, new.content), ""
    except ConversionFailed as error:
        result, problem = None, str(error)
    return _page("documents/compare.html", d=document, r=document.request, versions=versions,
                 old=old, new=new, result=result, problem=problem)
