"""Contract template versions, as the admin pages and the API both use them: the overview of kinds x languages,
storing a validated upload, the variables reference and the .docx downloads."""
import re
from pathlib import PurePosixPath

from flask import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from contract_templates import LANGUAGES, TemplateError, template_path, template_version
from contract_templates.sample import sample_context
from contract_templates.schema import KINDS, reference
from contract_templates.validation import MAX_UPLOAD_BYTES, validate_template
from models import Conflict, NotFound, TemplateVersion, User, db
from models import audit_trail

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The name a template usually gives the items of a list in its loop.
ITEM_NAMES = {"rates": "rate", "numbers": "number", "clauses": "clause", "addresses": "address"}


def check_kind(kind: str, language: str | None = None) -> None:
    """404 for a document kind (or language) that has no templates."""
    if kind not in KINDS:
        raise NotFound(f"there is no document kind {kind!r}; expected one of {', '.join(KINDS)}")
    if language is not None and language not in LANGUAGES:
        raise NotFound(f"there is no template language {language!r}; expected one of {', '.join(LANGUAGES)}")


def bundled_version(kind: str, language: str) -> str | None:
    """Content id of the template shipped with numberdesk; None when none ships."""
    try:
        return template_version(kind, language)
    except TemplateError:
        return None


def template_overview() -> list[dict]:
    """One entry per kind x language: its versions, newest first, and the one in use."""
    versions = db.session.scalars(
        db.select(TemplateVersion).options(selectinload(TemplateVersion.uploaded_by))
        .order_by(TemplateVersion.kind, TemplateVersion.language, TemplateVersion.version.desc())).all()
    overview = []
    for kind in KINDS:
        for language in LANGUAGES:
            mine = [v for v in versions if v.kind == kind and v.language == language]
            # The newest active one, as TemplateVersion.active_for chooses.
            active = next((v for v in mine if v.active), None)
            overview.append({"kind": kind, "language": language, "active": active, "versions": mine,
                             "bundled_version": bundled_version(kind, language)})
    return overview


def find_version(kind: str, language: str, version: int) -> TemplateVersion:
    check_kind(kind, language)
    found = db.session.scalar(db.select(TemplateVersion).filter_by(kind=kind, language=language, version=version))
    if found is None:
        raise NotFound(f"there is no version {version} of the {language} {kind} template")
    return found


def upload_name(filename: str) -> str:
    """The uploaded file's own name, without folders or control characters, to show in the history."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:200] or "template.docx"


def store_upload(kind: str, language: str, data: bytes, filename: str,
                 user: User) -> tuple[TemplateVersion | None, list[str]]:
    """Validate an upload and, when it passes, store it as the new active version.

    Returns ``(version, [])`` or ``(None, reasons)``; a refused upload leaves
    the database as it was.
    """
    reasons = validate_template(kind, language, data, filename)
    if reasons:
        return None, reasons
    version = TemplateVersion.add(kind, language, data, upload_name(filename), user)
    audit_trail.record(user, "upload_template", f"template {kind}/{language} v{version.version}",
                       {"filename": version.filename, "size": version.size, "sha256": version.sha256})
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else stored a version of the same template between our read and our commit.
        db.session.rollback()
        raise Conflict("another version of this template was uploaded at the same moment; upload again")
    return version, []


def read_upload(storage) -> bytes:
    # One byte over the limit is enough for validation to refuse it, without reading more.
    return storage.read(MAX_UPLOAD_BYTES + 1)


def word_tag(path: str, kind_of_value: str | None) -> str:
    """How to write the variable in a Word template."""
    if "[]" in path:
        list_path, _, rest = path.partition("[].")
        item = ITEM_NAMES.get(list_path.rsplit(".", 1)[-1], "item")
        return f"{{{{ {item}.{rest} }}}}"
    if kind_of_value == "list":
        item = ITEM_NAMES.get(path.rsplit(".", 1)[-1], "item")
        return f"{{% for {item} in {path} %}}"
    if kind_of_value == "yes/no":
        return f"{{% if {path} %}}"
    return f"{{{{ {path} }}}}"


def variables_reference(kind: str, language: str) -> list[dict]:
    """The variables of ``kind`` with description, type, example value (from the
    sample data in ``language``) and how to write each in Word."""
    rows = reference(kind, sample_context(language))
    for row in rows:
        row["tag"] = word_tag(row["path"], row["type"])
    return rows


def docx_download(content: bytes, filename: str) -> Response:
    return Response(content, headers={"Content-Type": DOCX_TYPE,
                                      "Content-Disposition": f'attachment; filename="{filename}"'})


def bundled_download(kind: str, language: str) -> Response:
    check_kind(kind, language)
    try:
        path = template_path(kind, language)
    except TemplateError:
        raise NotFound(f"numberdesk ships no {language} {kind} template")
    return docx_download(path.read_bytes(), f"{kind}-{language}-bundled.docx")


def version_download(kind: str, language: str, version: int) -> Response:
    found = find_version(kind, language, version)
    response = docx_download(found.content, f"{kind}-{language}-v{found.version}.docx")
    response.headers["X-Content-SHA256"] = found.sha256
    return response
