"""The OpenAPI description of /api/v1, built from the same tables the API uses."""
from contract_templates import KINDS, LANGUAGES
from models.choices import DocumentKind, Holder, NumberStatus, NumberType, TrunkType
from models.lifecycle import HUMAN_ACTIONS, STATES, TRANSITIONS

ERROR = {"$ref": "#/components/schemas/Error"}


def _kind_parameter() -> dict:
    return {"name": "kind", "in": "path", "required": True, "schema": {"enum": list(KINDS)}}


def _response(description: str, schema: dict | None = None, media: str = "application/json") -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {media: {"schema": schema}}
    return body


def _errors(*codes: int) -> dict:
    meaning = {401: "No or bad token", 403: "Your role may not do this, or it is your own request",
               404: "No such record or action", 409: "Not allowed in the current state, or a stale version",
               422: "Bad input; `fields` names each bad field"}
    return {str(code): _response(meaning[code], ERROR) for code in codes}


def _list(item_ref: str, description: str, parameters: list | None = None) -> dict:
    return {"get": {
        "summary": description,
        "parameters": [*(parameters or []),
                       {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                       {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 200}}],
        "responses": {"200": _response("One page; total in X-Total-Count, next page in Link",
                                       {"type": "array", "items": {"$ref": item_ref}}), **_errors(401)}}}


def _action_bodies() -> dict:
    comment = {"comment": {"type": "string", "maxLength": 2000}, "version": {
        "type": "integer", "description": "The version you saw; a different current version gives 409"}}
    return {
        "carrier_response": {"required": ["accepted"], "properties": {**comment, "accepted": {"type": "boolean"}}},
        "record_signature": {"required": ["signed_on"],
                             "properties": {**comment, "signed_on": {"type": "string", "format": "date"}}},
        "confirm_order": {"required": ["numbers", "trunk"], "properties": {
            **comment,
            "numbers": {"type": "array", "items": {"type": "string", "pattern": r"^\+[1-9]\d{1,14}$"}},
            "trunk": {"type": "object", "required": ["type"], "properties": {
                "type": {"enum": TrunkType.values()}, "registrar": {"type": "string"},
                "username": {"type": "string"}, "password": {"type": "string"},
                "addresses": {"type": "array", "items": {"type": "string"}}}}}},
        "other": {"properties": comment},
    }


def openapi_document() -> dict:
    transitions = "\n".join(
        f"- `{t.action}` on `{t.source}` → {', '.join(f'`{s}`' for s in t.targets())} ({', '.join(sorted(t.actor))})"
        for t in TRANSITIONS.values() if not t.is_machine)
    bodies = _action_bodies()
    return {
        "openapi": "3.1.0",
        "info": {"title": "numberdesk API", "version": "1",
                 "description": "Number requests, their decisions, documents and the numbers inventory. "
                                "Authenticate with `Authorization: Bearer <token>` "
                                "(`numberdesk users token EMAIL` prints one)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/departments": _list("#/components/schemas/Department", "Branches"),
            "/carriers": _list("#/components/schemas/Carrier", "Carriers, with their risky contract terms"),
            "/pbx": _list("#/components/schemas/Pbx", "PBX systems"),
            "/numbers": _list("#/components/schemas/Number", "The numbers inventory", [
                {"name": "holder", "in": "query", "schema": {"enum": Holder.values()}},
                {"name": "status", "in": "query", "schema": {"enum": NumberStatus.values()}},
                {"name": "q", "in": "query", "schema": {"type": "string"}}]),
            "/requests": {
                **_list("#/components/schemas/Request", "Number requests, newest first",
                        [{"name": "state", "in": "query", "schema": {"enum": list(STATES)}}]),
                "post": {
                    "summary": "Create a draft request (role requester)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/NewRequest"}}}},
                    "responses": {"201": _response("The new draft", {"$ref": "#/components/schemas/Request"}),
                                  **_errors(401, 403, 422)}}},
            "/requests/{id}": {"get": {
                "summary": "One request with its numbers, documents, history and the actions you may take",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _response("The request", {"$ref": "#/components/schemas/Request"}),
                              **_errors(401, 404)}}},
            "/requests/{id}/actions/{action}": {"post": {
                "summary": "Take a decision on a request",
                "description": "Transitions:\n" + transitions,
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                               {"name": "action", "in": "path", "required": True,
                                "schema": {"enum": sorted(HUMAN_ACTIONS)}}],
                "requestBody": {"content": {"application/json": {"schema": {"oneOf": [
                    {"title": name, "type": "object", **schema} for name, schema in bodies.items()]}}}},
                "responses": {"200": _response("The request after the action",
                                               {"$ref": "#/components/schemas/Request"}),
                              **_errors(401, 403, 404, 409, 422)}}},
            "/documents/{id}": {"get": {
                "summary": "Download a document: the .docx, a PDF (LibreOffice) or a sanitised HTML preview",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                               {"name": "format", "in": "query",
                                "schema": {"enum": ["docx", "pdf", "html"], "default": "docx"}}],
                "responses": {"200": {"description": "The document", "content": {
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                        "schema": {"type": "string", "format": "binary"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/html": {"schema": {"type": "string"}}}},
                    **_errors(401, 404, 422),
                    "502": _response("The conversion failed", ERROR),
                    "503": _response("PDF conversion is not installed (LibreOffice)", ERROR)}}},
            "/reports/expenses": {"get": {
                "summary": "The month's expense report per branch: rental and one-time fees as contracted, calls as "
                           "billed. Accountants see every branch, anyone else only their own",
                "parameters": [{"name": "month", "in": "query", "required": True,
                                "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}}],
                "responses": {"200": _response("The report; amounts are decimal strings",
                                               {"$ref": "#/components/schemas/ExpenseReport"}),
                              **_errors(401, 403, 422)}}},
            "/templates": {"get": {
                "summary": "Every template kind and language: the active uploaded version (null: the bundled one) "
                           "and the version history",
                "responses": {"200": _response("Template kinds", {"type": "array", "items": {"type": "object"}}),
                              **_errors(401)}}},
            "/templates/{kind}": {"post": {
                "summary": "Upload a new template version (role admin); refused uploads leave the active one",
                "parameters": [_kind_parameter()],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file", "language"], "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "language": {"enum": list(LANGUAGES)}}}}}},
                "responses": {"201": _response("The new active version", {"$ref": "#/components/schemas/Template"}),
                              "422": _response("Refused; `reasons` lists every problem", ERROR),
                              **_errors(401, 403, 404)}}},
            "/templates/{kind}/variables": {"get": {
                "summary": "The variables a template of this kind may use, with descriptions and examples",
                "parameters": [_kind_parameter(),
                               {"name": "language", "in": "query", "schema": {"enum": list(LANGUAGES)}}],
                "responses": {"200": _response("The variables reference", {"type": "object"}),
                              **_errors(401, 404, 422)}}},
            "/templates/{kind}/{language}/{version}": {"get": {
                "summary": "Download an uploaded template version (`bundled` for the one shipped with numberdesk)",
                "parameters": [_kind_parameter(),
                               {"name": "language", "in": "path", "required": True,
                                "schema": {"enum": list(LANGUAGES)}},
                               {"name": "version", "in": "path", "required": True,
                                "schema": {"oneOf": [{"type": "integer"}, {"const": "bundled"}]}}],
                "responses": {"200": _response("The .docx template", {"type": "string", "format": "binary"},
                                               "application/vnd.openxmlformats-officedocument"
                                               ".wordprocessingml.document"), **_errors(401, 404)}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Template": {"type": "object", "properties": {
                    "kind": {"enum": list(KINDS)}, "language": {"enum": list(LANGUAGES)},
                    "version": {"type": "integer"}, "sha256": {"type": "string"}, "label": {"type": "string"},
                    "active": {"type": "boolean"}, "uploaded_by": {"type": ["string", "null"]},
                    "uploaded_at": {"type": "string", "format": "date-time"}}},
                "Error": {"type": "object", "required": ["error", "message", "fields"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "Department": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "city": {"type": "string"},
                    "time_zone": {"type": "string"}, "cost_centre": {"type": "string"},
                    "monthly_call_load": {"type": "integer"}}},
                "Carrier": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "legal_name": {"type": "string"},
                    "cities": {"type": "array", "items": {"type": "string"}},
                    "risky_terms": {"type": "array", "items": {"type": "string"}}}},
                "Pbx": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"},
                    "vendor": {"type": "string"}, "resells_numbers": {"type": "boolean"}}},
                "Number": {"type": "object", "properties": {
                    "e164": {"type": "string"}, "national": {"type": "string"}, "department_id": {"type": "integer"},
                    "carrier_id": {"type": "integer"}, "holder": {"enum": Holder.values()},
                    "lock_in_risk": {"type": "boolean"}, "pbx_id": {"type": ["integer", "null"]},
                    "status": {"enum": NumberStatus.values()}}},
                "ExpenseReport": {"type": "object", "properties": {
                    "month": {"type": "string"}, "currency": {"type": "string"},
                    "total": {"type": "string", "format": "decimal"},
                    "departments": {"type": "array", "items": {"type": "object", "properties": {
                        "department_id": {"type": "integer"}, "name": {"type": "string"}, "city": {"type": "string"},
                        "numbers": {"type": "integer"},
                        **{amount: {"type": "string", "format": "decimal"} for amount in (
                            "rental", "calls", "one_time", "total", "previous_total")}}}}}},
                "NewRequest": {"type": "object", "required": [
                    "department_id", "number_type", "quantity", "purpose", "carrier_id", "pbx_id"], "properties": {
                    "department_id": {"type": "integer"}, "number_type": {"enum": NumberType.values()},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                    "purpose": {"type": "string", "maxLength": 500}, "carrier_id": {"type": "integer"},
                    "pbx_id": {"type": "integer"}}},
                "Request": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "reference": {"type": "string"}, "state": {"enum": list(STATES)},
                    "version": {"type": "integer"}, "department_id": {"type": "integer"},
                    "carrier_id": {"type": "integer"}, "pbx_id": {"type": "integer"},
                    "numbers": {"type": "array", "items": {"type": "string"}},
                    "documents": {"type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "kind": {"enum": DocumentKind.values()},
                        "version": {"type": "integer"}, "sha256": {"type": "string"}}}},
                    "history": {"type": "array", "items": {"type": "object", "properties": {
                        "action": {"type": "string"}, "from_state": {"type": ["string", "null"]},
                        "to_state": {"type": "string"}, "actor": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"}, "comment": {"type": "string"}}}},
                    "allowed_actions": {"type": "array", "items": {"enum": sorted(HUMAN_ACTIONS)}}}},
            },
        },
    }
