"""The OpenAPI 3.1 document of /api/v1, generated: nothing in it is written by hand.

Paths and methods come from the app's routes, who may call each from its access rule, and everything else from
the operation each view declares (operations.py): parameters and bodies from the input models (inputs.py),
answers from the answer models (schemas.py), through pydantic's JSON Schema. A route of the API that declares no
operation stops the document from being made (and a test from passing).
"""
import re

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..core.access_rules import PUBLIC, SIGNED_IN, is_api, rule_for
from . import schemas
from .operations import JSON, Operation, Reply, operation_of

REF = "#/components/schemas/{model}"
ERROR_MEANINGS = {
    401: "No token, or a bad or expired one",
    403: "Your roles may not do this, or the four-eyes rules forbid it",
    404: "No such record, or one you may not see",
    409: "Not possible in the record's current state, or it changed since you read it",
    422: "Bad input: `fields` names each bad field",
    502: "The conversion failed",
    503: "PDF conversion is not installed (LibreOffice)",
}
# A path parameter as the route's converter takes it (ids start at 1), unless the operation's path model narrows it.
_CONVERTED = {"int": {"type": "integer", "minimum": 1}, "default": {"type": "string", "pattern": "^[^/]+$"}}
_PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def openapi_document(app: Flask, api_prefix: str = "/api/v1") -> dict:
    calls = list(_calls(app, api_prefix))
    models = {(model, mode) for _, _, _, operation in calls for model, mode in _models(operation)}
    models.add((schemas.Error, "serialization"))
    refs, definitions = models_json_schema(sorted(models, key=lambda pair: (pair[0].__name__, pair[1])),
                                           ref_template=REF)
    paths: dict[str, dict] = {}
    for path, method, endpoint, operation in calls:
        rule = rule_for(app, endpoint)
        for documented_path, variant_value in _documented_paths(path, operation):
            paths.setdefault(documented_path, {})[method] = _operation_object(
                endpoint, operation, rule, path, variant_value, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "numberdesk API", "version": "1",
                 "description": "Number requests, their decisions, documents, the numbers inventory, costs and "
                                "contract templates. Authenticate with `Authorization: Bearer <token>` "
                                "(`numberdesk users token EMAIL` prints one). Every refusal answers "
                                "`{\"error\", \"message\", \"fields\"}`. JSON bodies take no fields besides "
                                "those documented."},
        "servers": [{"url": api_prefix}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": definitions.get("$defs", {})},
    }


def _calls(app: Flask, api_prefix: str):
    """(path, method, endpoint, operation) of every API route, path as the routing has it, without the prefix."""
    undeclared = []
    for url_rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not is_api(url_rule.endpoint):
            continue
        operation = operation_of(app.view_functions[url_rule.endpoint])
        if operation is None:
            undeclared.append(url_rule.endpoint)
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            yield url_rule.rule.removeprefix(api_prefix), method.lower(), url_rule.endpoint, operation
    if undeclared:
        raise RuntimeError("these API routes declare no operation (see webapp/api/operations.py): "
                           + ", ".join(undeclared))


def _models(operation: Operation):
    for reply in operation.replies:
        if reply.model is not None:
            yield reply.model, "serialization"
    for model in (operation.body, operation.form, *(v.body for v in (operation.variants or {}).values())):
        if model is not None:
            yield model, "validation"


def _documented_paths(path: str, operation: Operation):
    """The path with {name} parameters; a path of its own for each variant."""
    documented = _PARAMETER.sub(lambda found: "{" + found["name"] + "}", path)
    if not operation.variants:
        yield documented, None
        return
    for value in sorted(operation.variants):
        yield documented.replace("{" + operation.variant_of + "}", value), value


def _operation_object(endpoint: str, operation: Operation, rule, path: str, variant_value: str | None,
                      refs: dict) -> dict:
    variant = operation.variants[variant_value] if variant_value else None
    name = endpoint.removeprefix("api.")
    description = "\n\n".join(text for text in (
        variant.description if variant else operation.description, f"Callable by {rule.who}.") if text)
    body = variant.body if variant else operation.body
    found = {
        "operationId": f"{name}_{variant_value}" if variant_value else name,
        "summary": variant.summary if variant else operation.summary,
        "description": description,
        "parameters": [*_path_parameters(path, operation, skip=operation.variant_of if variant else None),
                       *_query_parameters(operation.query)],
        "responses": _responses(operation, rule, path, refs),
    }
    if body is not None:
        required = bool(body.model_json_schema().get("required"))
        found["requestBody"] = {"required": required, "content": {JSON: {"schema": refs[body, "validation"]}}}
    if operation.form is not None:
        found["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": refs[operation.form, "validation"]}}}
    if rule is PUBLIC:
        found["security"] = []
    if not found["parameters"]:
        del found["parameters"]
    return found


def _path_parameters(path: str, operation: Operation, skip: str | None) -> list[dict]:
    narrower = operation.path.model_json_schema()["properties"] if operation.path else {}
    parameters = []
    for found in _PARAMETER.finditer(path):
        if found["name"] == skip:
            continue
        schema = narrower.get(found["name"]) or _CONVERTED.get(found["converter"] or "default", _CONVERTED["default"])
        parameters.append({"name": found["name"], "in": "path", "required": True, "schema": _plain(schema)})
    return parameters


def _query_parameters(model: type[BaseModel] | None) -> list[dict]:
    if model is None:
        return []
    schema = model.model_json_schema()
    parameters = []
    for name, field in schema["properties"].items():
        field = _plain(field)
        parameter = {"name": name, "in": "query", "required": name in schema.get("required", ()), "schema": field}
        if "description" in field:
            parameter["description"] = field.pop("description")
        parameters.append(parameter)
    return parameters


def _plain(schema: dict) -> dict:
    """A parameter's schema without pydantic's title, and without the null of an optional one: a parameter left
    out is the null."""
    schema = {key: value for key, value in schema.items()
              if key != "title" and not (key == "default" and value is None)}
    options = [option for option in schema.get("anyOf", ()) if option != {"type": "null"}]
    if "anyOf" in schema and len(options) == 1:
        del schema["anyOf"]
        schema = {**options[0], **schema}
    return schema


def _responses(operation: Operation, rule, path: str, refs: dict) -> dict:
    responses = {str(reply.status): _response(reply, refs) for reply in operation.replies}
    refusals = set(operation.errors)
    if rule is not PUBLIC:
        refusals.add(401)
    if rule not in (PUBLIC, SIGNED_IN):
        refusals.add(403)
    if _PARAMETER.search(path):
        refusals.add(404)
    if operation.query or operation.body or operation.form or operation.variants:
        refusals.add(422)
    for status in sorted(refusals):
        responses.setdefault(str(status), {"description": ERROR_MEANINGS[status], "content": {
            JSON: {"schema": refs[schemas.Error, "serialization"]}}})
    return dict(sorted(responses.items()))


def _response(reply: Reply, refs: dict) -> dict:
    found: dict = {"description": reply.description}
    if reply.model is not None:
        schema = refs[reply.model, "serialization"]
        found["content"] = {JSON: {"schema": {"type": "array", "items": schema} if reply.many else schema}}
    elif reply.files:
        found["content"] = {media: {"schema": schema} for media, schema in reply.files.items()}
    if reply.headers:
        found["headers"] = {header.name: {"description": header.description, "required": header.required,
                                          "schema": header.schema} for header in reply.headers}
    return found
