"""Failing steps get attention: re-driven less and less often, then left to an admin, who is told and retries;
and a stage overdue by more than its own length is escalated to project leads and admins, once."""
from datetime import datetime, timedelta

from conftest import login
from lifecycle_helpers import request_in
from models import AuditEvent, db
from models.attention import MAX_STEP_ATTEMPTS, escalate_overdue, needs_attention
from models.lifecycle import APPROVED, LEGAL_REVIEW, STATES, apply_action
from models.outbox import ATTENTION, ESCALATION, OutgoingMail
from workflows import dispatch, steps

START = datetime(2030, 3, 4, 9, 0)  # a Monday


def lost_step(request_id: int) -> str:
    return "the run was lost"


def approved_with_a_lost_step(people, catalog, monkeypatch):
    monkeypatch.setitem(dispatch.STEPS, "draft_contracts", lost_step)
    request = request_in("submitted", people, catalog)
    apply_action(request, "approve", people["approver"], {})
    request.state_changed_at = START
    db.session.commit()
    return request


def sweep_at(monkeypatch, minutes: float) -> list[int]:
    monkeypatch.setattr(dispatch, "utcnow", lambda: START + timedelta(minutes=minutes))
    return dispatch.sweep_stuck_requests()


def mails(kind: str) -> list[OutgoingMail]:
    return db.session.scalars(db.select(OutgoingMail).filter_by(kind=kind)).all()


def test_a_lost_step_is_redriven_less_and_less_often_then_left_to_an_admin(people, catalog, monkeypatch, client):
    request = approved_with_a_lost_step(people, catalog, monkeypatch)
    assert request.state == APPROVED and request.dispatch_attempts == 0
    redriven_at = [minute for minute in (1, 3, 3.5, 5, 8, 9, 17, 33, 60, 200)
                   if request.id in sweep_at(monkeypatch, minute)]
    # 2, 4, 8, 16 and 32 minutes after the state began; the fifth is the last.
    assert redriven_at == [3, 5, 9, 17, 33]
    db.session.refresh(request)
    assert request.dispatch_attempts == MAX_STEP_ATTEMPTS and not request.dispatch_pending
    assert needs_attention(request, STATES[request.state].machine_step)
    [told] = mails(ATTENTION)
    assert told.to_address == people["admin"].email and request.reference in told.subject

    login(client, "admin")
    page = client.get(f"/requests/{request.id}").text
    assert "data-needs-attention" in page and "Retry now" in page
    assert request.reference in client.get("/admin/").text

    monkeypatch.setitem(dispatch.STEPS, "draft_contracts", steps.draft_contracts)
    assert client.post(f"/requests/{request.id}/retry-step").status_code == 302
    db.session.refresh(request)
    assert request.state == LEGAL_REVIEW and request.dispatch_attempts == 0
    assert any(e.action == "retry_step" and e.actor == people["admin"].email for e in request.events)


def test_only_admins_retry_a_step(people, catalog, monkeypatch, client):
    request = approved_with_a_lost_step(people, catalog, monkeypatch)
    login(client, "approver")
    assert client.post(f"/requests/{request.id}/retry-step").status_code == 403
    assert not db.session.scalar(db.select(AuditEvent).filter_by(request_id=request.id, action="retry_step"))


def test_a_stage_overdue_by_more_than_its_length_is_escalated_once(people, catalog):
    request = request_in("submitted", people, catalog)
    request.due_at = START  # approval takes 2 business days: escalated after Wednesday's end in the branch
    db.session.commit()

    def about_it(queued):
        return [mail for mail in queued if mail.request is request]
    assert about_it(escalate_overdue(START + timedelta(days=1))) == []
    queued = about_it(escalate_overdue(START + timedelta(days=3)))
    db.session.commit()
    assert {mail.to_address for mail in queued} == {people["approver"].email, people["admin"].email}
    assert all(request.reference in mail.subject for mail in queued)
    escalate_overdue(START + timedelta(days=4))
    db.session.commit()
    assert len(about_it(mails(ESCALATION))) == 2  # once per stage, not every time it is looked at
