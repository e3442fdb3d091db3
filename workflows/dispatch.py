"""Hands a request in a machine state, or an uploaded billing file, to the step that moves it on.

The decision that makes a machine step due marks the request dispatch-pending in its own transaction
(`models.lifecycle.apply_action`); an upload is marked by `dispatch_import`. What happens next depends on the mode:

- `prefect` (the default): nothing more in the web process, which answers at once whatever the Prefect server is
  doing. The dispatcher (`workflows/dispatcher.py`, a thread of `numberdesk worker`) hands every pending mark to
  Prefect with an idempotency key, and keeps it pending, with a backoff, while Prefect cannot take it.
- `inline`: the step runs in this process, for tests and single-process use.

Either way the sweepers re-drive whatever a crash or a failed run left behind.
"""
import os
from datetime import timedelta

from models import BillingImport, NumberRequest, TestCall, attention, db
from models.choices import ImportStatus
from models.lifecycle import STATES, machine_requests
from models.organisation import utcnow
from models.outbox import OutgoingMail, mail_server_configured

from .costs import import_billing_file
from .mail import MailNotSent, send_due_mails, send_mail
from .steps import STEPS, run_test_call

DEPLOYMENT = "numberdesk"
# Step name -> Prefect flow name; the worker serves one deployment per flow.
FLOW_NAMES = {step: step.replace("_", "-") for step in STEPS}
IMPORT_FLOW = "import-billing-file"
TEST_CALL_FLOW = "run-test-call"
# A request still in a machine state this long after entering it, with no hand-over pending, lost its step.
STUCK_AFTER = timedelta(minutes=2)
# An import that has not moved for this long was stopped by a crash or a restart.
IMPORT_STALLED_AFTER = timedelta(minutes=10)


def mode() -> str:
    return os.environ.get("NUMBERDESK_DISPATCH", "prefect")


def dispatch(request: NumberRequest) -> None:
    """Start the machine step for the request's state, if it has one. Call after committing the decision.

    In `prefect` mode the committed dispatch-pending mark is all it takes: the dispatcher picks it up within
    a second, and the web request never waits on Prefect. In `inline` mode the steps run here, and then the mails
    the decision and the steps queued are sent.
    """
    if mode() != "inline":
        return
    # One machine step may lead to another (a PBX numberdesk provisions is attached, then test-called).
    while (step := STATES[request.state].machine_step) is not None:
        before = request.state
        STEPS[step](request.id)
        db.session.refresh(request)
        if request.state == before:
            break
    send_due_mails()  # what the decision and its steps queued


def sweep_stuck_requests() -> list[int]:
    """Re-drive every request whose machine step crashed, failed or never came: mark it due again.

    In `prefect` mode a request still marked due is the dispatcher's, which keeps trying to hand it over.
    The mark is written through the ORM, which moves the request's version on, so the new hand-over gets a new
    idempotency key and Prefect starts a new run instead of returning the old one.
    """
    inline = mode() == "inline"
    now = utcnow()
    due = [r for r in machine_requests() if (inline or not r.dispatch_pending)
           and not attention.needs_attention(r, STATES[r.state].machine_step)
           # Each re-drive waits twice as long as the one before: 2, 4, 8, 16 minutes...
           and r.state_changed_at < now - STUCK_AFTER * 2 ** r.dispatch_attempts]
    for request in due:
        request.dispatch_attempts += 1
        request.dispatch_pending = request.dispatch_attempts < attention.MAX_STEP_ATTEMPTS
        if not request.dispatch_pending:  # the last try failed too: a person must look
            attention.tell_admins_of_stuck_step(request)
    attention.escalate_overdue(now)
    db.session.commit()
    if inline:
        for request in due:
            if request.dispatch_pending:
                dispatch(request)
    return [r.id for r in due]


def dispatch_import(billing_import: BillingImport) -> None:
    """Start importing an uploaded billing file in the background. Call after committing the upload."""
    if mode() == "inline":
        import_billing_file(billing_import.id)
        db.session.refresh(billing_import)
        return
    billing_import.dispatch_pending = True  # the dispatcher hands it to Prefect
    db.session.commit()


def sweep_billing_imports() -> list[int]:
    """Start the imports Prefect never started, and fail the ones a crash left running (importing the file
    again is safe: calls already imported are not counted twice)."""
    now = utcnow()
    stalled = db.session.scalars(db.select(BillingImport).where(
        BillingImport.status == ImportStatus.RUNNING, BillingImport.progress_at < now - IMPORT_STALLED_AFTER))
    for billing_import in stalled:
        billing_import.status, billing_import.finished_at = ImportStatus.FAILED, now
        billing_import.error = "stopped without finishing (was the worker restarted?); import the file again"
    return redrive(BillingImport, BillingImport.status == ImportStatus.PENDING, BillingImport.created_at,
                   dispatch_import)


def redrive(model, waiting, asked_at, dispatch_one) -> list[int]:
    """Mark due again the records of `model` still `waiting` whose run crashed or never came (asked for more than
    STUCK_AFTER ago, and in `prefect` mode no longer with the dispatcher), each with a new idempotency key, so
    Prefect starts a new run instead of returning the old one; in `inline` mode run them here."""
    inline = mode() == "inline"
    overdue = asked_at < utcnow() - STUCK_AFTER
    due = db.session.scalars(db.select(model).where(
        waiting, overdue if inline else db.and_(overdue, ~model.dispatch_pending))).all()
    for record in due:
        record.dispatch_attempts += 1
        record.dispatch_pending = True
    db.session.commit()
    if inline:
        for record in due:
            dispatch_one(record)
    return [record.id for record in due]


def dispatch_test_call(test_call: TestCall) -> None:
    """Place a test call a sysadmin asked for (models.pbx.queue_test_call, which marks it due). Call after the
    commit: in `prefect` mode the dispatcher hands it over; in `inline` mode it is placed here."""
    if mode() == "inline":
        run_test_call(test_call.id)
        db.session.refresh(test_call)


def sweep_test_calls() -> list[int]:
    """Mark due again the test calls asked for that were never placed (their run crashed or never came)."""
    return redrive(TestCall, TestCall.passed.is_(None), TestCall.requested_at, dispatch_test_call)


def dispatch_mail(mail: OutgoingMail) -> None:
    """Send a mail marked due (models.outbox.send_again). Call after the commit: in `prefect` mode the dispatcher
    hands it over; in `inline` mode it is sent here, and a failure stays on the mail."""
    if mode() == "inline":
        try:
            send_mail(mail.id)
        except MailNotSent:
            pass  # recorded on the mail, shown in the outbox
        db.session.refresh(mail)


def sweep_outbox() -> list[int]:
    """Mark due again the mails still unsent some time after their last try (or after they were queued), while a
    mail server is configured; without one they wait in the outbox."""
    if not mail_server_configured():
        return []
    return redrive(OutgoingMail, OutgoingMail.sent_at.is_(None),
                   db.func.coalesce(OutgoingMail.last_attempt_at, OutgoingMail.created_at), dispatch_mail)
