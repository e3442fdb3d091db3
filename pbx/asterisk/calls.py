"""A test call through the PBX: sipp (Debian's sip-tester) plays the carrier calling a number, from the carrier's
address, and may play the branch's phones at the addresses the PBX calls them on. Where the carrier's address is
not this machine's, the PBX calls the number itself, from its manager interface (AMI), into the trunk's routes."""
import ipaddress
import math
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from models.errors import InvalidInput
from models.numbers import normalise_e164

from .ami import AsteriskPbx, ami_session
from .errors import PbxError, PbxRefused
from .plan import Trunk
from .render import inbound_context
from .sipp import caller_scenario, phone_scenario

# How long a stand-in phone may take to open its port, and to be hung up on once the carrier has hung up.
PHONE_START_SECONDS = 3.0
PHONE_HANG_UP_SECONDS = 2.0
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$", re.MULTILINE)
_CSEQ_INVITE = re.compile(r"^CSeq:\s*\d+\s+INVITE\s*$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class PhoneStandIn:
    """A phone of the ring group played by sipp, at the address of its PJSIP contact on the PBX. answer 200 picks
    up; 486 (busy), 480 or 603 refuse."""
    host: str
    port: int
    answer: int = 200

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class CallResult:
    """How a test call went. sip_status is the PBX's final answer to the carrier (200, 404, 486, 603...), None if
    none came in time or the PBX made the call itself; phones_rung are the stand-in phones the PBX called; channel
    says how the call went in (the SIP address called, or the PBX's Local channel)."""
    passed: bool
    sip_status: int | None
    seconds: float
    detail: str
    phones_rung: tuple[str, ...] = ()
    channel: str = ""


def calls_from_here(trunk: Trunk) -> bool:
    """Whether the trunk's carrier address is an (IPv4) address of this machine, so place_test_call can play the
    carrier; otherwise originate_test_call makes the call."""
    try:
        ipaddress.IPv4Address(trunk.carrier_address)
        free_port(trunk.carrier_address)
    except (ValueError, OSError):
        return False
    return True


def place_test_call(pbx: AsteriskPbx, trunk: Trunk, did: str, *, phones: Sequence[PhoneStandIn] = (),
                    timeout: float = 5.0) -> CallResult:
    """Call did (E.164) at the PBX as the trunk's carrier does: from its source address (an IP trunk) or its
    registrar's address (a registration trunk), which must be an address of this machine. It passes if the PBX
    answers 200, and, when phones stand in, one of those that answer was rung."""
    did = _number(did)
    sipp = _sipp_command()
    for address in [trunk.carrier_address] + [phone.host for phone in phones]:
        try:
            free_port(address)
        except OSError:
            raise PbxError(f"a test call is sent from {address}, which is not an address of this machine") from None
    with tempfile.TemporaryDirectory(prefix="numberdesk-call-") as folder:
        folder = Path(folder)
        with _stand_ins(sipp, folder, phones, timeout) as phones_rung:
            started = time.monotonic()
            caller = _call(sipp, folder / "caller", pbx, trunk.carrier_address, did, timeout)
            seconds = time.monotonic() - started
        rung = phones_rung()
        status, reason = _final_answer(folder / "caller.log")
    answered_by = [phone for phone in phones if phone.address in rung and phone.answer == 200]
    if status is None:
        problem = caller.stderr.strip().splitlines()[-1:] if caller.returncode not in (0, 1) else []
        detail = f"no final answer from {pbx.sip_host}:{pbx.sip_port} in {timeout:g} s" + "".join(
            f" ({line})" for line in problem)
    elif status == 200 and phones and not answered_by:
        detail = "200: answered, but not by a stand-in phone"
    elif status == 200:
        detail = "200: answered" + (f" by {answered_by[0].address}" if answered_by else "")
    else:
        detail = f"{status} {reason}".strip()
    passed = status == 200 and (not phones or bool(answered_by))
    return CallResult(passed, status, round(seconds, 3), detail, rung, f"sip:{did}@{pbx.sip_host}:{pbx.sip_port}")


def originate_test_call(pbx: AsteriskPbx, trunk_id: str, did: str, *, phones: Sequence[PhoneStandIn] = (),
                        timeout: float = 5.0) -> CallResult:
    """Call did (E.164) from inside the PBX, as if it had come in on the trunk: an AMI Originate of
    Local/<did>@<the trunk's inbound context>, which runs the number's route to its branch. It passes if the call
    is answered within timeout (by a phone of the ring group, or the branch's voicemail) and, when phones stand in,
    one of those that answer was rung. No SIP status: the call never leaves the PBX. The AMI user needs the
    originate write permission."""
    did = _number(did)
    context = inbound_context(trunk_id)
    channel = f"Local/{did}@{context}"
    sipp = _sipp_command() if phones else ""
    # The manager answers a waiting Originate once the call is answered or given up: wait that long for it.
    waiting = replace(pbx, timeout=pbx.timeout + timeout)
    with tempfile.TemporaryDirectory(prefix="numberdesk-call-") as folder, ami_session(waiting) as session:
        with _stand_ins(sipp, Path(folder), phones, timeout) as phones_rung:
            started = time.monotonic()
            try:
                session.action("Originate", Channel=channel, Application="Hangup", Timeout=str(round(timeout * 1000)),
                               CallerID="numberdesk test call")
                answered = True
            except PbxRefused as refused:
                if "Permission denied" in str(refused):
                    raise
                answered = False
            seconds = time.monotonic() - started
        rung = phones_rung()
        routed = answered or _routes(session, context, did)
    answered_by = [phone for phone in phones if phone.address in rung and phone.answer == 200]
    if not routed:
        detail = f"the PBX has no route for {did} in {context}"
    elif not answered:
        detail = "not answered"
    elif phones and not answered_by:
        detail = "answered, but not by a stand-in phone"
    else:
        detail = "answered" + (f" by {answered_by[0].address}" if answered_by else "")
    passed = answered and (not phones or bool(answered_by))
    return CallResult(passed, None, round(seconds, 3), detail, rung, channel)


def _number(did: str) -> str:
    try:
        return normalise_e164(did)
    except ValueError as exc:
        raise InvalidInput(f"{did!r} cannot be called: {exc}", {"did": str(exc)}) from None


def _sipp_command() -> str:
    sipp = shutil.which("sipp")
    if not sipp:
        raise PbxError("a test call needs sipp (Debian's sip-tester package)")
    return sipp


@contextmanager
def _stand_ins(sipp: str, folder: Path, phones: Sequence[PhoneStandIn],
               timeout: float) -> Iterator[Callable[[], tuple[str, ...]]]:
    """The stand-in phones running for the call; yields what tells, afterwards, which of them the PBX rang."""
    running = []
    try:
        for phone in phones:
            running.append(_start_phone(sipp, folder / f"phone{len(running)}", phone, timeout))
        yield lambda: tuple(phone.address for n, phone in enumerate(phones)
                            if _was_invited(folder / f"phone{n}.log"))
    finally:
        # A phone in the call ends by itself once the PBX has hung up on it; stopped earlier, the PBX would
        # still be sending it the hang-up when the next call's phone opens the same port.
        for n, process in enumerate(running):
            if _was_invited(folder / f"phone{n}.log"):
                _wait(process, PHONE_HANG_UP_SECONDS)
            _stop(process)


def _routes(session, context: str, did: str) -> bool:
    """Whether the context has an extension for the number (Asterisk says "There is no existence of ..." if not)."""
    return not any("no existence" in line for line in session.command(f"dialplan show {did}@{context}"))


def free_port(host: str, kind: int = socket.SOCK_DGRAM) -> int:
    """A port free at host (UDP unless kind says otherwise), as the system hands one out."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def udp_port_taken(host: str, port: int) -> bool:
    """Whether something already has the UDP port at host (a sipp that has started, say)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _sipp(sipp: str, files: Path, scenario: str, host: str, port: int, seconds: float) -> list[str]:
    """sipp playing one call of the scenario from host:port, its files named files.xml, .log and .errors."""
    files.with_suffix(".xml").write_text(scenario)
    return [sipp, "-sf", str(files.with_suffix(".xml")), "-i", host, "-p", str(port), "-mi", host,
            "-mp", str(free_port(host)), "-m", "1", "-nostdin", "-timeout", f"{math.ceil(seconds)}s",
            "-trace_msg", "-message_file", str(files.with_suffix(".log")),
            "-trace_err", "-error_file", str(files.with_suffix(".errors"))]


def _start_phone(sipp: str, files: Path, phone: PhoneStandIn, timeout: float) -> subprocess.Popen:
    # The phone outlives the caller's wait, so it is there to answer the hang-up.
    command = _sipp(sipp, files, phone_scenario(phone.answer), phone.host, phone.port, timeout + 2)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + PHONE_START_SECONDS
    while not udp_port_taken(phone.host, phone.port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            errors = process.communicate()[1].strip()
            raise PbxError(f"the stand-in phone at {phone.address} did not start: {errors or 'no answer'}")
        time.sleep(0.02)
    return process


def _call(sipp: str, files: Path, pbx: AsteriskPbx, source: str, did: str,
          timeout: float) -> subprocess.CompletedProcess:
    command = _sipp(sipp, files, caller_scenario(), source, free_port(source), timeout)
    command += ["-s", did, "-recv_timeout", str(math.ceil(timeout * 1000)), f"{pbx.sip_host}:{pbx.sip_port}"]
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout + 5)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(command, -1, "", f"sipp did not stop: {exc}")


def _wait(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass  # stopped by the caller


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()


def _messages(log: Path, direction: str) -> list[str]:
    """The SIP messages of a sipp message log that went the direction ("received" or "sent")."""
    if not log.exists():
        return []
    blocks = re.split(r"^-{10,}.*$", log.read_text(errors="replace"), flags=re.MULTILINE)
    return [block.split("\n\n", 1)[1].strip() for block in blocks
            if f"message {direction}" in block.split("\n\n", 1)[0] and "\n\n" in block]


def _final_answer(log: Path) -> tuple[int | None, str]:
    for message in _messages(log, "received"):
        status = _STATUS_LINE.match(message)
        if status and int(status.group(1)) >= 200 and _CSEQ_INVITE.search(message):
            return int(status.group(1)), status.group(2).strip()
    return None, ""


def _was_invited(log: Path) -> bool:
    return any(message.startswith("INVITE ") for message in _messages(log, "received"))
