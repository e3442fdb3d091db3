"""Deadlines per stage, counted in business days of the branch's country calendar.

A stage is the part of a request's life that waits for one kind of person (the approval, the legal review, ...);
it spans one or more states. Entering a stage sets the request's `due_at`: the end of the N-th business day after
that moment, in the branch's time zone, N being the stage's business days (defaults below, changed by admins).
Moving between the states of one stage keeps the deadline (a PBX attachment's machine preparation and the
sysadmin's confirmation are one stage). Business days are those of the branch's country: Russia moves holidays
to other weekdays and works some Saturdays, which the `holidays` package's production calendar knows.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from . import audit_trail
from .db import db
from .errors import InvalidInput
from .organisation import Department, User
from .requests import NumberRequest
from .time_zones import day_of, start_of_day

DEFAULT_COUNTRY = "RU"
MIN_DAYS, MAX_DAYS = 1, 60
# Well past any deadline a stage may have, holidays included: a calendar that never has a business day is broken.
MAX_CALENDAR_DAYS = 366


@dataclass(frozen=True)
class Stage:
    name: str
    label: str
    default_days: int
    states: tuple[str, ...]


APPROVAL = "approval"
LEGAL_REVIEW = "legal_review"
SIGNATURE = "signature"
CARRIER_ORDER = "carrier_order"
ATTACHMENT = "attachment"
VERIFICATION = "verification"

# The lawyer's protocol states count as legal review; a project lead accepting the carrier's terms, as approval.
STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage(APPROVAL, "Approval", 2, ("submitted", "risk_acceptance")),
    Stage(LEGAL_REVIEW, "Legal review", 5, ("legal_review", "counter_proposed", "carrier_refused")),
    Stage(SIGNATURE, "Signature", 5, ("legal_approved",)),
    Stage(CARRIER_ORDER, "Carrier order", 10, ("ordered",)),
    Stage(ATTACHMENT, "PBX attachment", 2, ("number_assigned", "attaching")),
    Stage(VERIFICATION, "Verification", 1, ("attached", "verifying")),
)}
STAGE_OF_STATE: dict[str, str] = {state: stage.name for stage in STAGES.values() for state in stage.states}


class StageDeadline(db.Model):
    """An admin's number of business days for a stage; a stage without a row has its default."""

    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    business_days: Mapped[int]


# --- the calendar ---------------------------------------------------------------------------------

def supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=64)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_business_day(day: date, country: str = DEFAULT_COUNTRY) -> bool:
    """Not a weekend nor a holiday (with the days off holidays are moved to), or a weekend day made a working day."""
    return _calendar(country, day.year).is_working_day(day)


def add_business_days(day: date, count: int, country: str = DEFAULT_COUNTRY) -> date:
    """The `count`-th business day after `day` (`day` itself never counts)."""
    found = 0
    for offset in range(1, MAX_CALENDAR_DAYS * count + 1):
        candidate = day + timedelta(days=offset)
        if is_business_day(candidate, country):
            found += 1
            if found == count:
                return candidate
    raise ValueError(f"the {country} calendar has no {count} business days after {day}")


def due_after(moment: datetime, business_days: int, zone_name: str, country: str = DEFAULT_COUNTRY) -> datetime:
    """The end of the `business_days`-th business day after `moment` (stored UTC), in the zone: the last
    microsecond before the next day starts there, as a naive UTC datetime like every stored time."""
    last_day = add_business_days(day_of(moment, zone_name), business_days, country)
    return start_of_day(last_day + timedelta(days=1), zone_name) - timedelta(microseconds=1)


def is_overdue(due_at: datetime | None, now: datetime) -> bool:
    """Whether a deadline (stored UTC) has passed at `now` (naive UTC)."""
    return due_at is not None and now > due_at


def overdue_condition(now: datetime):
    """Requests whose deadline has passed at `now` (naive UTC), in SQL, as is_overdue() says."""
    return db.and_(NumberRequest.due_at.is_not(None), NumberRequest.due_at < now)


# --- the stages' business days --------------------------------------------------------------------

def business_days() -> dict[str, int]:
    """Each stage's business days: the admins' where set, the defaults elsewhere."""
    chosen = dict(db.session.execute(db.select(StageDeadline.stage, StageDeadline.business_days)).tuples().all())
    return {name: chosen.get(name, stage.default_days) for name, stage in STAGES.items()}


def set_business_days(user: User, days: dict[str, int]) -> dict[str, list[int]]:
    """Change stages' business days and record the change in the audit trail; the caller commits.
    Returns what changed: {stage: [old, new]}."""
    errors = {name: "is not a stage" for name in days if name not in STAGES}
    errors.update({name: f"must be a whole number from {MIN_DAYS} to {MAX_DAYS}" for name, value in days.items()
                   if name in STAGES and (isinstance(value, bool) or not isinstance(value, int)
                                          or not MIN_DAYS <= value <= MAX_DAYS)})
    if errors:
        raise InvalidInput("the deadlines are not valid", errors)
    current = business_days()
    changes = {name: [current[name], value] for name, value in days.items() if current[name] != value}
    for name, (_, value) in changes.items():
        db.session.merge(StageDeadline(stage=name, business_days=value))
    if changes:
        audit_trail.record(user, "edit", "deadlines", {"business_days": changes})
    return changes


# --- a request's deadline -------------------------------------------------------------------------

def due_on_entering(department: Department, from_state: str | None, to_state: str, changed_at: datetime,
                    due_at: datetime | None) -> datetime | None:
    """A request's deadline once it moves from `from_state` to `to_state` at `changed_at`: unchanged within one
    stage, counted anew on entering a stage, None in a state without one. `due_at` is the deadline it had."""
    stage = STAGE_OF_STATE.get(to_state)
    if stage is None:
        return None
    if from_state is not None and STAGE_OF_STATE.get(from_state) == stage and due_at is not None:
        return due_at
    return due_after(changed_at, business_days()[stage], department.time_zone, department.country)
