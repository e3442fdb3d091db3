"""An Asterisk of its own in a folder, as the demo and the tests run it: the build scripts/install-asterisk makes,
with a complete configuration whose folders are all absolute (so nothing of a system Asterisk is read), started in
the foreground of a child process and stopped. The folder is the one above the PBX's config_dir (etc/)."""
import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from .ami import AsteriskPbx
from .provision import add_main_includes

FOLDERS = ("etc", "lib", "run", "log", "spool", "cache", "agi")
# What numberdesk's AMI user may do: reload, write and read configuration, run CLI commands, place test calls.
AMI_READ = "system"
AMI_WRITE = "system,config,command,reporting,originate"


def default_home() -> Path:
    """Where scripts/install-asterisk builds Asterisk."""
    return Path(os.environ.get("NUMBERDESK_ASTERISK_HOME") or Path.home() / ".cache/numberdesk/asterisk")


def binary(home: Path) -> Path:
    return home / "sbin" / "asterisk"


def asterisk_conf(pbx: AsteriskPbx) -> Path:
    return pbx.config_dir / "asterisk.conf"


def write_configuration(home: Path, pbx: AsteriskPbx, phones: Mapping[str, str],
                        mailboxes: Mapping[str, str] | None = None) -> None:
    """Asterisk's complete configuration, written again each time: the PBX's AMI user, its SIP transport and the
    phones (PJSIP endpoint name: host:port of its contact) in the context "phones"; mailboxes (number: "password,
    name") in voicemail's default context. numberdesk's own files (pjsip.d/, extensions.d/) are kept, and pulled
    in by the main files."""
    root = pbx.config_dir.parent
    folders = {name: pbx.config_dir if name == "etc" else root / name for name in FOLDERS}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    files = {
        # The installed data folder holds documentation/, without which Asterisk does not start.
        "asterisk.conf": (
            "[directories]\n"
            f"astetcdir => {folders['etc']}\nastmoddir => {home}/lib/asterisk/modules\n"
            f"astvarlibdir => {folders['lib']}\nastdbdir => {folders['lib']}\nastkeydir => {folders['lib']}\n"
            f"astdatadir => {home}/var/lib/asterisk\nastagidir => {folders['agi']}\n"
            f"astspooldir => {folders['spool']}\nastrundir => {folders['run']}\nastlogdir => {folders['log']}\n"
            f"astcachedir => {folders['cache']}\nastsbindir => {home}/sbin\n\n"
            "[options]\ndocumentation_language = en_US\nhideconnect = yes\n"),
        # Without the external MWI modules, which would take voicemail's place.
        "modules.conf": ("[modules]\nautoload = yes\nnoload => res_mwi_external.so\n"
                         "noload => res_ari_mailboxes.so\nnoload => res_stasis_mailbox.so\n"),
        "logger.conf": "[general]\n\n[logfiles]\nmessages.log => notice,warning,error,verbose(3)\n",
        "manager.conf": (
            f"[general]\nenabled = yes\nbindaddr = {pbx.ami_host}\nport = {pbx.ami_port}\n\n"
            f"[{pbx.ami_username}]\nsecret = {pbx.ami_secret}\ndeny = 0.0.0.0/0.0.0.0\n"
            f"permit = {pbx.ami_host}/255.255.255.255\nread = {AMI_READ}\nwrite = {AMI_WRITE}\n"),
        "pjsip.conf": (f"[transport-udp]\ntype = transport\nprotocol = udp\nbind = {pbx.sip_host}:{pbx.sip_port}\n\n"
                       + _phone_endpoints(phones)),
        "extensions.conf": "[general]\nstatic = yes\nwriteprotect = yes\n\n[phones]\n",
        # Read by a module of res_pjsip's at every reload, which complains when it is missing.
        "pjsip_wizard.conf": "",
        "voicemail.conf": "[general]\nformat = wav\n\n[default]\n" + "".join(
            f"{mailbox} => {box}\n" for mailbox, box in (mailboxes or {}).items()),
    }
    for name, text in files.items():
        path = folders["etc"] / name
        path.write_text(text)
        path.chmod(0o600)  # manager.conf holds the AMI secret, the trunks' files the carriers' passwords
    add_main_includes(pbx)


def _phone_endpoints(phones: Mapping[str, str]) -> str:
    # No connected-line updates: a stand-in phone's dialogue has no room for the re-INVITE they bring.
    return "".join(
        f"[{name}]\ntype = endpoint\ncontext = phones\ndisallow = all\nallow = alaw,ulaw\naors = {name}\n"
        f"direct_media = no\nsend_connected_line = no\n\n"
        f"[{name}]\ntype = aor\ncontact = sip:{name}@{address}\n\n"
        for name, address in phones.items())


def start(home: Path, pbx: AsteriskPbx, output=None) -> subprocess.Popen:
    """Asterisk in the foreground of a child process, what it prints to output; its log is log/messages.log."""
    return subprocess.Popen([binary(home), "-f", "-n", "-C", asterisk_conf(pbx)], stdin=subprocess.DEVNULL,
                            stdout=output, stderr=subprocess.STDOUT)


def cli(home: Path, pbx: AsteriskPbx, command: str, timeout: float = 10) -> subprocess.CompletedProcess:
    """A CLI command run on the started Asterisk (asterisk -rx), its answer as text."""
    return subprocess.run([binary(home), "-C", asterisk_conf(pbx), "-rx", command],
                          capture_output=True, text=True, timeout=timeout)


def wait_until_booted(home: Path, pbx: AsteriskPbx, process: subprocess.Popen, timeout: float) -> bool:
    """Whether Asterisk has fully started within timeout (False if it stopped or is still starting)."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if cli(home, pbx, "core waitfullybooted").returncode == 0:
                return True
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.1)
    return False


def stop(home: Path, pbx: AsteriskPbx, process: subprocess.Popen) -> None:
    """Asterisk stopped at once from its CLI, killed if it is still there after 10 seconds."""
    if process.poll() is not None:
        return
    cli(home, pbx, "core stop now")
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
