"""The real stack for a test or a benchmark, as `make run` starts it: the Prefect server, `numberdesk worker` (the
served deployments and the dispatcher) and gunicorn with gunicorn.conf.py, on free ports, with a database and an
instance folder of its own. On request: several workers, and PostgreSQL for the app and the Prefect server, as a
real installation runs them."""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx

from models.db import PROJECT_ROOT

BIN = Path(sys.executable).parent
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
FLOWS = ("draft-contracts", "draft-protocol", "place-carrier-order", "attach-to-pbx", "verify-number",
         "import-billing-file")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, what: str, timeout: float = 120, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except httpx.HTTPError:
            pass
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _as_server_user(command: list) -> None:
    # PostgreSQL refuses to run as root; Debian's package makes the postgres user for it.
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, text=True)


@dataclass(frozen=True)
class PostgreSQL:
    """A running server: the user numberdesk owns its databases, reached through a Unix socket in `folder`."""
    folder: Path
    port: int

    def url(self, database: str, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://numberdesk@/{database}?host={self.folder}&port={self.port}"


@contextmanager
def postgresql(*databases: str) -> Iterator[PostgreSQL]:
    """A throw-away PostgreSQL server (Debian's packages) with `databases`, listening on a Unix socket in a folder
    of its own and on no TCP port, so that nothing else on the machine is in its way."""
    folder = Path(tempfile.mkdtemp(prefix="numberdesk-pg-"))  # not under pytest's folders, which are root's only
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        os.chown(folder, server_user.pw_uid, server_user.pw_gid)
    data, server = folder / "data", PostgreSQL(folder, 5432)
    _as_server_user([PG_BIN / "initdb", "-D", data, "-U", "numberdesk", "-A", "trust", "-E", "UTF8", "--locale=C"])
    _as_server_user([PG_BIN / "pg_ctl", "-D", data, "-w", "-l", folder / "server.log", "-o",
                     f"-p {server.port} -k {folder} -c listen_addresses='' -c fsync=off", "start"])
    try:
        for database in databases:
            _as_server_user([PG_BIN / "createdb", "-h", folder, "-p", str(server.port), "-U", "numberdesk", database])
        yield server
    finally:
        _as_server_user([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


# Approvers made in one process: `numberdesk users create` and `users token` twenty times over would take a minute.
_ADD_APPROVERS = """
import json, sys
from werkzeug.security import generate_password_hash
from models import db, standalone_app
from models.organisation import User
with standalone_app().app_context():
    password_hash, tokens = generate_password_hash("numberdesk-demo"), []
    for n in range(int(sys.argv[1])):
        user = User(email=f"approver{n}@burst.example", name=f"Approver {n}", password_hash=password_hash)
        user.roles = ["approver"]
        db.session.add(user)
        tokens.append(user.issue_token("burst"))
    db.session.commit()
print(json.dumps(tokens))
"""


@dataclass
class Stack:
    root: Path
    env: dict
    web: str
    prefect_api: str
    workers: list[str]
    processes: dict = field(default_factory=dict)

    def numberdesk(self, *args: str) -> str:
        return subprocess.run([BIN / "numberdesk", *args], env=self.env, cwd=PROJECT_ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()

    def token(self, email: str) -> str:
        return self.numberdesk("users", "token", email)

    def add_approvers(self, count: int) -> list[str]:
        """`count` more approvers; their API tokens."""
        return json.loads(subprocess.run([sys.executable, "-c", _ADD_APPROVERS, str(count)], env=self.env,
                                         cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout)

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def pause(self, name: str) -> None:
        """Stop a process and every process it started where they are (a server too busy to answer, say)."""
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    def pause_prefect(self) -> None:
        self.pause("prefect")

    def resume_prefect(self) -> None:
        self.resume("prefect")

    def kill(self, name: str) -> None:
        """Kill a process and every process it started at once, as a machine that dies would."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()


@contextmanager
def real_stack(root: Path, workers: int = 1, on_postgresql: PostgreSQL | None = None):
    """The stack, with `workers` workers ("worker", or "worker-1", "worker-2", ...); on SQLite files in `root`, or
    with `on_postgresql`, the app in its database numberdesk and the Prefect server in its database prefect."""
    prefect_port, web_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(NUMBERDESK_INSTANCE=str(root / "instance"), DATABASE_URL=f"sqlite:///{root / 'numberdesk.db'}",
               NUMBERDESK_PREFECT_PORT=str(prefect_port), NUMBERDESK_DISPATCH="prefect")
    if on_postgresql:
        env.update(DATABASE_URL=on_postgresql.url("numberdesk"),
                   PREFECT_API_DATABASE_CONNECTION_URL=on_postgresql.url("prefect", driver="asyncpg"))
    names = ["worker"] if workers == 1 else [f"worker-{n}" for n in range(1, workers + 1)]
    stack = Stack(root, env, f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{prefect_port}/api", names)
    stack.numberdesk("setup")
    commands = {
        "prefect": [BIN / "numberdesk", "prefect-server"],
        **{name: [BIN / "numberdesk", "worker"] for name in names},
        "web": [BIN / "gunicorn", "--config", PROJECT_ROOT / "gunicorn.conf.py", "--bind", f"127.0.0.1:{web_port}",
                "wsgi:app"],
    }
    logs = {}
    for name, command in commands.items():
        logs[name] = open(root / f"{name}.log", "w")
        stack.processes[name] = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=logs[name],
                                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: httpx.get(f"{stack.web}/login").status_code == 200, "the web app")
        for flow in FLOWS:
            wait_until(lambda: httpx.get(f"{stack.prefect_api}/deployments/name/{flow}/numberdesk").status_code
                       == 200, f"the {flow} deployment", timeout=180)
        yield stack
    except BaseException:
        for name in commands:
            print(f"===== {name} =====\n{stack.log(name)[-5000:]}")
        raise
    finally:
        # The worker and the web app first: the worker tells the Prefect server it stops.
        for name in ("web", *names, "prefect"):
            process = stack.processes.get(name)
            if process is None:
                continue
            try:
                os.killpg(process.pid, signal.SIGCONT)  # a paused server could not stop
            except ProcessLookupError:
                pass
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs.values():
            log.close()


def api(stack, token: str) -> httpx.Client:
    return httpx.Client(base_url=stack.web + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60)


def submitted_requests(stack, count: int) -> list[int]:
    """`count` requests for the Kazan showroom, submitted by its requester (the stack's `requester` token)."""
    with api(stack, stack.requester) as requester:
        kazan = next(d["id"] for d in requester.get("/departments").json() if d["name"] == "Kazan showroom")
        volga = next(c["id"] for c in requester.get("/carriers").json() if c["name"] == "VolgaLink")
        office = next(p["id"] for p in requester.get("/pbx").json() if p["name"] == "Office Asterisk")
        ids = []
        for n in range(count):
            created = requester.post("/requests", json={
                "department_id": kazan, "number_type": "local", "quantity": 1, "purpose": f"Line {n}",
                "carrier_id": volga, "pbx_id": office})
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
            assert requester.post(f"/requests/{ids[-1]}/actions/submit").status_code == 200
        return ids
