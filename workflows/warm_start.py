"""Flow runs start from a warm process.

Prefect's runner starts each run of a flow it serves in memory in a new "spawn" process, which imports Prefect,
numberdesk and the `numberdesk` command again: about 3 s on a 2-core machine, most of the time from a decision
to the next person's task. A forkserver, started once with those modules imported, forks each run's process in
milliseconds. Each run still gets a process of its own (a crash or a leak ends with it), forked from the
forkserver, which runs no threads, so the fork is safe.

Prefect asks `multiprocessing.get_context("spawn")` in `prefect.flow_engine.run_flow_in_subprocess` and offers
no setting for it, so that module's `multiprocessing` is replaced by one whose contexts are all the forkserver;
tests/test_dispatch.py checks that Prefect still asks for it that way.
"""
import multiprocessing
from types import ModuleType

# A new process imports the parent's main module (the `numberdesk` command, which brings the web app and the
# CLI) before anything else; the flows bring the steps, the models and Prefect.
PRELOAD = ["__main__", "workflows.flows"]


class ForkserverContexts(ModuleType):
    """The multiprocessing module, except that every context asked for is the forkserver."""

    def __init__(self):
        super().__init__("multiprocessing")

    def get_context(self, method: str | None = None):
        return multiprocessing.get_context("forkserver")

    def __getattr__(self, name: str):
        return getattr(multiprocessing, name)


def start_runs_from_a_warm_process() -> None:
    import prefect.flow_engine as flow_engine

    multiprocessing.set_forkserver_preload(PRELOAD)
    flow_engine.multiprocessing = ForkserverContexts()
