"""Every transition in the table, and every way one is refused."""
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from lifecycle_helpers import fresh_numbers, new_request, payload_for, request_in, walk
from models import AuditEvent, Conflict, Department, Forbidden, InvalidInput, NotFound, NumberRequest, User, access, db
from models.choices import Holder, NumberStatus, Role
from models.lifecycle import (ACTIVE, CANCELLED, CARRIER_REFUSED, DRAFT, LEGAL_APPROVED, LEGAL_REVIEW, REDRAFTING,
                              REJECTED, STATES, SUBMITTED, TRANSITIONS, allowed_actions, apply_action, open_request,
                              tasks_for)
from models.time_zones import today_in

HUMAN = [t for t in TRANSITIONS.values() if not t.is_machine]
# States a test can park a request in (machine states are passed through by the steps).
REACHABLE = {DRAFT, SUBMITTED, LEGAL_REVIEW, "changes_requested", "legal_approved", "ordered", "attaching",
             "verifying", ACTIVE}


def actor_for(transition, people):
    return people[sorted(transition.actor)[0]] if transition.action != "cancel" else people["requester"]


def events(request) -> int:
    return db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(request_id=request.id))


def test_table_is_complete():
    targets = {s for t in TRANSITIONS.values() for s in t.targets()}
    for state in STATES.values():
        outgoing = [t for (source, _), t in TRANSITIONS.items() if source == state.name]
        assert bool(outgoing) != state.final, state.name
        if state.name != DRAFT:
            assert state.name in targets, f"{state.name} cannot be reached"
        if state.machine_step:
            assert all(t.is_machine or t.action == "cancel" for t in outgoing)


# Calling a number again needs a PBX numberdesk test-calls: tests/test_pbx_workflow.py takes it.
@pytest.mark.parametrize("transition", [t for t in HUMAN if t.source in REACHABLE and t.action != "retry_verification"],
                         ids=lambda t: f"{t.source}-{t.action}")
def test_each_human_transition_moves_the_state_and_is_audited(transition, people, catalog):
    request = request_in(transition.source, people, catalog)
    actor = actor_for(transition, people)
    event = apply_action(request, transition.action, actor, payload_for(transition.action, request))
    db.session.commit()
    assert request.state in transition.targets()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        transition.action, transition.source, request.state, actor.email)
    assert request.events[-1].id == event.id


@pytest.mark.parametrize("transition", [t for t in HUMAN if t.source in REACHABLE],
                         ids=lambda t: f"{t.source}-{t.action}")
def test_each_human_transition_is_refused_without_its_role(transition, people, catalog):
    request = request_in(transition.source, people, catalog)
    before = events(request)
    with pytest.raises(Forbidden):
        apply_action(request, transition.action, people["accountant"], payload_for(transition.action, request))
    db.session.rollback()
    assert db.session.get(NumberRequest, request.id).state == transition.source
    assert events(request) == before


@pytest.mark.parametrize("action", sorted({t.action for t in HUMAN}))
def test_an_action_in_the_wrong_state_is_a_conflict(action, people, catalog):
    state = ACTIVE if action in ("submit", "cancel") else DRAFT
    request = request_in(state, people, catalog)
    with pytest.raises(Conflict):
        apply_action(request, action, people["admin"], payload_for(action, request))


def test_unknown_action_is_not_found(people, catalog):
    with pytest.raises(NotFound):
        apply_action(new_request(people, catalog), "teleport", people["requester"])


@pytest.mark.parametrize("action", sorted({t.action for t in TRANSITIONS.values() if t.is_machine}))
def test_people_cannot_take_machine_actions(action, people, catalog):
    source = next(t.source for t in TRANSITIONS.values() if t.action == action)
    request = new_request(people, catalog)
    request.state = source
    db.session.commit()
    for person in people.values():
        # Whoever may not see the request (the Kazan requester) is told it does not exist.
        with pytest.raises(Forbidden if access.may_see_request(person, request) else NotFound):
            apply_action(request, action, person, {})


def test_the_machine_cannot_take_peoples_actions(people, catalog):
    with pytest.raises(Forbidden):
        apply_action(new_request(people, catalog), "submit", None)


def _person(email, *roles, branches=("Novosibirsk",)) -> User:
    """A new user working for `branches` (cities; the test requests' default branch)."""
    person = User(email=email, name=email)
    person.roles = roles
    person.departments = db.session.scalars(db.select(Department).where(Department.city.in_(branches))).all()
    person.set_password("password123")
    db.session.add(person)
    db.session.commit()
    return person


def test_nobody_approves_their_own_request(people, catalog):
    lead = _person("lead@example.com", Role.REQUESTER, Role.APPROVER)
    request = new_request(people, catalog, creator=lead)
    apply_action(request, "submit", lead)
    db.session.commit()
    assert "approve" not in allowed_actions(request, lead)
    for action in ("approve", "reject"):
        with pytest.raises(Forbidden, match="own request"):
            apply_action(request, action, lead, {"comment": "fine by me"})
    assert request not in tasks_for(lead)
    assert request in tasks_for(people["approver"])


def test_a_lawyer_cannot_approve_contracts_of_their_own_request(people, catalog):
    counsel = _person("counsel@example.com", Role.REQUESTER, Role.LAWYER)
    request = walk(new_request(people, catalog, creator=counsel),
                   [("counsel", "submit"), ("approver", "approve"), ("step", "draft_contracts")],
                   {**people, "counsel": counsel})
    assert request.state == LEGAL_REVIEW
    with pytest.raises(Forbidden):
        apply_action(request, "approve_contracts", counsel)


def test_only_the_creator_submits(people, catalog):
    other = _person("other@example.com", Role.REQUESTER)
    request = new_request(people, catalog)
    with pytest.raises(Forbidden):
        apply_action(request, "submit", other)
    with pytest.raises(Forbidden):
        apply_action(request, "cancel", other, {"comment": "not mine"})


def test_an_approver_may_cancel_until_the_number_is_active(people, catalog):
    request = request_in("legal_approved", people, catalog)
    apply_action(request, "cancel", people["approver"], {"comment": "Budget cut"})
    db.session.commit()
    assert request.state == CANCELLED
    attaching = request_in("attaching", people, catalog)
    apply_action(attaching, "cancel", people["approver"], {"comment": "The branch closes"})
    db.session.commit()
    # The carrier's numbers go back: they are no longer the company's to pay for.
    assert attaching.state == CANCELLED and {n.status for n in attaching.numbers} == {"disconnected"}
    active = request_in("active", people, catalog)
    with pytest.raises(Conflict):
        apply_action(active, "cancel", people["approver"], {"comment": "too late: disconnect the number instead"})


def test_a_stale_version_is_a_conflict(people, catalog):
    request = request_in(SUBMITTED, people, catalog)
    with pytest.raises(Conflict, match="changed since"):
        apply_action(request, "approve", people["approver"], expected_version=request.version - 1)
    apply_action(request, "approve", people["approver"], expected_version=request.version)


def test_a_concurrent_decision_is_a_conflict_not_an_overwrite(people, catalog):
    request = request_in(SUBMITTED, people, catalog)
    # Another process decides first, between our read and our write.
    with db.engine.begin() as other:
        other.execute(update(NumberRequest).where(NumberRequest.id == request.id)
                      .values(state=REJECTED, version=NumberRequest.version + 1))
    with pytest.raises(Conflict):
        apply_action(request, "approve", people["approver"])
    assert db.session.get(NumberRequest, request.id).state == REJECTED


@pytest.mark.parametrize("action,payload,field", [
    ("reject", {}, "comment"),
    ("reject", {"comment": "   "}, "comment"),
    ("reject", {"comment": 5}, "comment"),
    ("cancel", {}, "comment"),
])
def test_decisions_that_need_a_reason_refuse_without_one(action, payload, field, people, catalog):
    request = request_in(SUBMITTED, people, catalog)
    actor = people["approver"]
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, action, actor, payload)
    assert field in refused.value.fields
    assert request.state == SUBMITTED


@pytest.mark.parametrize("payload", [{}, {"signed_on": "yesterday"}, {"signed_on": "2026-02-30"},
                                     {"signed_on": (date.today() + timedelta(days=1)).isoformat()}])
def test_signature_needs_a_real_past_date(payload, people, catalog):
    request = request_in("legal_approved", people, catalog)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "record_signature", people["lawyer"], payload)
    assert set(refused.value.fields) == {"signed_on"}


@pytest.mark.parametrize("payload,field", [({"accepted": "yes"}, "accepted"), ({"accepted": 1}, "accepted"),
                                           ({}, "answers"), ({"accepted": True, "answers": []}, "accepted")])
def test_carrier_response_needs_an_answer(payload, field, people, catalog):
    request = request_in("changes_requested", people, catalog)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "carrier_response", people["lawyer"], payload)
    assert field in refused.value.fields


def test_carrier_response_branches(people, catalog):
    accepted = request_in("changes_requested", people, catalog)
    apply_action(accepted, "carrier_response", people["lawyer"], {"accepted": True})
    refused = request_in("changes_requested", people, catalog)
    apply_action(refused, "carrier_response", people["lawyer"], {"accepted": False, "comment": "They refused"})
    assert (accepted.state, refused.state) == (REDRAFTING, CARRIER_REFUSED)


TRUNK = {"type": "registration", "registrar": "sip.example.net", "username": "u", "password": "p"}


@pytest.mark.parametrize("payload,fields", [
    ({"trunk": TRUNK}, {"numbers"}),
    ({"numbers": ["8 843 200 00 01"], "trunk": TRUNK}, {"numbers"}),
    ({"numbers": ["+7123"], "trunk": TRUNK}, {"numbers"}),
    ({"numbers": ["+74951234567"], "trunk": TRUNK}, {"numbers"}),  # already in the demo inventory
    ({"numbers": ["+73832999001", "+73832999002"], "trunk": TRUNK}, {"numbers"}),  # one was asked for
    ({"numbers": ["+73832999001"]}, {"trunk"}),
    ({"numbers": ["+73832999001"], "trunk": {"type": "carrier pigeon"}}, {"trunk.type"}),
    ({"numbers": ["+73832999001"], "trunk": {"type": "registration", "registrar": "x"}},
     {"trunk.username", "trunk.password"}),
    ({"numbers": ["+73832999001"], "trunk": {"type": "ip", "addresses": []}}, {"trunk.addresses"}),
])
def test_order_confirmation_validates_numbers_and_trunk(payload, fields, people, catalog):
    request = request_in("ordered", people, catalog)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "confirm_order", people["sysadmin"], payload)
    assert set(refused.value.fields) == fields
    db.session.rollback()
    assert db.session.get(NumberRequest, request.id).numbers == []


def test_numbers_follow_the_request_and_the_pbx_decides_the_holder(people, catalog):
    direct = request_in(ACTIVE, people, catalog)
    assert [(n.status, n.holder, n.activated_on) for n in direct.numbers] == [
        (NumberStatus.ACTIVE, Holder.DIRECT, today_in(direct.carrier.billing_time_zone))]  # the carrier's day
    through_vendor = request_in("attaching", people, catalog, pbx="CloudPBX Pro")
    assert [(n.status, n.holder) for n in through_vendor.numbers] == [(NumberStatus.ASSIGNED, Holder.INTERMEDIARY)]


def test_the_audit_trail_keeps_no_trunk_password(people, catalog):
    request = request_in("attaching", people, catalog)
    confirmation = next(e for e in request.events if e.action == "confirm_order")
    assert confirmation.data["trunk"] == {"type": "registration", "registrar": "sip.example.net", "username": "u1"}
    # The order keeps the password, encrypted and apart from the settings.
    assert "password" not in request.order.trunk and "secret" not in request.order.trunk_secret
    assert request.order.trunk_password() == "secret"


@pytest.mark.parametrize("fields,bad", [
    ({"quantity": 0}, "quantity"), ({"quantity": 101}, "quantity"), ({"quantity": "2"}, "quantity"),
    ({"number_type": "satellite"}, "number_type"), ({"purpose": " "}, "purpose"),
    ({"department_id": 9999}, "department_id"), ({"carrier_id": None}, "carrier_id"),
])
def test_opening_a_request_validates_every_field(fields, bad, people, catalog):
    base = {"department_id": catalog["department"]("Kazan").id, "number_type": "local", "quantity": 1,
            "purpose": "Main line", "carrier_id": catalog["carrier"]("VolgaLink").id,
            "pbx_id": catalog["pbx"]("Office Asterisk").id}
    with pytest.raises(InvalidInput) as refused:
        open_request(people["kazan_requester"], **{**base, **fields})
    assert set(refused.value.fields) == {bad}


def test_a_carrier_must_serve_the_branchs_city(people, catalog):
    with pytest.raises(InvalidInput, match="not valid") as refused:
        new_request(people, catalog, city="Kazan", carrier="Nordtel", creator=people["kazan_requester"])
    assert "does not serve Kazan" in refused.value.fields["carrier_id"]


def test_only_requesters_open_requests(people, catalog):
    with pytest.raises(Forbidden):
        new_request(people, catalog, creator=people["approver"])


def test_tasks_are_what_waits_for_my_roles_oldest_first(people, catalog):
    first = request_in(SUBMITTED, people, catalog)
    second = request_in(SUBMITTED, people, catalog)
    approver_tasks = tasks_for(people["approver"])
    assert approver_tasks.index(first) < approver_tasks.index(second)
    assert all(r.state == SUBMITTED for r in approver_tasks)
    draft = new_request(people, catalog)
    assert draft in tasks_for(people["requester"]) and draft not in approver_tasks
    assert tasks_for(people["accountant"]) == []


def test_allowed_actions_come_from_the_table(people, catalog):
    review = request_in(LEGAL_REVIEW, people, catalog)
    assert sorted(allowed_actions(review, people["lawyer"])) == ["approve_contracts", "reject", "request_changes"]
    assert allowed_actions(review, people["sysadmin"]) == []
    assert allowed_actions(review, people["approver"]) == ["cancel"]


def test_fresh_numbers_are_valid():
    from models import normalise_e164
    assert all(normalise_e164(n) == n for n in fresh_numbers(3))


def test_the_readme_shows_the_table_as_it_is():
    from models.db import PROJECT_ROOT
    from models.lifecycle import mermaid_diagram
    assert f"```mermaid\n{mermaid_diagram()}\n```" in (PROJECT_ROOT / "README.md").read_text()


@pytest.mark.parametrize("items,fields", [
    ("4.2", {"items"}),
    ([{"clause": "4.2", "carrier_wording": "x"}], {"items[0].our_wording"}),
    ([{"clause": "", "carrier_wording": "x", "our_wording": "y"}, 7], {"items[0].clause", "items[1]"}),
    ([{"clause": "4" * 41, "carrier_wording": "x", "our_wording": "y"}], {"items[0].clause"}),
])
def test_protocol_items_are_validated(items, fields, people, catalog):
    request = request_in(LEGAL_REVIEW, people, catalog)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "request_changes", people["lawyer"], {"comment": "see items", "items": items})
    assert set(refused.value.fields) == fields


def test_the_agreed_wording_of_an_accepted_item_is_ours(people, catalog):
    request = request_in(LEGAL_REVIEW, people, catalog)
    apply_action(request, "request_changes", people["lawyer"], {"comment": "c", "items": [
        {"clause": "1", "carrier_wording": "a", "our_wording": "b"}]})
    request.state = "changes_requested"
    apply_action(request, "carrier_response", people["lawyer"], {"accepted": True})
    assert [(item.answer, item.agreed_wording) for item in request.protocol_items()] == [("accepted", "b")]


def test_a_signature_needs_a_tariff_in_force_on_its_day(people, catalog):
    request = request_in(LEGAL_APPROVED, people, catalog)
    first_tariff = min(tariff.valid_from for tariff in request.carrier.tariffs)
    with pytest.raises(InvalidInput) as refused:
        apply_action(request, "record_signature", people["lawyer"],
                     {"signed_on": (first_tariff - timedelta(days=1)).isoformat()})
    assert refused.value.fields == {"signed_on": "the carrier has no tariff in force on that day"}
