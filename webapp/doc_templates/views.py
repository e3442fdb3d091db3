"""Contract template versions: upload, list, variables reference.

Admins upload; lawyers may look at everything (they write the wording).
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from contract_templates import LANGUAGES
from contract_templates.schema import KIND_VARIABLES, TOP_LEVEL
from models import NotFound
from models.choices import DocumentKind, Language, Role

from ..core.access_rules import TEMPLATE_READERS, roles, rule
from ..core.helpers import choice_sets
from ..core.i18n import page_language
from .forms import TemplateUploadForm
from .versions import (bundled_download, check_kind, read_upload, store_upload, template_overview,
                       variables_reference, version_download)


def labels():
    """The choice sets the template pages show labels from, in the page's language."""
    return choice_sets(Language, DocumentKind)


def known_kind(kind: str, language: str | None = None) -> None:
    """A 404 page, in the reader's language, for a document kind (or language) that has no templates."""
    try:
        check_kind(kind, language)
    except NotFound:
        abort(404, description=gettext("There are no contract templates of this kind or in this language."))


def index_page(form: TemplateUploadForm, status: int = 200):
    return render_template("template_admin/index.html", overview=template_overview(), form=form,
                           can_upload=current_user.has_role(Role.ADMIN)), status


@rule(TEMPLATE_READERS)
def index():
    return index_page(TemplateUploadForm())


@rule(roles(Role.ADMIN))
def upload():
    form = TemplateUploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        version, reasons = store_upload(form.kind.data, form.language.data, read_upload(storage),
                                        storage.filename, current_user)
        if version is not None:
            flash(gettext("%(document)s (%(language)s) version %(version)s is now in use.",
                          document=DocumentKind.label(version.kind, page_language()),
                          language=Language.label(version.language, page_language()), version=version.version),
                  "success")
            return redirect(url_for(".index"))
        form.file.errors = [*form.file.errors, *reasons]
    return index_page(form, 422)


@rule(TEMPLATE_READERS)
def history(kind: str, language: str):
    known_kind(kind, language)
    entry = next(e for e in template_overview() if e["kind"] == kind and e["language"] == language)
    return render_template("template_admin/history.html", entry=entry)


@rule(TEMPLATE_READERS)
def variables(kind: str):
    known_kind(kind)
    language = request.args.get("language", "en")
    if language not in LANGUAGES:
        language = "en"
    provided = [name for name in TOP_LEVEL if name in KIND_VARIABLES[kind]]
    return render_template("template_admin/variables.html", kind=kind, language=language, top_level=TOP_LEVEL,
                           provided=provided, rows=variables_reference(kind, language))


@rule(TEMPLATE_READERS)
def bundled(kind: str, language: str):
    known_kind(kind, language)
    try:
        return bundled_download(kind, language)
    except NotFound:
        abort(404, description=gettext("numberdesk ships no template for this document in this language."))


@rule(TEMPLATE_READERS)
def version_file(kind: str, language: str, version: int):
    known_kind(kind, language)
    try:
        return version_download(kind, language, version)
    except NotFound:
        abort(404, description=gettext("There is no such version of this template."))
