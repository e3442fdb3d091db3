"""Who sees what: every route's rule against every role, and each branch's records hidden from other branches.

The demo's requester@ works for the Kazan showroom only; branches@ for every other branch. The other demo users
hold company-wide roles and no branches, so they see every branch until an admin limits them.
"""
import re

import pytest
from flask import Flask, url_for

from contract_templates import convert
from models import (BillingImport, Carrier, Department, DisagreementItem, ExpenseReport, NumberRequest, PbxSystem,
                    Tariff, TemplateVersion, User, db)
from models.outbox import OutgoingMail
from webapp.core.access_rules import endpoints_without_rule, install, is_api, rule_for
from demo import DEMO_PASSWORD

# The person of each role in the matrix: the requester is the Kazan showroom's.
ROLES = ("requester", "approver", "lawyer", "sysadmin", "accountant", "admin")
NOBODY = "anonymous"


class Visitor:
    """Somebody using the app: signed in to the pages and holding an API token, or nobody.

    Each request runs in an app context of its own, as it does in production: the test's own context would
    otherwise carry one person's sign-in over to the next person's request."""

    def __init__(self, app, email: str | None = None):
        self.app, self.client, self.token = app, app.test_client(), None
        if email:
            user = db.session.scalar(db.select(User).filter_by(email=email))
            self.token = user.issue_token()
            db.session.commit()
            signed_in = self.open("/login", "POST", data={"email": email, "password": DEMO_PASSWORD})
            assert signed_in.status_code == 302, email

    def open(self, url: str, method: str = "GET", api: bool = False, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} if api and self.token else {}
        with self.app.app_context():
            response = self.client.open(url, method=method, headers=headers, **kwargs)
            response.get_data()  # streamed answers are read while their request is still around
        return response

    def get(self, url: str, **kwargs):
        return self.open(url, api=url.startswith("/api/"), **kwargs)

    def post(self, url: str, **kwargs):
        return self.open(url, "POST", api=url.startswith("/api/"), **kwargs)


def visitor(app, who: str) -> Visitor:
    return Visitor(app, None if who == NOBODY else f"{who}@example.com")


def request_in_city(city: str) -> NumberRequest:
    return db.session.scalars(db.select(NumberRequest).join(NumberRequest.department)
                              .where(Department.city == city).order_by(NumberRequest.id)).first()


def department(city: str) -> Department:
    return db.session.scalar(db.select(Department).filter_by(city=city))


# --- every route declares a rule, and the rule is what happens -------------------------------------------

def test_every_route_declares_who_may_use_it(app):
    assert endpoints_without_rule(app) == []


def test_an_app_with_a_route_without_a_rule_refuses_to_start():
    bare = Flask("forgetful")
    bare.add_url_rule("/forgotten", "forgotten", lambda: "nobody said who may see this")
    with pytest.raises(RuntimeError, match="forgotten"):
        install(bare)


def _matrix_records(people) -> dict:
    """Ids of demo records that every role may see (a Kazan request is seen by the Kazan requester too)."""
    kazan = request_in_city("Kazan")
    template = TemplateVersion.add("service_contract", "en", b"PK placeholder", "service_contract.docx",
                                   people["admin"])
    db.session.commit()
    return {
        "request_id": kazan.id, "document_id": kazan.documents[0].id, "action": "submit",
        "kind": "service_contract", "language": "en", "version": template.version, "fmt": "csv",
        "report_id": db.session.scalar(db.select(ExpenseReport.id).limit(1)),
        "import_id": db.session.scalar(db.select(BillingImport.id).limit(1)),
        "carrier_id": db.session.scalar(db.select(Carrier.id).filter_by(name="VolgaLink")),
        "pbx_id": db.session.scalar(db.select(PbxSystem.id).filter_by(name="Office Asterisk")),
        "token_id": 1, "mail_id": db.session.scalar(db.select(db.func.min(OutgoingMail.id))),
    }


def _item_ids() -> dict[str, int]:
    """The item of each page that edits one: the admin's edit pages, a draft protocol item."""
    first = {model: db.session.scalar(db.select(model.id).limit(1))
             for model in (Department, Carrier, Tariff, PbxSystem, User)}
    # The Kazan request reaches legal review with a protocol started from what VolgaLink agreed before.
    draft = db.session.scalar(db.select(DisagreementItem.id).where(DisagreementItem.draft.is_(True)).limit(1))
    return {"admin.department_edit": first[Department], "admin.carrier_edit": first[Carrier],
            "admin.tariff_edit": first[Tariff], "admin.pbx_edit": first[PbxSystem], "admin.user_edit": first[User],
            "terms.remove_item": draft}


# Query strings a route needs to answer at all.
QUERIES = {"api.expense_report": {"month": "2026-01"}}


def _urls(app, people) -> list[tuple[str, set[str], str]]:
    """(endpoint, methods, url) of every route but the static files, its arguments filled in."""
    values, items = _matrix_records(people), _item_ids()
    urls = []
    with app.test_request_context():
        for route in app.url_map.iter_rules():
            if route.endpoint == "static" or route.endpoint.endswith(".static"):
                continue
            arguments = {name: items[route.endpoint] if name == "item_id" else values.get(name)
                         for name in route.arguments}
            missing = [name for name, value in arguments.items() if value is None]
            assert not missing, f"{route.endpoint}: add a demo value for {missing} to the matrix"
            urls.append((route.endpoint, route.methods - {"HEAD", "OPTIONS"},
                         url_for(route.endpoint, **arguments, **QUERIES.get(route.endpoint, {}))))
    return urls


def _refused(endpoint: str, who: str, response) -> bool:
    """Whether the answer is the refusal the route's kind gives: sign-in or 401 for nobody, 403 for a role."""
    if who == NOBODY:
        if is_api(endpoint):
            return response.status_code == 401 and response.json["error"] == "unauthorized"
        return response.status_code == 302 and "/login" in response.headers["Location"]
    if is_api(endpoint):
        return response.status_code == 403 and response.json["error"] == "forbidden"
    return response.status_code == 403


@pytest.mark.parametrize("who", [*ROLES, NOBODY])
def test_every_route_answers_each_role_as_its_rule_says(app, people, who, monkeypatch):
    # The PDF route is about access here, not about LibreOffice.
    monkeypatch.setattr(convert, "docx_to_pdf", lambda data: b"%PDF-1.7 test")
    routes = _urls(app, people)
    person = visitor(app, who)
    user = db.session.scalar(db.select(User).filter_by(email=f"{who}@example.com"))
    wrong = []
    for endpoint, methods, url in routes:
        admitted = rule_for(app, endpoint).admits(user)
        if "GET" in methods:
            response = person.get(url)
            answered = response.status_code < 400 and not _refused(endpoint, who, response)
            if answered != admitted:
                wrong.append((url, response.status_code, "should answer" if admitted else "should refuse"))
        elif not admitted:  # posting is only tried where it is refused: it would change the data otherwise
            response = person.post(url, data={})
            if not _refused(endpoint, who, response):
                wrong.append((url, response.status_code, "should refuse"))
    assert wrong == []
    assert len(routes) > 60  # the walk saw the whole app


def test_pages_refuse_a_wrong_role_with_the_403_page_and_the_api_with_json(app):
    lawyer = visitor(app, "lawyer")
    page = lawyer.get("/costs/imports")
    assert page.status_code == 403 and "This page is for the role Accountant." in page.text
    call = visitor(app, "requester").get("/api/v1/templates")
    assert call.status_code == 403 and call.json == {
        "error": "forbidden", "message": "this call is for admins and lawyers", "fields": {}}


# --- a branch's records do not exist for other branches --------------------------------------------------

def test_a_requester_gets_404_for_another_branchs_request_and_its_documents(app, people):
    moscow, kazan = request_in_city("Moscow"), request_in_city("Kazan")
    document = moscow.documents[0]
    kazan_requester, owner = visitor(app, "requester"), visitor(app, "branches")
    pages = [f"/requests/{moscow.id}", f"/documents/{document.id}", f"/documents/{document.id}/preview",
             f"/documents/{document.id}.pdf", f"/documents/{document.id}/compare",
             f"/documents/{kazan.documents[0].id}/compare?with={document.id}"]
    calls = [f"/api/v1/requests/{moscow.id}", f"/api/v1/documents/{document.id}",
             *(f"/api/v1/documents/{document.id}?format={fmt}" for fmt in ("html", "pdf", "docx"))]
    for url in pages + calls:
        assert kazan_requester.get(url).status_code == 404, url
    assert owner.get(f"/requests/{moscow.id}").status_code == 200
    assert owner.get(f"/api/v1/documents/{document.id}").data == document.content
    # The answer is the one for a request that was never made.
    hidden, missing = (kazan_requester.get(f"/api/v1/requests/{i}").json for i in (moscow.id, 424242))
    assert hidden == {**missing, "message": missing["message"].replace("424242", str(moscow.id))}
    # Acting on it is a 404 too, and changes nothing.
    state = moscow.state
    assert kazan_requester.post(f"/api/v1/requests/{moscow.id}/actions/cancel",
                                json={"comment": "not mine"}).status_code == 404
    assert kazan_requester.post(f"/requests/{moscow.id}/actions/cancel",
                                data={"cancel-comment": "not mine"}).status_code == 404
    db.session.refresh(moscow)
    assert moscow.state == state


def test_a_requester_lists_only_their_branchs_requests_and_numbers(app, people):
    kazan = department("Kazan")
    person = visitor(app, "requester")
    page = person.get("/requests").text
    assert "<td>Kazan showroom</td>" in page and "Moscow call centre" not in page
    assert re.findall(r'<option value="(\d+)"', page.split('name="department"')[1].split("</select>")[0]) == [
        str(kazan.id)]
    listed = person.get("/api/v1/requests?per_page=200")
    assert {r["department_id"] for r in listed.json} == {kazan.id}
    assert listed.headers["X-Total-Count"] == str(len(listed.json))
    numbers = person.get("/numbers").text
    assert "<code>+78436400301</code>" in numbers
    assert "Moscow call centre" not in numbers and "+74956400101" not in numbers
    # The lock-in warning counts only the numbers this person sees: the one held by a vendor is Moscow's.
    assert "held through a PBX vendor" not in numbers
    assert "1 number is held through a PBX vendor" in visitor(app, "branches").get("/numbers").text
    inventory = person.get("/api/v1/numbers?per_page=200").json
    assert inventory and {n["department_id"] for n in inventory} == {kazan.id}


def test_an_approver_limited_to_two_branches_sees_only_those(app, people):
    samara = request_in_city("Samara")  # submitted: it waits for an approver
    approver = visitor(app, "approver")
    assert "Samara showroom" in approver.get("/").text
    people["approver"].departments = [department("Kazan"), department("Ufa")]
    db.session.commit()
    limited = {department("Kazan").id, department("Ufa").id}
    assert "Samara showroom" not in approver.get("/").text
    assert approver.get(f"/requests/{samara.id}").status_code == 404
    assert approver.post(f"/api/v1/requests/{samara.id}/actions/approve", json={}).status_code == 404
    assert {r["department_id"] for r in approver.get("/api/v1/requests?per_page=200").json} == limited
    assert {n["department_id"] for n in approver.get("/api/v1/numbers?per_page=200").json} == limited
    page = approver.get("/requests").text
    assert "Kazan showroom" in page and "Samara showroom" not in page
    db.session.refresh(samara)
    assert samara.state == "submitted"


def test_a_requester_opens_requests_only_for_their_branches(app, people):
    before = db.session.scalar(db.select(db.func.count(NumberRequest.id)))
    kazan_requester = visitor(app, "requester")
    refused = kazan_requester.post("/api/v1/requests", json={
        "department_id": department("Moscow").id, "number_type": "local", "quantity": 1, "purpose": "Main line",
        "carrier_id": db.session.scalar(db.select(Carrier.id).filter_by(name="TransTelecom Direct")),
        "pbx_id": db.session.scalar(db.select(PbxSystem.id).filter_by(name="Office Asterisk"))})
    assert refused.status_code == 422 and set(refused.json["fields"]) == {"department_id"}
    form = kazan_requester.get("/requests/new").text
    branch_select = form.split('name="department_id"')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", branch_select) == ["Kazan showroom (Kazan)"]
    posted = kazan_requester.post("/requests/new", data={
        "department_id": department("Moscow").id, "number_type": "local", "quantity": "1", "purpose": "Main line",
        "carrier_id": db.session.scalar(db.select(Carrier.id).filter_by(name="TransTelecom Direct")),
        "pbx_id": db.session.scalar(db.select(PbxSystem.id).filter_by(name="Office Asterisk"))})
    assert posted.status_code == 422
    others = visitor(app, "branches").get("/requests/new").text
    assert "Moscow call centre (Moscow)" in others and "Kazan showroom" not in others
    assert db.session.scalar(db.select(db.func.count(NumberRequest.id))) == before


def test_a_requester_without_a_branch_is_told_so_on_the_form(app):
    branchless = User(email="new@example.com", name="New Requester")
    branchless.roles = {"requester"}
    branchless.set_password(DEMO_PASSWORD)
    db.session.add(branchless)
    db.session.commit()
    form = visitor(app, "new").get("/requests/new")
    assert form.status_code == 200 and "You work for no branch yet" in form.text
    assert visitor(app, "new").get("/api/v1/numbers").json == []


@pytest.mark.parametrize("who", ["requester", "approver", "sysadmin", "accountant"])
def test_templates_are_for_admins_and_lawyers_only(app, people, who):
    TemplateVersion.add("pbx_sheet", "ru", b"PK placeholder", "pbx_sheet.docx", people["admin"])
    db.session.commit()
    person, lawyer = visitor(app, who), visitor(app, "lawyer")
    for url in ("/api/v1/templates", "/api/v1/templates/pbx_sheet/variables", "/api/v1/templates/pbx_sheet/ru/bundled",
                "/api/v1/templates/pbx_sheet/ru/1", "/admin/templates/", "/admin/templates/pbx_sheet/ru/v1.docx"):
        assert person.get(url).status_code == 403, url
        assert lawyer.get(url).status_code == 200, url
    assert lawyer.post("/api/v1/templates/pbx_sheet", data={"language": "ru"}).status_code == 403
