"""The machine steps. Each takes a request id, works only if the request is still in a state it
serves, records what it made and applies its machine action in one transaction. Running a step
twice changes nothing the second time.
"""
from datetime import date
from typing import Callable

from models import CarrierOrder, Conflict, NumberRequest
from models.choices import DocumentKind
from models.lifecycle import STATES, apply_action

from .adapters import carrier_adapter, pbx_adapter
from .documents import build_context, store_document
from .runtime import database


def _advance(request_id: int, step: str, work: Callable[[NumberRequest, str], str]) -> str:
    with database() as session:
        request = session.get(NumberRequest, request_id)
        if request is None or STATES[request.state].machine_step != step:
            return f"request {request_id}: nothing to do for {step}"
        made_by = f"workflow:{step}"
        try:
            action = work(request, made_by)
            apply_action(request, action, None, actor_label=made_by)
            session.commit()
        except Conflict:
            session.rollback()
            return f"request {request_id}: another run of {step} got there first"
        except Exception:
            session.rollback()
            raise
        return f"{request.reference}: {action}"


def _draft(request: NumberRequest, made_by: str) -> str:
    context = build_context(request, date.today())
    for kind in request.contract_kinds():
        store_document(request, kind, context, made_by)
    return "contracts_drafted"


def _protocol(request: NumberRequest, made_by: str) -> str:
    if request.protocol_round():
        store_document(request, DocumentKind.DISAGREEMENT_PROTOCOL, build_context(request, date.today()), made_by)
    return "protocol_drafted"


def _order(request: NumberRequest, made_by: str) -> str:
    if request.order is None:
        key = f"numberdesk-order-{request.id}"
        reference = carrier_adapter(request).place_order(request, key, made_by)
        request.order = CarrierOrder(carrier_id=request.carrier_id, adapter=request.carrier.adapter,
                                     idempotency_key=key, external_ref=reference)
    return "order_placed"


def _attach(request: NumberRequest, made_by: str) -> str:
    pbx_adapter(request).request_attachment(request, made_by)
    return "attachment_requested"


def _verify(request: NumberRequest, made_by: str) -> str:
    pbx_adapter(request).request_verification(request, made_by)
    return "verification_requested"


def draft_contracts(request_id: int) -> str:
    return _advance(request_id, "draft_contracts", _draft)


def draft_protocol(request_id: int) -> str:
    return _advance(request_id, "draft_protocol", _protocol)


def place_carrier_order(request_id: int) -> str:
    return _advance(request_id, "place_carrier_order", _order)


def attach_to_pbx(request_id: int) -> str:
    return _advance(request_id, "attach_to_pbx", _attach)


def verify_number(request_id: int) -> str:
    return _advance(request_id, "verify_number", _verify)


STEPS: dict[str, Callable[[int], str]] = {
    "draft_contracts": draft_contracts,
    "draft_protocol": draft_protocol,
    "place_carrier_order": place_carrier_order,
    "attach_to_pbx": attach_to_pbx,
    "verify_number": verify_number,
}
assert set(STEPS) == {s.machine_step for s in STATES.values() if s.machine_step}
