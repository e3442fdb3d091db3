"""Looking at a PBX numberdesk provisions, and applying its plan again, asked for on the PBX's page and done by the
workflow (workflows/pbx_checks.py): a web request never waits on the PBX.

A check pings the PBX's manager interface and compares the PBX with what numberdesk expects (its drift); an apply
provisions the plan again, removing what numberdesk provisioned there that the plan no longer has.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .audit_trail import record
from .carriers import PbxSystem
from .choices import PbxKind, Role
from .db import db
from .errors import Conflict, Forbidden
from .organisation import User, utcnow

CHECK = "check"
APPLY = "apply"
KINDS = (CHECK, APPLY)
# Who may look at a PBX's page, ask for a check and apply its plan again.
ROLES = (Role.SYSADMIN, Role.ADMIN)


class PbxCheck(db.Model):
    """One check of a PBX (kind "check") or one run of applying its plan again (kind "apply"). While it is due,
    done_at is None.

    reachable: whether its manager interface answered; ok: a check found no drift, an apply went through.
    drift (a check's) lists, by kind of difference, what differs from numberdesk's plan; applied (an apply's) the
    files written and removed and the modules reloaded."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pbx_id: Mapped[int] = mapped_column(ForeignKey("pbx_system.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    reachable: Mapped[bool | None]
    ok: Mapped[bool | None]
    detail: Mapped[str] = mapped_column(Text, default="")
    drift: Mapped[dict | None] = mapped_column(JSON)
    applied: Mapped[dict | None] = mapped_column(JSON)
    # Set when it is asked for; cleared when the dispatcher hands it to Prefect (as for test calls).
    dispatch_pending: Mapped[bool] = mapped_column(default=False)
    dispatch_attempts: Mapped[int] = mapped_column(default=0)

    pbx: Mapped[PbxSystem] = relationship()

    @property
    def due(self) -> bool:
        return self.done_at is None

    def finish(self, *, reachable: bool, ok: bool, detail: str = "", drift: dict | None = None,
               applied: dict | None = None) -> None:
        self.done_at, self.reachable, self.ok, self.detail = utcnow(), reachable, ok, detail
        self.drift, self.applied = drift, applied


def may_look_after(user: User) -> bool:
    return user.has_role(*ROLES)


def last_done(system: PbxSystem, kind: str) -> PbxCheck | None:
    """The PBX's latest check or apply that was done."""
    return db.session.scalar(db.select(PbxCheck).where(PbxCheck.pbx_id == system.id, PbxCheck.kind == kind,
                                                       PbxCheck.done_at.is_not(None))
                             .order_by(PbxCheck.done_at.desc(), PbxCheck.id.desc()).limit(1))


def due(system: PbxSystem, kind: str) -> PbxCheck | None:
    """The check or apply asked for that has not been done yet."""
    return db.session.scalar(db.select(PbxCheck).where(PbxCheck.pbx_id == system.id, PbxCheck.kind == kind,
                                                       PbxCheck.done_at.is_(None)).order_by(PbxCheck.id).limit(1))


def queue(user: User, system: PbxSystem, kind: str) -> PbxCheck:
    """A sysadmin or an admin asks for a check of the PBX, or for its plan to be applied again; the workflow does
    it (workflows.pbx_checks.dispatch_pbx_check after the commit). One already due is returned, not doubled.
    Flushes, does not commit."""
    if kind not in KINDS:
        raise ValueError(f"{kind} is not one of {', '.join(KINDS)}")
    if not may_look_after(user):
        raise Forbidden(f"needs the role {' or '.join(ROLES)}")
    if system.kind != PbxKind.ASTERISK:
        raise Conflict(f"{system.name} is not a PBX that numberdesk provisions: it is configured by hand")
    waiting = due(system, kind)
    if waiting is not None:
        return waiting
    asked = due_now(system, kind, user.email)
    record(user, f"queue_pbx_{kind}", f"pbx system {system.id}", {"pbx": system.name})
    return asked


def due_now(system: PbxSystem, kind: str, requested_by: str) -> PbxCheck:
    """A check or an apply the domain itself needs (e.g. a cancelled request's numbers to remove), due unless one is
    already. Flushes, does not commit."""
    asked = due(system, kind)
    if asked is None:
        asked = PbxCheck(pbx=system, kind=kind, requested_by=requested_by, dispatch_pending=True)
        db.session.add(asked)
        db.session.flush()
    return asked


__all__ = ["APPLY", "CHECK", "KINDS", "PbxCheck", "due", "due_now", "last_done", "may_look_after", "queue"]
