"""The project leads' figures: open requests per stage and city, what is overdue, the median time each stage
took, and what was finished each week. Every figure is counted in the database, over the requests the viewer
sees (models.access.visible_requests), at a given `now`.

A stage visit starts with the state change that enters one of the stage's states from outside the stage and
ends with the first later change that leaves the stage; moving between the states of one stage stays in it.
"""
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from . import access
from .db import db
from .deadlines import STAGE_OF_STATE, STAGES, overdue_condition
from .lifecycle import ACTIVE, CANCELLED, DRAFT, REJECTED, STATES
from .organisation import Department, User
from .requests import AuditEvent, NumberRequest
from .time_zones import accounting_time_zone, day_of, start_of_day

# Open requests in no stage: a machine step drafting or ordering, or the carrier's answer awaited.
OTHER = "other"
# Open: submitted and not finished (a draft has not asked anyone for anything yet).
OPEN_STATES = tuple(name for name, state in STATES.items() if not state.final and name != DRAFT)
OUTCOMES = (ACTIVE, REJECTED, CANCELLED)
MEDIAN_DAYS = 90
WEEKS = 12


def _stage_of(state_column):
    """The stage a state belongs to, in SQL; NULL for a state in no stage."""
    return db.case(STAGE_OF_STATE, value=state_column, else_=None)


# --- open requests per stage and city ---------------------------------------------------------------

@dataclass(frozen=True)
class CityCounts:
    city: str
    city_ru: str
    counts: dict[str, int]  # by stage name, and OTHER

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def open_by_stage_and_city(user: User) -> list[CityCounts]:
    """The open requests `user` sees, counted per city and stage (OTHER for those between stages), by city."""
    stage = db.func.coalesce(_stage_of(NumberRequest.state), OTHER)
    query = access.visible_requests(user, db.select(
        Department.city, db.func.max(Department.city_ru), stage, db.func.count(NumberRequest.id))
        .select_from(NumberRequest).join(Department, Department.id == NumberRequest.department_id)
        .where(NumberRequest.state.in_(OPEN_STATES))
        .group_by(Department.city, stage))
    cities: dict[str, CityCounts] = {}
    for city, city_ru, stage_name, count in db.session.execute(query):
        row = cities.setdefault(city, CityCounts(city, city_ru or "", {name: 0 for name in [*STAGES, OTHER]}))
        row.counts[stage_name] = count
    return [cities[city] for city in sorted(cities)]


def stage_totals(rows: list[CityCounts]) -> dict[str, int]:
    return {name: sum(row.counts[name] for row in rows) for name in [*STAGES, OTHER]}


# --- overdue ----------------------------------------------------------------------------------------

def overdue_query(user: User, now: datetime) -> Select:
    """The requests `user` sees whose stage's deadline has passed at `now`, longest overdue first."""
    return (access.visible_requests(user).where(overdue_condition(now))
            .order_by(NumberRequest.due_at, NumberRequest.id))


# --- the median time per stage ----------------------------------------------------------------------

@dataclass(frozen=True)
class StageTime:
    median: timedelta
    visits: int


def _seconds_between(later, earlier):
    """later - earlier in seconds, in SQL: SQLite keeps times as text, PostgreSQL as timestamps."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.func.extract("epoch", later - earlier)
    return (db.func.julianday(later) - db.func.julianday(earlier)) * 86400


def _stage_visits(user: User, since: datetime, now: datetime):
    """(stage, seconds) of every stage visit that ended within [since, now], from the audit trail."""
    entered, left = aliased(AuditEvent), aliased(AuditEvent)
    stage = _stage_of(entered.to_state)
    left_at = (db.select(db.func.min(left.at))
               .where(left.request_id == entered.request_id, left.id > entered.id,
                      _stage_of(left.from_state) == stage,
                      db.func.coalesce(_stage_of(left.to_state), "") != stage)
               .correlate(entered).scalar_subquery())
    visits = access.visible_requests(user, db.select(
        stage.label("stage"), entered.at.label("entered_at"), left_at.label("left_at"))
        .select_from(NumberRequest).join(entered, entered.request_id == NumberRequest.id)
        .where(stage.is_not(None), db.func.coalesce(_stage_of(entered.from_state), "") != stage,
               entered.at <= now)).subquery()
    seconds = _seconds_between(visits.c.left_at, visits.c.entered_at)
    return visits.c.stage, seconds, visits.c.left_at.between(since, now)


def median_stage_times(user: User, now: datetime, days: int = MEDIAN_DAYS) -> dict[str, StageTime]:
    """Per stage, the median time its visits took, of those that ended in the `days` before `now`."""
    stage, seconds, in_window = _stage_visits(user, now - timedelta(days=days), now)
    if db.session.get_bind().dialect.name == "postgresql":
        rows = db.session.execute(db.select(stage, db.func.percentile_cont(0.5).within_group(seconds),
                                            db.func.count()).where(in_window).group_by(stage))
        found = {name: StageTime(timedelta(seconds=float(median)), count) for name, median, count in rows}
    else:  # no median in SQLite: only the durations come back
        durations: dict[str, list[float]] = {}
        for name, value in db.session.execute(db.select(stage, seconds).where(in_window)):
            durations.setdefault(name, []).append(value)
        found = {name: StageTime(timedelta(seconds=statistics.median(values)), len(values))
                 for name, values in durations.items()}
    # Times are kept to the microsecond; a float's last digits are noise.
    return {name: StageTime(timedelta(seconds=round(found[name].median.total_seconds())), found[name].visits)
            for name in STAGES if name in found}


# --- what was finished each week --------------------------------------------------------------------

@dataclass(frozen=True)
class WeekOutcomes:
    monday: date  # the ISO week's first day, in the accounting time zone
    counts: dict[str, int]  # by final state: became active, was rejected, was cancelled

    @property
    def iso_week(self) -> tuple[int, int]:
        year, week, _ = self.monday.isocalendar()
        return year, week


def week_starts(now: datetime, weeks: int, zone_name: str) -> list[date]:
    """The Mondays of the last `weeks` ISO weeks, the one holding `now` last."""
    today = day_of(now, zone_name)
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def weekly_outcomes(user: User, now: datetime, weeks: int = WEEKS, zone_name: str | None = None) -> list[WeekOutcomes]:
    """Per ISO week of the last `weeks` (in the company's accounting time zone), the requests `user` sees that
    became active, were rejected or were cancelled."""
    zone_name = zone_name or accounting_time_zone()
    mondays = week_starts(now, weeks, zone_name)
    starts = [start_of_day(monday, zone_name) for monday in mondays]
    week = db.case(*[(AuditEvent.at >= start, index) for index, start in reversed(list(enumerate(starts)))])
    query = access.visible_requests(user, db.select(week, AuditEvent.to_state, db.func.count(AuditEvent.id))
                                    .select_from(NumberRequest)
                                    .join(AuditEvent, AuditEvent.request_id == NumberRequest.id)
                                    .where(AuditEvent.to_state.in_(OUTCOMES), AuditEvent.from_state.is_not(None),
                                           AuditEvent.at >= starts[0], AuditEvent.at <= now)
                                    .group_by(week, AuditEvent.to_state))
    result = [WeekOutcomes(monday, dict.fromkeys(OUTCOMES, 0)) for monday in mondays]
    for index, state, count in db.session.execute(query):
        result[index].counts[state] = count
    return result
