"""Hands a request in a machine state to the step that moves it on.

`prefect` mode (the default) asks the Prefect server to run the step's deployment;
`inline` mode runs the step in this process, for tests and single-process use.
If Prefect cannot be reached the request is marked dispatch-pending and the sweeper retries.
"""
import logging
import os
from datetime import timedelta

from models import BillingImport, NumberRequest, db
from models.choices import ImportStatus
from models.lifecycle import STATES, machine_requests
from models.organisation import utcnow

from .costs import import_billing_file
from .steps import STEPS

log = logging.getLogger(__name__)
DEPLOYMENT = "numberdesk"
# Step name -> Prefect flow name; the worker serves one deployment per flow.
FLOW_NAMES = {step: step.replace("_", "-") for step in STEPS}
STUCK_AFTER = timedelta(minutes=2)


def mode() -> str:
    return os.environ.get("NUMBERDESK_DISPATCH", "prefect")


def dispatch(request: NumberRequest) -> None:
    """Start the machine step for the request's state, if it has one. Call after committing."""
    step = STATES[request.state].machine_step
    if step is None:
        return
    if mode() == "inline":
        STEPS[step](request.id)
        db.session.refresh(request)
        return
    try:
        from prefect.deployments import run_deployment

        run_deployment(
            f"{FLOW_NAMES[step]}/{DEPLOYMENT}", parameters={"request_id": request.id}, timeout=0,
            as_subflow=False,
            idempotency_key=f"request-{request.id}-{request.state}-v{request.version}-a{request.dispatch_attempts}",
        )
    except Exception as exc:  # any failure to reach Prefect: the sweeper will try again
        log.warning("could not dispatch %s for %s: %s", step, request.reference, exc)
        db.session.rollback()
        request.dispatch_pending = True
        db.session.commit()


def sweep_stuck_requests() -> list[int]:
    """Re-drive every request waiting for a machine step that never came (or crashed)."""
    cutoff = utcnow() - STUCK_AFTER
    due = [r for r in machine_requests() if r.dispatch_pending or r.state_changed_at < cutoff]
    for request in due:
        request.dispatch_attempts += 1
    db.session.commit()
    for request in due:
        dispatch(request)
    return [r.id for r in due]


IMPORT_FLOW = "import-billing-file"
# An import that has not moved for this long was stopped by a crash or a restart.
IMPORT_STALLED_AFTER = timedelta(minutes=10)


def dispatch_import(billing_import: BillingImport) -> None:
    """Start importing an uploaded billing file in the background. Call after committing."""
    if mode() == "inline":
        import_billing_file(billing_import.id)
        db.session.refresh(billing_import)
        return
    try:
        from prefect.deployments import run_deployment

        run_deployment(
            f"{IMPORT_FLOW}/{DEPLOYMENT}", parameters={"import_id": billing_import.id}, timeout=0, as_subflow=False,
            idempotency_key=f"billing-import-{billing_import.id}-a{billing_import.dispatch_attempts}")
    except Exception as exc:  # any failure to reach Prefect: the import sweeper will try again
        log.warning("could not dispatch billing import %s: %s", billing_import.id, exc)
        db.session.rollback()
        billing_import.dispatch_pending = True
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
    due = db.session.scalars(db.select(BillingImport).where(
        BillingImport.status == ImportStatus.PENDING,
        db.or_(BillingImport.dispatch_pending, BillingImport.created_at < now - STUCK_AFTER))).all()
    for billing_import in due:
        billing_import.dispatch_attempts += 1
        billing_import.dispatch_pending = False
    db.session.commit()
    for billing_import in due:
        dispatch_import(billing_import)
    return [billing_import.id for billing_import in due]
