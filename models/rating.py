"""What calls and numbers cost under the contract: billing increments, the tariff in force, pro-rated fees.

Tariffs are copied into plain `TariffTerms` once, so rating a million calls needs no database
round trip. Days and months are the calendar days and months of the carrier's billing time zone
(models.time_zones): a call is rated by the tariff in force on its day there, and a number's activation and
disconnection days are days there, so the rental counted here from those dates is counted in that zone too.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from .choices import BillingIncrement, DestinationClass, Direction
from .db import money_units

ZERO = Decimal("0")
CENT = Decimal("0.01")
# Call charges keep the four places Money stores: per-second rates make fractions of a kopeck.
CHARGE_PLACES = Decimal("0.0001")
ONE_DAY = timedelta(days=1)
MEMO_LIMIT = 100_000  # entries; a memo this full is emptied, so memory stays bounded


def month_start(day: date) -> date:
    return day.replace(day=1)


@lru_cache(maxsize=1024)  # reports ask for the same few months for every number
def next_month(month: date) -> date:
    return month + relativedelta(months=1)


def previous_month(month: date) -> date:
    return month - relativedelta(months=1)


def billable_seconds(duration_s: int, increment: str) -> int:
    """The seconds a call is charged for under a tariff's billing increment."""
    if duration_s <= 0:
        return 0
    if increment == BillingIncrement.PER_SECOND:
        return duration_s
    if increment == BillingIncrement.PER_MINUTE:
        return -(-duration_s // 60) * 60
    if increment == BillingIncrement.FIRST_MINUTE_THEN_SECOND:
        return max(duration_s, 60)
    raise ValueError(f"unknown billing increment {increment!r}")


@lru_cache(maxsize=65536)  # a million calls have only a few thousand distinct rates and durations
def call_charge(rate_per_minute: Decimal, duration_s: int, increment: str) -> Decimal:
    return (rate_per_minute * billable_seconds(duration_s, increment) / 60).quantize(CHARGE_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class TariffTerms:
    """A tariff's prices as plain data."""

    id: int
    valid_from: date
    valid_to: date | None
    monthly_fee: Decimal
    one_time_fee: Decimal
    rates: dict[str, Decimal]  # per minute, keyed as Tariff.rates()
    billing_increment: str

    @classmethod
    def of(cls, tariff) -> "TariffTerms":
        return cls(id=tariff.id, valid_from=tariff.valid_from, valid_to=tariff.valid_to,
                   monthly_fee=tariff.monthly_fee, one_time_fee=tariff.one_time_fee, rates=tariff.rates(),
                   billing_increment=tariff.billing_increment)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def rate_for(self, direction: str, destination_class: str) -> Decimal:
        """Outgoing calls pay the rate of their destination, except calls to toll-free numbers, which are free.
        Incoming calls are free, except to the company's own toll-free numbers: those the company pays for."""
        if direction == Direction.OUT:
            return ZERO if destination_class == DestinationClass.TOLL_FREE else self.rates[destination_class]
        return self.rates["toll_free_inbound"] if destination_class == DestinationClass.TOLL_FREE else ZERO

    def charge(self, direction: str, destination_class: str, duration_s: int) -> Decimal:
        return call_charge(self.rate_for(direction, destination_class), duration_s, self.billing_increment)


class TariffSchedule:
    """One carrier's tariffs over time. The tariff in force on a day is the latest-starting one that covers
    the day, the same rule as `Carrier.tariff_on`."""

    def __init__(self, terms: list[TariffTerms]):
        self.terms = sorted(terms, key=lambda t: (t.valid_from, t.id))
        self._on_day: dict[date, TariffTerms | None] = {}  # rating asks about the same few days again and again
        # The days on which the tariff in force may change.
        self._changes = sorted({t.valid_from for t in self.terms}
                               | {t.valid_to + ONE_DAY for t in self.terms if t.valid_to is not None})

    def on(self, day: date) -> TariffTerms | None:
        try:
            return self._on_day[day]
        except KeyError:
            found = self._on_day[day] = next((t for t in reversed(self.terms) if t.covers(day)), None)
            return found

    def change_days(self) -> list[date]:
        """The days on which the tariff in force may change: only calls moved across one of these may need
        another tariff."""
        return list(self._changes)

    def periods(self, start: date, end: date) -> list[tuple[date, date, TariffTerms | None]]:
        """The days [start, end) cut wherever the tariff in force changes."""
        cuts = [start, *(day for day in self._changes if start < day < end), end]
        return [(first, after, self.on(first)) for first, after in zip(cuts, cuts[1:])]


class CallCharges:
    """What calls cost under one carrier's tariffs, as Money units with the tariff's id; (None, None) on a day
    no tariff covers. A million calls have only a few thousand distinct tariffs, directions, classes and
    durations, so each charge is worked out once."""

    def __init__(self, schedule: TariffSchedule):
        self.schedule = schedule
        self.memo: dict[tuple, tuple[int, int]] = {}

    def __call__(self, day: date, direction: str, destination_class: str, duration_s: int) -> tuple:
        terms = self.schedule.on(day)
        if terms is None:
            return None, None
        key = (terms.id, direction, destination_class, duration_s)
        charge = self.memo.get(key)
        if charge is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            charge = self.memo[key] = (money_units(terms.charge(direction, destination_class, duration_s)), terms.id)
        return charge


def days_in_service(activated_on: date | None, disconnected_on: date | None, month: date) -> tuple[date, date] | None:
    """The days [first, after) of `month` a number is paid for: from its activation day up to, not including,
    its disconnection day. None if it was not in service that month."""
    if activated_on is None:
        return None
    following = next_month(month)
    first = max(activated_on, month)
    after = min(disconnected_on or following, following)
    return (first, after) if first < after else None


def monthly_rental(activated_on: date | None, disconnected_on: date | None, month: date,
                   schedule: TariffSchedule) -> Decimal:
    """Each day in service costs 1/(days in the month) of the monthly fee in force that day, rounded to 0.01
    per number and month."""
    span = days_in_service(activated_on, disconnected_on, month)
    if span is None:
        return ZERO
    fee_days = sum((terms.monthly_fee * (after - first).days
                    for first, after, terms in schedule.periods(*span) if terms is not None), ZERO)
    return (fee_days / (next_month(month) - month).days).quantize(CENT, ROUND_HALF_UP)


def one_time_fee(activated_on: date | None, month: date, schedule: TariffSchedule) -> Decimal:
    """The connection fee is due in the month the number was activated."""
    if activated_on is None or month_start(activated_on) != month:
        return ZERO
    terms = schedule.on(activated_on)
    return terms.one_time_fee if terms else ZERO
