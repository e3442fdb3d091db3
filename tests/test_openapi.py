"""The OpenAPI document is generated from the models each API call declares, and those models make the answers:
the document lists every field the API returns, and the limits it states are the domain's."""
import pytest
from flask import Blueprint, Flask
from pydantic import ValidationError

from conftest import auth
from models import limits
from models.lifecycle import HUMAN_ACTIONS
from webapp.api import schemas
from webapp.api.openapi import openapi_document
from webapp.api.operations import Reply, operation
from webapp.core.access_rules import SIGNED_IN, is_api, rule
from webapp.requests.forms import ActionForm, ClauseForm, RequestForm


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def answer_schema(spec: dict, path: str, method: str = "get", status: str = "200") -> dict:
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return resolve(spec, schema.get("items", schema))


def body_schema(spec: dict, path: str) -> dict:
    return resolve(spec, spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"])


def test_the_served_document_is_the_generated_one(app, spec):
    assert spec == openapi_document(app)
    assert spec["openapi"] == "3.1.0" and spec["servers"] == [{"url": "/api/v1"}]


def test_every_route_of_the_api_is_documented_and_nothing_else(app, spec):
    routes = set()
    for url_rule in app.url_map.iter_rules():
        if is_api(url_rule.endpoint):
            path = url_rule.rule.removeprefix("/api/v1")
            for name in url_rule.arguments:
                path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
            routes |= {(path, method.lower()) for method in url_rule.methods - {"HEAD", "OPTIONS"}}
    action_route = ("/requests/{request_id}/actions/{action}", "post")
    assert action_route in routes
    routes = (routes - {action_route}) | {
        (f"/requests/{{request_id}}/actions/{action}", "post") for action in HUMAN_ACTIONS}
    documented = {(path, method) for path, methods in spec["paths"].items() for method in methods}
    assert documented == routes


def test_a_route_without_a_declared_operation_stops_the_document():
    undeclared = Flask("undeclared")
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    bp.add_url_rule("/things", "things", rule(SIGNED_IN)(lambda: []), methods=["GET"])
    undeclared.register_blueprint(bp)
    with pytest.raises(RuntimeError, match="api.things"):
        openapi_document(undeclared)


def test_an_answer_with_a_field_its_model_lacks_is_refused(app):
    @operation("Branches", replies=[Reply(200, "Branches", schemas.Department, many=True)])
    def departments():
        return [{"id": 1, "name": "Ufa", "city": "Ufa", "time_zone": "Asia/Yekaterinburg", "cost_centre": "UFA",
                 "monthly_call_load": 0, "colour": "blue"}]
    with app.test_request_context("/api/v1/departments"), pytest.raises(ValidationError, match="colour"):
        departments()


def test_the_answers_list_every_field_the_api_returns(client, tokens, spec):
    def fields_of(path: str, url: str, role: str = "admin", method: str = "get") -> tuple[set, dict]:
        answer = client.get(url, headers=auth(tokens[role])).json
        item = answer[0] if isinstance(answer, list) else answer
        return set(item), answer_schema(spec, path, method)

    for path, url in [("/requests/{request_id}", "/api/v1/requests/1"), ("/numbers", "/api/v1/numbers"),
                      ("/departments", "/api/v1/departments"), ("/carriers", "/api/v1/carriers"),
                      ("/pbx", "/api/v1/pbx"), ("/templates", "/api/v1/templates"),
                      ("/reports/expenses", "/api/v1/reports/expenses?month=2026-10")]:
        returned, schema = fields_of(path, url)
        assert returned == set(schema["properties"]) == set(schema["required"]), path
        assert schema["additionalProperties"] is False
    request = client.get("/api/v1/requests/1", headers=auth(tokens["admin"])).json
    request_schema = answer_schema(spec, "/requests/{request_id}")
    for name in ("documents", "history"):
        item = resolve(spec, request_schema["properties"][name]["items"])
        assert set(request[name][0]) == set(item["properties"]), name
    # The fields the hand-written document had left out.
    assert {"state_label", "number_type", "quantity", "purpose", "created_by", "created_at", "dispatch_pending",
            "signed_on"} <= set(request_schema["properties"])
    assert {"department", "carrier", "pbx", "request_id", "activated_on"} <= set(
        answer_schema(spec, "/numbers")["properties"])


def test_every_refusal_is_documented_as_an_error(spec):
    for path, methods in spec["paths"].items():
        for method, described in methods.items():
            for status, response in described["responses"].items():
                if int(status) >= 400:
                    schema = resolve(spec, response["content"]["application/json"]["schema"])
                    assert {"error", "message", "fields"} <= set(schema["required"]), (path, method, status)
            if path != "/openapi.json":
                assert "401" in described["responses"], (path, method)


def test_each_decision_documents_its_own_body(spec):
    change = body_schema(spec, "/requests/{request_id}/actions/request_changes")
    clause = resolve(spec, change["properties"]["items"]["items"])
    assert set(clause["required"]) == {"clause", "carrier_wording", "our_wording"}
    assert change["required"] == ["comment"]
    order = body_schema(spec, "/requests/{request_id}/actions/confirm_order")
    trunks = [resolve(spec, option) for option in order["properties"]["trunk"]["oneOf"]]
    assert {trunk["properties"]["type"]["const"] for trunk in trunks} == {"registration", "ip"}
    assert body_schema(spec, "/requests/{request_id}/actions/record_signature")["required"] == ["signed_on"]
    for action in HUMAN_ACTIONS:
        assert body_schema(spec, f"/requests/{{request_id}}/actions/{action}")["additionalProperties"] is False


def test_the_limits_are_the_domains_in_the_document_and_the_forms(app, spec):
    new = body_schema(spec, "/requests")["properties"]
    assert (new["quantity"]["minimum"], new["quantity"]["maximum"]) == (limits.MIN_QUANTITY, limits.MAX_QUANTITY)
    assert new["purpose"]["maxLength"] == limits.MAX_PURPOSE
    reason = body_schema(spec, "/requests/{request_id}/actions/reject")["properties"]["comment"]
    assert reason["maxLength"] == limits.MAX_COMMENT
    change = body_schema(spec, "/requests/{request_id}/actions/request_changes")
    assert change["properties"]["items"]["maxItems"] == limits.MAX_CLAUSES
    clause = resolve(spec, change["properties"]["items"]["items"])["properties"]
    assert (clause["clause"]["maxLength"], clause["our_wording"]["maxLength"]) == (limits.MAX_CLAUSE,
                                                                                   limits.MAX_WORDING)

    def bounds(field, name):
        return {(name, getattr(validator, name)) for validator in field.kwargs["validators"]
                if hasattr(validator, name)}

    with app.test_request_context():
        assert ("max", limits.MAX_PURPOSE) in bounds(RequestForm.purpose, "max")
        assert {("min", limits.MIN_QUANTITY), ("max", limits.MAX_QUANTITY)} <= bounds(
            RequestForm.quantity, "min") | bounds(RequestForm.quantity, "max")
        assert ("max", limits.MAX_COMMENT) in bounds(ActionForm.comment, "max")
        assert ("max", limits.MAX_CLAUSE) in bounds(ClauseForm.clause, "max")


def test_list_answers_document_their_paging_headers(spec):
    for path in ("/departments", "/carriers", "/pbx", "/numbers", "/requests"):
        headers = spec["paths"][path]["get"]["responses"]["200"]["headers"]
        assert headers["X-Total-Count"]["required"] is True and headers["Link"]["required"] is False
        names = {parameter["name"] for parameter in spec["paths"][path]["get"]["parameters"]}
        assert {"page", "per_page"} <= names


def test_file_answers_document_their_media_types(spec):
    document = spec["paths"]["/documents/{document_id}"]["get"]["responses"]
    assert set(document["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/pdf", "text/html"}
    assert {"502", "503"} <= set(document)
