"""Deadlines per stage in business days of the branch's country calendar: the calendar, the counting, the due
time a decision sets, the admins' page, and how a request's page shows it. Every moment is given: nothing here
depends on today."""
import re
from datetime import date, datetime, timedelta

import pytest

from models import AuditEvent, Department, InvalidInput, NumberRequest, db, deadlines
from models.deadlines import add_business_days, due_after, due_on_entering, is_business_day, is_overdue
from models.lifecycle import (APPROVED, ATTACHING, LEGAL_REVIEW, NUMBER_ASSIGNED, ORDERED, SUBMITTED, apply_action,
                              task_query)

from conftest import login
from lifecycle_helpers import MAIN_PATH, new_request, request_in, walk


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


# --- the calendar ---------------------------------------------------------------------------------

def test_russias_2026_calendar_is_the_official_one():
    """The production calendar of 2026 (the government's decree on moving days off): New Year holidays from
    1 to 11 January (3 January moved to Friday 9 January, 4 January to 31 December), 23 February, 8 March on a
    Sunday moved to Monday 9 March, 1 May, 9 May on a Saturday moved to Monday 11 May, 12 June, 4 November;
    no working Saturday."""
    weekdays_off = {day for day in _days(2026) if day.weekday() < 5 and not is_business_day(day)}
    assert weekdays_off == {
        date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7), date(2026, 1, 8),
        date(2026, 1, 9), date(2026, 2, 23), date(2026, 3, 9), date(2026, 5, 1), date(2026, 5, 11),
        date(2026, 6, 12), date(2026, 11, 4), date(2026, 12, 31)}
    assert not any(is_business_day(day) for day in _days(2026) if day.weekday() >= 5)
    assert sum(is_business_day(day) for day in _days(2026)) == 247  # the official count of working days
    assert is_business_day(date(2026, 1, 12)) and is_business_day(date(2026, 12, 30))
    assert not is_business_day(date(2026, 3, 8)) and not is_business_day(date(2026, 5, 9))


def test_a_saturday_made_a_working_day_counts_and_the_day_off_it_moved_does_not():
    # 2025: Saturday 1 November worked, for Monday 3 November off, before Unity Day on the 4th.
    assert is_business_day(date(2025, 11, 1))
    assert not is_business_day(date(2025, 11, 3)) and not is_business_day(date(2025, 11, 4))
    assert add_business_days(date(2025, 10, 31), 1) == date(2025, 11, 1)
    assert add_business_days(date(2025, 10, 31), 2) == date(2025, 11, 5)


def test_business_days_skip_the_new_year_holidays():
    assert add_business_days(date(2025, 12, 29), 1) == date(2025, 12, 30)
    assert add_business_days(date(2025, 12, 29), 2) == date(2026, 1, 12)  # 31 December was moved off too
    assert add_business_days(date(2026, 2, 20), 1) == date(2026, 2, 24)  # Friday, then Defender's Day Monday


def test_each_country_has_its_own_calendar():
    # Christmas on Friday 25 December 2026 is a day off in Germany, a working day in Russia.
    assert add_business_days(date(2026, 12, 23), 2, "RU") == date(2026, 12, 25)
    assert add_business_days(date(2026, 12, 23), 2, "DE") == date(2026, 12, 28)


def test_a_deadline_ends_with_the_last_business_day_in_the_branchs_time_zone():
    # 21:30 UTC on Friday 20 February is Saturday in Moscow (UTC+3) and in Novosibirsk (UTC+7): the 2nd business
    # day after Saturday is Wednesday 25 February (Monday the 23rd is a holiday), ending at its local midnight.
    moment = datetime(2026, 2, 20, 21, 30)
    assert due_after(moment, 2, "Europe/Moscow") == datetime(2026, 2, 25, 20, 59, 59, 999999)
    assert due_after(moment, 2, "Asia/Novosibirsk") == datetime(2026, 2, 25, 16, 59, 59, 999999)
    # 20:00 UTC on that Friday is still Friday in London: two business days after it are Monday and Tuesday.
    london = due_after(datetime(2026, 2, 20, 20, 0), 2, "Europe/London", "GB")
    assert london == datetime(2026, 2, 24, 23, 59, 59, 999999)


def test_overdue_is_after_the_due_time():
    due = datetime(2026, 2, 25, 20, 59, 59, 999999)
    assert not is_overdue(due, due)
    assert is_overdue(due, datetime(2026, 2, 25, 21, 0))
    assert not is_overdue(None, datetime(2026, 2, 25, 21, 0))


# --- a request's deadline -------------------------------------------------------------------------

def _expected(request: NumberRequest, days: int) -> datetime:
    return due_after(request.state_changed_at, days, request.department.time_zone, request.department.country)


def test_a_decision_sets_the_stages_deadline_and_a_state_without_one_clears_it(people, catalog):
    request = new_request(people, catalog, city="Novosibirsk")
    assert request.due_at is None  # a draft waits for nobody's deadline
    walk(request, MAIN_PATH[:1], people)
    assert request.state == SUBMITTED and request.due_at == _expected(request, 2)
    apply_action(request, "approve", people["approver"], {"comment": ""})
    assert request.state == APPROVED and request.due_at is None  # drafting the contracts is the machine's
    db.session.commit()
    walk(request, MAIN_PATH[2:3], people)
    assert request.state == LEGAL_REVIEW and request.due_at == _expected(request, 5)


def test_moving_within_a_stage_keeps_its_deadline(people, catalog):
    request = request_in(ORDERED, people, catalog)
    assert request.due_at == _expected(request, 10)
    walk(request, MAIN_PATH[6:7], people)  # the carrier's numbers: the attachment stage starts
    assert request.state == NUMBER_ASSIGNED
    attachment_due = request.due_at
    assert attachment_due == _expected(request, 2)
    walk(request, MAIN_PATH[7:8], people)  # the machine prepares the attachment for the sysadmin
    assert request.state == ATTACHING and request.due_at == attachment_due


def test_the_due_time_follows_the_branchs_country(people, catalog):
    request = new_request(people, catalog, city="Novosibirsk")
    request.department.country = "DE"
    walk(request, MAIN_PATH[:1], people)
    assert request.due_at == due_after(request.state_changed_at, 2, "Asia/Novosibirsk", "DE")


def test_due_on_entering_keeps_or_counts_anew(app):
    branch = Department(time_zone="Europe/Moscow", country="RU")
    changed = datetime(2026, 2, 20, 9, 0)
    earlier = datetime(2026, 2, 1, 9, 0)
    # Entering a stage counts from the change (with the defaults: no admin has changed them here).
    assert due_on_entering(branch, "draft", "submitted", changed, None) == due_after(changed, 2, "Europe/Moscow")
    # Within a stage the deadline stays; entering another stage, or coming back to one, counts anew.
    assert due_on_entering(branch, "attached", "verifying", changed, earlier) == earlier
    assert due_on_entering(branch, "carrier_refused", "risk_acceptance", changed, earlier) == due_after(
        changed, 2, "Europe/Moscow")
    assert due_on_entering(branch, "changes_requested", "counter_proposed", changed, earlier) == due_after(
        changed, 5, "Europe/Moscow")
    assert due_on_entering(branch, "legal_review", "drafting_protocol", changed, earlier) is None


def test_every_stage_has_its_default_and_every_waiting_state_of_the_brief_a_stage():
    assert {name: stage.default_days for name, stage in deadlines.STAGES.items()} == {
        "approval": 2, "legal_review": 5, "signature": 5, "carrier_order": 10, "attachment": 2, "verification": 1}
    assert deadlines.STAGE_OF_STATE == {
        "submitted": "approval", "risk_acceptance": "approval", "legal_review": "legal_review",
        "counter_proposed": "legal_review", "carrier_refused": "legal_review", "legal_approved": "signature",
        "ordered": "carrier_order", "number_assigned": "attachment", "attaching": "attachment",
        "attached": "verification", "verifying": "verification"}


# --- admins change the business days --------------------------------------------------------------

def test_changed_business_days_are_audited_and_apply_to_the_next_stage_entered(people, catalog):
    changes = deadlines.set_business_days(people["admin"], {"approval": 4, "signature": 5})
    db.session.commit()
    assert changes == {"approval": [2, 4]}  # the signature's 5 is its default already
    assert deadlines.business_days()["approval"] == 4
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.subject == "deadlines")).one()
    assert (event.actor, event.action, event.data) == ("admin@example.com", "edit",
                                                       {"business_days": {"approval": [2, 4]}})
    request = request_in(SUBMITTED, people, catalog)
    assert request.due_at == _expected(request, 4)


@pytest.mark.parametrize("days,field", [({"approval": 0}, "approval"), ({"approval": 61}, "approval"),
                                        ({"approval": "3"}, "approval"), ({"approval": True}, "approval"),
                                        ({"lunch": 1}, "lunch")])
def test_business_days_out_of_range_are_refused(days, field, people):
    with pytest.raises(InvalidInput) as refused:
        deadlines.set_business_days(people["admin"], days)
    assert set(refused.value.fields) == {field}
    assert deadlines.business_days()["approval"] == 2


def test_the_admins_deadlines_page_changes_them(client):
    login(client, "admin")
    page = client.get("/admin/deadlines")
    assert page.status_code == 200
    assert re.search(r'name="carrier_order"[^>]*value="10"', page.text)
    form = {name: str(stage.default_days) for name, stage in deadlines.STAGES.items()}
    saved = client.post("/admin/deadlines", data={**form, "legal_review": "7"})
    assert saved.status_code == 302
    assert deadlines.business_days()["legal_review"] == 7
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.subject == "deadlines")).data == {
        "business_days": {"legal_review": [5, 7]}}
    refused = client.post("/admin/deadlines", data={**form, "verification": "0"})
    assert refused.status_code == 422
    assert deadlines.business_days()["verification"] == 1
    assert "Deadlines" in client.get("/admin/").text


def test_only_admins_open_the_deadlines_page(client):
    login(client, "approver")
    assert client.get("/admin/deadlines").status_code == 403


def test_a_branchs_country_is_edited_with_it_and_must_have_a_calendar(client):
    login(client, "admin")
    samara = db.session.scalar(db.select(Department).filter_by(city="Samara"))
    form = client.get(f"/admin/departments/{samara.id}/edit").text
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form))
    assert fields["country"] == "RU"
    assert client.post(f"/admin/departments/{samara.id}/edit", data={**fields, "country": "XX"}).status_code == 422
    assert client.post(f"/admin/departments/{samara.id}/edit", data={**fields, "country": "kz"}).status_code == 302
    db.session.refresh(samara)
    assert samara.country == "KZ"


# --- shown ----------------------------------------------------------------------------------------

def test_a_request_page_shows_when_it_is_due_and_whether_it_is_overdue(client, people, catalog):
    request = request_in(SUBMITTED, people, catalog, city="Samara")
    login(client, "approver")
    assert "data-due" in client.get(f"/requests/{request.id}").text
    request.due_at = datetime(2000, 1, 4, 19, 59, 59, 999999)  # the end of the day in Samara (UTC+4)
    db.session.commit()
    page = client.get(f"/requests/{request.id}").text
    assert re.search(r"data-due>Due 4 Jan 2000 23:59 \+04", page), page
    assert "data-overdue" in page
    request.due_at = datetime(2999, 1, 4, 20, 59, 59, 999999)
    db.session.commit()
    assert "data-overdue" not in client.get(f"/requests/{request.id}").text


def test_the_query_filters_overdue_tasks_against_the_moment_given(people, catalog):
    request = request_in(SUBMITTED, people, catalog)
    before, after = request.due_at - timedelta(seconds=1), request.due_at + timedelta(seconds=1)
    overdue = db.session.scalars(task_query(people["approver"], overdue=True, now=after)).all()
    assert request in overdue
    assert request not in db.session.scalars(task_query(people["approver"], overdue=True, now=before)).all()
    assert request in db.session.scalars(task_query(people["approver"], overdue=False, now=before)).all()
