"""gunicorn as gunicorn.conf.py sets it up: a request that waits on something slow is never killed half-way."""
import subprocess
from concurrent.futures import ThreadPoolExecutor

import httpx

from models.db import PROJECT_ROOT
from real_stack import BIN, free_port, wait_until

SLOW_APP = '''
import time


def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(6)  # twice the worker timeout below, like an outside call that hangs
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered"]
'''


def test_a_slow_request_outlives_the_worker_timeout_and_others_are_served_meanwhile(tmp_path):
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as output:
        web = subprocess.Popen([BIN / "gunicorn", "--config", PROJECT_ROOT / "gunicorn.conf.py", "--workers", "1",
                                "--timeout", "3", "--bind", f"127.0.0.1:{port}", "--chdir", tmp_path, "slow_app:app"],
                               stdout=output, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{base}/fast").status_code == 200, "gunicorn", timeout=60)
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(httpx.get, f"{base}/slow", timeout=60)
            fast = wait_until(lambda: slow.running() and httpx.get(f"{base}/fast", timeout=60), "a fast answer")
            assert not slow.done()  # served by another thread of the one worker while the slow one waits
            assert fast.text == "answered"
            assert slow.result().status_code == 200 and slow.result().text == "answered"
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert "WORKER TIMEOUT" not in log.read_text()
