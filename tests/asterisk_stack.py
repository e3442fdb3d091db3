"""A real Asterisk for a test, and a carrier's registrar played by sipp.

Asterisk is the build scripts/install-asterisk makes; it runs in a folder of its own with a complete
asterisk.conf, on 127.0.0.1 with free ports, and is stopped afterwards. The branch's phones are the PBX's own
PJSIP endpoints, each calling a loopback address where a test can put a stand-in phone."""
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pbx.asterisk import AsteriskPbx, PhoneStandIn, standalone
from pbx.asterisk.calls import free_port, udp_port_taken

ASTERISK_HOME = standalone.default_home()
SIPP = shutil.which("sipp")
PBX_HOST = "127.0.0.1"
START_SECONDS = 20
# The mailbox a branch's calls nobody answers may go to.
MAILBOXES = {"1001": "4242,Branch mailbox"}


def asterisk_available() -> bool:
    return os.access(standalone.binary(ASTERISK_HOME), os.X_OK)


def wait_until(check, what: str, timeout: float = 10, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class RunningAsterisk:
    pbx: AsteriskPbx
    root: Path
    phones: dict[str, PhoneStandIn]
    started_in: float

    def cli(self, command: str) -> str:
        return standalone.cli(ASTERISK_HOME, self.pbx, command).stdout

    def log(self) -> str:
        return (self.root / "log" / "messages.log").read_text(errors="replace")


@contextmanager
def running_asterisk(root: Path, phones: dict[str, str]) -> Iterator[RunningAsterisk]:
    """Asterisk with the phones (PJSIP endpoint name: loopback address of its stand-in) as its own
    extensions."""
    root.mkdir(parents=True, exist_ok=True)
    stand_ins = {name: PhoneStandIn(host, free_port(host)) for name, host in phones.items()}
    pbx = AsteriskPbx(config_dir=root / "etc", ami_username="numberdesk", ami_secret=secrets.token_hex(8),
                      ami_port=free_port(PBX_HOST, socket.SOCK_STREAM), sip_host=PBX_HOST,
                      sip_port=free_port(PBX_HOST))
    standalone.write_configuration(ASTERISK_HOME, pbx, {name: phone.address for name, phone in stand_ins.items()},
                                   MAILBOXES)
    output = (root / "asterisk.out").open("w")
    started = time.monotonic()
    process = standalone.start(ASTERISK_HOME, pbx, output)
    try:
        if not standalone.wait_until_booted(ASTERISK_HOME, pbx, process, START_SECONDS):
            raise AssertionError(f"Asterisk did not start: {(root / 'asterisk.out').read_text()[-2000:]}")
        yield RunningAsterisk(pbx, root, stand_ins, time.monotonic() - started)
    finally:
        standalone.stop(ASTERISK_HOME, pbx, process)
        output.close()


_REGISTRAR = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="carrier registrar">
  <recv request="REGISTER"/>
  <send><![CDATA[
SIP/2.0 401 Unauthorized
[last_Via:]
[last_From:]
[last_To:];tag=[pid]registrar[call_number]
[last_Call-ID:]
[last_CSeq:]
WWW-Authenticate: Digest realm="carrier.test", nonce="[pid]n[call_number]", algorithm=MD5
Content-Length: 0
]]></send>
  <recv request="REGISTER">
    <action>
      <verifyauth assign_to="valid" username="{username}" password="{password}"/>
    </action>
  </recv>
  <nop test="valid" next="welcome"/>
  <send next="done"><![CDATA[
SIP/2.0 403 Forbidden
[last_Via:]
[last_From:]
[last_To:];tag=[pid]registrar[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <label id="welcome"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]registrar[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Contact:];expires=300
Expires: 300
Content-Length: 0
]]></send>
  <label id="done"/>
</scenario>
"""


@contextmanager
def sipp_registrar(root: Path, host: str, username: str, password: str) -> Iterator[int]:
    """A carrier's registrar at host (on a free port, yielded) that accepts username with password only."""
    root.mkdir(parents=True, exist_ok=True)
    scenario = root / "registrar.xml"
    scenario.write_text(_REGISTRAR.format(username=escape(username, {'"': "&quot;"}),
                                          password=escape(password, {'"': "&quot;"})))
    port = free_port(host)
    process = subprocess.Popen([SIPP, "-sf", scenario, "-i", host, "-p", str(port), "-mi", host,
                                "-mp", str(free_port(host)), "-nostdin", "-trace_msg",
                                # Asterisk registers again with the Call-ID sipp would otherwise keep as ended.
                                "-deadcall_wait", "0",
                                "-message_file", root / "registrar.log"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: process.poll() is not None or udp_port_taken(host, port), "the registrar to start")
        assert process.poll() is None, "the sipp registrar stopped at start"
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
