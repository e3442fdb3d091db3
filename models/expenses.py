"""The monthly expense report: what each branch's numbers cost, month by month.

Rental and one-time fees are what the contract says, pro-rated by each number's days in service;
call charges are what the carriers billed (the invoice audit compares those with the contract).
Amounts are rounded to 0.01 per department and item, so every total adds up exactly.

Days and months are those of each carrier's billing time zone, as on its invoices: a carrier's calls of a
month are those started within [the month's first moment, the next month's first moment) in its zone, two
UTC instants per carrier, which keeps the covering index of call records usable.
"""
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import JSON, String, UniqueConstraint, case, null
from sqlalchemy.orm import Mapped, mapped_column

from .billing import CallRecord, tariff_schedules
from .carriers import Carrier, billing_time_zones
from .choices import DestinationClass
from .db import db
from .errors import DomainError
from .formatting import plain_amount
from .numbers import PhoneNumber
from .organisation import Department, utcnow
from .rating import (CENT, ZERO, days_in_service, month_start, monthly_rental, next_month, one_time_fee,
                     previous_month)
from .time_zones import accounting_time_zone, start_of_day, today_in

CLASSES = tuple(DestinationClass.values())
DEFAULT_CURRENCY = "RUB"
# The key of `ExpenseFigures.time_zones` that stands for every carrier: a report kept before carriers had
# billing time zones was counted in UTC, and a company without carriers counts in its accounting zone.
EVERY_CARRIER = ""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def amount_text(value: Decimal) -> str:
    """How amounts travel in JSON and CSV: a decimal string with two places, rounded as cents() does."""
    return plain_amount(value)


def _no_calls() -> dict[str, Decimal]:
    return dict.fromkeys(CLASSES, ZERO)


@dataclass
class Costs:
    """One month's costs of a department, or the sum of several departments."""

    numbers: int = 0
    rental: Decimal = ZERO
    calls: dict[str, Decimal] = field(default_factory=_no_calls)  # by destination class
    one_time: Decimal = ZERO
    previous_total: Decimal = ZERO

    @property
    def calls_total(self) -> Decimal:
        return sum(self.calls.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.rental + self.calls_total + self.one_time

    @property
    def change(self) -> Decimal:
        return self.total - self.previous_total

    def __add__(self, other: "Costs") -> "Costs":
        return Costs(numbers=self.numbers + other.numbers, rental=self.rental + other.rental,
                     calls={c: self.calls[c] + other.calls[c] for c in CLASSES},
                     one_time=self.one_time + other.one_time,
                     previous_total=self.previous_total + other.previous_total)


def total_of(costs) -> Costs:
    return sum(costs, Costs())


@dataclass
class DepartmentCosts:
    department_id: int
    name: str
    city: str
    cost_centre: str
    costs: Costs


@dataclass
class ExpenseFigures:
    """The report's content: one row per department, ordered by city and name; totals are sums of rows."""

    month: date
    currency: str
    departments: list[DepartmentCosts]
    # Carrier name -> the billing time zone its days and months were counted in.
    time_zones: dict[str, str] = field(default_factory=lambda: {EVERY_CARRIER: "UTC"})

    def counted_in(self) -> str:
        """The zone the month is counted in, as the report says it: its name when every carrier bills by one
        zone, else each carrier's ("Nordtel: Europe/Moscow, SibTel: Asia/Novosibirsk")."""
        zones = set(self.time_zones.values())
        if len(zones) == 1:
            return zones.pop()
        return ", ".join(f"{carrier}: {zone}" for carrier, zone in sorted(self.time_zones.items()))

    def only(self, department_ids: set[int] | None) -> "ExpenseFigures":
        """The rows of these departments only (None: all)."""
        if department_ids is None:
            return self
        return replace(self, departments=[d for d in self.departments if d.department_id in department_ids])

    def by_city(self) -> list[tuple[str, list[DepartmentCosts], Costs]]:
        cities: dict[str, list[DepartmentCosts]] = defaultdict(list)
        for row in self.departments:
            cities[row.city].append(row)
        return [(city, rows, total_of(r.costs for r in rows)) for city, rows in cities.items()]

    def total(self) -> Costs:
        return total_of(row.costs for row in self.departments)

    def to_data(self) -> dict:
        return {"month": self.month.strftime("%Y-%m"), "currency": self.currency, "departments": [{
            "department_id": row.department_id, "name": row.name, "city": row.city, "cost_centre": row.cost_centre,
            "numbers": row.costs.numbers, "rental": amount_text(row.costs.rental),
            "calls": {c: amount_text(row.costs.calls[c]) for c in CLASSES},
            "one_time": amount_text(row.costs.one_time), "previous_total": amount_text(row.costs.previous_total)}
            for row in self.departments], "time_zones": dict(self.time_zones)}

    @classmethod
    def from_data(cls, data: dict) -> "ExpenseFigures":
        rows = [DepartmentCosts(department_id=row["department_id"], name=row["name"], city=row["city"],
                                cost_centre=row["cost_centre"], costs=Costs(
                                    numbers=row["numbers"], rental=Decimal(row["rental"]),
                                    calls={c: Decimal(row["calls"][c]) for c in CLASSES},
                                    one_time=Decimal(row["one_time"]),
                                    previous_total=Decimal(row["previous_total"])))
                for row in data["departments"]]
        return cls(month=datetime.strptime(data["month"], "%Y-%m").date(), currency=data["currency"],
                   departments=rows, time_zones=dict(data.get("time_zones") or {EVERY_CARRIER: "UTC"}))


class ExpenseReport(db.Model):
    """A month's report as it was generated: what accounting received."""

    __table_args__ = (UniqueConstraint("month", "version", name="uq_expense_report_month_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # the first day of the month
    # Keeping a month again adds a version; a kept report is never overwritten.
    version: Mapped[int] = mapped_column(default=1)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(254))
    data: Mapped[dict] = mapped_column(JSON)  # ExpenseFigures.to_data()

    def figures(self) -> ExpenseFigures:
        return ExpenseFigures.from_data(self.data)


def last_complete_month() -> date:
    """The month a report is usually wanted for: the one before this month in the accounting time zone."""
    return previous_month(month_start(today_in(accounting_time_zone())))


def report_time_zones() -> dict[str, str]:
    """Each carrier's billing time zone, by carrier name: what a report's months are counted in."""
    zones = {name: zone for name, zone in db.session.execute(db.select(Carrier.name, Carrier.billing_time_zone))}
    return zones or {EVERY_CARRIER: accounting_time_zone()}


def report_currency() -> str:
    currencies = set(db.session.scalars(db.select(Carrier.currency).distinct()))
    if len(currencies) > 1:
        raise DomainError(f"carriers bill in {', '.join(sorted(currencies))}; "
                          "the expense report adds up amounts in one currency only")
    return currencies.pop() if currencies else DEFAULT_CURRENCY


def months_between(first: date, last: date) -> list[date]:
    months = [first]
    while months[-1] < last:
        months.append(next_month(months[-1]))
    return months


def monthly_costs(first: date, last: date, department_ids: set[int] | None = None) -> dict[date, dict[int, Costs]]:
    """Each department's costs in every month from `first` to `last` (first days of months), by department id.

    One query adds up the calls of all those months, so a report and its previous month cost one scan.
    """
    months = months_between(first, last)
    costs: dict[date, dict[int, Costs]] = {month: defaultdict(Costs) for month in months}
    _add_call_charges(costs, months, department_ids)
    _add_fees(costs, months, department_ids)
    return costs


def _month_index(months: list[date], zone_name: str, before_first=False):
    """SQL for the index in `months` of the month a call started in, in the zone; NULL after the last month,
    and, with `before_first`, before the first."""
    started_at = CallRecord.started_at
    ends = [start_of_day(next_month(month), zone_name) for month in months]
    whens = [(started_at < end, index) for index, end in enumerate(ends)]
    if before_first:
        whens.insert(0, (started_at < start_of_day(months[0], zone_name), null()))
    return case(*whens)


def _add_call_charges(costs: dict[date, dict[int, Costs]], months: list[date], department_ids) -> None:
    carriers_by_zone: dict[str, list[int]] = defaultdict(list)
    for carrier_id, zone_name in billing_time_zones().items():
        carriers_by_zone[zone_name].append(carrier_id)
    if not carriers_by_zone:
        return
    zones = sorted(carriers_by_zone)
    started_at = CallRecord.started_at
    first = min(start_of_day(months[0], zone_name) for zone_name in zones)
    after = max(start_of_day(next_month(months[-1]), zone_name) for zone_name in zones)
    if len(zones) == 1:  # every carrier bills by one calendar: the query is the plain GROUP BY
        month_index = _month_index(months, zones[0])
    else:  # each carrier's calls by its zone's months; the covering index holds carrier_id for this
        *others, last = zones
        month_index = case(*((CallRecord.carrier_id.in_(carriers_by_zone[zone_name]),
                              _month_index(months, zone_name, before_first=True)) for zone_name in others),
                           else_=_month_index(months, last, before_first=True))
    query = (db.select(CallRecord.department_id, CallRecord.destination_class, month_index.label("month_index"),
                       db.func.sum(CallRecord.billed_cost))
             .where(started_at >= first, started_at < after)
             .group_by(CallRecord.department_id, CallRecord.destination_class, "month_index"))
    if department_ids is not None:
        query = query.where(CallRecord.department_id.in_(department_ids))
    for department_id, destination_class, index, billed in db.session.execute(query):
        if index is not None:  # a call of a carrier whose months start later or end earlier than another's
            costs[months[index]][department_id].calls[destination_class] = cents(billed)


def _add_fees(costs: dict[date, dict[int, Costs]], months: list[date], department_ids) -> None:
    schedules = tariff_schedules()
    query = db.select(PhoneNumber.department_id, PhoneNumber.carrier_id, PhoneNumber.activated_on,
                      PhoneNumber.disconnected_on).where(
        PhoneNumber.activated_on.is_not(None), PhoneNumber.activated_on < next_month(months[-1]),
        db.or_(PhoneNumber.disconnected_on.is_(None), PhoneNumber.disconnected_on > months[0]))
    if department_ids is not None:
        query = query.where(PhoneNumber.department_id.in_(department_ids))
    for department_id, carrier_id, activated_on, disconnected_on in db.session.execute(query):
        schedule = schedules[carrier_id]
        for month in months:
            if days_in_service(activated_on, disconnected_on, month) is None:
                continue
            month_costs = costs[month][department_id]
            month_costs.numbers += 1
            month_costs.rental += monthly_rental(activated_on, disconnected_on, month, schedule)
            month_costs.one_time += cents(one_time_fee(activated_on, month, schedule))


def expense_figures(month: date, department_ids: set[int] | None = None) -> ExpenseFigures:
    """The report for `month`: every (visible) department's costs, and its previous month's total to compare."""
    previous = previous_month(month)
    costs = monthly_costs(previous, month, department_ids)
    query = db.select(Department).order_by(Department.city, Department.name)
    if department_ids is not None:
        query = query.where(Department.id.in_(department_ids))
    rows = []
    for department in db.session.scalars(query):
        department_costs = costs[month][department.id]
        department_costs.previous_total = costs[previous][department.id].total
        rows.append(DepartmentCosts(department.id, department.name, department.city, department.cost_centre,
                                    department_costs))
    return ExpenseFigures(month=month, currency=report_currency(), departments=rows, time_zones=report_time_zones())


def store_expense_report(month: date, generated_by: str) -> ExpenseReport:
    """Generate the month's report and keep it as a new version: a kept report is never overwritten.

    Two keeps of one month at the same moment would pick the same version; the unique (month, version) makes
    the second commit fail rather than overwrite.
    """
    latest = db.session.scalar(db.select(db.func.max(ExpenseReport.version)).filter_by(month=month))
    report = ExpenseReport(month=month, version=(latest or 0) + 1, data=expense_figures(month).to_data(),
                           generated_at=utcnow(), generated_by=generated_by)
    db.session.add(report)
    return report
