"""The real stack for a test or a benchmark, as `make run` starts it: the Prefect server, `numberdesk worker` (the
served deployments and the dispatcher) and gunicorn with gunicorn.conf.py, on free ports, with a database and an
instance folder of its own."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from models.db import PROJECT_ROOT

BIN = Path(sys.executable).parent
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

    def pause_prefect(self) -> None:
        """Stop the Prefect server's processes where they are, as a server too busy to answer would be."""
        os.killpg(self.processes["prefect"].pid, signal.SIGSTOP)

    def resume_prefect(self) -> None:
        os.killpg(self.processes["prefect"].pid, signal.SIGCONT)


@contextmanager
def real_stack(root: Path):
    prefect_port, web_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(NUMBERDESK_INSTANCE=str(root / "instance"), DATABASE_URL=f"sqlite:///{root / 'numberdesk.db'}",
               NUMBERDESK_PREFECT_PORT=str(prefect_port), NUMBERDESK_DISPATCH="prefect")
    stack = Stack(root, env, f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{prefect_port}/api")
    stack.numberdesk("setup")
    commands = {
        "prefect": [BIN / "numberdesk", "prefect-server"],
        "worker": [BIN / "numberdesk", "worker"],
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
        for name in ("web", "worker", "prefect"):
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
