"""Hands a request in a machine state to the step that moves it on.

`prefect` mode (the default) asks the Prefect server to run the step's deployment;
`inline` mode runs the step in this process, for tests and single-process use.
If Prefect cannot be reached the request is marked dispatch-pending and the sweeper retries.
"""
import logging
import os
from datetime import timedelta

from models import NumberRequest, db
from models.lifecycle import STATES, machine_requests
from models.organisation import utcnow

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
