"""Checking a PBX numberdesk provisions (is it reachable, does it still carry what numberdesk expects) and applying its
plan again, as asked for on the PBX's page (models.pbx_checks.queue). The web request only marks it due; the
dispatcher hands it to Prefect (or, in `inline` mode, it is done here at once), as test calls are.

Every call to the PBX is bounded by the PBX's own timeout (pbx.asterisk.AsteriskPbx.timeout): a PBX that does not
answer is recorded as unreachable, with why.
"""
from dataclasses import asdict

from models import Conflict, InvalidInput, db
from models.choices import PbxKind
from models.pbx_checks import CHECK, PbxCheck
from models.secrets import SecretsKeyError
from pbx.asterisk import PbxError, PbxUnreachable, check_drift, ping

from .dispatch import mode, redrive
from .pbx_plan import asterisk_pbx, plan_for, provision
from .runtime import database

PBX_CHECK_FLOW = "run-pbx-check"


def drift_data(drift) -> dict[str, list[str]]:
    """What differs, by kind of difference (missing_files, changed_files...), only the kinds with something."""
    return {name: list(values) for name, values in asdict(drift).items() if values}


def _check(check: PbxCheck) -> None:
    system = check.pbx
    pbx = asterisk_pbx(system)
    ping(pbx)
    drift = drift_data(check_drift(pbx, plan_for(system)))
    check.finish(reachable=True, ok=not drift, drift=drift)  # the page lists the drift itself


def _apply(check: PbxCheck) -> None:
    applied = provision(check.pbx)
    check.finish(reachable=True, ok=True, applied={"written": list(applied.written), "removed": list(applied.removed),
                                                   "reloaded": list(applied.reloaded)})


def run_pbx_check(check_id: int) -> str:
    """Do a check or an apply asked for, if it is still due, and record how it went."""
    with database() as session:
        check = session.get(PbxCheck, check_id)
        if check is None or not check.due:
            return f"pbx check {check_id}: nothing to do"
        if check.pbx.kind != PbxKind.ASTERISK:  # its kind changed since it was asked for
            check.finish(reachable=False, ok=False, detail="the PBX is not one that numberdesk provisions")
        else:
            try:
                if check.kind == CHECK:
                    _check(check)
                else:
                    _apply(check)
            except PbxUnreachable as error:
                session.rollback()  # an apply's partial work is the PBX's files, not records
                check = session.get(PbxCheck, check_id)
                check.finish(reachable=False, ok=False, detail=f"the PBX could not be reached: {error}")
            except (PbxError, InvalidInput, Conflict, SecretsKeyError) as error:
                session.rollback()
                check = session.get(PbxCheck, check_id)
                check.finish(reachable=False, ok=False, detail=str(error))
        session.commit()
        return f"{check.pbx.name}: {check.kind}: {'ok' if check.ok else 'not ok'}: {check.detail}"


def dispatch_pbx_check(check: PbxCheck) -> None:
    """Do a check or an apply asked for. Call after the commit: in `prefect` mode the dispatcher hands it over; in
    `inline` mode it is done here."""
    if mode() == "inline":
        run_pbx_check(check.id)
        db.session.refresh(check)


def sweep_pbx_checks() -> list[int]:
    """Mark due again the checks and applies asked for that were never done (their run crashed or never came)."""
    return redrive(PbxCheck, PbxCheck.done_at.is_(None), PbxCheck.requested_at, dispatch_pbx_check)
