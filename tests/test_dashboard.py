"""The project leads' dashboard: each figure against hand-made requests and state changes at explicit times, the
branch scope of a lead limited to some branches, and the page for project leads and admins only."""
from datetime import date, datetime, timedelta

import pytest

from conftest import installed, login
from models import AuditEvent, Carrier, Department, NumberRequest, PbxSystem, User, db
from models.dashboard import (OTHER, StageTime, median_stage_times, open_by_stage_and_city, overdue_query,
                              stage_totals, weekly_outcomes)
from models.organisation import utcnow
from test_postgresql import PG_BIN, demo_on_postgresql, postgresql_url  # noqa: F401 (fixtures)

# A Wednesday, 12:00 in Moscow: ISO week 11 of 2031, which starts on Monday 10 March.
NOW = datetime(2031, 3, 12, 9, 0)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@pytest.fixture
def branches(app, monkeypatch):
    """Two branches of their own, so that no demo request counts, and the project lead working for both."""
    monkeypatch.delenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", raising=False)
    made = {city: Department(name=f"{city} showroom", city=city, city_ru=russian, cost_centre=f"CC-{city}",
                             time_zone=zone)
            for city, russian, zone in (("Testgrad", "Тестоград", "Europe/Moscow"),
                                        ("Otherburg", "", "Asia/Novosibirsk"))}
    db.session.add_all(made.values())
    db.session.commit()
    return made


@pytest.fixture
def lead(people, branches):
    people["approver"].departments = list(branches.values())
    db.session.commit()
    return people["approver"]


def make_request(people, catalog, department, state, *, due_at=None, changes=()):
    """A request in `state` whose audit trail holds `changes`: (from_state, to_state, at), in order."""
    return add_request(department, state, people["requester"], catalog["carrier"]("TransTelecom Direct"),
                       catalog["pbx"]("Office Asterisk"), due_at=due_at, changes=changes)


def add_request(department, state, creator, carrier, pbx, *, due_at=None, changes=()):
    request = NumberRequest(department=department, carrier=carrier, pbx=pbx, number_type="local", quantity=1,
                            purpose="Showroom line", state=state, due_at=due_at, created_by=creator)
    db.session.add(request)
    for from_state, to_state, at in changes:
        db.session.add(AuditEvent(request=request, actor="someone@example.com", action="test",
                                  from_state=from_state, to_state=to_state, at=at))
    db.session.commit()
    return request


def test_open_requests_are_counted_per_stage_and_city(people, catalog, branches, lead):
    testgrad, otherburg = branches["Testgrad"], branches["Otherburg"]
    for state in ("submitted", "submitted", "risk_acceptance", "legal_review", "counter_proposed", "approved",
                  "changes_requested", "draft", "active", "rejected", "cancelled"):
        make_request(people, catalog, testgrad, state)
    make_request(people, catalog, otherburg, "ordered")
    make_request(people, catalog, otherburg, "verifying")

    rows = open_by_stage_and_city(lead)

    assert [row.city for row in rows] == ["Otherburg", "Testgrad"]  # drafts and finished requests are not open
    otherburg_row, testgrad_row = rows
    assert testgrad_row.city_ru == "Тестоград"
    assert {name: count for name, count in testgrad_row.counts.items() if count} == {
        "approval": 3, "legal_review": 2, OTHER: 2}
    assert testgrad_row.total == 7
    assert {name: count for name, count in otherburg_row.counts.items() if count} == {
        "carrier_order": 1, "verification": 1}
    assert stage_totals(rows) == {"approval": 3, "legal_review": 2, "signature": 0, "carrier_order": 1,
                                  "attachment": 0, "verification": 1, OTHER: 2}


def test_overdue_lists_the_requests_past_their_deadline_longest_overdue_first(people, catalog, branches, lead):
    testgrad = branches["Testgrad"]
    later = make_request(people, catalog, testgrad, "legal_review", due_at=NOW - HOUR)
    earlier = make_request(people, catalog, branches["Otherburg"], "submitted", due_at=NOW - 3 * DAY)
    make_request(people, catalog, testgrad, "submitted", due_at=NOW + HOUR)  # not yet due
    make_request(people, catalog, testgrad, "approved")  # a machine step: no deadline

    assert db.session.scalars(overdue_query(lead, NOW)).all() == [earlier, later]


def _approval(add, submitted_at, decided_at):
    return add("approved", changes=[(None, "draft", submitted_at - HOUR), ("draft", "submitted", submitted_at),
                                    ("submitted", "approved", decided_at)])


def stage_visits(add) -> None:
    """Requests whose stages took known times; `add(state, changes=...)` makes one in the branch under test."""
    start = NOW - 20 * DAY
    for days in (2, 9, 4):
        _approval(add, start, start + days * DAY)
    _approval(add, NOW - 130 * DAY, NOW - 100 * DAY)  # left before the 90 days
    _approval(add, NOW - DAY, NOW + DAY)  # left after `now`
    add("submitted", changes=[("draft", "submitted", start)])  # still there
    # Legal review: the protocol's round trip leaves the stage and comes back to it; the carrier's counter
    # proposals and the lawyer's answer are one visit.
    add("legal_approved", changes=[
        ("approved", "legal_review", start), ("legal_review", "drafting_protocol", start + DAY),
        ("drafting_protocol", "changes_requested", start + DAY + HOUR),
        ("changes_requested", "counter_proposed", start + 5 * DAY),
        ("counter_proposed", "drafting_protocol", start + 6 * DAY),
        ("drafting_protocol", "changes_requested", start + 6 * DAY + HOUR),
        ("changes_requested", "redrafting", start + 7 * DAY), ("redrafting", "legal_review", start + 8 * DAY),
        ("legal_review", "legal_approved", start + 10 * DAY)])
    # The PBX attachment's two states are one stage, and so are the verification's; two verifications: the
    # median of an even count is the mean of the middle two.
    for hours in (24, 30):
        add("active", changes=[
            ("ordered", "number_assigned", start), ("number_assigned", "attaching", start + HOUR),
            ("attaching", "attached", start + 5 * HOUR), ("attached", "verifying", start + 6 * HOUR),
            ("verifying", "active", start + (6 + hours) * HOUR)])


EXPECTED_MEDIANS = {
    "approval": StageTime(4 * DAY, 3),
    "legal_review": StageTime(DAY, 3),  # 1, 1 and 2 days
    "attachment": StageTime(5 * HOUR, 2),
    "verification": StageTime(28 * HOUR, 2),  # 25 and 31 hours
}


def test_the_median_time_per_stage_runs_from_entering_a_stage_to_leaving_it(people, catalog, branches, lead):
    stage_visits(lambda state, changes: make_request(people, catalog, branches["Testgrad"], state, changes=changes))

    assert median_stage_times(lead, NOW) == EXPECTED_MEDIANS
    assert median_stage_times(lead, NOW, days=10) == {"legal_review": StageTime(2 * DAY, 1)}


@installed(PG_BIN is not None, "PostgreSQL's server")
def test_postgresql_computes_the_same_medians(demo_on_postgresql):  # noqa: F811 (the fixture)
    """PostgreSQL takes the median itself (percentile_cont); SQLite hands back the durations."""
    with demo_on_postgresql.app_context():
        branch = Department(name="Testgrad showroom", city="Testgrad", cost_centre="CC-Testgrad")
        lead = db.session.scalar(db.select(User).filter_by(email="approver@example.com"))
        creator = db.session.scalar(db.select(User).filter_by(email="branches@example.com"))
        carrier = db.session.scalar(db.select(Carrier).filter_by(name="TransTelecom Direct"))
        pbx = db.session.scalar(db.select(PbxSystem).filter_by(name="Office Asterisk"))
        lead.departments = [branch]
        db.session.commit()
        stage_visits(lambda state, changes: add_request(branch, state, creator, carrier, pbx, changes=changes))

        assert median_stage_times(lead, NOW) == EXPECTED_MEDIANS
        db.session.remove()


def test_each_week_counts_the_requests_that_became_active_were_rejected_or_cancelled(
        people, catalog, branches, lead):
    testgrad = branches["Testgrad"]

    def finished(state, at):
        make_request(people, catalog, testgrad, state, changes=[("submitted", "approved", at - HOUR),
                                                                ("verifying", state, at)])
    this_monday = datetime(2031, 3, 9, 21, 0)  # Monday 10 March 00:00 in Moscow
    finished("active", this_monday + HOUR)
    finished("active", NOW - HOUR)
    finished("rejected", this_monday - HOUR)  # Sunday 23:00 in Moscow: the week before
    finished("cancelled", this_monday - 11 * 7 * DAY)  # the first of the 12 weeks
    finished("cancelled", this_monday - 11 * 7 * DAY - HOUR)  # before them
    finished("rejected", NOW + HOUR)  # after `now`
    make_request(people, catalog, testgrad, "active", changes=[(None, "active", NOW - DAY)])  # made, not finished

    weeks = weekly_outcomes(lead, NOW)

    assert len(weeks) == 12
    assert weeks[-1].monday == date(2031, 3, 10) and weeks[-1].iso_week == (2031, 11)
    assert weeks[0].monday == date(2030, 12, 23)
    assert weeks[-1].counts == {"active": 2, "rejected": 0, "cancelled": 0}
    assert weeks[-2].counts == {"active": 0, "rejected": 1, "cancelled": 0}
    assert weeks[0].counts == {"active": 0, "rejected": 0, "cancelled": 1}
    assert sum(sum(week.counts.values()) for week in weeks) == 4


def test_a_lead_limited_to_a_branch_counts_only_that_branch(people, catalog, branches, lead):
    testgrad, otherburg = branches["Testgrad"], branches["Otherburg"]
    start = NOW - 10 * DAY
    for department in (testgrad, otherburg):
        _approval(lambda state, changes: make_request(people, catalog, department, state, changes=changes),
                  start, start + DAY)
        make_request(people, catalog, department, "submitted", due_at=NOW - DAY)
        make_request(people, catalog, department, "rejected", changes=[("submitted", "rejected", NOW - HOUR)])
    lead.departments = [testgrad]
    db.session.commit()

    assert [row.city for row in open_by_stage_and_city(lead)] == ["Testgrad"]
    assert {r.department_id for r in db.session.scalars(overdue_query(lead, NOW))} == {testgrad.id}
    assert median_stage_times(lead, NOW)["approval"].visits == 1
    assert weekly_outcomes(lead, NOW)[-1].counts["rejected"] == 1


def test_the_page_shows_the_figures_of_the_leads_branches(client, people, catalog, branches, lead):
    testgrad, otherburg = branches["Testgrad"], branches["Otherburg"]
    overdue = make_request(people, catalog, testgrad, "submitted", due_at=utcnow() - DAY)
    hidden = make_request(people, catalog, otherburg, "ordered", due_at=utcnow() - DAY)
    lead.departments = [testgrad]
    db.session.commit()
    login(client, "approver")

    page = client.get("/dashboard").text

    assert 'href="/dashboard"' in page  # the menu's link
    assert 'data-city="Testgrad"' in page and 'data-city="Otherburg"' not in page
    assert f'data-overdue="{overdue.id}"' in page and f'data-overdue="{hidden.id}"' not in page
    assert 'id="stage-chart"' in page
    assert "/?overdue=1" in page  # the lead's own overdue tasks
    assert "No stage was finished in this period." in page
    assert "No request became active, was rejected or was cancelled in these weeks." in page


def test_the_page_says_when_there_is_nothing_to_show(client, people, branches):
    people["approver"].departments = [branches["Otherburg"]]
    db.session.commit()
    login(client, "approver")

    page = client.get("/dashboard").text

    assert "No request is open." in page and "Nothing is overdue." in page
    assert "<svg" not in page


def test_the_page_reads_in_russian(client, people, catalog, branches, lead):
    make_request(people, catalog, branches["Testgrad"], "submitted", due_at=utcnow() - DAY)
    lead.language = "ru"
    db.session.commit()
    login(client, "approver")

    page = client.get("/dashboard").text

    assert "Открытые заявки по этапам и городам" in page and "Тестоград" in page
    assert "1 заявка просрочена." in page


@pytest.mark.parametrize("who, status", [("approver", 200), ("admin", 200), ("requester", 403), ("lawyer", 403),
                                         ("sysadmin", 403), ("accountant", 403)])
def test_the_page_is_for_project_leads_and_admins(client, who, status):
    login(client, who)
    response = client.get("/dashboard")
    assert response.status_code == status
    assert ('href="/dashboard"' in client.get("/").text) == (status == 200)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
