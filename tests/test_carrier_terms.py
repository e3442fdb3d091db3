"""Carriers' own contracts through the API and the pages: upload, clauses and flags, the clause check, the
playbook, the lawyer's review of a request, and the carrier's record following its text."""
import io
from pathlib import Path

import pytest
from docx import Document

from conftest import auth, login
from models import (AuditEvent, Carrier, CarrierContract, DisagreementItem, NumberRequest, PlaybookVersion, db,
                    legal_review)
from models.lifecycle import LEGAL_REVIEW
from models.terms import DEFAULT_PLAYBOOK

FIXTURES = Path(__file__).parent / "fixtures" / "carrier_contracts"
RISKY_EN = "The Carrier may change the prices at any time without notice by publishing them on its website."


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


CONTRACT = docx_bytes(
    "STANDARD TERMS OF TESTNET",
    "1. Prices",
    f"1.1. {RISKY_EN}",
    "1.2. Invoices are payable within 20 days.",
    "2. Liability",
    "2.1. Each Party's liability is limited to the fees of the last twelve months.",
)


def carrier(name: str) -> Carrier:
    return db.session.scalar(db.select(Carrier).filter_by(name=name))


def kazan_request() -> NumberRequest:
    return db.session.scalar(db.select(NumberRequest).join(NumberRequest.department)
                             .where(NumberRequest.state == LEGAL_REVIEW).filter_by(city="Kazan"))


def upload(client, token, carrier_id, data, name="terms.docx"):
    return client.post(f"/api/v1/carriers/{carrier_id}/contracts", headers=auth(token),
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_clause_check_flags_and_explains(client, tokens):
    answer = client.post("/api/v1/clauses/check", headers=auth(tokens["lawyer"]), json={"text": RISKY_EN})
    assert answer.status_code == 200
    assert answer.json["language"] == "en"
    [flag] = answer.json["flags"]
    assert flag["category"] == "price_change"
    assert RISKY_EN[flag["start"]:flag["end"]] == flag["match"]
    assert flag["explanation"] and "30" in flag["suggested_wording"]
    russian = client.post("/api/v1/clauses/check", headers=auth(tokens["approver"]), json={
        "text": "Оператор вправе в одностороннем порядке изменять тарифы без предварительного уведомления."})
    assert russian.json["language"] == "ru" and [f["category"] for f in russian.json["flags"]] == ["price_change"]
    safe = client.post("/api/v1/clauses/check", headers=auth(tokens["lawyer"]), json={
        "text": "Prices change only by a written agreement of both Parties.", "language": "en"})
    assert safe.json["flags"] == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_001])
def test_the_clause_check_refuses_empty_and_long_texts(client, tokens, text):
    answer = client.post("/api/v1/clauses/check", headers=auth(tokens["lawyer"]), json={"text": text})
    assert answer.status_code == 422 and "text" in answer.json["fields"]


@pytest.mark.parametrize("role", ["requester", "sysadmin", "accountant"])
def test_carrier_terms_are_for_lawyers_project_leads_and_admins(client, tokens, role):
    assert client.post("/api/v1/clauses/check", headers=auth(tokens[role]), json={"text": RISKY_EN}).status_code == 403
    assert client.get(f"/api/v1/carriers/{carrier('Nordtel').id}/contracts",
                      headers=auth(tokens[role])).status_code == 403


def test_a_contract_is_read_split_checked_and_versioned(client, tokens):
    nordtel = carrier("Nordtel")
    added = upload(client, tokens["lawyer"], nordtel.id, CONTRACT)
    assert added.status_code == 201, added.json
    assert added.json["version"] == 2  # the demo's standard terms are version 1
    clauses = {clause["number"]: clause for clause in added.json["clauses"]}
    assert [f["category"] for f in clauses["1.1"]["flags"]] == ["price_change"]
    assert clauses["1.2"]["flags"] == [] and clauses["2.1"]["flags"] == []
    assert clauses["1.1"]["heading"].startswith("1")
    assert added.headers["Location"].endswith(f"/carriers/{nordtel.id}/contracts/2")
    listed = client.get(f"/api/v1/carriers/{nordtel.id}/contracts", headers=auth(tokens["approver"]))
    assert [c["version"] for c in listed.json] == [2, 1] and listed.headers["X-Total-Count"] == "2"
    read = client.get(f"/api/v1/carriers/{nordtel.id}/contracts/2", headers=auth(tokens["admin"]))
    assert read.json["clauses"] == added.json["clauses"]
    assert client.get(f"/api/v1/carriers/{nordtel.id}/contracts/9", headers=auth(tokens["admin"])).status_code == 404
    assert any(e.action == "add_carrier_contract" for e in db.session.scalars(db.select(AuditEvent)))


@pytest.mark.parametrize("name,data,reason", [
    ("scan.pdf", (FIXTURES / "scanned.pdf").read_bytes(), "scanned"),
    ("empty.txt", b"", "empty"),
    ("terms.docm", CONTRACT, "macro"),
    ("terms.docx", b"%PDF-1.4 not a docx", "PDF"),
])
def test_a_bad_file_is_refused_and_nothing_is_kept(client, tokens, name, data, reason):
    before = db.session.scalar(db.select(db.func.count(CarrierContract.id)))
    refused = upload(client, tokens["lawyer"], carrier("Nordtel").id, data, name)
    assert refused.status_code == 422
    assert reason in refused.json["fields"]["file"]
    assert db.session.scalar(db.select(db.func.count(CarrierContract.id))) == before


def test_only_lawyers_and_admins_upload(client, tokens):
    assert upload(client, tokens["approver"], carrier("Nordtel").id, CONTRACT).status_code == 403


def test_the_contract_page_marks_the_flagged_words_and_the_record_follows_the_text(client, app):
    login(client, "lawyer")
    nordtel = carrier("Nordtel")
    assert (nordtel.price_change_notice_days, nordtel.invoice_dispute_days) == (30, 14)  # as the admin typed
    page = client.get(f"/carriers/{nordtel.id}/contracts/1").text
    assert 'class="risk" data-category="price_change"' in page and 'data-flag="deemed_acceptance"' in page
    assert client.post(f"/carriers/{nordtel.id}/contracts/1/confirm-terms").status_code == 302
    db.session.refresh(nordtel)
    # Nordtel's text: 14 days' notice of a price change, 5 business days to dispute an invoice, 0.5% a day.
    assert (nordtel.price_change_notice_days, nordtel.invoice_dispute_days) == (14, 5)
    assert str(nordtel.daily_penalty_percent.normalize()) == "0.5"
    assert any("Prices may change without enough written notice" in risk for risk in nordtel.risky_terms())
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="confirm_carrier_terms"))
    assert event.data["changes"]["price_change_notice_days"] == ["30", "14"]


def test_an_upload_through_the_page_shows_what_is_wrong(client):
    login(client, "lawyer")
    nordtel = carrier("Nordtel")
    refused = client.post(f"/carriers/{nordtel.id}/contracts", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b""), "empty.txt")})
    assert refused.status_code == 422 and "the file is empty" in refused.text
    added = client.post(f"/carriers/{nordtel.id}/contracts", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(CONTRACT), "terms.docx")})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/carriers/{nordtel.id}/contracts/2")


def test_the_review_page_puts_a_flag_in_the_protocol_or_accepts_its_risk(client):
    request = kazan_request()
    login(client, "lawyer")
    page = client.get(f"/requests/{request.id}/review").text
    # VolgaLink agreed wordings for Ufa: the protocol starts from them.
    assert 'id="draft-protocol"' in page and "agreed to this wording" in page
    assert 'id="known-refusals"' in page and 'id="carrier-comparison"' in page
    open_flags = [flag for flag in legal_review.review_of(request).flags if flag.open]
    first, second = open_flags[:2]
    added = client.post(f"/requests/{request.id}/review/protocol", data={
        "clause": first.clause_number, "category": first.flag["category"], "carrier_wording": first.clause_text,
        "our_wording": first.flag["suggested_wording"]})
    assert added.status_code == 302
    refused = client.post(f"/requests/{request.id}/review/risks", data={
        "clause": second.clause_number, "category": second.flag["category"], "reason": ""})
    assert refused.status_code == 422
    accepted = client.post(f"/requests/{request.id}/review/risks", data={
        "clause": second.clause_number, "category": second.flag["category"], "reason": "Capped by our insurance"})
    assert accepted.status_code == 302
    drafts = db.session.scalars(db.select(DisagreementItem).filter_by(request_id=request.id, draft=True)).all()
    assert (first.clause_number, first.flag["category"]) in {(d.clause, d.category) for d in drafts}
    assert "Capped by our insurance" in client.get(f"/requests/{request.id}/review").text
    assert [e.action for e in request.events][-2:] == ["add_to_protocol", "accept_clause_risk"]


def test_the_approver_reads_the_review_but_does_not_prepare_it(client):
    request = kazan_request()
    login(client, "approver")
    page = client.get(f"/requests/{request.id}/review")
    assert page.status_code == 200 and 'data-form="add-to-protocol"' not in page.text
    refused = client.post(f"/requests/{request.id}/review/protocol", data={
        "clause": "2.2", "category": "price_change", "carrier_wording": "a", "our_wording": "b"})
    assert refused.status_code == 302  # refused with a message: only lawyers prepare the protocol
    assert not db.session.scalar(db.select(DisagreementItem).filter_by(request_id=request.id, our_wording="b"))


def playbook_form(data: dict) -> dict:
    """The playbook page's fields for `data` (Playbook.to_data()), as a browser posts them."""
    form = {}
    for category, values in data.items():
        for name, value in values.items():
            if isinstance(value, dict):
                form.update({f"{category}.{name}.{language}": text for language, text in value.items()})
            elif value is True:
                form[f"{category}.{name}"] = "on"
            elif value is not False:
                form[f"{category}.{name}"] = str(value)
    return form


def test_a_new_playbook_version_changes_the_verdict_after_a_recheck(client, tokens):
    login(client, "lawyer")
    page = client.get("/playbook").text
    assert 'name="price_change.min_notice_days" value="30"' in page
    bad = client.post("/playbook", data={"price_change.min_notice_days": "-3", "comment": "typo"})
    assert bad.status_code == 422 and "must not be negative" in bad.text
    assert db.session.scalar(db.select(db.func.count(PlaybookVersion.id))) == 0
    form = playbook_form(DEFAULT_PLAYBOOK.to_data())
    form.update({"price_change.min_notice_days": "10", "comment": "Nordtel's 14 days are fine for us"})
    saved = client.post("/playbook", data=form)
    assert saved.status_code == 302
    version = db.session.scalar(db.select(PlaybookVersion))
    assert version.version == 1 and version.data["price_change"]["min_notice_days"] == 10
    nordtel = carrier("Nordtel")
    before = client.get(f"/api/v1/carriers/{nordtel.id}/contracts/1", headers=auth(tokens["lawyer"])).json
    assert "price_change" in {f["category"] for c in before["clauses"] for f in c["flags"]}
    assert "Check again" in client.get(f"/carriers/{nordtel.id}/contracts/1").text
    client.post(f"/carriers/{nordtel.id}/contracts/1/recheck")
    after = client.get(f"/api/v1/carriers/{nordtel.id}/contracts/1", headers=auth(tokens["lawyer"])).json
    assert after["playbook_version"] == 1
    assert "price_change" not in {f["category"] for c in after["clauses"] for f in c["flags"]}
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="edit_playbook")).data["changes"] == {
        "price_change.min_notice_days": [30, 10]}


def test_only_lawyers_edit_the_playbook(client):
    login(client, "approver")
    assert client.get("/playbook").status_code == 200
    assert client.post("/playbook", data={"comment": "x"}).status_code == 403


def test_the_clause_library_lists_what_carriers_agreed(client):
    login(client, "approver")
    page = client.get("/clause-library?category=daily_penalty").text
    assert "не более 15%" in page  # VolgaLink's own wording, taken for Ufa in the demo
    assert "Every risk" in client.get("/clause-library").text
