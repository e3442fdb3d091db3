"""Pages at 10,000 requests: p50 and p95 of the busiest pages and API lists, through gunicorn over real HTTP.

Run from the repository root:

    .venv/bin/python benchmarks/pages.py [--requests 10000] [--calls 300]

It makes a temporary database as `numberdesk setup` does (the migrations and the demo), adds REQUESTS number
requests spread over the demo's branches and the states of a request's life (each with its audit event, its
deadline as a decision would set it, a third of the waiting ones overdue), starts gunicorn with gunicorn.conf.py on
it, signs in as the demo's approver (whose tasks are the most: every request waiting for approval), and asks each
page CALLS times, one at a time after a few unmeasured calls: My tasks, the request list, a request's page, the
numbers, the expense report, and the API's lists of tasks, requests and numbers. It prints each one's p50 and p95
and the size of its answer.

Exits with status 1 when a p95 is over 100 ms.
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402

from real_stack import BIN, free_port, wait_until  # noqa: E402

TARGET_P95_MS = 100
WARM_UP = 10
# Where the seeded requests wait, and how many of each in 100: most wait for a person, a few are done.
STATE_WEIGHTS = {"draft": 8, "submitted": 20, "legal_review": 12, "counter_proposed": 3, "carrier_refused": 2,
                 "risk_acceptance": 2, "legal_approved": 8, "ordered": 8, "attaching": 5, "verifying": 4,
                 "active": 20, "rejected": 4, "cancelled": 4}


def seed(env: dict, count: int) -> None:
    """`count` requests as if people had opened and moved them, added in one transaction per thousand."""
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ["NUMBERDESK_INSTANCE"] = env["NUMBERDESK_INSTANCE"]
    from models import AuditEvent, Carrier, Department, NumberRequest, PbxSystem, User, db, standalone_app
    from models.deadlines import STAGE_OF_STATE, STAGES, due_after

    rng = random.Random(11)
    with standalone_app().app_context():
        people = {u.email.split("@")[0]: u for u in db.session.scalars(db.select(User))}
        branches = db.session.scalars(db.select(Department)).all()
        carriers = db.session.scalars(db.select(Carrier)).all()
        office = db.session.scalar(db.select(PbxSystem).filter_by(name="Office Asterisk"))
        states = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()), k=count)
        now = datetime.utcnow()
        for start in range(0, count, 1000):
            for state in states[start:start + 1000]:
                branch = rng.choice(branches)
                requester = people["requester"] if branch.city == "Kazan" else people["branches"]
                carrier = next((c for c in carriers if c.serves(branch.city)), carriers[0])
                changed = now - timedelta(days=rng.uniform(0, 20))
                stage = STAGE_OF_STATE.get(state)
                request = NumberRequest(
                    department=branch, carrier=carrier, pbx=office, number_type="local", quantity=1,
                    purpose="Showroom line", state=state, created_by=requester, created_at=changed,
                    state_changed_at=changed, submitted_by=None if state == "draft" else requester,
                    approved_by=None if state in ("draft", "submitted") else people["approver"],
                    due_at=stage and due_after(changed, STAGES[stage].default_days, branch.time_zone, branch.country))
                db.session.add(request)
                db.session.add(AuditEvent(request=request, actor_id=requester.id, actor=requester.email,
                                          action="create", from_state=None, to_state=state, comment=""))
            db.session.commit()


def sign_in(web: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=web, timeout=60)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"email": email, "password": "numberdesk-demo", "csrf_token": token})
    assert answer.status_code == 302, answer.text
    return client


def measure(client: httpx.Client, urls: list[str], calls: int) -> tuple[list[float], int]:
    """Milliseconds per call (cycling through `urls`), and the size of the last answer."""
    for n in range(WARM_UP):
        client.get(urls[n % len(urls)])
    times = []
    for n in range(calls):
        started = time.perf_counter()
        answer = client.get(urls[n % len(urls)])
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (urls[n % len(urls)], answer.status_code, answer.text[:500])
    return times, len(answer.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=300)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        web_port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
        env.update(NUMBERDESK_INSTANCE=str(root / "instance"), DATABASE_URL=f"sqlite:///{root / 'numberdesk.db'}",
                   NUMBERDESK_PREFECT_PORT=str(free_port()), NUMBERDESK_DISPATCH="inline")
        subprocess.run([BIN / "numberdesk", "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
        started = time.monotonic()
        seed(env, options.requests)
        print(f"seeded {options.requests:,} requests in {time.monotonic() - started:.1f} s")
        token = subprocess.run([BIN / "numberdesk", "users", "token", "approver@example.com"], env=env, cwd=ROOT,
                               check=True, capture_output=True, text=True).stdout.strip()
        with open(root / "web.log", "w") as log:
            web = subprocess.Popen([BIN / "gunicorn", "--config", ROOT / "gunicorn.conf.py", "--bind",
                                    f"127.0.0.1:{web_port}", "--access-logfile", "/dev/null", "wsgi:app"],
                                   env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                base = f"http://127.0.0.1:{web_port}"
                wait_until(lambda: httpx.get(f"{base}/login").status_code == 200, "the web app")
                rows = run_pages(base, token, options.calls)
            finally:
                web.terminate()
                web.wait(timeout=30)

    print(f"\n{options.requests:,} requests, {options.calls} calls each, one at a time, through gunicorn")
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'size KB':>8}")
    missed = []
    for name, times, size in rows:
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name:<34} {p50:8.1f} {p95:8.1f} {size / 1024:8.1f}")
        if p95 > TARGET_P95_MS:
            missed.append(name)
    print(f"target: every p95 <= {TARGET_P95_MS} ms: " + (f"MISSED by {', '.join(missed)}" if missed else "ok"))
    return 1 if missed else 0


def run_pages(base: str, token: str, calls: int) -> list[tuple[str, list[float], int]]:
    approver = sign_in(base, "approver@example.com")
    api = httpx.Client(base_url=f"{base}/api/v1", timeout=60, headers={"Authorization": f"Bearer {token}"})
    total = int(api.get("/requests", params={"per_page": 1}).headers["X-Total-Count"])
    # Request pages across the whole table, not one cached row.
    request_pages = [f"/requests/{n}" for n in random.Random(3).sample(range(1, total + 1), 50)]
    pages = [
        ("My tasks (approver)", approver, ["/"]),
        ("My tasks, overdue, page 3", approver, ["/?overdue=1&page=3"]),
        ("request list", approver, ["/requests"]),
        ("request list, state filter", approver, ["/requests?state=legal_review"]),
        ("a request's page", approver, request_pages),
        ("numbers", approver, ["/numbers"]),
        ("expense report", approver, ["/costs/"]),
        ("API tasks", api, ["/tasks"]),
        ("API tasks, stage and overdue", api, ["/tasks?stage=approval&overdue=true"]),
        ("API requests", api, ["/requests"]),
        ("API numbers", api, ["/numbers"]),
    ]
    return [(name, *measure(client, urls, calls)) for name, client, urls in pages]


if __name__ == "__main__":
    sys.exit(main())
