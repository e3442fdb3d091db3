"""The JSON API's documents: GET /api/v1/documents/<id>?format=docx|pdf|html."""
from flask import g

from contract_templates.convert import ConversionFailed, ConversionUnavailable
from models import access

from ..api import inputs
from ..api.operations import Reply, operation, query
from ..core.access_rules import SIGNED_IN, rule
from ..core.errors import json_error
from .files import DOCX_TYPE, document_as

BINARY = {"type": "string", "format": "binary"}


@rule(SIGNED_IN)
@operation("Download a document: the .docx, a PDF (LibreOffice) or a sanitised HTML preview",
           query=inputs.DocumentQuery, errors=(502, 503),
           replies=[Reply(200, "The document in the format asked for", files={
               DOCX_TYPE: BINARY, "application/pdf": BINARY, "text/html": {"type": "string"}})])
def document(document_id: int):
    found = access.load_document(g.api_user, document_id)
    fmt = query().format
    try:
        return document_as(found, fmt)
    except ConversionUnavailable as error:
        return json_error(503, "conversion_unavailable", str(error))
    except ConversionFailed as error:
        return json_error(502, "conversion_failed", str(error))
