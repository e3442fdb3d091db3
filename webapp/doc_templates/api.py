"""Contract template versions over the JSON API."""
from flask import g, url_for

from models import TemplateVersion
from models.choices import Role

from ..api import inputs, schemas
from ..api.operations import Header, Reply, form, operation, query
from ..core.access_rules import TEMPLATE_READERS, roles, rule
from .versions import (DOCX_TYPE, bundled_download, check_kind, read_upload, store_upload, template_overview,
                       variables_reference, version_download)

DOCX = {DOCX_TYPE: {"type": "string", "format": "binary"}}


def version_data(v: TemplateVersion) -> dict:
    return {"kind": v.kind, "language": v.language, "version": v.version, "sha256": v.sha256, "label": v.label,
            "active": v.active, "filename": v.filename, "size": v.size,
            "uploaded_by": v.uploaded_by.email if v.uploaded_by else None, "uploaded_at": v.uploaded_at}


@rule(TEMPLATE_READERS)
@operation("Every template kind and language: the uploaded version in use (null: the bundled one) and the history",
           replies=[Reply(200, "Template kinds", schemas.TemplateKind, many=True)])
def list_templates():
    return [{"kind": entry["kind"], "language": entry["language"],
             "active_version": version_data(entry["active"]) if entry["active"] else None,
             "bundled_version": entry["bundled_version"], "versions": [version_data(v) for v in entry["versions"]]}
            for entry in template_overview()]


@rule(roles(Role.ADMIN))
@operation("Upload a new template version; a refused upload leaves the active one", path=inputs.TemplatePath,
           form=inputs.TemplateUpload, errors=(409,),
           description="The upload is checked (a real .docx without macros or external content, valid Jinja, only "
                       "the variables its kind provides, renders sample data); `reasons` lists every problem.",
           replies=[Reply(201, "The new active version; Location is its download", schemas.Template, headers=(
                        Header("Location", "Where to download the version", {"type": "string"}),)),
                    Reply(422, "Refused: `fields` names the bad field, `reasons` every problem of the template",
                          schemas.TemplateRefusal)])
def upload_template(kind: str):
    check_kind(kind)
    upload = form()
    version, reasons = store_upload(kind, upload.language, read_upload(upload.file), upload.file.filename, g.api_user)
    if reasons:
        return {"error": "invalid_template",
                "message": f"the template was refused ({len(reasons)} problem(s)); the active template stays "
                           "unchanged",
                "fields": {"file": "; ".join(reasons)}, "reasons": reasons}, 422
    return version_data(version), 201, {"Location": url_for(
        "api.template_version_file", kind=kind, language=upload.language, version=version.version)}


@rule(TEMPLATE_READERS)
@operation("The variables a template of this kind may use, with descriptions and examples",
           path=inputs.TemplatePath, query=inputs.VariablesQuery,
           replies=[Reply(200, "The variables reference", schemas.Variables)])
def template_variables(kind: str):
    check_kind(kind)
    language = query().language
    return {"kind": kind, "language": language, "variables": variables_reference(kind, language)}


@rule(TEMPLATE_READERS)
@operation("Download the template shipped with numberdesk", path=inputs.TemplatePath,
           replies=[Reply(200, "The .docx template", files=DOCX)])
def bundled_template_file(kind: str, language: str):
    return bundled_download(kind, language)


@rule(TEMPLATE_READERS)
@operation("Download an uploaded template version", path=inputs.TemplatePath,
           replies=[Reply(200, "The .docx template", files=DOCX)])
def template_version_file(kind: str, language: str, version: int):
    return version_download(kind, language, version)
