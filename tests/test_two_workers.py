"""Two `numberdesk worker` processes serving the same deployments, on PostgreSQL (the app's data and the Prefect
server's), through the real stack (tests/real_stack.py).

Fifty approved requests are drafted by both workers, each exactly once: one version of each contract, one
"contracts drafted" in its history. A worker killed in the middle of a run loses nothing: the other one takes the
runs still waiting, and the sweeper re-drives what the dead one was doing. Two runs of one step at the same
moment make its documents once.
"""
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest

from conftest import installed
from models import AuditEvent, Carrier, Department, Document, NumberRequest, PbxSystem, User, db, standalone_app
from models.lifecycle import apply_action, open_request
from real_stack import PG_BIN, api, postgresql, real_stack, submitted_requests, wait_until
from workflows import dispatch, steps

pytestmark = [installed(PG_BIN is not None, "PostgreSQL's server"), pytest.mark.timeout(600)]
CONTRACTS = {"service_contract", "tariff_appendix", "supplementary_agreement"}
# The flow run engine logs where to see each run it begins, in the log of the worker whose process runs it.
RUN_BEGUN = re.compile(r"/runs/flow-run/([0-9a-f-]{36})")
HANDED_OVER = re.compile(r"handed draft-contracts/numberdesk for request (\d+) to Prefect \((\S+)\)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with postgresql("numberdesk", "prefect") as server, \
            real_stack(tmp_path_factory.mktemp("two-workers"), workers=2, on_postgresql=server) as running:
        running.requester = running.token("requester@example.com")
        running.approver = running.token("approver@example.com")
        yield running


@pytest.fixture
def database(stack, monkeypatch):
    """This process on the stack's database, as a worker is."""
    monkeypatch.setenv("DATABASE_URL", stack.env["DATABASE_URL"])
    monkeypatch.setenv("NUMBERDESK_INSTANCE", stack.env["NUMBERDESK_INSTANCE"])
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")

    @contextmanager
    def session():
        with standalone_app().app_context():
            try:
                yield db.session
            finally:
                db.session.remove()
                db.engine.dispose()
    return session


def approve_all(stack, request_ids: list[int]) -> None:
    with api(stack, stack.approver) as approver, ThreadPoolExecutor(8) as pool:
        codes = pool.map(lambda request_id: approver.post(f"/requests/{request_id}/actions/approve",
                                                          json={"comment": "Within budget"}).status_code, request_ids)
        assert set(codes) == {200}


def in_legal_review(database, request_ids: list[int]) -> int:
    with database() as session:
        return session.scalar(db.select(db.func.count()).where(NumberRequest.id.in_(request_ids),
                                                               NumberRequest.state == "legal_review"))


def assert_drafted_exactly_once(database, request_ids: list[int]) -> None:
    with database() as session:
        documents = session.execute(db.select(Document.request_id, Document.kind, Document.version)
                                    .where(Document.request_id.in_(request_ids))).all()
        drafted = Counter(session.scalars(db.select(AuditEvent.request_id).where(
            AuditEvent.request_id.in_(request_ids), AuditEvent.action == "contracts_drafted")))
    assert sorted(documents) == sorted((request_id, kind, 1) for request_id in request_ids for kind in CONTRACTS)
    assert drafted == {request_id: 1 for request_id in request_ids}


def drafting_runs(stack, request_ids: list[int]) -> dict[str, dict]:
    """The draft-contracts flow runs of these requests, by id."""
    runs = httpx.post(f"{stack.prefect_api}/flow_runs/filter", json={
        "flows": {"name": {"any_": ["draft-contracts"]}}, "limit": 200}).json()
    return {run["id"]: run for run in runs if run["parameters"]["request_id"] in request_ids}


def begun_by(stack, worker: str) -> set[str]:
    return set(RUN_BEGUN.findall(stack.log(worker)))


def handed_over_by(stack, worker: str, request_ids: list[int]) -> list[tuple[int, str]]:
    """The drafting runs of these requests this worker's dispatcher created: request and idempotency key."""
    return [(int(request_id), key) for request_id, key in HANDED_OVER.findall(stack.log(worker))
            if int(request_id) in request_ids]


def test_both_workers_serve_one_set_of_deployments(stack):
    for flow in ("sweeper", "billing-import-sweeper", "monthly-expense-report"):
        deployment = httpx.get(f"{stack.prefect_api}/deployments/name/{flow}/numberdesk").json()
        assert len(deployment["schedules"]) == 1, flow
        scheduled = httpx.post(f"{stack.prefect_api}/flow_runs/filter", json={
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}).json()
        starts = [run["expected_start_time"] for run in scheduled]
        assert starts and len(starts) == len(set(starts)), flow


def test_two_runs_of_a_step_at_the_same_moment_draft_once(stack, database):
    with database() as session:
        person = {email: session.scalar(db.select(User).filter_by(email=f"{email}@example.com"))
                  for email in ("requester", "approver")}
        request = open_request(
            person["requester"], number_type="local", quantity=1, purpose="Two runs at once",
            department_id=session.scalar(db.select(Department.id).filter_by(name="Kazan showroom")),
            carrier_id=session.scalar(db.select(Carrier.id).filter_by(name="VolgaLink")),
            pbx_id=session.scalar(db.select(PbxSystem.id).filter_by(name="Office Asterisk")))
        apply_action(request, "submit", person["requester"])
        apply_action(request, "approve", person["approver"], {"comment": "Within budget"})
        request.dispatch_pending = False  # the two runs below are the only ones: the workers leave it alone
        session.commit()
        request_id = request.id
    together = threading.Barrier(2)

    def run() -> str:
        together.wait()
        return steps.draft_contracts(request_id)

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: run(), range(2)))

    # The second run either waited for the first to commit (Conflict) or began after it (nothing to do); before,
    # it failed on the documents' unique version.
    assert outcomes[0].endswith(": contracts_drafted")
    assert outcomes[1] in {f"request {request_id}: another run of draft_contracts got there first",
                           f"request {request_id}: nothing to do for draft_contracts"}
    assert_drafted_exactly_once(database, [request_id])


def test_two_workers_draft_fifty_requests_each_once(stack, database):
    request_ids = submitted_requests(stack, 50)

    started = time.monotonic()
    approve_all(stack, request_ids)
    wait_until(lambda: in_legal_review(database, request_ids) == len(request_ids), "50 requests in legal review",
               timeout=300, every=0.2)
    took = time.monotonic() - started

    assert_drafted_exactly_once(database, request_ids)
    runs = drafting_runs(stack, request_ids)
    assert {run["state_type"] for run in runs.values()} == {"COMPLETED"}
    ran = {worker: Counter(runs[run_id]["parameters"]["request_id"] for run_id in begun_by(stack, worker) & set(runs))
           for worker in stack.workers}
    handed = {worker: handed_over_by(stack, worker, request_ids) for worker in stack.workers}
    print(f"\n50 requests drafted in {took:.1f} s after the first approval; {len(runs)} flow runs; "
          f"drafting runs per worker {({w: sum(c.values()) for w, c in ran.items()})}; "
          f"hand-overs per worker {({w: len(keys) for w, keys in handed.items()})}")
    assert all(ran.values()), "both workers ran drafting"
    assert sum(ran.values(), Counter()).keys() == set(request_ids)
    # Both dispatchers saw every approval; one of them handed it over, once.
    handed_over = Counter(pair for pairs in handed.values() for pair in pairs)
    assert {request_id for request_id, _ in handed_over} == set(request_ids) and set(handed_over.values()) == {1}
    for worker in stack.workers:
        assert "Traceback" not in stack.log(worker)


def test_a_worker_killed_in_the_middle_loses_nothing(stack, database, monkeypatch):
    # The last test of the module: one worker is left.
    request_ids = submitted_requests(stack, 12)
    approve_all(stack, request_ids)

    def caught_running():
        """worker-2 and its runs stopped where they are, if one of its runs is in the middle of drafting: the
        requests whose drafting it is, or nothing, and worker-2 goes on."""
        stack.pause("worker-2")
        runs = drafting_runs(stack, request_ids)
        in_flight = [runs[run_id]["parameters"]["request_id"] for run_id in begun_by(stack, "worker-2") & set(runs)
                     if runs[run_id]["state_type"] == "RUNNING"]
        with database() as session:
            undrafted = set(session.scalars(db.select(NumberRequest.id).where(NumberRequest.id.in_(in_flight),
                                                                              NumberRequest.state == "approved")))
        if not undrafted:
            stack.resume("worker-2")
        return undrafted

    lost = wait_until(caught_running, "a drafting run in worker-2", every=0.1)
    stack.kill("worker-2")

    # The sweeper, as the worker runs it every minute, with a shorter wait before a request counts as stuck.
    monkeypatch.setattr(dispatch, "STUCK_AFTER", timedelta(seconds=10))
    redriven: set[int] = set()

    def all_drafted():
        with database():
            redriven.update(dispatch.sweep_stuck_requests())
        return in_legal_review(database, request_ids) == len(request_ids)

    wait_until(all_drafted, "every request in legal review after worker-2 died", timeout=180, every=3)

    print(f"\nworker-2 killed in the middle of drafting {sorted(lost)}; the sweeper re-drove {sorted(redriven)}")
    assert lost and lost <= redriven
    assert_drafted_exactly_once(database, request_ids)
    assert "Traceback" not in stack.log("worker-1")
