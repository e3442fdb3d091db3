"""People's pages through the Flask test client: sign-in, roles, forms and their errors."""
import re

import pytest

from conftest import login, make_app
from lifecycle_helpers import request_in, walk
from models import NumberRequest, db, legal_review


def detail(client, request_id):
    return client.get(f"/requests/{request_id}")


def test_pages_need_a_sign_in(client):
    for path in ("/", "/requests", "/requests/1", "/numbers", "/requests/new", "/documents/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_wrong_password_is_a_field_error(client):
    response = client.post("/login", data={"email": "approver@example.com", "password": "guess"})
    assert response.status_code == 200 and "Wrong email or password" in response.text


def test_login_does_not_redirect_off_site(client):
    response = client.post("/login?next=https://evil.example/", data={
        "email": "approver@example.com", "password": "numberdesk-demo"})
    assert response.headers["Location"] == "/"


def test_my_tasks_lists_what_waits_for_me(client):
    login(client, "approver")
    page = client.get("/").text
    assert "Samara showroom" in page  # the demo's submitted request
    assert "Novosibirsk" not in page  # a draft waits for its requester, not for the approver


def test_empty_tasks_say_so(client):
    login(client, "accountant")
    assert "Nothing is waiting for you" in client.get("/").text


def test_new_request_form_shows_field_errors_and_saves_nothing(client):
    login(client, "requester")
    before = db.session.scalar(db.select(db.func.count(NumberRequest.id)))
    form = client.get("/requests/new").text
    kazan = re.search(r'<option[^>]*value="(\d+)"[^>]*>Kazan showroom', form).group(1)
    nordtel = re.search(r'<option[^>]*value="(\d+)"[^>]*>Nordtel', form).group(1)
    office = re.search(r'<option[^>]*value="(\d+)"[^>]*>Office Asterisk', form).group(1)
    response = client.post("/requests/new", data={"department_id": kazan, "number_type": "local", "quantity": "1",
                                                  "purpose": "Main line", "carrier_id": nordtel, "pbx_id": office})
    assert response.status_code == 422 and "Nordtel does not serve Kazan" in response.text
    response = client.post("/requests/new", data={"department_id": kazan, "number_type": "local", "quantity": "0",
                                                  "purpose": "", "carrier_id": nordtel, "pbx_id": office})
    assert response.status_code == 422 and "This field is required" in response.text
    assert db.session.scalar(db.select(db.func.count(NumberRequest.id))) == before


def test_new_request_needs_the_requester_role(client):
    login(client, "lawyer")
    assert client.get("/requests/new").status_code == 403


def test_a_request_moves_through_its_action_forms(client, people, catalog):
    request = request_in("submitted", people, catalog)
    login(client, "approver")
    page = detail(client, request.id).text
    assert "Approve" in page and "Reject" in page and "Record signature" not in page
    missing = client.post(f"/requests/{request.id}/actions/reject",
                          data={"reject-comment": "", "reject-version": str(request.version)})
    assert missing.status_code == 422 and "is required: say why" in missing.text
    done = client.post(f"/requests/{request.id}/actions/approve",
                       data={"approve-comment": "OK", "approve-version": str(request.version)})
    assert done.status_code == 302
    page = detail(client, request.id).text
    db.session.refresh(request)
    assert request.state == "legal_review"  # the contracts were drafted by the machine step
    assert "Supplementary agreement" in page and "Download .docx" in page
    assert 'data-state="legal_review"' in page and "Contracts drafted" in page


def test_a_stale_form_is_refused_with_a_message(client, people, catalog):
    request = request_in("submitted", people, catalog)
    login(client, "approver")
    response = client.post(f"/requests/{request.id}/actions/approve",
                           data={"approve-version": str(request.version - 1)}, follow_redirects=True)
    assert "changed since you loaded it" in response.text
    db.session.refresh(request)
    assert request.state == "submitted"


def test_the_signature_and_order_forms(client, people, catalog):
    request = request_in("legal_approved", people, catalog)
    login(client, "lawyer")
    future = client.post(f"/requests/{request.id}/actions/record_signature",
                         data={"record_signature-signed_on": "2999-01-01"})
    assert future.status_code == 422 and "cannot be in the future" in future.text
    assert client.post(f"/requests/{request.id}/actions/record_signature",
                       data={"record_signature-signed_on": "2026-11-01"}).status_code == 302
    client.post("/logout")
    login(client, "sysadmin")
    bad = client.post(f"/requests/{request.id}/actions/confirm_order", data={
        "confirm_order-numbers": "+7 843 200", "confirm_order-trunk_type": "registration"})
    assert bad.status_code == 422 and "is required for a registration trunk" in bad.text
    good = client.post(f"/requests/{request.id}/actions/confirm_order", data={
        "confirm_order-numbers": "+73832444001\n", "confirm_order-trunk_type": "ip",
        "confirm_order-trunk_addresses": "192.0.2.1\n192.0.2.2"})
    assert good.status_code == 302
    db.session.refresh(request)
    assert request.state == "attaching" and request.order.trunk == {"type": "ip",
                                                                    "addresses": ["192.0.2.1", "192.0.2.2"]}


def test_people_without_the_role_see_no_action_and_cannot_post_one(client, people, catalog):
    request = request_in("submitted", people, catalog)
    login(client, "sysadmin")
    assert "Nothing here waits for you" in detail(client, request.id).text
    response = client.post(f"/requests/{request.id}/actions/approve", data={}, follow_redirects=True)
    assert "needs the role Project lead (approver)" in response.text
    db.session.refresh(request)
    assert request.state == "submitted"


def test_requests_list_searches_filters_and_pages(client):
    login(client, "lawyer")
    row = "<td>Samara showroom</td>"
    assert row in client.get("/requests?q=samara").text
    assert row not in client.get("/requests?state=active").text
    assert row in client.get("/requests?state=submitted").text
    assert "NR-00001" in client.get("/requests?q=NR-00001").text
    assert "No requests match" in client.get("/requests?q=zzzz").text


def test_numbers_page_flags_intermediary_numbers(client):
    login(client, "accountant")
    page = client.get("/numbers").text
    assert "1 number is held through a PBX vendor" in page
    assert "+74951234567" in page and "intermediary: lock-in risk" in page


def test_documents_download_as_docx(client, people, catalog):
    request = request_in("legal_review", people, catalog)
    login(client, "lawyer")
    document = request.documents[0]
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert document.filename in response.headers["Content-Disposition"]


def test_forms_need_a_csrf_token(demo_database, tmp_path):
    import shutil
    shutil.copy(demo_database, tmp_path / "csrf.db")
    app = make_app(tmp_path / "csrf.db", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = client.post("/login", data={"email": "approver@example.com", "password": "numberdesk-demo"})
    assert refused.status_code in (200, 400) and "Location" not in refused.headers
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    accepted = client.post("/login", data={"email": "approver@example.com", "password": "numberdesk-demo",
                                           "csrf_token": token})
    assert accepted.status_code == 302


@pytest.mark.parametrize("path", ["/admin/", "/admin/users/"])
def test_admin_pages_are_for_admins(client, path):
    login(client, "requester")
    assert client.get(path).status_code == 403


def test_the_lawyer_enters_protocol_clauses_in_the_form(client, people, catalog):
    request = request_in("legal_review", people, catalog)
    login(client, "lawyer")
    page = detail(client, request.id).text
    assert "Clauses for the protocol of disagreements" in page and 'name="request_changes-items-2-our_wording"' in page
    half = client.post(f"/requests/{request.id}/actions/request_changes", data={
        "request_changes-comment": "Clause 4.2", "request_changes-items-0-clause": "4.2",
        "request_changes-items-0-carrier_wording": "Any time"})
    assert half.status_code == 422 and "is required" in half.text
    done = client.post(f"/requests/{request.id}/actions/request_changes", data={
        "request_changes-comment": "Clause 4.2", "request_changes-items-0-clause": "4.2",
        "request_changes-items-0-carrier_wording": "Any time", "request_changes-items-0-our_wording": "60 days"})
    assert done.status_code == 302
    db.session.refresh(request)
    assert request.state == "changes_requested"
    assert [(i.clause, i.our_wording) for i in request.disagreements] == [("4.2", "60 days")]
    assert "Protocol of disagreements" in detail(client, request.id).text


def test_the_carriers_answer_is_entered_item_by_item_in_the_form(client, people, catalog):
    request = request_in("legal_review", people, catalog)
    for clause, ours in (("4.2", "60 days' notice"), ("7.1", "Capped at 10%")):
        legal_review.add_to_protocol(people["lawyer"], request, clause=clause, carrier_wording="As the carrier wrote",
                                     our_wording=ours)
    walk(request, [("lawyer", "request_changes"), ("step", "draft_protocol")], people)
    first, second = request.protocol_round()
    login(client, "lawyer")
    page = detail(client, request.id).text
    assert 'name="carrier_response-answers-0-answer"' in page and "Clause 4.2: 60 days&#39; notice" in page
    prefix = "carrier_response-answers"
    form = {f"{prefix}-0-item_id": first.id, f"{prefix}-0-answer": "counter",
            f"{prefix}-1-item_id": second.id, f"{prefix}-1-answer": "accepted"}
    missing_wording = client.post(f"/requests/{request.id}/actions/carrier_response", data=form)
    assert missing_wording.status_code == 422 and "the carrier&#39;s own wording" in missing_wording.text
    form[f"{prefix}-0-wording"] = "45 days' notice"
    assert client.post(f"/requests/{request.id}/actions/carrier_response", data=form).status_code == 302
    db.session.refresh(request)
    assert request.state == "counter_proposed"
    page = detail(client, request.id).text
    assert "Clause 4.2: 45 days&#39; notice" in page
    assert client.post(f"/requests/{request.id}/actions/answer_counter_proposals", data={
        "answer_counter_proposals-answers-0-item_id": first.id,
        "answer_counter_proposals-answers-0-decision": "accept"}).status_code == 302
    db.session.refresh(request)
    # Settled: the contracts were redrafted with the agreed wording and are back in legal review.
    assert request.state == "legal_review" and first.agreed_wording == "45 days' notice"


def test_a_sysadmin_ticks_the_whole_checklist_to_confirm_a_manual_attachment(client, people, catalog):
    request = request_in("attaching", people, catalog)
    login(client, "sysadmin")
    page = detail(client, request.id).text
    assert 'name="confirm_attachment-checklist"' in page and "ring group" in page
    half = client.post(f"/requests/{request.id}/actions/confirm_attachment",
                       data={"confirm_attachment-checklist": ["trunk_configured", "inbound_route"]})
    assert half.status_code == 422 and "not ticked: outbound_caller_id, test_call_made" in half.text
    done = client.post(f"/requests/{request.id}/actions/confirm_attachment", data={
        "confirm_attachment-checklist": ["trunk_configured", "inbound_route", "outbound_caller_id",
                                         "test_call_made"]})
    assert done.status_code == 302
    db.session.refresh(request)
    assert request.state == "verifying"
    assert request.events[-2].data["checklist"] == ["trunk_configured", "inbound_route", "outbound_caller_id",
                                                    "test_call_made"]
