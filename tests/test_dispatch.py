"""The hand-over of due steps to Prefect: the decision's own transaction marks the step due, the web request never
waits on Prefect, and the dispatcher claims each mark once, retries with a backoff and never loses one."""
import asyncio
import sqlite3
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from lifecycle_helpers import new_request
from models import BillingImport, NumberRequest, db
from models.choices import ImportStatus
from models.lifecycle import APPROVED, apply_action
from workflows import dispatch, dispatcher
from workflows.dispatcher import Dispatcher, claim, due_handovers


class FakePrefect:
    """Records the runs it is asked to create; fails while `down` is set."""

    def __init__(self):
        self.created: list[tuple[str, dict, str]] = []
        self.down = False

    @contextmanager
    def connected(self):
        def create(handover):
            if self.down:
                raise ConnectionError("the Prefect server does not answer")
            self.created.append((handover.deployment, handover.parameters, handover.idempotency_key))
        yield create


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def prefect_mode(monkeypatch):
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")


@pytest.fixture
def dispatcher_log(caplog, monkeypatch):
    # Alembic's logging setup, run by the migrations of the test database, disables the loggers that exist by then.
    monkeypatch.setattr(dispatcher.log, "disabled", False)
    return caplog


def approved(people, catalog, **kwargs) -> NumberRequest:
    request = new_request(people, catalog, **kwargs)
    apply_action(request, "submit", people["requester"])
    apply_action(request, "approve", people["approver"])
    db.session.commit()
    return request


def test_the_decision_itself_marks_the_machine_step_due(people, catalog):
    request = new_request(people, catalog)
    apply_action(request, "submit", people["requester"])
    assert not request.dispatch_pending  # the approver's task: nothing for the machine
    apply_action(request, "approve", people["approver"])
    assert request.dispatch_pending  # flushed with the decision, committed with it
    apply_action(request, "contracts_drafted", None)
    assert not request.dispatch_pending


def test_in_prefect_mode_the_web_request_does_not_call_prefect(people, catalog, prefect_mode, monkeypatch):
    import prefect.deployments

    def refuse(*args, **kwargs):
        raise AssertionError("the web request called Prefect")
    monkeypatch.setattr(prefect.deployments, "run_deployment", refuse)
    request = approved(people, catalog)
    dispatch.dispatch(request)
    assert request.state == APPROVED and request.dispatch_pending


def test_the_dispatcher_hands_a_due_request_over_once(people, catalog, prefect_mode):
    request = approved(people, catalog)
    prefect = FakePrefect()
    dispatching = Dispatcher(prefect, clock=Clock())

    assert [h.record_id for h in dispatching.run_once()] == [request.id]
    assert dispatching.run_once() == []
    assert prefect.created == [("draft-contracts/numberdesk", {"request_id": request.id},
                                f"request-{request.id}-approved-v{request.version}")]
    db.session.refresh(request)
    assert not request.dispatch_pending and request.dispatch_attempts == 0


def test_two_dispatchers_never_claim_the_same_mark(people, catalog, prefect_mode):
    approved(people, catalog)
    [handover] = due_handovers()
    assert claim(handover) is True
    assert claim(handover) is False
    assert due_handovers() == []


def test_a_request_that_moved_on_is_not_claimed(people, catalog, prefect_mode):
    request = approved(people, catalog)
    [handover] = due_handovers()
    apply_action(request, "cancel", people["approver"], {"comment": "No longer needed"})
    db.session.commit()
    assert claim(handover) is False


def test_a_failed_hand_over_stays_due_and_is_retried_with_the_same_key_after_a_backoff(
        people, catalog, prefect_mode, dispatcher_log):
    request = approved(people, catalog)
    prefect, clock = FakePrefect(), Clock()
    dispatching = Dispatcher(prefect, clock=clock)
    prefect.down = True

    assert dispatching.run_once() == []
    db.session.refresh(request)
    assert request.dispatch_pending and request.dispatch_attempts == 1
    assert f"could not hand draft-contracts/numberdesk for request {request.id} to Prefect" in dispatcher_log.text
    assert "ConnectionError: the Prefect server does not answer" in dispatcher_log.text

    prefect.down = False
    assert dispatching.run_once() == []  # backing off: nothing tried before its time
    assert prefect.created == []
    clock.now += dispatcher.FIRST_RETRY_SECONDS
    assert [h.record_id for h in dispatching.run_once()] == [request.id]
    # the same key: had the failed call reached Prefect, it would return that run instead of a second one
    assert prefect.created[0][2] == f"request-{request.id}-approved-v{request.version}"
    db.session.refresh(request)
    assert not request.dispatch_pending and request.dispatch_attempts == 1


def test_the_backoff_doubles_up_to_its_limit(people, catalog, prefect_mode):
    request = approved(people, catalog)
    prefect, clock = FakePrefect(), Clock()
    dispatching = Dispatcher(prefect, clock=clock)
    prefect.down = True
    waits = []
    for _ in range(6):
        dispatching.run_once()
        waits.append(dispatching.retry_at[("request", request.id)] - clock.now)
        clock.now = dispatching.retry_at[("request", request.id)]
    assert waits == [1, 2, 4, 8, 15, 15]
    db.session.refresh(request)
    assert request.dispatch_attempts == 6 and request.dispatch_pending


def test_a_pass_stops_at_the_first_failure(people, catalog, prefect_mode):
    first, second = approved(people, catalog), approved(people, catalog)
    prefect = FakePrefect()
    prefect.down = True
    Dispatcher(prefect, clock=Clock()).run_once()
    db.session.refresh(first)
    db.session.refresh(second)
    # one short timeout per pass while the server is down, not one per due request
    assert (first.dispatch_attempts, second.dispatch_attempts) == (1, 0)
    assert first.dispatch_pending and second.dispatch_pending


def test_an_unreachable_prefect_server_leaves_the_request_due(people, catalog, prefect_mode):
    request = approved(people, catalog)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        assert Dispatcher(clock=Clock()).run_once() == []
    db.session.refresh(request)
    assert request.dispatch_pending and request.dispatch_attempts == 1 and request.state == APPROVED


def test_the_dispatcher_hands_over_due_imports(app, catalog, prefect_mode):
    billing_import = BillingImport(carrier=catalog["carrier"]("Nordtel"), filename="x.csv", path="/nowhere")
    db.session.add(billing_import)
    db.session.commit()
    dispatch.dispatch_import(billing_import)
    assert billing_import.dispatch_pending

    prefect = FakePrefect()
    Dispatcher(prefect, clock=Clock()).run_once()
    assert prefect.created == [("import-billing-file/numberdesk", {"import_id": billing_import.id},
                                f"billing-import-{billing_import.id}-a0")]
    db.session.refresh(billing_import)
    assert not billing_import.dispatch_pending and billing_import.status == ImportStatus.PENDING


def test_in_prefect_mode_the_sweeper_leaves_due_requests_to_the_dispatcher_and_redrives_lost_ones(
        people, catalog, prefect_mode):
    waiting = approved(people, catalog)
    lost = approved(people, catalog)
    for request in (waiting, lost):
        request.state_changed_at -= timedelta(minutes=5)
    lost.dispatch_pending = False  # claimed by a dispatcher that crashed before handing it over
    db.session.commit()
    lost_key = f"request-{lost.id}-approved-v{lost.version}"

    assert dispatch.sweep_stuck_requests() == [lost.id]
    assert waiting.dispatch_attempts == 0
    assert lost.dispatch_pending and lost.dispatch_attempts == 1
    prefect = FakePrefect()
    Dispatcher(prefect, clock=Clock()).run_once()
    keys = {parameters["request_id"]: key for _, parameters, key in prefect.created}
    assert set(keys) == {waiting.id, lost.id}
    assert keys[lost.id] != lost_key  # a new run, not the one Prefect already had for the old key


def test_the_dispatcher_loop_goes_on_after_a_failed_pass(dispatcher_log):
    stop = threading.Event()
    passes = []

    class Failing:
        def run_once(self):
            passes.append(1)
            if len(passes) == 1:
                raise RuntimeError("the database went away")
            stop.set()
            return []

    dispatcher.run(stop, Failing())
    assert len(passes) == 2 and "the dispatcher's pass failed" in dispatcher_log.text


def test_the_prefect_servers_sqlite_transactions_take_the_write_lock_first(tmp_path):
    """Prefect begins most transactions DEFERRED: one that reads and then writes after another connection wrote
    fails with "database is locked". workflows.prefect_server begins them IMMEDIATE: they wait their turn."""
    from prefect.server.database import dependencies
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL

    from workflows.prefect_server import wait_for_the_write_lock

    database = tmp_path / "prefect.db"
    sqlite3.connect(database).executescript("PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER);").close()
    saved = dict(dependencies.MODELS_DEPENDENCIES)
    try:
        with temporary_settings(updates={PREFECT_API_DATABASE_CONNECTION_URL: f"sqlite+aiosqlite:///{database}"}):
            assert wait_for_the_write_lock()
            config = dependencies.MODELS_DEPENDENCIES["database_config"]

            async def write_lock_held_while_reading() -> bool:
                import sqlalchemy as sa

                engine = await config.engine()
                async with await config.session(engine) as session, config.begin_transaction(session):
                    await session.execute(sa.text("SELECT count(*) FROM t"))
                    other = sqlite3.connect(database, timeout=0)
                    try:
                        other.execute("INSERT INTO t VALUES (1)")
                        other.commit()
                        held = False
                    except sqlite3.OperationalError as exc:
                        held = "locked" in str(exc)
                    other.close()
                await engine.dispose()
                return held

            assert asyncio.run(write_lock_held_while_reading())
    finally:
        dependencies.MODELS_DEPENDENCIES.update(saved)


def test_flow_runs_start_in_processes_forked_from_a_warm_forkserver(monkeypatch):
    import inspect
    import multiprocessing

    import prefect.flow_engine as flow_engine

    from workflows.warm_start import start_runs_from_a_warm_process

    # What the replacement relies on: Prefect asks its module's multiprocessing for a "spawn" context.
    assert 'multiprocessing.get_context("spawn")' in inspect.getsource(flow_engine.run_flow_in_subprocess)
    monkeypatch.setattr(flow_engine, "multiprocessing", flow_engine.multiprocessing)  # put back afterwards
    start_runs_from_a_warm_process()
    context = flow_engine.multiprocessing.get_context("spawn")
    assert context.get_start_method() == "forkserver"
    assert flow_engine.multiprocessing.Process is multiprocessing.Process  # the rest is the real module
