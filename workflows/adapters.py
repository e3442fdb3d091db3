"""The outside world: carriers and PBX systems, each reached through a small adapter.

The adapter a carrier or PBX uses is chosen in the database (Carrier.adapter, PbxSystem.kind). A PBX adapter's
steps return the machine action that moves the request on, with what it reports for the audit trail.
"""
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

from models import InvalidInput, NumberRequest, PhoneNumber, TestCall, db
from models.choices import CarrierAdapter, DocumentKind, PbxKind
from models.notifications import queue_carrier_order
from models.secrets import SecretsKeyError
from pbx.asterisk import (HUNT, AsteriskPbx, PbxError, PbxUnreachable, PhoneStandIn, Plan, calls_from_here,
                          originate_test_call, ping, place_test_call)

from .documents import build_context, company, store_document
from .pbx_plan import asterisk_pbx, plan_for, provision

# A test call waits this long beyond the ring group's ring time for the fallback to answer.
FALLBACK_SECONDS = 5


class PbxStepFailed(Exception):
    """A PBX step that cannot succeed as things are (the PBX's settings, a branch's call distribution, a trunk, a
    login the PBX refuses): the step records why on the request and the sweeper runs it again later."""


class ManualCarrier:
    """Orders by letter: renders the order letter and e-mails it, as PDF, to the carrier's order address (through
    the outbox, committed with the step); a person records the carrier's answer."""

    def place_order(self, request: NumberRequest, idempotency_key: str, made_by: str) -> str:
        """Place the order and return the carrier's reference for it (none for a letter)."""
        letter = store_document(request, DocumentKind.ORDER_LETTER, build_context(request, date.today()), made_by)
        queue_carrier_order(request, letter, company().name.get(request.carrier.language))
        return ""


class ManualPbx:
    """A PBX the sysadmin configures by hand from a rendered configuration sheet, and test-calls by hand."""

    def request_attachment(self, request: NumberRequest, made_by: str) -> tuple[str, dict]:
        store_document(request, DocumentKind.PBX_SHEET, build_context(request, date.today()), made_by)
        return "attachment_requested", {}

    def request_verification(self, request: NumberRequest, made_by: str) -> tuple[str, dict]:
        return "verification_requested", {}


class AsteriskPbxAdapter:
    """An Asterisk PBX numberdesk provisions itself (workflows.pbx_plan) and proves each number on with a test call.

    phones: stand-in phones (sipp) by the extension they play, for a PBX whose phones are this machine's test
    doubles (tests, a self-test setup); a real branch's phones are rung and must be answered."""

    def __init__(self, phones: Mapping[str, PhoneStandIn] | None = None):
        self.phones = dict(phones or {})

    def request_attachment(self, request: NumberRequest, made_by: str) -> tuple[str, dict]:
        with _pbx_step("provisioned"):
            applied = provision(request.pbx)
        return "pbx_provisioned", {"written": list(applied.written), "removed": list(applied.removed),
                                   "reloaded": list(applied.reloaded)}

    def request_verification(self, request: NumberRequest, made_by: str) -> tuple[str, dict]:
        """A test call to each of the request's numbers, recorded; test_call_passed if every one passed. The plan
        is applied again first: what was fixed since the last call (a branch's phones, a file edited by hand) is on
        the PBX before this one."""
        with _pbx_step("test-called"):
            pbx = asterisk_pbx(request.pbx)
            ping(pbx)  # an unreachable PBX is retried, not a failed verification
            applied = provision(request.pbx)
            plan = plan_for(request.pbx)
            calls = []
            for number in request.numbers:
                test_call = TestCall(number=number, request_id=request.id, requested_by=made_by)
                db.session.add(test_call)  # committed with the step's action
                calls.append(self.call(pbx, plan, test_call))
        report = {"test_calls": [{"number": call.number.e164, "passed": call.passed, "sip_status": call.sip_status,
                                  "seconds": call.seconds, "detail": call.detail, "channel": call.channel}
                                 for call in calls]}
        if applied.changed:
            report["provisioned"] = {"written": list(applied.written), "removed": list(applied.removed)}
        failed = [call for call in calls if not call.passed]
        if failed:
            return "test_call_failed", {
                "comment": "; ".join(f"the test call to {call.number.e164} failed: {call.detail}" for call in failed),
                **report}
        return "test_call_passed", report

    def place_test_call(self, test_call: TestCall) -> TestCall:
        """Place a test call a sysadmin asked for, and record how it went (a PBX that cannot be reached too)."""
        system = test_call.number.pbx
        try:
            with _pbx_step("test-called"):
                self.call(asterisk_pbx(system), plan_for(system), test_call)
        except (PbxUnreachable, PbxStepFailed) as error:
            reason = f"the PBX could not be reached: {error}" if isinstance(error, PbxUnreachable) else str(error)
            test_call.finish(passed=False, sip_status=None, seconds=0.0, detail=reason, channel="")
        return test_call

    def call(self, pbx: AsteriskPbx, plan: Plan, test_call: TestCall) -> TestCall:
        """Call the number the way its carrier delivers it: a SIP INVITE from the carrier's address where that is
        this machine's, else an AMI Originate into the trunk's routes. Records the result on test_call."""
        number: PhoneNumber = test_call.number
        route = next((route for route in plan.routes if route.did == number.e164), None)
        if route is None:
            test_call.finish(passed=False, sip_status=None, seconds=0.0, channel="",
                             detail=f"{number.e164} is not provisioned on {number.pbx.name} (no trunk, or not "
                                    "attached)")
            return test_call
        trunk = next(trunk for trunk in plan.trunks if trunk.id == route.trunk)
        branches = {branch.id: branch for branch in plan.branches}
        branch = branches[route.branch]
        phones = [self.phones[extension] for extension in branch.extensions if extension in self.phones]
        timeout = _ring_seconds(branch, branches) + FALLBACK_SECONDS
        if calls_from_here(trunk):
            result = place_test_call(pbx, trunk, number.e164, phones=phones, timeout=timeout)
        else:
            result = originate_test_call(pbx, trunk.id, number.e164, phones=phones, timeout=timeout)
        test_call.finish(passed=result.passed, sip_status=result.sip_status, seconds=result.seconds,
                         detail=result.detail, channel=result.channel)
        return test_call


def _ring_seconds(branch, branches: dict) -> int:
    """How long a call may ring in the branch's group, and in the groups it falls back to."""
    seconds = 0
    while branch is not None:
        seconds += branch.ring_seconds * (len(branch.extensions) if branch.strategy == HUNT else 1)
        branch = branches.get(branch.fallback_branch)
    return seconds


@contextmanager
def _pbx_step(done: str) -> Iterator[None]:
    """PbxUnreachable goes on (the workflow retries it); what retrying cannot mend becomes PbxStepFailed."""
    try:
        yield
    except PbxUnreachable:
        raise
    except (PbxError, InvalidInput, SecretsKeyError) as error:
        raise PbxStepFailed(f"the PBX could not be {done}: {error}") from error


CARRIER_ADAPTERS = {CarrierAdapter.MANUAL: ManualCarrier()}
PBX_ADAPTERS = {PbxKind.MANUAL: ManualPbx(), PbxKind.ASTERISK: AsteriskPbxAdapter()}


def carrier_adapter(request: NumberRequest) -> ManualCarrier:
    return CARRIER_ADAPTERS[request.carrier.adapter]


def pbx_adapter(request: NumberRequest) -> ManualPbx | AsteriskPbxAdapter:
    return PBX_ADAPTERS[request.pbx.kind]
