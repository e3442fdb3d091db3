"""Signed contracts: their term, renewal rule and notice period (defaulted from the carrier's contract), the term's
end rolling forward, the last day to give notice, the reminders 30 and 7 days before it, and the Contracts page."""
import re
from datetime import date, datetime, timedelta

import pytest

from conftest import auth, login
from lifecycle_helpers import request_in
from models import InvalidInput, User, db
from models.carrier_terms import add_contract
from models.choices import Role
from models.lifecycle import LEGAL_APPROVED, SIGNED, apply_action
from models.outbox import RENEWAL, OutgoingMail
from models.renewal_reminders import daily_renewal_reminders, remind_of_notice_deadlines, threshold_due
from models.renewals import (SignedContract, contract_of, default_terms, notice_deadline, outlook,
                             record_signed_contract, term_end_on)
from webapp.contracts import views as contract_views

RENEWAL_CLAUSE = ("7.1. This contract renews automatically for successive periods of 6 months unless either party "
                  "gives written notice at least 45 days before the end of the term.")
PLAIN_CLAUSE = "3.1. The Carrier provides telephone numbers and connectivity to the Customer."


def contract(signed_on: date, term: int = 12, renews: int = 12, notice: int = 30) -> SignedContract:
    return SignedContract(signed_on=signed_on, term_months=term, renews_for_months=renews, notice_days=notice)


def standard_terms(people, catalog, text: str, carrier: str = "TransTelecom Direct") -> None:
    """A new version of the carrier's standard contract, read and analysed."""
    add_contract(people["lawyer"], catalog["carrier"](carrier), "terms.txt", text.encode())
    db.session.commit()


def signed(people, catalog, signed_on: date, **terms) -> SignedContract:
    """A legally approved request's contract, kept as its signature would keep it, signed on an explicit day."""
    request = request_in(LEGAL_APPROVED, people, catalog)
    values = {"term_months": 12, "renews_for_months": 12, "notice_days": 30, **terms}
    kept = record_signed_contract(request, {"signed_on": signed_on, **values})
    db.session.commit()
    return kept


def reminders_of(kept: SignedContract) -> list[OutgoingMail]:
    return db.session.scalars(db.select(OutgoingMail).where(OutgoingMail.kind == RENEWAL,
                                                            OutgoingMail.request_id == kept.request_id)
                              .order_by(OutgoingMail.id)).all()


def person(email: str, name: str, roles: set, departments=(), language: str | None = None) -> User:
    user = User(email=email, name=name, is_active_user=True, language=language, password_hash="!")
    user.roles = roles
    user.departments = list(departments)
    db.session.add(user)
    db.session.commit()
    return user


# --- dates ------------------------------------------------------------------------------------------------

def test_the_term_ends_on_the_same_date_of_its_last_month_and_rolls_forward_by_renewals():
    yearly = contract(date(2026, 3, 15))
    assert term_end_on(yearly, date(2026, 3, 15)) == date(2027, 3, 15)
    assert term_end_on(yearly, date(2027, 3, 15)) == date(2027, 3, 15)  # the last day is still the first term
    assert term_end_on(yearly, date(2027, 3, 16)) == date(2028, 3, 15)
    assert term_end_on(yearly, date(2031, 1, 1)) == date(2031, 3, 15)
    two_then_quarterly = contract(date(2026, 3, 15), term=24, renews=3)
    assert term_end_on(two_then_quarterly, date(2027, 12, 1)) == date(2028, 3, 15)
    assert term_end_on(two_then_quarterly, date(2028, 3, 16)) == date(2028, 6, 15)
    assert term_end_on(two_then_quarterly, date(2029, 1, 2)) == date(2029, 3, 15)


def test_a_month_without_the_date_ends_the_term_on_its_last_day_without_drifting():
    monthly = contract(date(2026, 1, 31), term=1, renews=1, notice=7)
    assert term_end_on(monthly, date(2026, 2, 10)) == date(2026, 2, 28)
    assert term_end_on(monthly, date(2026, 3, 1)) == date(2026, 3, 31)  # not the 28th again
    assert term_end_on(monthly, date(2026, 4, 5)) == date(2026, 4, 30)
    assert term_end_on(monthly, date(2028, 2, 1)) == date(2028, 2, 29)


def test_the_term_end_is_the_first_renewal_end_not_before_the_day():
    """Against counting renewals one by one, for every day of eight years and several rules."""
    for term, renews in ((12, 12), (1, 1), (6, 3), (24, 5), (7, 13)):
        kept = contract(date(2025, 8, 31), term=term, renews=renews)
        ends = [date.min]  # none counted yet
        day = date(2025, 8, 31)
        while day < date(2033, 9, 1):
            while ends[-1] < day:
                months = term + (len(ends) - 1) * renews
                year, month = divmod(8 - 1 + months, 12)
                last = [31, 29 if (2025 + year) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
                ends.append(date(2025 + year, month + 1, min(31, last)))
            assert term_end_on(kept, day) == ends[-1], (term, renews, day)
            day += timedelta(days=11)


def test_a_contract_that_does_not_renew_keeps_its_only_end_and_needs_no_notice():
    once = contract(date(2026, 3, 15), term=6, renews=0)
    assert term_end_on(once, date(2027, 1, 1)) == date(2026, 9, 15)
    assert notice_deadline(once, date(2026, 9, 15)) is None
    seen = outlook(once, date(2027, 1, 1))
    assert seen.ended and seen.notice_by is None and seen.next_term_end is None
    assert not outlook(once, date(2026, 9, 15)).ended


def test_the_last_day_to_give_notice_and_what_renews_when():
    yearly = contract(date(2026, 3, 15), notice=30)
    assert notice_deadline(yearly, date(2027, 3, 15)) == date(2027, 2, 13)
    seen = outlook(yearly, date(2027, 1, 20))
    assert (seen.term_end, seen.notice_by, seen.next_term_end, seen.days_to_notice) == (
        date(2027, 3, 15), date(2027, 2, 13), date(2028, 3, 15), 24)
    assert outlook(yearly, date(2027, 2, 20)).days_to_notice == -7  # too late: it renews
    assert outlook(yearly, date(2027, 3, 16)).notice_by == date(2028, 2, 14)


# --- what a signature keeps -------------------------------------------------------------------------------

def test_the_signature_defaults_to_what_the_carriers_terms_state_of_renewal(app, people, catalog):
    standard_terms(people, catalog, f"{PLAIN_CLAUSE}\n{RENEWAL_CLAUSE}\n")
    request = request_in(LEGAL_APPROVED, people, catalog)
    assert default_terms(request) == {"term_months": 12, "renews_for_months": 6, "notice_days": 45}
    apply_action(request, "record_signature", people["lawyer"], {"signed_on": date.today().isoformat()})
    db.session.commit()
    kept = contract_of(request)
    assert (request.state, kept.term_months, kept.renews_for_months, kept.notice_days) == (SIGNED, 12, 6, 45)
    assert kept.term_ends_on == term_end_on(kept, kept.signed_on)
    assert kept.notice_by == kept.term_ends_on - timedelta(days=45)
    # The decision's audit event records them.
    assert request.events[-1].data["renews_for_months"] == 6


def test_without_stated_terms_the_defaults_are_twelve_twelve_and_thirty(app, people, catalog):
    standard_terms(people, catalog, f"{PLAIN_CLAUSE}\n")
    request = request_in(LEGAL_APPROVED, people, catalog)
    assert default_terms(request) == {"term_months": 12, "renews_for_months": 12, "notice_days": 30}


def test_the_signature_keeps_the_lawyers_own_terms(app, people, catalog):
    standard_terms(people, catalog, f"{RENEWAL_CLAUSE}\n")
    request = request_in(LEGAL_APPROVED, people, catalog)
    apply_action(request, "record_signature", people["lawyer"],
                 {"signed_on": date.today().isoformat(), "term_months": 36, "renews_for_months": 0, "notice_days": 0})
    db.session.commit()
    kept = contract_of(request)
    assert (kept.term_months, kept.renews_for_months, kept.notice_days, kept.notice_by) == (36, 0, 0, None)


@pytest.mark.parametrize("terms, named", [
    ({"term_months": 0}, "term_months"),
    ({"term_months": 121}, "term_months"),
    ({"renews_for_months": -1}, "renews_for_months"),
    ({"notice_days": "30"}, "notice_days"),
    ({"notice_days": True}, "notice_days"),
    ({"notice_days": 366}, "notice_days"),
    # A notice period as long as a term could never stop its renewal.
    ({"renews_for_months": 1, "notice_days": 28}, "notice_days"),
])
def test_bad_terms_are_refused_naming_the_field(app, people, catalog, terms, named):
    request = request_in(LEGAL_APPROVED, people, catalog)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "record_signature", people["lawyer"], {"signed_on": date.today().isoformat(), **terms})
    assert set(refused.value.fields) == {named}
    db.session.rollback()
    assert request.state == LEGAL_APPROVED and contract_of(request) is None


def test_every_bad_term_is_named_at_once(app, people, catalog):
    request = request_in(LEGAL_APPROVED, people, catalog)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "record_signature", people["lawyer"],
                     {"signed_on": date.today().isoformat(), "term_months": 0, "renews_for_months": 500,
                      "notice_days": -3})
    assert set(refused.value.fields) == {"term_months", "renews_for_months", "notice_days"}


def test_the_api_takes_the_terms_and_refuses_bad_ones_with_422(client, people, catalog, tokens):
    request = request_in(LEGAL_APPROVED, people, catalog)
    url = f"/api/v1/requests/{request.id}/actions/record_signature"
    today = date.today().isoformat()
    refused = client.post(url, json={"signed_on": today, "term_months": 0}, headers=auth(tokens["lawyer"]))
    assert refused.status_code == 422 and "term_months" in refused.json["fields"]
    refused = client.post(url, json={"signed_on": today, "renews_for_months": 1, "notice_days": 40},
                          headers=auth(tokens["lawyer"]))
    assert refused.status_code == 422 and set(refused.json["fields"]) == {"notice_days"}
    answer = client.post(url, json={"signed_on": today, "term_months": 24, "renews_for_months": 1, "notice_days": 14},
                         headers=auth(tokens["lawyer"]))
    assert answer.status_code == 200, answer.json
    kept = contract_of(request)
    assert (kept.term_months, kept.renews_for_months, kept.notice_days) == (24, 1, 14)


def test_the_signature_form_is_prefilled_from_the_carriers_terms_and_keeps_what_is_typed(client, people, catalog):
    standard_terms(people, catalog, f"{RENEWAL_CLAUSE}\n")
    request = request_in(LEGAL_APPROVED, people, catalog)
    login(client, "lawyer")
    page = client.get(f"/requests/{request.id}").text
    assert re.search(r'name="record_signature-renews_for_months"[^>]*value="6"', page)
    assert re.search(r'name="record_signature-notice_days"[^>]*value="45"', page)
    assert re.search(r'name="record_signature-term_months"[^>]*value="12"', page)
    refused = client.post(f"/requests/{request.id}/actions/record_signature", data={
        "record_signature-signed_on": date.today().isoformat(), "record_signature-renews_for_months": "1",
        "record_signature-notice_days": "60", "record_signature-version": str(request.version)})
    assert refused.status_code == 422 and "must be shorter than the shortest term" in refused.text
    done = client.post(f"/requests/{request.id}/actions/record_signature", data={
        "record_signature-signed_on": date.today().isoformat(), "record_signature-term_months": "24",
        "record_signature-renews_for_months": "12", "record_signature-notice_days": "60",
        "record_signature-version": str(request.version)})
    assert done.status_code == 302
    kept = contract_of(request)
    assert (kept.term_months, kept.renews_for_months, kept.notice_days) == (24, 12, 60)


# --- reminders --------------------------------------------------------------------------------------------

def test_the_reminder_due_is_the_nearest_threshold_reached():
    assert [threshold_due(days) for days in (31, 30, 8, 7, 0, -1)] == [None, 30, 30, 7, 7, None]


def test_lawyers_and_project_leads_of_the_branch_are_reminded_30_and_7_days_before_once_each(app, people, catalog):
    kept = signed(people, catalog, date(2030, 3, 15))  # the term ends on 15 March 2031: notice by 13 February
    novosibirsk, kazan = catalog["department"]("Novosibirsk"), catalog["department"]("Kazan")
    local_lawyer = person("volga-lawyer@example.com", "Lena Local", {Role.LAWYER}, [novosibirsk], language="ru")
    person("kazan-lawyer@example.com", "Kim Kazan", {Role.LAWYER}, [kazan])
    person("kazan-lead@example.com", "Kai Kazan", {Role.APPROVER}, [kazan])
    told = {people["lawyer"].email, people["approver"].email, local_lawyer.email}

    remind_of_notice_deadlines(date(2031, 1, 13))  # 31 days before
    assert reminders_of(kept) == []

    remind_of_notice_deadlines(date(2031, 1, 14))  # 30 days before
    first = reminders_of(kept)
    assert {mail.to_address for mail in first} == told  # not the sysadmin, the admin or other branches' people
    english = next(mail for mail in first if mail.to_address == people["lawyer"].email)
    assert "13 February 2031" in english.subject and "TransTelecom Direct" in english.subject
    assert "15 March 2031" in english.text_body and "until 15 March 2032" in english.text_body
    assert "(30 days from today)" in english.text_body and "/contracts/" in english.text_body
    russian = next(mail for mail in first if mail.to_address == local_lawyer.email)
    assert "уведомить до «13» февраля 2031 г." in russian.subject

    remind_of_notice_deadlines(date(2031, 1, 14))  # the same day again
    remind_of_notice_deadlines(date(2031, 1, 20))
    assert len(reminders_of(kept)) == len(told)

    remind_of_notice_deadlines(date(2031, 2, 6))  # 7 days before
    second = reminders_of(kept)[len(told):]
    assert {mail.to_address for mail in second} == told
    assert all("(7 days from today)" in mail.text_body for mail in second if mail.to_address != local_lawyer.email)
    remind_of_notice_deadlines(date(2031, 2, 8))
    remind_of_notice_deadlines(date(2031, 2, 14))  # the day has passed
    assert len(reminders_of(kept)) == 2 * len(told)

    # Nobody gave notice: the contract renewed, and its next term's deadline is reminded of again.
    remind_of_notice_deadlines(date(2032, 1, 15))  # 30 days before 14 February 2032
    db.session.refresh(kept)
    assert (kept.term_ends_on, kept.notice_by) == (date(2032, 3, 15), date(2032, 2, 14))
    assert len(reminders_of(kept)) == 3 * len(told)


def test_a_deadline_found_late_gets_only_the_nearest_reminder(app, people, catalog):
    kept = signed(people, catalog, date(2030, 3, 15))
    remind_of_notice_deadlines(date(2031, 2, 8))  # 5 days before: the 30-day reminder is no longer of use
    mails = reminders_of(kept)
    assert mails and all("(5 days from today)" in mail.text_body for mail in mails)
    assert all(mail.key.endswith(f"-7-{mail.user_id}") for mail in mails)
    remind_of_notice_deadlines(date(2031, 2, 9))
    assert len(reminders_of(kept)) == len(mails)


def test_a_contract_that_does_not_renew_is_never_reminded_of(app, people, catalog):
    kept = signed(people, catalog, date(2030, 3, 15), renews_for_months=0)
    for day in (date(2031, 1, 14), date(2031, 2, 6), date(2031, 3, 10)):
        remind_of_notice_deadlines(day)
    assert reminders_of(kept) == []


def test_the_daily_flow_reminds_and_commits(app, people, catalog):
    kept = signed(people, catalog, date(2030, 3, 15))
    queued = daily_renewal_reminders(datetime(2031, 1, 14, 4, 0))  # 07:00 in Moscow
    mine = [mail for mail in queued if mail.request_id == kept.request_id]
    assert mine and all(mail.dispatch_pending and mail.kind == RENEWAL for mail in mine)
    db.session.rollback()  # committed: nothing is lost
    assert len(reminders_of(kept)) == len(mine)
    assert [mail for mail in daily_renewal_reminders(datetime(2031, 1, 14, 20, 0))
            if mail.request_id == kept.request_id] == []


# --- the Contracts page -----------------------------------------------------------------------------------

@pytest.fixture
def on_day(monkeypatch):
    """The page's today."""
    def set_day(day: date) -> None:
        monkeypatch.setattr(contract_views, "today_in", lambda zone_name: day)
    return set_day


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-contract="(\d+)"([^>]*)>', page)


@pytest.mark.parametrize("role, status", [("lawyer", 200), ("approver", 200), ("admin", 200), ("requester", 403),
                                          ("sysadmin", 403), ("accountant", 403)])
def test_the_contracts_page_is_for_lawyers_project_leads_and_admins(client, people, catalog, role, status):
    kept = signed(people, catalog, date(2030, 3, 15))
    login(client, role)
    page = client.get("/contracts/")
    assert page.status_code == status
    if status == 200:
        assert kept.request.reference in page.text and 'href="/contracts/"' in page.text
    else:
        assert 'href="/contracts/"' not in client.get("/").text


def test_the_page_lists_the_soonest_deadline_first_and_marks_past_and_near_ones(client, people, catalog, on_day):
    later = signed(people, catalog, date(2030, 9, 1))  # notice by 2 August 2031
    soon = signed(people, catalog, date(2030, 3, 15))  # notice by 13 February 2031
    passed = signed(people, catalog, date(2030, 2, 1), notice_days=60)  # notice by 2 December 2030
    once = signed(people, catalog, date(2030, 1, 10), renews_for_months=0)  # ends 10 January 2031
    on_day(date(2031, 1, 20))
    login(client, "lawyer")
    page = client.get("/contracts/").text
    rows = dict(_rows(page))
    ids = [int(found) for found, _ in _rows(page)]
    mine = [kept.id for kept in (passed, soon, later, once)]
    assert [found for found in ids if found in mine] == mine
    assert "table-danger" in rows[str(passed.id)] and "table-warning" in rows[str(soon.id)]
    assert "class" not in rows[str(later.id)] and "class" not in rows[str(once.id)]
    assert "24 days left" in page and "passed: it renews" in page and "does not renew" in page and "ended" in page


def test_the_page_filters_by_carrier_and_keeps_to_the_readers_branches(client, people, catalog, on_day):
    kept = signed(people, catalog, date(2030, 3, 15))
    on_day(date(2031, 1, 20))
    login(client, "lawyer")
    other = catalog["carrier"]("Nordtel")
    assert f'data-contract="{kept.id}"' not in client.get(f"/contracts/?carrier={other.id}").text
    assert f'data-contract="{kept.id}"' in client.get(f"/contracts/?carrier={kept.request.carrier_id}").text
    people["lawyer"].departments = [catalog["department"]("Kazan")]
    db.session.commit()
    assert f'data-contract="{kept.id}"' not in client.get("/contracts/").text


def test_the_page_is_in_russian_for_a_russian_reader(client, people, catalog, on_day):
    signed(people, catalog, date(2030, 3, 15))
    on_day(date(2031, 1, 20))
    people["lawyer"].language = "ru"
    db.session.commit()
    login(client, "lawyer")
    page = client.get("/contracts/").text
    assert "Уведомить до" in page and "осталось 24 дня" in page and "13.02.2031" in page
