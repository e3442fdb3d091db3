"""Moving a test request along its life, the way people and the workflows would."""
from datetime import date
from itertools import count

from models import NumberRequest, db
from models.pbx import ATTACHMENT_CHECKLIST
from models.lifecycle import (ACTIVE, ATTACHING, CHANGES_REQUESTED, DRAFT, LEGAL_APPROVED, LEGAL_REVIEW, ORDERED,
                              SUBMITTED, VERIFYING, apply_action, open_request)
from workflows import steps

_numbers = count(1)


def fresh_numbers(quantity: int = 1) -> list[str]:
    return [f"+7383{2000000 + next(_numbers):07d}" for _ in range(quantity)]


def payload_for(action: str, request: NumberRequest) -> dict:
    return {
        "reject": {"comment": "Not needed"},
        "cancel": {"comment": "No longer needed"},
        "request_changes": {"comment": "Clause 5: price changes need 60 days' notice"},
        "carrier_response": {"accepted": True},
        "record_signature": {"signed_on": date.today().isoformat()},
        "confirm_verification": {"comment": "Test call answered"},
        "confirm_attachment": {"checklist": list(ATTACHMENT_CHECKLIST)},
        "confirm_order": {"numbers": fresh_numbers(request.quantity),
                          "trunk": {"type": "registration", "registrar": "sip.example.net", "username": "u1",
                                    "password": "secret"}},
    }.get(action, {"comment": ""})


# (who, what): a role takes an action, or "step" runs a machine step.
MAIN_PATH = [
    ("requester", "submit"), ("approver", "approve"), ("step", "draft_contracts"),
    ("lawyer", "approve_contracts"), ("lawyer", "record_signature"), ("step", "place_carrier_order"),
    ("sysadmin", "confirm_order"), ("step", "attach_to_pbx"), ("sysadmin", "confirm_attachment"),
    ("step", "verify_number"), ("sysadmin", "confirm_verification"),
]
CHANGES_PATH = MAIN_PATH[:3] + [("lawyer", "request_changes"), ("step", "draft_protocol")]
# The state a test request can be brought to, and the path that gets it there.
PATHS = {
    DRAFT: [], SUBMITTED: MAIN_PATH[:1], LEGAL_REVIEW: MAIN_PATH[:3], CHANGES_REQUESTED: CHANGES_PATH,
    LEGAL_APPROVED: MAIN_PATH[:4], ORDERED: MAIN_PATH[:6], ATTACHING: MAIN_PATH[:8], VERIFYING: MAIN_PATH[:10],
    ACTIVE: MAIN_PATH,
}


def new_request(people, catalog, *, city="Novosibirsk", carrier="TransTelecom Direct", pbx="Office Asterisk",
                creator=None, quantity=1) -> NumberRequest:
    department = catalog["department"](city)
    # The demo's requester@ works for Kazan alone, branches@ for every other branch.
    creator = creator or (people["kazan_requester"] if city == "Kazan" else people["requester"])
    request = open_request(creator, department_id=department.id,
                           number_type="local", quantity=quantity, purpose="Showroom line",
                           carrier_id=catalog["carrier"](carrier).id, pbx_id=catalog["pbx"](pbx).id)
    db.session.commit()
    return request


def walk(request: NumberRequest, path, people) -> NumberRequest:
    for who, what in path:
        if who == "step":
            steps.STEPS[what](request.id)
        else:
            # The requester of a path is whoever opened the request: only they may submit it.
            actor = request.created_by if who == "requester" else people[who]
            apply_action(request, what, actor, payload_for(what, request))
            db.session.commit()
        db.session.refresh(request)
    return request


def request_in(state: str, people, catalog, **kwargs) -> NumberRequest:
    return walk(new_request(people, catalog, **kwargs), PATHS[state], people)
