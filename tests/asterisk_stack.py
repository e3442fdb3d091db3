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

from pbx.asterisk import AsteriskPbx, PhoneStandIn, add_main_includes

ASTERISK_HOME = Path(os.environ.get("NUMBERDESK_ASTERISK_HOME") or Path.home() / ".cache/numberdesk/asterisk")
ASTERISK = ASTERISK_HOME / "sbin" / "asterisk"
SIPP = shutil.which("sipp")
PBX_HOST = "127.0.0.1"
START_SECONDS = 20


def asterisk_available() -> bool:
    return os.access(ASTERISK, os.X_OK)


def free_port(host: str, kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def udp_port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


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
        return _cli(self.root, command).stdout

    def log(self) -> str:
        return (self.root / "log" / "messages.log").read_text(errors="replace")


def _cli(root: Path, command: str, timeout: float = 10) -> subprocess.CompletedProcess:
    return subprocess.run([ASTERISK, "-C", root / "etc" / "asterisk.conf", "-rx", command],
                          capture_output=True, text=True, timeout=timeout)


def _phone_endpoints(phones: dict[str, PhoneStandIn]) -> str:
    return "".join(
        # No connected-line updates: a stand-in phone's dialogue has no room for the re-INVITE they bring.
        f"[{name}]\ntype = endpoint\ncontext = phones\ndisallow = all\nallow = alaw,ulaw\naors = {name}\n"
        f"direct_media = no\nsend_connected_line = no\n\n[{name}]\ntype = aor\ncontact = sip:{name}@{phone.address}\n\n"
        for name, phone in phones.items())


def _write_configuration(root: Path, pbx: AsteriskPbx, phones: dict[str, PhoneStandIn]) -> None:
    folders = {name: root / name for name in ("etc", "lib", "run", "log", "spool", "cache", "agi")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    files = {
        "asterisk.conf": (
            "[directories]\n"
            f"astetcdir => {folders['etc']}\nastmoddir => {ASTERISK_HOME}/lib/asterisk/modules\n"
            f"astvarlibdir => {folders['lib']}\nastdbdir => {folders['lib']}\nastkeydir => {folders['lib']}\n"
            # The installed data folder: its documentation/ is needed to start.
            f"astdatadir => {ASTERISK_HOME}/var/lib/asterisk\nastagidir => {folders['agi']}\n"
            f"astspooldir => {folders['spool']}\nastrundir => {folders['run']}\nastlogdir => {folders['log']}\n"
            f"astcachedir => {folders['cache']}\nastsbindir => {ASTERISK_HOME}/sbin\n\n"
            "[options]\ndocumentation_language = en_US\nhideconnect = yes\n"),
        # Without the external MWI modules, which would take voicemail's place.
        "modules.conf": ("[modules]\nautoload = yes\nnoload => res_mwi_external.so\n"
                         "noload => res_ari_mailboxes.so\nnoload => res_stasis_mailbox.so\n"),
        "logger.conf": "[general]\n\n[logfiles]\nmessages.log => notice,warning,error,verbose(3)\n",
        "manager.conf": (
            f"[general]\nenabled = yes\nbindaddr = {pbx.ami_host}\nport = {pbx.ami_port}\n\n"
            f"[{pbx.ami_username}]\nsecret = {pbx.ami_secret}\ndeny = 0.0.0.0/0.0.0.0\n"
            "permit = 127.0.0.1/255.255.255.255\nread = system\nwrite = system,config,command,reporting,originate\n"),
        "pjsip.conf": (
            f"[transport-udp]\ntype = transport\nprotocol = udp\nbind = {pbx.sip_host}:{pbx.sip_port}\n\n"
            + _phone_endpoints(phones)),
        "extensions.conf": "[general]\nstatic = yes\nwriteprotect = yes\n\n[phones]\n",
        # Read by a module of res_pjsip's at every reload, which complains when it is missing.
        "pjsip_wizard.conf": "",
        "voicemail.conf": "[general]\nformat = wav\n\n[default]\n1001 => 4242,Branch mailbox\n",
    }
    for name, text in files.items():
        (folders["etc"] / name).write_text(text)
    add_main_includes(pbx)


@contextmanager
def running_asterisk(root: Path, phones: dict[str, str]) -> Iterator[RunningAsterisk]:
    """Asterisk with the phones (PJSIP endpoint name: loopback address of its stand-in) as its own
    extensions."""
    root.mkdir(parents=True, exist_ok=True)
    stand_ins = {name: PhoneStandIn(host, free_port(host)) for name, host in phones.items()}
    pbx = AsteriskPbx(config_dir=root / "etc", ami_username="numberdesk", ami_secret=secrets.token_hex(8),
                      ami_port=free_port(PBX_HOST, socket.SOCK_STREAM), sip_host=PBX_HOST,
                      sip_port=free_port(PBX_HOST))
    _write_configuration(root, pbx, stand_ins)
    output = (root / "asterisk.out").open("w")
    started = time.monotonic()
    process = subprocess.Popen([ASTERISK, "-f", "-n", "-C", root / "etc" / "asterisk.conf"],
                               stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: process.poll() is not None or _cli(root, "core waitfullybooted").returncode == 0,
                   "Asterisk to start", timeout=START_SECONDS)
        if process.poll() is not None:
            raise AssertionError(f"Asterisk stopped at start: {(root / 'asterisk.out').read_text()[-2000:]}")
        yield RunningAsterisk(pbx, root, stand_ins, time.monotonic() - started)
    finally:
        if process.poll() is None:
            _cli(root, "core stop now")
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
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
