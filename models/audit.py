"""The invoice audit: what a carrier billed against what the contract says, and prices changed without notice.

The lawyers' fear was a carrier raising its prices silently. That shows as calls of one destination class
billed, day after day, at a steady ratio to the contracted price other than 1.

Days and months are those of the carrier's billing time zone, as on its invoices.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, case, extract

from .billing import CallRecord, InvoiceLine, tariff_schedules
from .carriers import Carrier
from .choices import DestinationClass, Direction, InvoiceItem
from .db import db
from .expenses import cents
from .numbers import PhoneNumber
from .organisation import Department
from .rating import CHARGE_PLACES, ZERO, TariffSchedule, monthly_rental, next_month, one_time_fee
from .time_zones import day_of, month_range, offsets_are_whole_hours, start_of_day

# A day billed within 2% of the contract is at the contracted price: per-call rounding stays below that,
# a real price change does not.
TOLERANCE = Decimal("0.02")
# Fewer days at a new price could be chance; this many in a row are a price change.
MIN_DAYS = 3
RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class DailyBilling:
    """One day's calls of one destination class: billed by the carrier, and as rated under the contract."""

    day: date
    destination_class: str
    billed: Decimal
    contracted: Decimal


@dataclass(frozen=True)
class PriceChange:
    destination_class: str
    since: date
    until: date | None  # the last day at that price, None if it is still billed on the last day seen
    ratio: Decimal  # billed / contracted over those days

    def overlaps(self, first: date, after: date) -> bool:
        return self.since < after and (self.until is None or self.until >= first)


def _ratio(days: list[DailyBilling]) -> Decimal:
    billed = sum((d.billed for d in days), ZERO)
    return (billed / sum((d.contracted for d in days), ZERO)).quantize(RATIO_PLACES, ROUND_HALF_UP)


def price_changes(days: list[DailyBilling]) -> list[PriceChange]:
    """Runs of at least MIN_DAYS days with calls on which a destination class was billed at a steady ratio
    (within TOLERANCE) to the contract other than 1: a price changed without notice on the run's first day."""
    by_class: dict[str, list[DailyBilling]] = defaultdict(list)
    for day in sorted(days, key=lambda d: d.day):
        if day.contracted > 0:
            by_class[day.destination_class].append(day)
    changes = []
    for destination_class, series in sorted(by_class.items()):
        runs: list[list[DailyBilling]] = [[]]
        for day in series:
            ratio = day.billed / day.contracted
            if abs(ratio - 1) <= TOLERANCE:
                runs.append([])  # billed as contracted: whatever ran before has ended
            elif runs[-1] and abs(ratio - _ratio(runs[-1])) <= TOLERANCE:
                runs[-1].append(day)
            else:
                runs.append([day])
        last_day = series[-1].day
        changes += [PriceChange(destination_class, since=run[0].day,
                                until=None if run[-1].day == last_day else run[-1].day, ratio=_ratio(run))
                    for run in runs if len(run) >= MIN_DAYS]
    return changes


def contracted_rate(schedule: TariffSchedule, destination_class: str, day: date) -> Decimal | None:
    """The per-minute price of a destination class on a day: outgoing, or incoming for toll-free numbers."""
    terms = schedule.on(day)
    if terms is None:
        return None
    direction = Direction.IN if destination_class == DestinationClass.TOLL_FREE else Direction.OUT
    return terms.rate_for(direction, destination_class)


@dataclass(frozen=True)
class CallsLine:
    """A month's calls of one number and destination class."""

    number: str
    department: str
    destination_class: str
    calls: int
    unrated: int  # calls on days no tariff was in force
    billed: Decimal
    contracted: Decimal

    @property
    def difference(self) -> Decimal:
        return self.billed - self.contracted


@dataclass(frozen=True)
class FeeLine:
    """A month's rental or one-time fee of one number: as invoiced, and as contracted."""

    number: str
    department: str
    item: str
    billed: Decimal
    contracted: Decimal

    @property
    def difference(self) -> Decimal:
        return self.billed - self.contracted


@dataclass(frozen=True)
class PriceChangeFlag:
    change: PriceChange
    contracted_rate: Decimal | None
    billed_rate: Decimal | None


@dataclass
class CarrierAudit:
    carrier: Carrier
    month: date
    calls: list[CallsLine]
    fees: list[FeeLine]  # empty when no invoice lines were imported for the month
    price_changes: list[PriceChangeFlag]

    @property
    def billed(self) -> Decimal:
        return sum((line.billed for line in self.calls), ZERO)

    @property
    def contracted(self) -> Decimal:
        return sum((line.contracted for line in self.calls), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.billed - self.contracted


def daily_billing(carrier_id: int, before: date, zone_name: str) -> list[DailyBilling]:
    """Every day's rated calls of a carrier up to `before`, by destination class, days being those of the
    carrier's billing time zone: the whole history, so a price change is dated from the day it really started.

    The database adds the calls up per UTC hour (a quarter of an hour for zones such as India's, whose day
    starts at half past an hour); each such slot lies within one day of the zone, looked up here. That holds
    across daylight saving changes, where shifting every time by one offset would not.
    """
    started_at = CallRecord.started_at
    slot = [db.func.date(started_at, type_=Date).label("utc_day"), extract("hour", started_at).label("hour")]
    if not offsets_are_whole_hours(zone_name):
        minute = extract("minute", started_at)
        slot.append(case((minute < 15, 0), (minute < 30, 15), (minute < 45, 30), else_=45).label("minute"))
    query = (db.select(*slot, CallRecord.destination_class, db.func.sum(CallRecord.billed_cost),
                       db.func.sum(CallRecord.rated_cost))
             .where(CallRecord.carrier_id == carrier_id, CallRecord.rated_cost.is_not(None),
                    started_at < start_of_day(before, zone_name))
             .group_by(*(column.name for column in slot), CallRecord.destination_class))
    days: dict[tuple[date, str], list[Decimal]] = {}
    day_of_slot: dict[tuple, date] = {}
    for *utc_slot, destination_class, billed, contracted in db.session.execute(query):
        utc_slot = tuple(utc_slot)
        day = day_of_slot.get(utc_slot)
        if day is None:
            utc_day, hour, *minute = utc_slot
            day = day_of_slot[utc_slot] = day_of(
                datetime.combine(utc_day, time(int(hour), int(minute[0]) if minute else 0)), zone_name)
        sums = days.setdefault((day, destination_class), [ZERO, ZERO])
        sums[0] += billed
        sums[1] += contracted
    return [DailyBilling(day, destination_class, billed, contracted)
            for (day, destination_class), (billed, contracted) in days.items()]


def _calls_lines(carrier_id: int, month: date, zone_name: str) -> list[CallsLine]:
    first, after = month_range(month, zone_name)
    query = (db.select(PhoneNumber.e164, Department.name, CallRecord.destination_class, db.func.count(),
                       db.func.count(CallRecord.rated_cost), db.func.sum(CallRecord.billed_cost),
                       db.func.sum(CallRecord.rated_cost))
             .join(PhoneNumber, CallRecord.phone_number_id == PhoneNumber.id)
             .join(Department, CallRecord.department_id == Department.id)
             .where(CallRecord.carrier_id == carrier_id, CallRecord.started_at >= first,
                    CallRecord.started_at < after)
             .group_by(PhoneNumber.e164, Department.name, CallRecord.destination_class)
             .order_by(PhoneNumber.e164, CallRecord.destination_class))
    return [CallsLine(e164, department, destination_class, calls, calls - rated, billed, contracted or ZERO)
            for e164, department, destination_class, calls, rated, billed, contracted in db.session.execute(query)]


def _fee_lines(carrier_id: int, month: date, schedule: TariffSchedule) -> list[FeeLine]:
    invoiced: dict[tuple[int, str], Decimal] = {}
    for number_id, item, amount in db.session.execute(
            db.select(InvoiceLine.phone_number_id, InvoiceLine.item, db.func.sum(InvoiceLine.amount))
            .where(InvoiceLine.carrier_id == carrier_id, InvoiceLine.month == month)
            .group_by(InvoiceLine.phone_number_id, InvoiceLine.item)):
        invoiced[number_id, item] = amount
    if not invoiced:
        return []
    lines = []
    numbers = db.session.scalars(db.select(PhoneNumber).where(PhoneNumber.carrier_id == carrier_id)
                                 .order_by(PhoneNumber.e164))
    for number in numbers:
        contracted = {
            InvoiceItem.RENTAL: monthly_rental(number.activated_on, number.disconnected_on, month, schedule),
            InvoiceItem.ONE_TIME: cents(one_time_fee(number.activated_on, month, schedule)),
        }
        for item in InvoiceItem.values():
            if contracted[item] or (number.id, item) in invoiced:
                lines.append(FeeLine(number.e164, number.department.name, item,
                                     invoiced.get((number.id, item), ZERO), contracted[item]))
    return lines


def carrier_audit(carrier: Carrier, month: date) -> CarrierAudit:
    """Billed against contracted for one carrier and month, per number and destination class, with every price
    change without notice that was in effect during the month; days and months in the carrier's billing time
    zone."""
    schedule = tariff_schedules()[carrier.id]
    following = next_month(month)
    flags = []
    for change in price_changes(daily_billing(carrier.id, following, carrier.billing_time_zone)):
        if change.overlaps(month, following):
            rate = contracted_rate(schedule, change.destination_class, change.since)
            billed_rate = None if rate is None else (rate * change.ratio).quantize(CHARGE_PLACES, ROUND_HALF_UP)
            flags.append(PriceChangeFlag(change, rate, billed_rate))
    return CarrierAudit(carrier=carrier, month=month, calls=_calls_lines(carrier.id, month, carrier.billing_time_zone),
                        fees=_fee_lines(carrier.id, month, schedule), price_changes=flags)


def audit_overview(month: date) -> list[CarrierAudit]:
    """Every carrier's audit for the month, by name."""
    return [carrier_audit(carrier, month) for carrier in db.session.scalars(db.select(Carrier).order_by(Carrier.name))]
