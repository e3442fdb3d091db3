"""The JSON API: status codes, shapes and the whole life of a request driven through it."""
import pytest

from conftest import auth
from models import db
from models.lifecycle import HUMAN_ACTIONS
from models.pbx import ATTACHMENT_CHECKLIST


@pytest.fixture
def ids(client, tokens):
    def find(path, name):
        return next(item["id"] for item in client.get(path, headers=auth(tokens["requester"])).json
                    if item["name"] == name)
    return {"department": find("/api/v1/departments", "Ufa showroom"),
            "carrier": find("/api/v1/carriers", "VolgaLink"), "pbx": find("/api/v1/pbx", "Office Asterisk")}


def create(client, tokens, ids, **overrides):
    body = {"department_id": ids["department"], "number_type": "local", "quantity": 1,
            "purpose": "Showroom line", "carrier_id": ids["carrier"], "pbx_id": ids["pbx"], **overrides}
    return client.post("/api/v1/requests", json=body, headers=auth(tokens["requester"]))


def act(client, token, request_id, action, **body):
    return client.post(f"/api/v1/requests/{request_id}/actions/{action}", json=body, headers=auth(token))


@pytest.mark.parametrize("path", ["/api/v1/departments", "/api/v1/carriers", "/api/v1/pbx", "/api/v1/requests",
                                  "/api/v1/numbers", "/api/v1/requests/1", "/api/v1/documents/1"])
@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_no_or_bad_token_is_401(client, path, header):
    response = client.get(path, headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"


def test_a_browser_session_does_not_authenticate_the_api(client):
    from conftest import login
    login(client, "requester")
    assert client.get("/api/v1/requests").status_code == 401


def test_reference_lists(client, tokens):
    departments = client.get("/api/v1/departments", headers=auth(tokens["accountant"]))
    assert departments.status_code == 200 and len(departments.json) == 9
    assert {"id", "name"} <= set(departments.json[0])
    carriers = client.get("/api/v1/carriers", headers=auth(tokens["accountant"])).json
    volga = next(c for c in carriers if c["name"] == "VolgaLink")
    assert "Refuses a protocol of disagreements" in volga["risky_terms"]
    assert {p["name"] for p in client.get("/api/v1/pbx", headers=auth(tokens["admin"])).json} == {
        "CloudPBX Pro", "Office Asterisk"}


def test_lists_are_paginated(client, tokens):
    response = client.get("/api/v1/departments?per_page=4&page=1", headers=auth(tokens["admin"]))
    assert len(response.json) == 4 and response.headers["X-Total-Count"] == "9"
    assert "page=2" in response.headers["Link"]
    last = client.get("/api/v1/departments?per_page=4&page=3", headers=auth(tokens["admin"]))
    assert len(last.json) == 1 and "Link" not in last.headers


def test_create_request(client, tokens, ids):
    response = create(client, tokens, ids)
    assert response.status_code == 201
    body = response.json
    assert body["state"] == "draft" and body["department_id"] == ids["department"]
    assert body["allowed_actions"] == ["submit", "cancel"]
    assert body["history"][0]["action"] == "create" and body["history"][0]["actor"] == "branches@example.com"


@pytest.mark.parametrize("overrides,fields", [
    ({"quantity": 0}, {"quantity"}), ({"quantity": "one"}, {"quantity"}),
    ({"number_type": "fax"}, {"number_type"}), ({"purpose": ""}, {"purpose"}),
    ({"department_id": None, "quantity": 101, "purpose": "   "}, {"department_id", "quantity", "purpose"}),
    ({"department_id": 424242, "pbx_id": 424242}, {"department_id", "pbx_id"}),
    ({"carrier_id": 2**70}, {"carrier_id"}), ({"colour": "blue"}, {"colour"}),
])
def test_create_request_with_bad_input_is_422_with_the_fields(client, tokens, ids, overrides, fields):
    response = create(client, tokens, ids, **overrides)
    assert response.status_code == 422
    assert set(response.json["fields"]) == fields and response.json["error"] == "invalid_input"


def test_create_request_needs_a_json_object(client, tokens):
    response = client.post("/api/v1/requests", data="[1]", content_type="application/json",
                           headers=auth(tokens["requester"]))
    assert response.status_code == 422 and "body" in response.json["fields"]


def test_create_request_needs_the_requester_role(client, tokens, ids):
    response = client.post("/api/v1/requests", json={}, headers=auth(tokens["lawyer"]))
    assert response.status_code == 403


def test_status_codes_of_actions(client, tokens, ids):
    request_id = create(client, tokens, ids).json["id"]
    assert act(client, tokens["approver"], request_id, "approve").status_code == 409  # still a draft
    assert act(client, tokens["requester"], request_id, "teleport").status_code == 404
    assert act(client, tokens["requester"], 424242, "submit").status_code == 404
    submitted = act(client, tokens["requester"], request_id, "submit")
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"
    assert act(client, tokens["lawyer"], request_id, "approve").status_code == 403
    stale = act(client, tokens["approver"], request_id, "approve", version=submitted.json["version"] - 1)
    assert stale.status_code == 409 and "reload" in stale.json["message"]
    assert act(client, tokens["approver"], request_id, "approve", version="3").status_code == 422
    missing_reason = act(client, tokens["approver"], request_id, "reject")
    assert missing_reason.status_code == 422 and set(missing_reason.json["fields"]) == {"comment"}
    approved = act(client, tokens["approver"], request_id, "approve", version=submitted.json["version"])
    assert approved.status_code == 200
    assert act(client, tokens["approver"], request_id, "approve").status_code == 409  # a second decision
    assert act(client, tokens["lawyer"], request_id, "contracts_drafted").status_code == 409


def test_a_person_calling_a_machine_action_gets_403(client, tokens, ids):
    request_id = create(client, tokens, ids).json["id"]
    act(client, tokens["requester"], request_id, "submit")
    # Park it in a machine state, as if the step had not run yet.
    from models import NumberRequest
    db.session.get(NumberRequest, request_id).state = "approved"
    db.session.commit()
    for role in ("requester", "approver", "lawyer", "sysadmin", "admin"):
        assert act(client, tokens[role], request_id, "contracts_drafted").status_code == 403


def test_filter_by_state(client, tokens):
    response = client.get("/api/v1/requests?state=active", headers=auth(tokens["lawyer"]))
    assert response.status_code == 200 and len(response.json) == 2
    assert {r["state"] for r in response.json} == {"active"}
    assert client.get("/api/v1/requests?state=bogus", headers=auth(tokens["lawyer"])).status_code == 422


PRICES = "Prices may change with 60 days' written notice."
COUNTER = "Prices may change with 45 days' written notice."


def test_the_whole_life_of_a_request_through_the_api(client, tokens, ids):
    request_id = create(client, tokens, ids, quantity=2).json["id"]
    steps = [
        ("requester", "submit", {}),
        ("approver", "approve", {"comment": "Pilot branch"}),
        ("lawyer", "request_changes", {"comment": "Two clauses are not acceptable", "items": [
            {"clause": "4.2", "carrier_wording": "Prices may change at any time.", "our_wording": PRICES},
            {"clause": "7.1", "carrier_wording": "A penalty of 3% per day applies.",
             "our_wording": "Penalties are capped at one month's fees."}]}),
        # The carrier counters our price clause and accepts the rest (the protocol also holds what it agreed
        # before: it starts from that); the lawyer takes the counter.
        ("lawyer", "carrier_response", lambda protocol: {"answers": [
            {"item_id": item["id"], "answer": "counter", "wording": COUNTER} if item["our_wording"] == PRICES
            else {"item_id": item["id"], "answer": "accepted"} for item in protocol]}),
        ("lawyer", "answer_counter_proposals", lambda protocol: {"answers": [
            {"item_id": item["id"], "decision": "accept"} for item in protocol if item["answer"] == "counter"]}),
        ("lawyer", "approve_contracts", {}),
        ("lawyer", "record_signature", {"signed_on": "2026-11-20"}),
        ("sysadmin", "confirm_order", {"numbers": ["+78432000101", "+78432000102"],
                                       "trunk": {"type": "ip", "addresses": ["192.0.2.10"]}}),
        ("sysadmin", "confirm_attachment", {"checklist": list(ATTACHMENT_CHECKLIST)}),
        ("sysadmin", "confirm_verification", {"comment": "Called both numbers"}),
    ]
    for role, action, body in steps:
        current = client.get(f"/api/v1/requests/{request_id}", headers=auth(tokens[role])).json
        assert action in current["allowed_actions"], (action, current["state"])
        body = body(current["protocol"]) if callable(body) else body
        response = act(client, tokens[role], request_id, action, **body)
        assert response.status_code == 200, response.json
    final = response.json
    assert final["state"] == "active" and final["numbers"] == ["+78432000101", "+78432000102"]
    assert final["allowed_actions"] == []
    typed = [item for item in final["protocol"] if item["category"] == ""]
    assert [(item["clause"], item["answer"], item["agreed_wording"]) for item in typed] == [
        ("4.2", "counter", COUNTER), ("7.1", "accepted", "Penalties are capped at one month's fees.")]
    history = [(h["action"], h["from_state"], h["to_state"]) for h in final["history"]]
    assert history == [
        ("create", None, "draft"), ("submit", "draft", "submitted"), ("approve", "submitted", "approved"),
        ("contracts_drafted", "approved", "legal_review"), ("request_changes", "legal_review", "drafting_protocol"),
        ("protocol_drafted", "drafting_protocol", "changes_requested"),
        ("carrier_response", "changes_requested", "counter_proposed"),
        ("answer_counter_proposals", "counter_proposed", "redrafting"),
        ("contracts_drafted", "redrafting", "legal_review"),
        ("approve_contracts", "legal_review", "legal_approved"), ("record_signature", "legal_approved", "signed"),
        ("order_placed", "signed", "ordered"), ("confirm_order", "ordered", "number_assigned"),
        ("attachment_requested", "number_assigned", "attaching"), ("confirm_attachment", "attaching", "attached"),
        ("verification_requested", "attached", "verifying"), ("confirm_verification", "verifying", "active")]
    kinds = sorted((d["kind"], d["version"]) for d in final["documents"])
    assert kinds == [("disagreement_protocol", 1), ("disagreement_protocol", 2), ("order_letter", 1),
                     ("pbx_sheet", 1), ("service_contract", 1), ("service_contract", 2),
                     ("supplementary_agreement", 1), ("supplementary_agreement", 2), ("tariff_appendix", 1),
                     ("tariff_appendix", 2)]
    for document in final["documents"]:
        download = client.get(f"/api/v1/documents/{document['id']}", headers=auth(tokens["accountant"]))
        assert download.status_code == 200 and download.data[:2] == b"PK"
        import hashlib
        assert hashlib.sha256(download.data).hexdigest() == document["sha256"]
    numbers = client.get("/api/v1/numbers?q=+7843200010", headers=auth(tokens["accountant"])).json
    assert {(n["e164"], n["holder"], n["status"]) for n in numbers} == {
        ("+78432000101", "direct", "active"), ("+78432000102", "direct", "active")}


def test_inventory_shows_the_intermediary_number(client, tokens):
    numbers = client.get("/api/v1/numbers?holder=intermediary", headers=auth(tokens["accountant"])).json
    assert [(n["e164"], n["lock_in_risk"]) for n in numbers] == [("+74951234567", True)]
    everything = client.get("/api/v1/numbers?holder=&status=&q=&per_page=200", headers=auth(tokens["accountant"]))
    assert everything.status_code == 200 and len(everything.json) == int(everything.headers["X-Total-Count"]) > 1
    unknown = client.get("/api/v1/numbers?holder=nobody", headers=auth(tokens["accountant"]))
    assert unknown.status_code == 422 and set(unknown.json["fields"]) == {"holder"}


def test_unknown_api_path_is_json_404(client, tokens):
    response = client.get("/api/v1/nothing-here", headers=auth(tokens["admin"]))
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_openapi_describes_every_path_and_action(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/departments", "/carriers", "/pbx", "/requests", "/requests/{request_id}", "/documents/{document_id}",
            "/numbers", "/templates", "/templates/{kind}", "/templates/{kind}/variables"} <= set(spec["paths"])
    actions = {path.rsplit("/", 1)[1] for path in spec["paths"] if path.startswith("/requests/{request_id}/actions/")}
    assert actions == HUMAN_ACTIONS


def test_bad_input_names_each_bad_field(client, tokens, people, catalog):
    from lifecycle_helpers import request_in
    ordered = request_in("ordered", people, catalog)
    response = act(client, tokens["sysadmin"], ordered.id, "confirm_order", numbers=["+7 843", 5],
                   trunk={"type": "registration", "registrar": "sip.example.net", "password": ""})
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"numbers[0]", "numbers[1]", "trunk.username", "trunk.password"}
    wrong_type = act(client, tokens["sysadmin"], ordered.id, "confirm_order", numbers=["+78432000101"],
                     trunk={"type": "sip"})
    assert set(wrong_type.json["fields"]) == {"trunk.type"}
    reviewed = request_in("legal_review", people, catalog)
    clauses = act(client, tokens["lawyer"], reviewed.id, "request_changes", comment="No",
                  items=[{"clause": "4.2", "carrier_wording": "x" * 5001, "our_wording": "y"}, "4.3"])
    assert clauses.status_code == 422
    assert set(clauses.json["fields"]) == {"items[0].carrier_wording", "items[1]"}
    assert clauses.json["fields"]["items[0].carrier_wording"] == "must be at most 5000 characters"
    assert all(answer.json["error"] == "invalid_input" for answer in (response, wrong_type, clauses))
    db.session.expire_all()
    assert (ordered.state, reviewed.state) == ("ordered", "legal_review")  # nothing happened


def test_a_body_must_be_json(client, tokens, ids):
    response = client.post("/api/v1/requests", data="department_id=1", headers=auth(tokens["requester"]),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422 and set(response.json["fields"]) == {"body"}
    broken = client.post("/api/v1/requests", data="{", headers=auth(tokens["requester"]),
                         content_type="application/json")
    assert broken.status_code == 422 and set(broken.json["fields"]) == {"body"}


@pytest.mark.parametrize("query,field", [("per_page=201", "per_page"), ("per_page=0", "per_page"),
                                         ("page=0", "page"), ("page=two", "page"), ("state=bogus", "state")])
def test_bad_paging_is_422(client, tokens, query, field):
    response = client.get(f"/api/v1/requests?{query}", headers=auth(tokens["lawyer"]))
    assert response.status_code == 422 and set(response.json["fields"]) == {field}


def test_ids_beyond_64_bits_name_no_record(client, tokens):
    for path in ("/api/v1/requests/99999999999999999999", "/api/v1/documents/99999999999999999999",
                 "/api/v1/requests/99999999999999999999/actions/submit"):
        call = client.post if path.endswith("submit") else client.get
        response = call(path, headers=auth(tokens["admin"]))
        assert response.status_code == 404 and response.json["error"] == "not_found"


def test_documents_in_other_formats(client, tokens, people, catalog):
    from lifecycle_helpers import request_in
    reviewed = request_in("legal_review", people, catalog)
    document = reviewed.documents[0]
    url = f"/api/v1/documents/{document.id}"
    html = client.get(f"{url}?format=html", headers=auth(tokens["lawyer"]))
    assert html.status_code == 200 and html.mimetype == "text/html" and "<script" not in html.text
    assert reviewed.reference in html.text
    bad = client.get(f"{url}?format=odt", headers=auth(tokens["lawyer"]))
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"format"}
    from contract_templates.convert import libreoffice_path
    if libreoffice_path() is None:
        assert client.get(f"{url}?format=pdf", headers=auth(tokens["lawyer"])).status_code == 503
    else:
        pdf = client.get(f"{url}?format=pdf", headers=auth(tokens["lawyer"]))
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
