"""Absences: while a lawyer is away, a delegate with the same role takes their tasks, "for" them, audited as such,
with four eyes kept for both; outside the absence nothing changes. Dates are fixed and `now` is passed, except
where a page, the API or a mail asks the clock: there the absence spans the days around today."""
import re
from datetime import date, datetime, timedelta

import pytest

from models import Forbidden, InvalidInput, NotFound, User, db
from models.absences import Absence, active_absences, clear_absence, principals_of, set_absence
from models.choices import Role
from models.lifecycle import LEGAL_REVIEW, apply_action, task_actions, task_for_whom, tasks_for
from models.notifications import next_actors
from models.outbox import TASK, OutgoingMail
from models.time_zones import accounting_time_zone, today_in

from conftest import auth
from lifecycle_helpers import MAIN_PATH, new_request, request_in, walk

SET_ON = datetime(2026, 7, 1, 9, 0)
FIRST_DAY, LAST_DAY = date(2026, 7, 6), date(2026, 7, 17)
DURING = datetime(2026, 7, 8, 9, 0)
BEFORE = datetime(2026, 7, 2, 9, 0)
# 20:30 UTC on the last day is already the next day in Moscow (the lawyer works for no one branch: the accounting
# time zone counts).
AFTER = datetime(2026, 7, 17, 21, 30)
PASSWORD = "numberdesk-demo"


def person(email: str, *roles: str, departments=()) -> User:
    found = User(email=email, name=email.split("@")[0].replace("-", " ").title(), password_hash="-")
    found.roles = roles
    found.departments = list(departments)
    found.set_password(PASSWORD)
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def away(people, catalog):
    """The demo's lawyer (every branch) is away; a lawyer of Novosibirsk alone stands in for her. One request in
    legal review in each of their branches."""
    stand_in = person("stand-in@example.com", Role.LAWYER, departments=[catalog["department"]("Novosibirsk")])
    lawyer = people["lawyer"]
    set_absence(lawyer, starts_on=FIRST_DAY, ends_on=LAST_DAY, delegate_id=stand_in.id, now=SET_ON)
    db.session.commit()
    shared = request_in(LEGAL_REVIEW, people, catalog, city="Novosibirsk")
    hers_only = request_in(LEGAL_REVIEW, people, catalog, city="Samara")
    return {"lawyer": lawyer, "stand_in": stand_in, "shared": shared, "hers_only": hers_only}


def ids(requests) -> set[int]:
    return {r.id for r in requests}


def test_the_delegate_gets_the_absent_lawyers_tasks_for_her(away):
    stand_in, lawyer, hers_only, shared = away["stand_in"], away["lawyer"], away["hers_only"], away["shared"]
    assert principals_of(stand_in, DURING) == [lawyer]
    assert [a.user for a in active_absences(DURING)] == [lawyer]
    during = ids(tasks_for(stand_in, DURING))
    # Samara is a branch only the absent lawyer sees: its task is the delegate's now, as hers.
    assert {hers_only.id, shared.id} <= during
    assert during == ids(tasks_for(stand_in, BEFORE)) | ids(tasks_for(lawyer, DURING))
    assert task_for_whom(hers_only, stand_in, [lawyer]) == lawyer
    assert task_for_whom(shared, stand_in, [lawyer]) is None  # her own task too: not "for" anyone
    assert task_actions(hers_only, stand_in, [lawyer]) == task_actions(hers_only, lawyer, [])
    assert hers_only.id not in ids(tasks_for(stand_in, BEFORE))


def test_a_decision_for_the_absent_lawyer_is_audited_as_for_her(away):
    stand_in, lawyer, request = away["stand_in"], away["lawyer"], away["hers_only"]
    event = apply_action(request, "approve_contracts", stand_in, {"comment": "Fine"}, now=DURING)
    db.session.commit()
    assert request.state == "legal_approved"
    assert event.actor == "stand-in@example.com for lawyer@example.com"
    assert event.actor_id == stand_in.id
    assert event.data["on_behalf_of"] == {"id": lawyer.id, "email": "lawyer@example.com"}
    # On a request of her own branches she decides for herself.
    own = apply_action(away["shared"], "approve_contracts", stand_in, {"comment": ""}, now=DURING)
    assert own.actor == "stand-in@example.com" and own.data is None


def test_outside_the_absence_nothing_changes(away):
    stand_in, lawyer, request = away["stand_in"], away["lawyer"], away["hers_only"]
    for moment in (BEFORE, AFTER):
        assert principals_of(stand_in, moment) == [] and active_absences(moment) == []
        assert request.id not in ids(tasks_for(stand_in, moment))
        assert request.id in ids(tasks_for(lawyer, moment))
        assert lawyer in next_actors(request, moment) and stand_in not in next_actors(request, moment)
        with pytest.raises(NotFound):
            apply_action(request, "approve_contracts", stand_in, {"comment": ""}, now=moment)
    assert request.state == LEGAL_REVIEW
    assert principals_of(stand_in, datetime(2026, 7, 17, 20, 0)) == [lawyer]  # 23:00 in Moscow, the last day


def test_a_delegate_decides_nothing_on_a_request_they_created_or_whose_budget_they_approved(people, catalog):
    """Counsel, of Samara alone, stands in for the lawyer and for the project lead, both away."""
    samara = catalog["department"]("Samara")
    counsel = person("counsel@example.com", Role.REQUESTER, Role.APPROVER, Role.LAWYER, departments=[samara])
    for absent in (people["lawyer"], people["approver"]):
        set_absence(absent, starts_on=FIRST_DAY, ends_on=LAST_DAY, delegate_id=counsel.id, now=SET_ON)
    db.session.commit()
    own = new_request(people, catalog, city="Samara", creator=counsel)
    walk(own, MAIN_PATH[:3], people)
    budget = new_request(people, catalog, city="Novosibirsk")
    apply_action(budget, "submit", budget.created_by, {"comment": ""})
    approved = apply_action(budget, "approve", counsel, {"comment": ""}, now=DURING)
    assert approved.actor == "counsel@example.com for approver@example.com"
    db.session.commit()
    walk(budget, [("step", "draft_contracts")], people)
    other = request_in(LEGAL_REVIEW, people, catalog, city="Novosibirsk")

    # All three are the absent lawyer's tasks; in Novosibirsk only through her.
    assert {own.id, budget.id, other.id} <= ids(tasks_for(people["lawyer"], DURING))
    mine = ids(tasks_for(counsel, DURING))
    assert other.id in mine and own.id not in mine
    assert task_for_whom(other, counsel, [people["lawyer"]]) == people["lawyer"]
    with pytest.raises(Forbidden, match="their own request"):
        apply_action(own, "approve_contracts", counsel, {"comment": ""}, now=DURING)
    assert task_actions(budget, counsel, [people["lawyer"]]) == ["request_changes", "reject"]
    with pytest.raises(Forbidden, match="approved the budget"):
        apply_action(budget, "approve_contracts", counsel, {"comment": ""}, now=DURING)
    assert counsel not in next_actors(own, DURING) and people["lawyer"] not in next_actors(own, DURING)


def test_the_absent_lawyers_task_mails_go_to_the_delegate(away, people, catalog):
    stand_in, lawyer = away["stand_in"], away["lawyer"]
    assert next_actors(away["hers_only"], DURING) == {stand_in: ["approve_contracts", "request_changes", "reject"]}
    # Through the outbox, when a request reaches legal review now: the absence spans today.
    today = today_in(accounting_time_zone())  # the lawyer's days: she works for no one branch
    set_absence(lawyer, starts_on=today - timedelta(days=2), ends_on=today + timedelta(days=2),
                delegate_id=stand_in.id)
    db.session.commit()
    request = request_in(LEGAL_REVIEW, people, catalog, city="Samara")
    told = db.session.scalars(db.select(OutgoingMail.to_address).filter_by(request_id=request.id, kind=TASK)).all()
    assert "stand-in@example.com" in told and "lawyer@example.com" not in told


def test_a_delegate_without_the_role_is_refused(people):
    with pytest.raises(InvalidInput) as refused:
        set_absence(people["lawyer"], starts_on=FIRST_DAY, ends_on=LAST_DAY, delegate_id=people["approver"].id,
                    now=SET_ON)
    assert set(refused.value.fields) == {"delegate_id"} and "lawyer" in refused.value.fields["delegate_id"]
    with pytest.raises(InvalidInput) as backwards:
        set_absence(people["lawyer"], starts_on=LAST_DAY, ends_on=FIRST_DAY, delegate_id=people["lawyer"].id,
                    now=SET_ON)
    assert set(backwards.value.fields) == {"delegate_id", "ends_on"}
    assert db.session.scalar(db.select(Absence)) is None


def sign_in(client, email: str) -> None:
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def test_my_tasks_and_the_api_show_the_absent_lawyers_tasks_for_her(client, away):
    stand_in, lawyer, hers_only, shared = away["stand_in"], away["lawyer"], away["hers_only"], away["shared"]
    today = today_in(accounting_time_zone())  # the lawyer's days: she works for no one branch
    set_absence(lawyer, starts_on=today - timedelta(days=2), ends_on=today + timedelta(days=2),
                delegate_id=stand_in.id)
    token = stand_in.issue_token()
    db.session.commit()
    sign_in(client, "stand-in@example.com")
    page = client.get("/").text
    rows = dict(re.findall(r'data-task="(\d+)">(.*?)</tr>', page, re.S))
    assert {str(hers_only.id), str(shared.id)} <= set(rows)
    assert f'data-for="{lawyer.id}"' in rows[str(hers_only.id)] and "for Lena Lawyer" in rows[str(hers_only.id)]
    assert "data-for" not in rows[str(shared.id)]

    tasks = {t["request_id"]: t for t in client.get("/api/v1/tasks?per_page=100", headers=auth(token)).json}
    assert tasks[hers_only.id]["on_behalf_of"] == "lawyer@example.com"
    assert tasks[hers_only.id]["actions"] == ["approve_contracts", "request_changes", "reject"]
    assert "on_behalf_of" not in tasks[shared.id]
    # The request page offers her decisions; the API takes one and the history says for whom.
    assert "Approve contracts" in client.get(f"/requests/{hers_only.id}").text
    decided = client.post(f"/api/v1/requests/{hers_only.id}/actions/approve_contracts", json={"comment": "Fine"},
                          headers=auth(token))
    assert decided.status_code == 200
    assert decided.json["history"][-1]["actor"] == "stand-in@example.com for lawyer@example.com"


def test_an_absence_is_set_and_cleared_on_my_account(client, people, catalog):
    stand_in = person("stand-in@example.com", Role.LAWYER)
    sign_in(client, "lawyer@example.com")
    page = client.get("/account/").text
    assert 'id="absence"' in page and "Stand In (stand-in@example.com)" in page
    assert "Artem Approver" not in page  # no role in common
    today = today_in(accounting_time_zone())  # the lawyer's days: she works for no one branch
    refused = client.post("/account/absence", data={
        "starts_on": today.isoformat(), "ends_on": today.isoformat(), "delegate_id": people["approver"].id})
    assert refused.status_code == 422
    assert "Choose another active colleague who holds the role(s) Lawyer." in refused.text
    saved = client.post("/account/absence", follow_redirects=True, data={
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=3)).isoformat(), "delegate_id": stand_in.id})
    assert "Absence saved: Stand In takes your tasks" in saved.text and "data-absence" in saved.text
    absence = db.session.scalar(db.select(Absence))
    assert (absence.user, absence.delegate, absence.ends_on) == (people["lawyer"], stand_in, today + timedelta(days=3))
    russian = client.get("/account/", headers={"Accept-Language": "ru"}).text
    assert "Отсутствие" in russian
    cleared = client.post("/account/absence/clear", follow_redirects=True)
    assert "Absence cleared" in cleared.text and db.session.scalar(db.select(Absence)) is None
    assert not clear_absence(people["lawyer"])
