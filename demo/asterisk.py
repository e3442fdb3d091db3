"""The demo's own Asterisk, "Office Asterisk": `make run` starts it beside the app, so a demo request goes from the
carrier's numbers to active through a real provisioning and a real SIP test call.

Its complete configuration is written into the instance folder (asterisk/); it runs the binary that
scripts/install-asterisk builds, on 127.0.0.1 only: SIP on UDP 5080 (a SIP service of the machine's own keeps
5060) and the manager interface (AMI) on 5038, with a secret made on first use and kept beside the configuration.
Every demo branch's phones are PJSIP endpoints at one loopback address, where a sipp answers every call."""
import os
import secrets
import shutil
import subprocess
from pathlib import Path

from models import Department, PbxSystem, db
from models.choices import PbxKind
from models.db import instance_dir
from pbx.asterisk import AsteriskPbx, standalone
from pbx.asterisk.calls import free_port
from pbx.asterisk.sipp import phone_scenario

OFFICE = "Office Asterisk"
HOST = "127.0.0.1"
SIP_PORT = 5080
AMI_PORT = 5038
AMI_USERNAME = "numberdesk"
# Where the branches' phones answer: an address no carrier of the demo uses.
PHONES_HOST = "127.0.0.30"
PHONES_PORT = 5090
# The carrier's address on the trunk of the demo's number already active on this PBX (St Petersburg's); the README
# suggests 127.0.0.2 for the requests taken through the demo.
ACTIVE_TRUNK_ADDRESS = "127.0.0.9"
# Each demo branch's phones (PJSIP endpoint names), by cost centre.
BRANCH_PHONES = {
    "CC-MOW": ("101", "102"), "SR-LED": ("201", "202"), "SR-KZN": ("301", "302"), "SR-UFA": ("401", "402"),
    "SR-SVX": ("501", "502"), "SR-OVB": ("601", "602"), "SR-GOJ": ("701", "702"), "SR-KUF": ("801", "802"),
    "SR-KRR": ("901", "902"),
}
START_SECONDS = 30
SECRET_FILE = "ami-secret"


def why_not_built() -> str:
    """Why the demo cannot run its Asterisk here, or "" when it can."""
    binary = standalone.binary(standalone.default_home())
    if not os.access(binary, os.X_OK):
        return f"Asterisk is not built (no {binary}; scripts/install-asterisk builds it)"
    try:
        subprocess.run([binary, "-V"], capture_output=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        return f"the Asterisk at {binary} does not run: {error}"
    return ""


def demo_folder() -> Path:
    return instance_dir() / "asterisk"


def demo_pbx(folder: Path | None = None, *, sip_port: int = SIP_PORT, ami_port: int = AMI_PORT) -> AsteriskPbx:
    """The demo's Asterisk as numberdesk reaches it, its configuration in folder (the instance's asterisk/)."""
    folder = folder or demo_folder()
    return AsteriskPbx(config_dir=folder / "etc", ami_username=AMI_USERNAME, ami_secret=_ami_secret(folder),
                       ami_host=HOST, ami_port=ami_port, sip_host=HOST, sip_port=sip_port)


def _ami_secret(folder: Path) -> str:
    """The AMI user's secret, made on first use; the file is readable by its owner only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(24) + "\n")
    return path.read_text().strip()


def write_configuration(pbx: AsteriskPbx, phones_port: int = PHONES_PORT) -> None:
    """Asterisk's complete configuration for the demo, written again at every start, with every branch's phones."""
    phones = {name: f"{PHONES_HOST}:{phones_port}" for names in BRANCH_PHONES.values() for name in names}
    standalone.write_configuration(standalone.default_home(), pbx, phones)


def start_asterisk(pbx: AsteriskPbx, output=None) -> subprocess.Popen:
    """Asterisk in the foreground of a child process, what it prints to output; its log is log/messages.log."""
    return standalone.start(standalone.default_home(), pbx, output)


def wait_until_booted(pbx: AsteriskPbx, process: subprocess.Popen, timeout: float = START_SECONDS) -> bool:
    """Whether Asterisk has fully started within timeout (False if it stopped or is still starting)."""
    return standalone.wait_until_booted(standalone.default_home(), pbx, process, timeout)


def start_phones(folder: Path, phones_port: int = PHONES_PORT) -> subprocess.Popen:
    """sipp answering every call to the branches' phones at PHONES_HOST:phones_port; its screen goes to
    folder/phones.log. Raises FileNotFoundError without sipp (Debian's sip-tester)."""
    sipp = shutil.which("sipp")
    if sipp is None:
        raise FileNotFoundError("sipp (Debian's sip-tester package) is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    scenario = folder / "phones.xml"
    scenario.write_text(phone_scenario(200))
    screen = (folder / "phones.log").open("w")
    try:
        return subprocess.Popen([sipp, "-sf", scenario, "-i", PHONES_HOST, "-p", str(phones_port),
                                 "-mi", PHONES_HOST, "-mp", str(free_port(PHONES_HOST)), "-nostdin", "-aa"],
                                stdin=subprocess.DEVNULL, stdout=screen, stderr=subprocess.STDOUT)
    finally:
        screen.close()


def use_demo_asterisk(office: PbxSystem, pbx: AsteriskPbx) -> None:
    """Make the demo's PBX system the demo's Asterisk, and give every branch the phones it answers on."""
    office.kind = PbxKind.ASTERISK
    office.config_dir = str(pbx.config_dir)
    office.ami_host, office.ami_port, office.ami_username = pbx.ami_host, pbx.ami_port, pbx.ami_username
    office.set_ami_secret(pbx.ami_secret)
    office.sip_host, office.sip_port = pbx.sip_host, pbx.sip_port
    office.notes = (f"The demo's own Asterisk, which make run starts on this machine (SIP {pbx.sip_host}:"
                    f"{pbx.sip_port}): numberdesk provisions it and proves each number with a real test call.")
    for department in db.session.scalars(db.select(Department)):
        department.extensions = ", ".join(BRANCH_PHONES.get(department.cost_centre, ()))


def keep_manual(reason: str) -> None:
    """Say on the demo's PBX system why it stays a PBX configured by hand."""
    office = db.session.scalar(db.select(PbxSystem).filter_by(name=OFFICE))
    office.notes = (f"The company's own Asterisk, configured by the sysadmins. The demo could not run it: "
                    f"{reason}")[:500]
    db.session.commit()
