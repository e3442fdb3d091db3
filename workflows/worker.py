"""`numberdesk worker`: one long-running process that serves every numberdesk flow and, in a thread next to them,
runs the dispatcher that hands due steps to Prefect (workflows/dispatcher.py).

The flows are served from memory (Runner.add_flow rather than deployments loaded by entrypoint), so that each run
starts in a process forked from a warm forkserver (workflows/warm_start.py) instead of a new Python that imports
everything again.
"""
import asyncio

from prefect.deployments.runner import EntrypointType
from prefect.runner import Runner
from prefect.schedules import Cron

from models.time_zones import accounting_time_zone

from . import dispatcher
from .dispatch import DEPLOYMENT
from .flows import (STEP_FLOWS, billing_import_sweeper, daily_digest, import_billing_file, monthly_expense_report,
                    notice_reminders, run_pbx_check, run_test_call, send_mail, sweeper)
from .warm_start import start_runs_from_a_warm_process

# How often the runner asks the Prefect server for runs to start: people wait on them (the setting
# PREFECT_RUNNER_POLL_FREQUENCY takes whole seconds only).
RUN_POLL_SECONDS = 0.5


async def _serve(limit: int) -> None:
    # Pausing schedules on shutdown would call a Prefect server that is stopping at the same moment
    # (Ctrl-C stops all processes together) and hold up the exit; the schedules live on the server.
    runner = Runner(name="numberdesk", limit=limit, pause_on_shutdown=False, query_seconds=RUN_POLL_SECONDS)
    served = dict(name=DEPLOYMENT, entrypoint_type=EntrypointType.MODULE_PATH)
    for step_flow in STEP_FLOWS.values():
        await runner.aadd_flow(step_flow, **served)
    await runner.aadd_flow(sweeper, interval=60, **served)
    await runner.aadd_flow(run_test_call, **served)
    await runner.aadd_flow(run_pbx_check, **served)
    await runner.aadd_flow(import_billing_file, **served)
    await runner.aadd_flow(send_mail, **served)
    # Each person's digest, every morning at 07:00 in the accounting time zone (models/notifications.py).
    await runner.aadd_flow(daily_digest, schedules=[Cron("0 7 * * *", timezone=accounting_time_zone())], **served)
    # Reminders of signed contracts' notice deadlines, every morning at 06:30 in the accounting time zone.
    await runner.aadd_flow(notice_reminders, schedules=[Cron("30 6 * * *", timezone=accounting_time_zone())],
                           **served)
    await runner.aadd_flow(billing_import_sweeper, interval=60, **served)
    # Last month's report, on the 1st at 02:00 in the accounting time zone, once the carriers' last calls of the
    # month are in.
    await runner.aadd_flow(monthly_expense_report, schedules=[Cron("0 2 1 * *", timezone=accounting_time_zone())],
                           **served)
    await runner.start()


def serve_workflows(limit: int = 4) -> None:
    start_runs_from_a_warm_process()
    stop_dispatching = dispatcher.start_in_background()
    try:
        asyncio.run(_serve(limit))
    except KeyboardInterrupt:
        pass
    finally:
        stop_dispatching.set()
