"""Four eyes at every decision: nobody decides on a request they created or submitted, and the budget and the
contracts of one request are approved by two different people, whatever roles one person holds."""
import pytest

from lifecycle_helpers import payload_for, walk
from models import Department, Forbidden, User, db
from models.choices import Role
from models.lifecycle import (CHANGES_REQUESTED, LEGAL_APPROVED, LEGAL_REVIEW, allowed_actions, apply_action,
                              open_request)
from workflows import steps

DECISIONS_OF_A_LAWYER = {
    LEGAL_REVIEW: ["approve_contracts", "request_changes", "reject"],
    CHANGES_REQUESTED: ["carrier_response"],
    LEGAL_APPROVED: ["record_signature"],
}


def person(email: str, *roles: str, branch: Department | None = None) -> User:
    found = User(email=email, name=email.split("@")[0])
    found.roles = roles
    found.set_password("correct horse battery")
    if branch:
        found.departments = [branch]
    db.session.add(found)
    db.session.commit()
    return found


def own_request(creator: User, catalog):
    created = open_request(creator, department_id=catalog["department"]("Novosibirsk").id, number_type="local",
                           quantity=1, purpose="Showroom line", carrier_id=catalog["carrier"]("TransTelecom Direct").id,
                           pbx_id=catalog["pbx"]("Office Asterisk").id)
    db.session.commit()
    return created


PATH_TO = {
    LEGAL_REVIEW: [("creator", "submit"), ("approver", "approve"), ("step", "draft_contracts")],
    CHANGES_REQUESTED: [("creator", "submit"), ("approver", "approve"), ("step", "draft_contracts"),
                        ("lawyer", "request_changes"), ("step", "draft_protocol")],
    LEGAL_APPROVED: [("creator", "submit"), ("approver", "approve"), ("step", "draft_contracts"),
                     ("lawyer", "approve_contracts")],
}


@pytest.mark.parametrize("state, action", [(s, a) for s, actions in DECISIONS_OF_A_LAWYER.items() for a in actions])
def test_a_requester_who_is_also_a_lawyer_takes_no_legal_decision_on_their_own_request(
        state, action, people, catalog):
    both = person("both@example.com", Role.REQUESTER, Role.LAWYER, branch=catalog["department"]("Novosibirsk"))
    request = own_request(both, catalog)
    walk(request, PATH_TO[state], {**people, "creator": both})
    assert request.state == state
    assert action not in allowed_actions(request, both)
    with pytest.raises(Forbidden, match="own request"):
        apply_action(request, action, both, payload_for(action, request))
    db.session.rollback()
    # Another lawyer may take the same decision.
    assert action in allowed_actions(request, people["lawyer"])


def test_the_budget_approver_does_not_approve_the_contracts_too(people, catalog):
    approver_and_lawyer = person("two-hats@example.com", Role.APPROVER, Role.LAWYER)
    request = own_request(people["requester"], catalog)
    walk(request, [("requester", "submit")], people)
    apply_action(request, "approve", approver_and_lawyer, {"comment": "In budget"})
    db.session.commit()
    assert request.approved_by_id == approver_and_lawyer.id
    steps.draft_contracts(request.id)
    db.session.refresh(request)
    assert request.state == LEGAL_REVIEW
    assert "approve_contracts" not in allowed_actions(request, approver_and_lawyer)
    with pytest.raises(Forbidden, match="approved the budget"):
        apply_action(request, "approve_contracts", approver_and_lawyer, {})
    db.session.rollback()
    apply_action(request, "approve_contracts", people["lawyer"], {})
    db.session.commit()
    assert request.state == LEGAL_APPROVED
    decided_by = {event.action: event.actor for event in request.events}
    assert decided_by["approve"] != decided_by["approve_contracts"]


def test_the_submitter_is_held_to_four_eyes_like_the_creator(people, catalog):
    request = own_request(people["requester"], catalog)
    walk(request, [("requester", "submit")], people)
    request.submitted_by = people["approver"]  # submitted on the creator's behalf
    db.session.commit()
    assert "approve" not in allowed_actions(request, people["approver"])
    with pytest.raises(Forbidden):
        apply_action(request, "approve", people["approver"], {})
