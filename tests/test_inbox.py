"""My tasks as one query: the same answer as checking each waiting request's transitions in Python, one page at a
time, filtered by branch, stage and overdue, soonest due first; and GET /api/v1/tasks."""
import re
from datetime import datetime

import pytest
from sqlalchemy import event

from models import NumberRequest, User, access, db
from models.choices import Role
from models.lifecycle import (GUARD_CONDITIONS, LEGAL_REVIEW, SUBMITTED, TRANSITIONS, allowed_transitions, apply_action,
                              task_actions, task_query, tasks_for)

from conftest import auth, login
from lifecycle_helpers import CHANGES_PATH, new_request, request_in, walk

PAST = datetime(2000, 1, 1)
FUTURE = datetime(2999, 1, 1)


def tasks_checked_in_python(user: User) -> set[int]:
    """What tasks_for answered before it was a query: every visible request with a task this user may take."""
    states = {t.source for t in TRANSITIONS.values() if t.is_task and not t.is_machine and user.has_role(*t.actor)}
    waiting = db.session.scalars(access.visible_requests(user).where(NumberRequest.state.in_(states)))
    return {r.id for r in waiting if any(t.is_task for t in allowed_transitions(r, user))}


def person(email: str, *roles: str, departments=()) -> User:
    found = User(email=email, name=email.split("@")[0].title(), password_hash="-")
    found.roles = roles
    found.departments = list(departments)
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def guarded(people, catalog):
    """Requests where each guard of a task matters, and the people with two roles whom the guards stop."""
    lead_counsel = person("lead-counsel@example.com", Role.APPROVER, Role.LAWYER)
    asking_lead = person("asking-lead@example.com", Role.REQUESTER, Role.APPROVER,
                         departments=[catalog["department"]("Samara")])
    own = new_request(people, catalog, city="Samara", creator=asking_lead)
    walk(own, [("requester", "submit")], people)  # asking-lead's own: not their approval
    budget = new_request(people, catalog)
    apply_action(budget, "submit", budget.created_by, {"comment": ""})
    apply_action(budget, "approve", lead_counsel, {"comment": ""})  # lead-counsel approved the budget
    db.session.commit()
    walk(budget, [("step", "draft_contracts")], people)
    escalated = walk(new_request(people, catalog), CHANGES_PATH, people)
    apply_action(escalated, "carrier_response", people["lawyer"], {"refused": True, "comment": ""})
    apply_action(escalated, "escalate_risk", lead_counsel, {"comment": "Their penalties are capped anyway"})
    db.session.commit()
    return {"lead_counsel": lead_counsel, "asking_lead": asking_lead, "own": own, "budget": budget,
            "escalated": escalated}


def test_every_guard_of_a_task_has_its_sql_condition():
    guards = {t.guard for t in TRANSITIONS.values() if t.is_task and not t.is_machine and t.guard}
    assert guards <= set(GUARD_CONDITIONS)


def test_the_query_answers_what_the_transitions_say_for_everybody(people, catalog, guarded):
    for state in (SUBMITTED, LEGAL_REVIEW, "legal_approved", "ordered", "attaching", "verifying"):
        request_in(state, people, catalog)
    everybody = db.session.scalars(db.select(User)).all()
    assert len(everybody) >= 9
    for user in everybody:
        expected = tasks_checked_in_python(user)
        assert {r.id for r in tasks_for(user)} == expected, user.email
    # A guard that stops somebody takes the request out of their tasks, or only its action.
    assert guarded["own"].id not in {r.id for r in tasks_for(guarded["asking_lead"])}
    assert guarded["own"].id in {r.id for r in tasks_for(people["approver"])}
    assert "approve_contracts" not in task_actions(guarded["budget"], guarded["lead_counsel"])
    assert "approve_contracts" in task_actions(guarded["budget"], people["lawyer"])
    assert guarded["escalated"].state == "risk_acceptance"
    assert task_actions(guarded["escalated"], guarded["lead_counsel"]) == ["reject"]
    assert task_actions(guarded["escalated"], people["approver"]) == ["accept_risk", "reject"]


def test_each_guards_condition_refuses_what_the_guard_refuses(people, catalog, guarded):
    """Per transition, user and request in its state: the SQL condition holds exactly when the guard lets it."""
    for state in ("verifying", SUBMITTED):
        request_in(state, people, catalog)
    compared = 0
    for user in db.session.scalars(db.select(User)).all():
        for transition in TRANSITIONS.values():
            if not transition.is_task or transition.is_machine or not transition.guard:
                continue
            waiting = db.session.scalars(db.select(NumberRequest).where(NumberRequest.state == transition.source))
            let_through = {r.id for r in waiting if transition.guard(r, user) is None}
            selected = db.session.scalars(db.select(NumberRequest.id).where(
                NumberRequest.state == transition.source, GUARD_CONDITIONS[transition.guard](user)))
            assert set(selected) == let_through, (user.email, transition.action)
            compared += 1
    assert compared > 50
    # Among them, the ones where the guard refuses.
    assert guarded["budget"].id not in set(db.session.scalars(db.select(NumberRequest.id).where(
        GUARD_CONDITIONS[TRANSITIONS[("legal_review", "approve_contracts")].guard](guarded["lead_counsel"]))))
    assert guarded["escalated"].id not in set(db.session.scalars(db.select(NumberRequest.id).where(
        GUARD_CONDITIONS[TRANSITIONS[("risk_acceptance", "accept_risk")].guard](guarded["lead_counsel"]))))


def test_tasks_come_soonest_due_first_and_those_without_a_deadline_last(people, catalog):
    late, soon = request_in(SUBMITTED, people, catalog), request_in(SUBMITTED, people, catalog)
    late.due_at, soon.due_at = FUTURE, PAST
    draft = new_request(people, catalog)
    db.session.commit()
    mine = tasks_for(people["requester"])
    assert mine[-1].due_at is None and draft in mine
    approvers = tasks_for(people["approver"])
    assert approvers.index(soon) < approvers.index(late)
    dues = [r.due_at for r in approvers]
    assert dues == sorted(dues, key=lambda due: (due is None, due or PAST))


@pytest.fixture
def many_waiting(app, people, catalog):
    """Twelve requests waiting for approval in Samara, three of them overdue."""
    app.config["PAGE_SIZE"] = 5
    made = [request_in(SUBMITTED, people, catalog, city="Samara") for _ in range(12)]
    for n, request in enumerate(made):
        request.due_at = PAST if n < 3 else FUTURE
    db.session.commit()
    return made


def count_loaded_requests():
    loaded = []
    listener = (NumberRequest, "load", lambda target, context: loaded.append(target.id))
    event.listen(*listener)
    return loaded, lambda: event.remove(*listener)


def test_my_tasks_is_one_page_loaded_from_the_database(client, many_waiting):
    login(client, "approver")
    for loaded_before in [obj for obj in db.session.identity_map.values() if isinstance(obj, NumberRequest)]:
        db.session.expunge(loaded_before)  # the requests the page needs are loaded afresh, and counted
    loaded, stop = count_loaded_requests()
    try:
        page = client.get("/").text
    finally:
        stop()
    rows = re.findall(r'data-task="(\d+)"', page)
    assert len(rows) == 5 and len(set(loaded)) == 5
    assert page.count("data-overdue") == 3  # the overdue ones come first
    assert "page=2" in page


def test_my_tasks_filters_by_branch_stage_and_overdue(client, people, catalog, many_waiting):
    legal = request_in(LEGAL_REVIEW, people, catalog, city="Novosibirsk")
    lead_counsel = person("lead-counsel@example.com", Role.APPROVER, Role.LAWYER)
    lead_counsel.set_password("numberdesk-demo")
    db.session.commit()
    client.post("/login", data={"email": "lead-counsel@example.com", "password": "numberdesk-demo"})
    samara = many_waiting[0].department_id
    shown = lambda query: set(map(int, re.findall(r'data-task="(\d+)"', client.get(f"/?{query}").text)))  # noqa
    overdue = shown("overdue=1")
    assert overdue == {r.id for r in many_waiting[:3]}
    assert legal.id in shown(f"stage=legal_review&department={legal.department_id}")
    assert shown(f"stage=approval&department={legal.department_id}") == set()
    assert shown(f"stage=approval&department={samara}&overdue=1") == overdue
    assert "No tasks match" in client.get(f"/?stage=signature&department={samara}").text


def test_the_api_lists_my_tasks_a_page_at_a_time(client, people, tokens, many_waiting):
    answer = client.get("/api/v1/tasks?per_page=4", headers=auth(tokens["approver"]))
    assert answer.status_code == 200
    tasks = answer.json
    total = int(answer.headers["X-Total-Count"])
    assert total == len(tasks_for(people["approver"])) and total >= 12
    assert len(tasks) == 4 and 'rel="next"' in answer.headers["Link"]
    first = tasks[0]
    assert set(first) == {"request_id", "reference", "actions", "due_at", "overdue"}
    assert first["overdue"] is True and first["due_at"] == "2000-01-01T00:00:00Z"
    assert first["actions"] == ["approve", "reject"]
    assert first["reference"] == f"NR-{first['request_id']:05d}"

    overdue = client.get("/api/v1/tasks?overdue=true&stage=approval", headers=auth(tokens["approver"])).json
    assert {t["request_id"] for t in overdue} == {r.id for r in many_waiting[:3]}
    not_overdue = client.get(f"/api/v1/tasks?overdue=false&department={many_waiting[0].department_id}",
                             headers=auth(tokens["approver"])).json
    assert not {t["request_id"] for t in not_overdue} & {r.id for r in many_waiting[:3]}
    assert all(t["overdue"] is False for t in not_overdue)


def test_the_api_refuses_an_unknown_stage(client, tokens):
    answer = client.get("/api/v1/tasks?stage=lunch", headers=auth(tokens["approver"]))
    assert answer.status_code == 422 and "stage" in answer.json["fields"]


def test_a_requester_gets_only_their_branches_tasks(client, people, catalog, tokens):
    kazan = new_request(people, catalog, city="Kazan", carrier="VolgaLink")
    other = new_request(people, catalog, city="Samara")
    mine = {t["request_id"] for t in client.get("/api/v1/tasks?per_page=200",
                                                headers=auth(tokens["kazan_requester"])).json}
    assert kazan.id in mine and other.id not in mine
    assert task_query(people["accountant"]) is not None and tasks_for(people["accountant"]) == []
