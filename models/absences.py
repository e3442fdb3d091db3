"""Absences: while somebody is away, a delegate who holds the same roles takes their tasks.

An absence runs from its first to its last day, both included, as days of the absent person's time zone: their
branch's when they work for one branch, else the company's accounting time zone. During it the delegate's My tasks
list what the absent person could act on (their roles and branches) as "for <name>", the absent person's task
mails go to the delegate, and a decision the delegate takes for them is audited as "<delegate> for <person>".
Four eyes still hold for both of them (models/lifecycle.py). Delegation is not passed on: a delegate who is away
hands over only their own tasks.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit_trail
from .db import db
from .errors import InvalidInput
from .organisation import User, utcnow
from .time_zones import accounting_time_zone, day_of


class Absence(db.Model):
    """One person's absence (at most one at a time: setting another replaces it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])

    def covers(self, now: datetime) -> bool:
        """Whether `now` (naive UTC) falls on one of its days, in the absent person's time zone."""
        return self.starts_on <= day_of(now, time_zone_of(self.user)) <= self.ends_on


def time_zone_of(user: User) -> str:
    """Whose calendar an absence's days are: the person's branch's, or the accounting time zone."""
    departments = user.departments
    return departments[0].time_zone if len(departments) == 1 else accounting_time_zone()


def acting_roles(user: User) -> frozenset[str]:
    """The roles in which `user` has tasks: those a delegate must hold too."""
    from .lifecycle import TRANSITIONS  # the life cycle asks this module whom a user stands in for

    task_roles = {role for t in TRANSITIONS.values() if t.is_task and not t.is_machine for role in t.actor}
    return user.roles & task_roles


def may_delegate_to(user: User, delegate: User) -> bool:
    return delegate.id != user.id and delegate.is_active and acting_roles(user) <= delegate.roles


def absence_of(user: User) -> Absence | None:
    return db.session.scalar(db.select(Absence).filter_by(user_id=user.id))


def set_absence(user: User, *, starts_on, ends_on, delegate_id, now: datetime | None = None) -> Absence:
    """Set (or replace) `user`'s absence after checking it. Flushes and audits; the caller commits."""
    errors: dict[str, str] = {}
    delegate = None
    if isinstance(delegate_id, bool) or not isinstance(delegate_id, int):
        errors["delegate_id"] = "must be the id of a colleague"
    else:
        delegate = db.session.get(User, delegate_id)
        if delegate is None or not may_delegate_to(user, delegate):
            needed = ", ".join(sorted(acting_roles(user))) or "the same roles"
            errors["delegate_id"] = f"must be another active person who holds the role(s) {needed}"
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not isinstance(value, date) or isinstance(value, datetime):
            errors[name] = "must be a date as YYYY-MM-DD"
    if "ends_on" not in errors:
        today = day_of(now or utcnow(), time_zone_of(user))
        if "starts_on" not in errors and ends_on < starts_on:
            errors["ends_on"] = "must not be before the first day"
        elif ends_on < today:
            errors["ends_on"] = "must not be in the past"
    if errors:
        raise InvalidInput("the absence is not valid", errors)
    absence = absence_of(user) or Absence(user=user)
    absence.delegate, absence.starts_on, absence.ends_on = delegate, starts_on, ends_on
    db.session.add(absence)
    db.session.flush()
    audit_trail.record(user, "set_absence", audit_trail.subject_of(user), {
        "delegate": delegate.email, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return absence


def clear_absence(user: User) -> bool:
    """End `user`'s absence, if they have one; audits it. The caller commits."""
    absence = absence_of(user)
    if absence is None:
        return False
    db.session.delete(absence)
    audit_trail.record(user, "clear_absence", audit_trail.subject_of(user), {"delegate": absence.delegate.email})
    return True


def _covering(now: datetime | None, *conditions) -> list[Absence]:
    now = now or utcnow()
    # Every time zone's day is within a day of UTC's: the query narrows, covers() decides.
    utc_day = now.date()
    candidates = db.session.scalars(db.select(Absence).join(Absence.user).where(
        User.is_active_user, Absence.starts_on <= utc_day + timedelta(days=1),
        Absence.ends_on >= utc_day - timedelta(days=1), *conditions).order_by(Absence.user_id))
    return [absence for absence in candidates if absence.covers(now)]


def active_absences(now: datetime | None = None) -> list[Absence]:
    """The absences that cover `now` (naive UTC; the clock unless given), of active people."""
    return _covering(now)


def principals_of(user: User, now: datetime | None = None) -> list[User]:
    """The people `user` stands in for at `now`: those away who named them their delegate."""
    return [absence.user for absence in _covering(now, Absence.delegate_id == user.id)]


def delegate_candidates(user: User) -> list[User]:
    """Whom `user` is offered as a delegate: the active people who share one of their roles (one they have tasks
    in, if they have any); set_absence refuses those who lack one of them."""
    roles = acting_roles(user) or user.roles
    people = db.session.scalars(db.select(User).where(User.is_active_user, User.id != user.id).order_by(User.name))
    return [person for person in people if person.roles & roles]


def standing_in(user: User, now: datetime | None = None) -> list[Absence]:
    """The absences, running or to come, in which `user` is the delegate."""
    since = (now or utcnow()).date() - timedelta(days=1)
    return db.session.scalars(db.select(Absence).where(Absence.delegate_id == user.id, Absence.ends_on >= since)
                              .order_by(Absence.starts_on)).all()
