"""The JSON API's inventory of numbers."""
from flask import g

from models import PhoneNumber
from models.pbx import last_test_call

from ..api import inputs, schemas
from ..api.operations import operation, page_of, page_reply, query
from ..core.access_rules import SIGNED_IN, rule
from .views import inventory_query


def number_data(n: PhoneNumber) -> dict:
    return {"e164": n.e164, "national": n.national, "department_id": n.department_id,
            "department": n.department.name, "carrier_id": n.carrier_id, "carrier": n.carrier.name,
            "holder": n.holder, "lock_in_risk": n.is_lock_in_risk, "pbx_id": n.pbx_id,
            "pbx": n.pbx.name if n.pbx else None, "status": n.status, "request_id": n.request_id,
            "activated_on": n.activated_on, "last_test_call": test_call_data(n)}


def test_call_data(n: PhoneNumber) -> dict | None:
    call = last_test_call(n)
    if call is None:
        return None
    return {"result": "passed" if call.passed else "failed", "sip_status": call.sip_status, "at": call.at,
            "detail": call.detail}


@rule(SIGNED_IN)
@operation("The numbers inventory of the branches you see, by city and number", query=inputs.NumberFilter,
           replies=[page_reply(schemas.Number, "One page of numbers")])
def numbers():
    filters = query().model_dump(include={"holder", "status", "q"}, exclude_none=True)
    return page_of(inventory_query(filters, g.api_user), number_data)
