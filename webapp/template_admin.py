"""Contract template versions: upload, list, variables reference.

Admins upload; lawyers may look at everything (they write the wording).
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import default_exceptions

from contract_templates import LANGUAGES
from contract_templates.schema import KIND_VARIABLES, TOP_LEVEL
from models import DomainError
from models.choices import DocumentKind, Language, Role

from .api_templates import (bundled_download, check_kind, read_upload, store_upload, template_overview,
                            variables_reference, version_download)
from .access_rules import TEMPLATE_READERS, roles, rule
from .template_forms import TemplateUploadForm

bp = Blueprint("template_admin", __name__, url_prefix="/admin/templates")


@bp.context_processor
def labels():
    return {"Language": Language, "DocumentKind": DocumentKind}


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    # The helpers shared with the API raise domain errors; here they become the usual error page.
    http_error = default_exceptions[error.status](description=error.message)
    return render_template("error.html", error=http_error), error.status


def index_page(form: TemplateUploadForm, status: int = 200):
    return render_template("template_admin/index.html", overview=template_overview(), form=form,
                           can_upload=current_user.has_role(Role.ADMIN)), status


@bp.get("/")
@rule(TEMPLATE_READERS)
def index():
    return index_page(TemplateUploadForm())


@bp.post("/")
@rule(roles(Role.ADMIN))
def upload():
    form = TemplateUploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        version, reasons = store_upload(form.kind.data, form.language.data, read_upload(storage),
                                        storage.filename, current_user)
        if version is not None:
            flash(f"{DocumentKind.label(version.kind)} ({Language.label(version.language)}) "
                  f"version {version.version} is now in use.", "success")
            return redirect(url_for(".index"))
        form.file.errors = [*form.file.errors, *reasons]
    return index_page(form, 422)


@bp.get("/<kind>/<language>/")
@rule(TEMPLATE_READERS)
def history(kind: str, language: str):
    check_kind(kind, language)
    entry = next(e for e in template_overview() if e["kind"] == kind and e["language"] == language)
    return render_template("template_admin/history.html", entry=entry)


@bp.get("/<kind>/variables")
@rule(TEMPLATE_READERS)
def variables(kind: str):
    check_kind(kind)
    language = request.args.get("language", "en")
    if language not in LANGUAGES:
        language = "en"
    provided = [name for name in TOP_LEVEL if name in KIND_VARIABLES[kind]]
    return render_template("template_admin/variables.html", kind=kind, language=language, top_level=TOP_LEVEL,
                           provided=provided, rows=variables_reference(kind, language))


@bp.get("/<kind>/<language>/bundled.docx")
@rule(TEMPLATE_READERS)
def bundled(kind: str, language: str):
    return bundled_download(kind, language)


@bp.get("/<kind>/<language>/v<int:version>.docx")
@rule(TEMPLATE_READERS)
def version_file(kind: str, language: str, version: int):
    return version_download(kind, language, version)
