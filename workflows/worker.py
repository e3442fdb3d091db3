"""`numberdesk worker`: one long-running process that serves every numberdesk deployment and, in a thread next to
them, runs the dispatcher that hands due steps to Prefect (workflows/dispatcher.py)."""
from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from models.time_zones import accounting_time_zone

from . import dispatcher
from .dispatch import DEPLOYMENT
from .flows import STEP_FLOWS, billing_import_sweeper, import_billing_file, monthly_expense_report, sweeper


def serve_workflows(limit: int = 4) -> None:
    deployments = [f.to_deployment(name=DEPLOYMENT, entrypoint_type=EntrypointType.MODULE_PATH)
                   for f in STEP_FLOWS.values()]
    deployments.append(sweeper.to_deployment(name=DEPLOYMENT, interval=60,
                                             entrypoint_type=EntrypointType.MODULE_PATH))
    deployments.append(import_billing_file.to_deployment(name=DEPLOYMENT, entrypoint_type=EntrypointType.MODULE_PATH))
    deployments.append(billing_import_sweeper.to_deployment(name=DEPLOYMENT, interval=60,
                                                            entrypoint_type=EntrypointType.MODULE_PATH))
    # Last month's report, on the 1st at 02:00 in the accounting time zone, once the carriers' last calls of the
    # month are in.
    deployments.append(monthly_expense_report.to_deployment(
        name=DEPLOYMENT, schedules=[Cron("0 2 1 * *", timezone=accounting_time_zone())],
        entrypoint_type=EntrypointType.MODULE_PATH))
    stop_dispatching = dispatcher.start_in_background()
    try:
        # Pausing schedules on shutdown would call a Prefect server that is stopping at the same moment
        # (Ctrl-C stops all processes together) and hold up the exit; the schedules live on the server.
        serve(*deployments, limit=limit, pause_on_shutdown=False)
    finally:
        stop_dispatching.set()
