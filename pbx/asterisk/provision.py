"""Provisioning a plan on an Asterisk PBX: its files written into the PBX's configuration folder, then reloaded.

Writes are atomic (a temporary file renamed over the old one) and made under a file lock in the configuration
folder, so provisioning runs at once never mix their files. A file whose text is unchanged is not written, and
nothing unchanged is reloaded. A reload that did not happen (the PBX was unreachable) is remembered in the
folder and done by the next run."""
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from models.errors import Conflict

from .ami import AmiSession, AsteriskPbx, ami_session
from .plan import Plan
from .render import (BRANCH_PREFIX, DIALPLAN_DIR, MAIN_INCLUDES, PJSIP_DIR, TRUNK_PREFIX, branch_context,
                     branch_path, inbound_context, render_plan, trunk_endpoint, trunk_path)

LOCK_FILE = ".numberdesk.lock"
PENDING_RELOAD_FILE = ".numberdesk-reload-pending"
PJSIP_MODULE = "res_pjsip.so"
DIALPLAN_MODULE = "pbx_config.so"
# PJSIP first: a new route may go to a new trunk's endpoint.
RELOAD_ORDER = (PJSIP_MODULE, DIALPLAN_MODULE)
_ROUTE_LINE = re.compile(r"^exten => (\+\d+),1,Goto\(", re.MULTILINE)


@dataclass(frozen=True)
class Applied:
    """What a provisioning run changed: files written and removed (relative to the configuration folder) and the
    Asterisk modules reloaded."""
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reloaded: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed or self.reloaded)


@dataclass(frozen=True)
class Drift:
    """Where the PBX differs from a plan: its files (missing, changed, or numberdesk's but not in the plan) and
    what Asterisk has loaded (trunk endpoints, branch contexts and numbers it does not know)."""
    missing_files: tuple[str, ...] = ()
    changed_files: tuple[str, ...] = ()
    extra_files: tuple[str, ...] = ()
    missing_endpoints: tuple[str, ...] = ()
    missing_contexts: tuple[str, ...] = ()
    missing_numbers: tuple[str, ...] = ()
    missing_includes: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not any((self.missing_files, self.changed_files, self.extra_files, self.missing_endpoints,
                        self.missing_contexts, self.missing_numbers, self.missing_includes))


def apply_plan(pbx: AsteriskPbx, plan: Plan | Callable[[], Plan], *, prune: bool = False) -> Applied:
    """Write the files of the plan's trunks and branches, and reload what changed. Other trunks' and branches'
    files stay, unless prune: then every numberdesk file the plan does not have is removed. Raises Conflict if a
    number of the plan is routed by a branch file the run keeps but the plan does not have.

    plan may be a function that makes it: it is called under the configuration lock, so of two runs at once the
    second makes its plan after the first has applied its own (a plan made from records that both runs change)."""
    with _locked(pbx.config_dir):
        if callable(plan):
            plan = plan()
        files = render_plan(plan)
        ours = set(_our_files(pbx.config_dir))
        stale = sorted(ours - set(files)) if prune else []
        _refuse_numbers_routed_elsewhere(pbx.config_dir, plan, (ours - set(files)) - set(stale))
        written = tuple(path for path, text in files.items() if _write_if_changed(pbx.config_dir / path, text))
        removed = tuple(path for path in stale if _remove(pbx.config_dir / path))
        return Applied(written, removed, _reload(pbx, written + removed))


def remove_from_pbx(pbx: AsteriskPbx, *, trunks: Iterable[str] = (), branches: Iterable[str] = ()) -> Applied:
    """Remove trunks and branches (by id) from the PBX: their files, then a reload. A missing one is no error."""
    paths = [trunk_path(trunk_id) for trunk_id in trunks] + [branch_path(branch_id) for branch_id in branches]
    with _locked(pbx.config_dir):
        removed = tuple(path for path in sorted(set(paths)) if _remove(pbx.config_dir / path))
        return Applied(removed=removed, reloaded=_reload(pbx, removed))


def add_main_includes(pbx: AsteriskPbx) -> tuple[str, ...]:
    """Add the lines that pull numberdesk's files in to the PBX's pjsip.conf and extensions.conf where they are
    missing, and return the names of the files changed. Asterisk reads them at its next reload."""
    changed = []
    with _locked(pbx.config_dir):
        for name, line in MAIN_INCLUDES.items():
            path = pbx.config_dir / name
            text = path.read_text() if path.exists() else ""
            if line not in text.splitlines():
                _write_atomically(path, text + ("" if not text or text.endswith("\n") else "\n") + line + "\n",
                                  mode=path.stat().st_mode & 0o777 if path.exists() else 0o640)
                changed.append(name)
    return tuple(changed)


def check_drift(pbx: AsteriskPbx, plan: Plan) -> Drift:
    """Compare the PBX with a plan: its files on disk, then what Asterisk has loaded (over AMI)."""
    files = render_plan(plan)
    on_disk = {path: (pbx.config_dir / path).read_text() for path in _our_files(pbx.config_dir)}
    missing_includes = tuple(name for name, line in MAIN_INCLUDES.items()
                             if line not in _read(pbx.config_dir / name).splitlines())
    with ami_session(pbx) as session:
        endpoints = _loaded_endpoints(session)
        contexts = {branch_context(b.id): _context_lines(session, branch_context(b.id)) for b in plan.branches}
        inbound = {trunk_id: _context_lines(session, inbound_context(trunk_id))
                   for trunk_id in sorted({route.trunk for route in plan.routes})}
    return Drift(
        missing_files=tuple(path for path in files if path not in on_disk),
        changed_files=tuple(path for path in files if path in on_disk and on_disk[path] != files[path]),
        extra_files=tuple(path for path in on_disk if path not in files),
        missing_endpoints=tuple(trunk_endpoint(t.id) for t in plan.trunks if trunk_endpoint(t.id) not in endpoints),
        missing_contexts=tuple(context for context, lines in contexts.items() if lines is None),
        missing_numbers=tuple(sorted(route.did for route in plan.routes
                                     if not any(f"'{route.did}' =>" in line for line in inbound[route.trunk] or ()))),
        missing_includes=missing_includes)


def registration_status(pbx: AsteriskPbx, trunk_id: str) -> str:
    """The state of a registration trunk's registration as Asterisk reports it: Registered, Unregistered,
    Rejected, Stopped...; "" if Asterisk has no such registration."""
    with ami_session(pbx) as session:
        lines = session.command(f"pjsip show registration {trunk_endpoint(trunk_id)}")
    for line in lines:
        found = re.match(rf"^\s*{re.escape(trunk_endpoint(trunk_id))}/\S+\s+\S+\s+(\w+)", line)
        if found:
            return found.group(1)
    return ""


@contextmanager
def _locked(config_dir: Path) -> Iterator[None]:
    config_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(config_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _our_files(config_dir: Path) -> list[str]:
    found = [f"{PJSIP_DIR}/{p.name}" for p in (config_dir / PJSIP_DIR).glob(f"{TRUNK_PREFIX}*.conf")]
    found += [f"{DIALPLAN_DIR}/{p.name}" for p in (config_dir / DIALPLAN_DIR).glob(f"{BRANCH_PREFIX}*.conf")]
    return sorted(found)


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _refuse_numbers_routed_elsewhere(config_dir: Path, plan: Plan, kept: Iterable[str]) -> None:
    numbers = {route.did for route in plan.routes}
    for path in sorted(kept):
        if path.startswith(f"{DIALPLAN_DIR}/"):
            taken = sorted(numbers & set(_ROUTE_LINE.findall(_read(config_dir / path))))
            if taken:
                raise Conflict(f"{', '.join(taken)} already go to another branch ({path}): provision that branch "
                               "without them in the same plan", {"routes": f"already routed by {path}"})


def _write_if_changed(path: Path, text: str) -> bool:
    # Trunk files hold the carrier's password: the PBX's user alone reads them.
    if _read(path) == text:
        if stat.S_IMODE(path.stat().st_mode) != 0o600:
            path.chmod(0o600)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, text, mode=0o600)
    return True


def _write_atomically(path: Path, text: str, mode: int) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _reload(pbx: AsteriskPbx, changed_paths: Iterable[str]) -> tuple[str, ...]:
    """Reload the modules whose files changed, and any a failed run left pending; the pending list is kept
    until the reloads succeed."""
    pending = pbx.config_dir / PENDING_RELOAD_FILE
    modules = set(_read(pending).split())
    modules |= {PJSIP_MODULE if path.startswith(f"{PJSIP_DIR}/") else DIALPLAN_MODULE for path in changed_paths}
    if not modules:
        return ()
    ordered = tuple(module for module in RELOAD_ORDER if module in modules)
    _write_atomically(pending, "".join(f"{module}\n" for module in ordered), mode=0o600)
    with ami_session(pbx) as session:
        for module in ordered:
            session.action("Reload", Module=module)
    pending.unlink()
    return ordered


def _loaded_endpoints(session: AmiSession) -> set[str]:
    return {found.group(1) for line in session.command("pjsip list endpoints")
            if (found := re.match(r"^\s*Endpoint:\s+(\S+)", line))}


def _context_lines(session: AmiSession, context: str) -> list[str] | None:
    """The dialplan lines Asterisk has for a context, None if it has no such context."""
    lines = session.command(f"dialplan show {context}")
    if any(f"Context '{context}'" in line for line in lines):
        return lines
    return None
