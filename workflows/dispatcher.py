"""The dispatcher: hands the machine steps and imports that are due to Prefect, outside any web request.

It runs as a thread of `numberdesk worker`, next to the served deployments. Every POLL_SECONDS it reads the
requests and billing imports marked dispatch-pending, claims each one with an `UPDATE ... WHERE
dispatch_pending` (so that several workers never hand the same mark over twice) and creates its flow run as
`run_deployment(timeout=0, idempotency_key=...)` does: Prefect creates one run per key.

A hand-over that fails (the Prefect server down, paused or too busy) puts the mark back, counts the attempt in
`dispatch_attempts`, logs why, and is tried again after a backoff; the pass stops there, so an unreachable
server costs one short timeout per pass, not one per due record. A crash between the claim and the hand-over
leaves the request in its machine state without a mark: the sweeper re-drives it.
"""
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from models import BillingImport, NumberRequest, TestCall, db, standalone_app
from models.choices import ImportStatus
from models.lifecycle import STATES
from models.outbox import OutgoingMail, mail_server_configured
from models.pbx_checks import PbxCheck

from .dispatch import DEPLOYMENT, FLOW_NAMES, IMPORT_FLOW, TEST_CALL_FLOW
from .mail import MAIL_FLOW
from .pbx_checks import PBX_CHECK_FLOW

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# One call to the Prefect API longer than this counts as a failed hand-over: the backoff retries it.
PREFECT_CALL_TIMEOUT = 5
FIRST_RETRY_SECONDS = 1
LAST_RETRY_SECONDS = 15
BATCH = 50


@dataclass(frozen=True)
class Handover:
    """One due record: the deployment to run, its parameters, and the key that makes Prefect create it once.

    `state` and `version` (requests) or `attempts` (imports, test calls) are what the record held when it was
    read: the claim and the release only touch it if it is still so.
    """
    kind: str  # "request", "import", "test_call", "pbx_check" or "mail"
    record_id: int
    deployment: str
    parameters: dict
    idempotency_key: str
    state: str = ""
    version: int = 0
    attempts: int = 0

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.record_id

    def __str__(self) -> str:
        return f"{self.deployment} for {self.kind} {self.record_id}"


def _machine_states() -> list[str]:
    return [s.name for s in STATES.values() if s.machine_step]


def due_handovers(limit: int = BATCH) -> list[Handover]:
    """What is marked due now, oldest first."""
    requests = db.session.execute(
        db.select(NumberRequest.id, NumberRequest.state, NumberRequest.version)
        .where(NumberRequest.dispatch_pending, NumberRequest.state.in_(_machine_states()))
        .order_by(NumberRequest.state_changed_at).limit(limit)).all()
    imports = db.session.execute(
        db.select(BillingImport.id, BillingImport.dispatch_attempts)
        .where(BillingImport.dispatch_pending, BillingImport.status == ImportStatus.PENDING)
        .order_by(BillingImport.created_at).limit(limit)).all()
    test_calls = db.session.execute(
        db.select(TestCall.id, TestCall.dispatch_attempts)
        .where(TestCall.dispatch_pending, TestCall.passed.is_(None))
        .order_by(TestCall.requested_at).limit(limit)).all()
    pbx_checks = db.session.execute(
        db.select(PbxCheck.id, PbxCheck.dispatch_attempts).where(PbxCheck.dispatch_pending, PbxCheck.done_at.is_(None))
        .order_by(PbxCheck.requested_at).limit(limit)).all()
    # Without a mail server the mails wait in the outbox, still marked, for a worker that has one.
    mails = db.session.execute(
        db.select(OutgoingMail.id, OutgoingMail.dispatch_attempts)
        .where(OutgoingMail.dispatch_pending, OutgoingMail.sent_at.is_(None))
        .order_by(OutgoingMail.id).limit(limit)).all() if mail_server_configured() else []
    db.session.commit()  # no transaction stays open while Prefect is called
    # The request's version moves on with every change written through the ORM (a decision, the sweeper's
    # re-drive) but not with the claim or the release below: retrying a failed hand-over reuses its key, so a
    # call that reached Prefect although its answer was lost does not start the step twice.
    return [Handover("request", request_id, f"{FLOW_NAMES[STATES[state].machine_step]}/{DEPLOYMENT}",
                     {"request_id": request_id}, f"request-{request_id}-{state}-v{version}", state=state,
                     version=version)
            for request_id, state, version in requests] + [
        # A second run of an import does nothing (its claim from pending to running fails): its key may change.
        Handover("import", import_id, f"{IMPORT_FLOW}/{DEPLOYMENT}", {"import_id": import_id},
                 f"billing-import-{import_id}-a{attempts}", attempts=attempts)
        for import_id, attempts in imports] + [
        Handover("test_call", test_call_id, f"{TEST_CALL_FLOW}/{DEPLOYMENT}", {"test_call_id": test_call_id},
                 f"test-call-{test_call_id}-a{attempts}", attempts=attempts)
        for test_call_id, attempts in test_calls] + [
        Handover("pbx_check", check_id, f"{PBX_CHECK_FLOW}/{DEPLOYMENT}", {"check_id": check_id},
                 f"pbx-check-{check_id}-a{attempts}", attempts=attempts)
        for check_id, attempts in pbx_checks] + [
        Handover("mail", mail_id, f"{MAIL_FLOW}/{DEPLOYMENT}", {"mail_id": mail_id}, f"mail-{mail_id}-a{attempts}",
                 attempts=attempts)
        for mail_id, attempts in mails]


def _still_as_read(handover: Handover):
    if handover.kind == "request":
        return (NumberRequest, db.and_(NumberRequest.id == handover.record_id, NumberRequest.state == handover.state,
                                       NumberRequest.version == handover.version))
    if handover.kind == "test_call":
        return (TestCall, db.and_(TestCall.id == handover.record_id, TestCall.passed.is_(None)))
    if handover.kind == "pbx_check":
        return (PbxCheck, db.and_(PbxCheck.id == handover.record_id, PbxCheck.done_at.is_(None)))
    if handover.kind == "mail":
        return (OutgoingMail, db.and_(OutgoingMail.id == handover.record_id, OutgoingMail.sent_at.is_(None)))
    return (BillingImport, db.and_(BillingImport.id == handover.record_id,
                                   BillingImport.status == ImportStatus.PENDING))


def claim(handover: Handover) -> bool:
    """Take the mark off, if nobody else did and the record did not change: True if this dispatcher got it."""
    model, unchanged = _still_as_read(handover)
    if handover.kind != "request":
        unchanged = db.and_(unchanged, model.dispatch_attempts == handover.attempts)
    claimed = db.session.execute(db.update(model).where(unchanged, model.dispatch_pending)
                                 .values(dispatch_pending=False).execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def release(handover: Handover) -> None:
    """Put the mark back after a failed hand-over, counting the attempt (unless the record moved on meanwhile)."""
    model, unchanged = _still_as_read(handover)
    db.session.execute(db.update(model).where(unchanged)
                       .values(dispatch_pending=True, dispatch_attempts=model.dispatch_attempts + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()


class PrefectRuns:
    """Creates the flow runs through one Prefect client per pass, remembering each deployment's id."""

    def __init__(self):
        self.deployment_ids: dict[str, object] = {}

    @contextmanager
    def connected(self) -> Iterator[Callable[[Handover], None]]:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_REQUEST_TIMEOUT, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

        # The client's own retries would sleep up to a minute on a busy or paused server; the dispatcher's
        # backoff retries instead, with the same key. (Settings are per thread: the served flows keep theirs.)
        with temporary_settings(updates={PREFECT_API_REQUEST_TIMEOUT: PREFECT_CALL_TIMEOUT,
                                         PREFECT_CLIENT_MAX_RETRIES: 0}), get_client(sync_client=True) as client:
            yield lambda handover: self.create(client, handover)

    def create(self, client, handover: Handover) -> None:
        """What `run_deployment(..., timeout=0, idempotency_key=...)` does, without looking the deployment up
        every time: the run is created Scheduled, or the one this key already created is returned."""
        try:
            if handover.deployment not in self.deployment_ids:
                self.deployment_ids[handover.deployment] = client.read_deployment_by_name(handover.deployment).id
            client.create_flow_run_from_deployment(self.deployment_ids[handover.deployment],
                                                   parameters=handover.parameters,
                                                   idempotency_key=handover.idempotency_key)
        except Exception:
            self.deployment_ids.pop(handover.deployment, None)  # served again under a new id, perhaps
            raise


class Dispatcher:
    def __init__(self, prefect=None, clock: Callable[[], float] = time.monotonic):
        self.prefect = prefect or PrefectRuns()
        self.clock = clock
        self.failures: dict[tuple[str, int], int] = {}  # failed hand-overs in a row, per record
        self.retry_at: dict[tuple[str, int], float] = {}

    def run_once(self) -> list[Handover]:
        """Hand over what is due and not backing off; returns what was handed over."""
        due = due_handovers()
        waiting = {h.key for h in due}
        self.failures = {key: n for key, n in self.failures.items() if key in waiting}
        self.retry_at = {key: at for key, at in self.retry_at.items() if key in waiting}
        due = [h for h in due if self.retry_at.get(h.key, 0) <= self.clock()]
        handed: list[Handover] = []
        if not due:
            return handed
        with self.prefect.connected() as hand_over:
            for handover in due:
                if not claim(handover):
                    continue  # another dispatcher took it, or it moved on
                try:
                    hand_over(handover)
                except Exception as exc:  # whatever kept Prefect from taking it: it stays due
                    self.failed(handover, exc)
                    break  # the next records would most likely wait for the same server
                log.info("handed %s to Prefect (%s)", handover, handover.idempotency_key)
                self.failures.pop(handover.key, None)
                self.retry_at.pop(handover.key, None)
                handed.append(handover)
        return handed

    def failed(self, handover: Handover, exc: Exception) -> None:
        release(handover)
        failures = self.failures[handover.key] = self.failures.get(handover.key, 0) + 1
        delay = min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (failures - 1))
        self.retry_at[handover.key] = self.clock() + delay
        log.warning("could not hand %s to Prefect (failed %d time(s) in a row; trying again in %g s): %s: %s",
                    handover, failures, delay, type(exc).__name__, exc)


def run(stop: threading.Event, dispatcher: Dispatcher | None = None) -> None:
    """Poll until `stop` is set. Nothing that goes wrong in one pass stops the loop."""
    dispatcher = dispatcher or Dispatcher()
    app = standalone_app()
    log.info("dispatching due steps to Prefect every %g s", POLL_SECONDS)
    while not stop.is_set():
        with app.app_context():
            try:
                dispatcher.run_once()
            except Exception:
                log.exception("the dispatcher's pass failed; trying again")
                db.session.rollback()
            finally:
                db.session.remove()
        stop.wait(POLL_SECONDS)


def start_in_background() -> threading.Event:
    """Run the dispatcher in a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    log.setLevel(logging.INFO)  # one line per hand-over in the worker's log
    threading.Thread(target=run, args=(stop,), name="numberdesk-dispatcher", daemon=True).start()
    return stop
