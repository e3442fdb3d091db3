"""The machine steps. Each takes a request id, works only if the request is still in a state it
serves, records what it made and applies its machine action in one transaction. Running a step
twice changes nothing the second time.

A document that cannot be made (a template that fails, or breaks the render limits, on this
request's data) is not a crash: the step records "the <kind> could not be made: <reason>" on the
request, leaves it in its state and returns. The request page and the admins show it; the sweeper
runs the step again, and the error is cleared once the step succeeds (after a corrected upload).
A PBX step that cannot succeed as things are (its settings, a branch's call distribution) is recorded the
same way. A PBX that cannot be reached is recorded too ("the PBX could not be reached: ..."), and the step
raises, so that the workflow retries it.
"""
import logging
from datetime import date
from typing import Callable

from models import CarrierOrder, Conflict, NumberRequest, TestCall, db
from models.choices import DocumentKind, PbxKind
from models.lifecycle import STATES, apply_action
from pbx.asterisk import PbxUnreachable

from .adapters import PBX_ADAPTERS, PbxStepFailed, carrier_adapter, pbx_adapter
from .documents import DocumentNotMade, build_context, store_document
from .runtime import database

log = logging.getLogger(__name__)


def _advance(request_id: int, step: str, work: Callable[[NumberRequest, str], str | tuple[str, dict]]) -> str:
    """Run the work of a step: it returns the machine action to apply, or the action and its input."""
    with database() as session:
        request = session.get(NumberRequest, request_id)
        if request is None or STATES[request.state].machine_step != step:
            return f"request {request_id}: nothing to do for {step}"
        made_by = f"workflow:{step}"
        try:
            # Nothing is written before apply_action's flush, whose first statement updates the request if its
            # version is unchanged: a second run of the step at the same moment (another worker, a re-drive) waits
            # there for the first to commit and gets Conflict, instead of failing on the documents it made too.
            with session.no_autoflush:
                outcome = work(request, made_by)
                action, payload = outcome if isinstance(outcome, tuple) else (outcome, {})
                request.step_error = ""
                apply_action(request, action, None, payload, actor_label=made_by)
            session.commit()
        except Conflict:
            session.rollback()
            return f"request {request_id}: another run of {step} got there first"
        except (DocumentNotMade, PbxStepFailed) as error:
            session.rollback()  # nothing the step made before the failure is kept
            _record_step_error(request_id, str(error))
            log.warning("request %s: %s: %s", request_id, step, error)
            return f"request {request_id}: {error}"
        except PbxUnreachable as error:
            session.rollback()
            _record_step_error(request_id, f"the PBX could not be reached: {error}")
            log.warning("request %s: %s: the PBX could not be reached, to be retried: %s", request_id, step, error)
            raise
        except Exception:
            session.rollback()
            raise
        return f"{request.reference}: {action}"


def _record_step_error(request_id: int, message: str) -> None:
    """Keep why the step failed, in a transaction of its own. A plain UPDATE, so the request's version
    stays as it is: the error is news for people, not a change a decision taken on the page conflicts with."""
    db.session.execute(db.update(NumberRequest).where(NumberRequest.id == request_id).values(step_error=message))
    db.session.commit()


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


def _attach(request: NumberRequest, made_by: str) -> tuple[str, dict]:
    return pbx_adapter(request).request_attachment(request, made_by)


def _verify(request: NumberRequest, made_by: str) -> tuple[str, dict]:
    return pbx_adapter(request).request_verification(request, made_by)


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


def run_test_call(test_call_id: int) -> str:
    """Place a test call a sysadmin asked for (models.pbx.queue_test_call), if it is still due, and record it."""
    with database() as session:
        test_call = session.get(TestCall, test_call_id)
        if test_call is None or not test_call.due:
            return f"test call {test_call_id}: nothing to do"
        system = test_call.number.pbx
        if system is None or system.kind != PbxKind.ASTERISK:  # its PBX changed since the call was asked for
            test_call.finish(passed=False, sip_status=None, seconds=0.0, channel="",
                             detail="the number is not on a PBX that numberdesk test-calls")
        else:
            PBX_ADAPTERS[system.kind].place_test_call(test_call)
        session.commit()
        return f"{test_call.number.e164}: {'passed' if test_call.passed else 'failed'}: {test_call.detail}"


STEPS: dict[str, Callable[[int], str]] = {
    "draft_contracts": draft_contracts,
    "draft_protocol": draft_protocol,
    "place_carrier_order": place_carrier_order,
    "attach_to_pbx": attach_to_pbx,
    "verify_number": verify_number,
}
assert set(STEPS) == {s.machine_step for s in STATES.values() if s.machine_step}
