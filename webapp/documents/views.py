"""Documents in the browser: the .docx download, preview, PDF and redline.

Endpoints (for signed-in users who may see the document's request; documents/blueprint.py lists the URLs):

* ``documents.document`` GET /documents/<id>  (the .docx)
* ``documents.preview``  GET /documents/<id>/preview
* ``documents.pdf``      GET /documents/<id>.pdf
* ``documents.compare``  GET /documents/<id>/compare?with=<other_id>
"""
import secrets

from flask import Response, abort, make_response, render_template, request
from flask_babel import gettext
from flask_login import current_user

from contract_templates import convert
from contract_templates.convert import ConversionFailed, ConversionUnavailable
from models import Document, NotFound, access

from ..core.access_rules import SIGNED_IN, rule
from .files import docx_response, pdf_response

# Documents come from templates that admins upload, so the preview is untrusted HTML even
# after sanitising: the page may load nothing but the app's own files, and only the
# styles that carry this response's nonce (base.html's inline style is blocked here).
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


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
    # Not the app's error page: these keep the document's header and the links to its other versions.
    return _page("documents/problem.html", status, code=status, title=title, message=message,
                 document=document, hint=hint)


def _versions(document: Document) -> list[Document]:
    return [d for d in document.request.documents if d.kind == document.kind]


def load_document(document_id: int) -> Document:
    """The document, if the signed-in user may see its request; the 404 page otherwise."""
    try:
        return access.load_document(current_user, document_id)
    except NotFound:
        abort(404, description=gettext("There is no such document."))


@rule(SIGNED_IN)
def document(document_id: int):
    return docx_response(load_document(document_id))


@rule(SIGNED_IN)
def preview(document_id: int):
    document = load_document(document_id)
    try:
        body, problem = convert.docx_to_html(document.content), ""
    except ConversionFailed as error:
        body, problem = "", str(error)
    return _page("documents/preview.html", d=document, r=document.request, body=body, problem=problem,
                 versions=_versions(document))


@rule(SIGNED_IN)
def pdf(document_id: int):
    document = load_document(document_id)
    try:
        return pdf_response(document)
    except ConversionUnavailable:
        return _problem(503, gettext("PDF not available"),
                        gettext("This server cannot make PDFs because LibreOffice is not installed. "
                                "The .docx download works as usual."), document, hint=convert.INSTALL_HINT)
    except ConversionFailed as error:
        return _problem(500, gettext("PDF conversion failed"), str(error), document)


@rule(SIGNED_IN)
def compare(document_id: int):
    document = load_document(document_id)
    versions = _versions(document)
    other_id = request.args.get("with", "").strip()
    if other_id:
        if not (other_id.isascii() and other_id.isdigit()):
            return _problem(400, gettext("Cannot compare"), gettext("“with” must be the id of another document."),
                            document)
        other = load_document(int(other_id))
        if other.request_id != document.request_id or other.kind != document.kind:
            return _problem(400, gettext("Cannot compare"),
                            gettext("Only versions of the same document of the same request can be compared: "
                                    "%(other)s is not a version of %(document)s.", other=other.filename,
                                    document=document.filename), document)
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
