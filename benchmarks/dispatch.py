"""Dispatch: how long from a decision to the next person's task, through the real stack.

Run from the repository root:

    .venv/bin/python benchmarks/dispatch.py [--decisions 20]

It starts the stack `make run` starts (tests/real_stack.py: the Prefect server, `numberdesk worker` with its
dispatcher, gunicorn with gunicorn.conf.py) on a database of its own, then, one at a time, approves a submitted
request through the API and waits for it to reach legal review (the lawyer's task), polling every 50 ms. It prints
the median and the slowest of:

- the approval's answer time (it never waits on Prefect);
- decision -> next task: from sending the approval to the request in legal review (target: median <= 2 s);
- and where that time goes, from the flow run Prefect records: decision -> run created (the dispatcher's poll
  and hand-over), created -> started (the worker's poll, and the run's process, forked from the worker's warm
  forkserver), started -> next task (the step itself).

Exits with status 1 when the median decision -> next task is over the target.
"""
import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402

from real_stack import real_stack, wait_until  # noqa: E402

TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20)
    decisions = parser.parse_args().decisions

    with tempfile.TemporaryDirectory() as folder, real_stack(Path(folder)) as stack:
        [approver] = stack.add_approvers(1)
        requester = httpx.Client(base_url=stack.web + "/api/v1", timeout=60,
                                 headers={"Authorization": f"Bearer {stack.token('requester@example.com')}"})
        approving = httpx.Client(base_url=stack.web + "/api/v1", timeout=60,
                                 headers={"Authorization": f"Bearer {approver}"})
        kazan = next(d["id"] for d in requester.get("/departments").json() if d["name"] == "Kazan showroom")
        volga = next(c["id"] for c in requester.get("/carriers").json() if c["name"] == "VolgaLink")
        office = next(p["id"] for p in requester.get("/pbx").json() if p["name"] == "Office Asterisk")

        answers, totals, sent_at = [], {}, {}
        for n in range(decisions + 1):  # the first decision warms the stack up and is not counted
            request_id = requester.post("/requests", json={
                "department_id": kazan, "number_type": "local", "quantity": 1, "purpose": f"Benchmark line {n}",
                "carrier_id": volga, "pbx_id": office}).json()["id"]
            assert requester.post(f"/requests/{request_id}/actions/submit").status_code == 200
            sent_at[request_id] = time.time()
            started = time.monotonic()
            approved = approving.post(f"/requests/{request_id}/actions/approve", json={"comment": "Benchmark"})
            answered = time.monotonic() - started
            assert approved.status_code == 200, approved.text
            wait_until(lambda: requester.get(f"/requests/{request_id}").json()["state"] == "legal_review",
                       "legal review", timeout=120, every=0.05)
            if n:
                answers.append(answered)
                totals[request_id] = time.monotonic() - started
            else:
                sent_at.pop(request_id)

        runs = httpx.post(f"{stack.prefect_api}/flow_runs/filter", json={"limit": 200}).json()
        parts = {"decision -> run created": [], "created -> started": [], "started -> next task": []}
        for run in runs:
            request_id = run["parameters"].get("request_id")
            if request_id not in totals or not run["start_time"]:
                continue
            created, start = (datetime.fromisoformat(run[key]).timestamp() for key in ("created", "start_time"))
            parts["decision -> run created"].append(created - sent_at[request_id])
            parts["created -> started"].append(start - created)
            parts["started -> next task"].append(sent_at[request_id] + totals[request_id] - start)

    print(f"{decisions} decisions, one at a time")
    rows = [("approval answered", answers), ("decision -> next task", list(totals.values())), *parts.items()]
    for name, values in rows:
        print(f"  {name:<24} median {statistics.median(values):6.2f} s   slowest {max(values):6.2f} s")
    median = statistics.median(totals.values())
    verdict = "ok" if median <= TARGET_SECONDS else "MISSED"
    print(f"target: median decision -> next task <= {TARGET_SECONDS:g} s: {verdict}")
    return 0 if median <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
