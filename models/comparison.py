"""Carriers side by side for a branch: what each would cost a month for the branch's own calls, and its risks.

A branch's call profile is its calls of the last three complete calendar months, counted in the branch's own
time zone and grouped in SQL by direction, destination class and duration, so a branch with a million calls
costs one grouped scan. Each group is rated with the rules that rate imported calls (models.rating), so a
carrier's figure here is what the same calls would have cost under its tariff. Direction is part of the group
because incoming calls are free except to toll-free numbers (TariffTerms.rate_for).
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .billing import CallRecord
from .carrier_terms import standard_terms
from .carriers import Carrier, Tariff
from .choices import DestinationClass, Direction, NumberType
from .db import db
from .errors import InvalidInput
from .expenses import cents
from .limits import MAX_QUANTITY, MIN_QUANTITY
from .organisation import Department
from .rating import ZERO, TariffTerms, month_start, next_month, previous_month
from .requests import NumberRequest
from .time_zones import day_of, start_of_day, today_in

PROFILE_MONTHS = 3
# A branch with neither calls nor a call load is costed as a small branch making this many calls a month.
DEFAULT_MONTHLY_CALLS = 1000
# How a branch without call records spreads its calls a month: (direction, destination class, percent of the
# calls, typical duration in seconds). Half are customers calling in, which a local number receives free.
DEFAULT_MIX = (
    (Direction.IN, DestinationClass.LOCAL, 50, 180),
    (Direction.OUT, DestinationClass.LOCAL, 25, 120),
    (Direction.OUT, DestinationClass.MOBILE, 15, 90),
    (Direction.OUT, DestinationClass.LONG_DISTANCE, 9, 150),
    (Direction.OUT, DestinationClass.INTERNATIONAL, 1, 120),
)
NO_TARIFF = "no tariff is in force on that day"


@dataclass(frozen=True)
class CallGroup:
    """Calls alike for rating: how many were made over the profile's months."""

    direction: str
    destination_class: str
    duration_s: int
    calls: int


@dataclass(frozen=True)
class CallProfile:
    """The calls a branch makes, as groups counted over `months` months.

    A branch's real profile covers the months from its first call within the last three complete months to
    the last of them, so a branch that started calling last month is not averaged over three. A default
    profile (is_default) is one typical month: months is 1, first_month and last_month are None.
    """

    groups: tuple[CallGroup, ...]
    months: int
    is_default: bool
    first_month: date | None = None
    last_month: date | None = None
    from_call_load: bool = False  # a default profile made from the branch's monthly call load

    @property
    def calls_per_month(self) -> Decimal:
        return Decimal(sum(group.calls for group in self.groups)) / self.months


@dataclass
class CarrierOffer:
    """One carrier's figures for the branch; amounts are in the carrier's currency, rounded to cents."""

    carrier: Carrier
    tariff: Tariff | None
    rental: Decimal | None = None  # the monthly fee times the quantity
    calls: Decimal | None = None  # the profile's calls a month, rated by the tariff
    monthly_total: Decimal | None = None
    one_time_fees: Decimal | None = None  # the one-time fee times the quantity
    risk_categories: list[str] | None = None  # flagged in the carrier's latest analysed standard terms
    terms_known: bool = False  # whether the carrier's standard terms were analysed
    risky_terms: list[str] | None = None  # Carrier.risky_terms(): its record's terms the lawyers reject
    reason: str = ""  # why there are no figures

    @property
    def has_risks(self) -> bool:
        return bool(self.risk_categories or self.risky_terms)


def call_profile(department: Department, today: date) -> CallProfile:
    """The branch's calls of the last three complete calendar months before `today`, months counted in the
    branch's time zone; a default profile when it made none."""
    last_month = previous_month(month_start(today))
    window_start = last_month
    for _ in range(PROFILE_MONTHS - 1):
        window_start = previous_month(window_start)
    rows = db.session.execute(
        db.select(CallRecord.direction, CallRecord.destination_class, CallRecord.duration_s,
                  db.func.count(), db.func.min(CallRecord.started_at))
        .where(CallRecord.department_id == department.id,
               CallRecord.started_at >= start_of_day(window_start, department.time_zone),
               CallRecord.started_at < start_of_day(next_month(last_month), department.time_zone))
        .group_by(CallRecord.direction, CallRecord.destination_class, CallRecord.duration_s)).all()
    if not rows:
        return default_profile(department.monthly_call_load)
    first_call = min(first for *_, first in rows)
    first_month = month_start(day_of(first_call, department.time_zone))
    months = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    groups = tuple(CallGroup(direction, destination_class, duration_s, calls)
                   for direction, destination_class, duration_s, calls, _ in rows)
    return CallProfile(groups=groups, months=months, is_default=False, first_month=first_month,
                       last_month=last_month)


def default_profile(monthly_call_load: int) -> CallProfile:
    """One typical month of `monthly_call_load` calls (DEFAULT_MONTHLY_CALLS when 0) spread by DEFAULT_MIX;
    what rounding leaves goes to the largest share, so the calls add up to the load."""
    total = monthly_call_load or DEFAULT_MONTHLY_CALLS
    counts = [total * percent // 100 for _, _, percent, _ in DEFAULT_MIX]
    counts[0] += total - sum(counts)
    groups = tuple(CallGroup(direction, destination_class, duration_s, calls)
                   for (direction, destination_class, _, duration_s), calls in zip(DEFAULT_MIX, counts) if calls)
    return CallProfile(groups=groups, months=1, is_default=True, from_call_load=bool(monthly_call_load))


def monthly_calls_cost(profile: CallProfile, terms: TariffTerms) -> Decimal:
    """The profile's calls a month under the tariff, each call rated as imported calls are, not yet rounded."""
    total = sum((group.calls * terms.charge(group.direction, group.destination_class, group.duration_s)
                 for group in profile.groups), ZERO)
    return total / profile.months


def compare_carriers(department: Department, number_type: str, quantity: int, today: date,
                     profile: CallProfile | None = None) -> list[CarrierOffer]:
    """Every carrier serving the branch's city with its monthly cost for `quantity` numbers and the branch's
    calls, cheapest first; carriers without a tariff in force on `today` last, by name. Reads only.
    `profile` saves working out call_profile(department, today) again when the caller has it."""
    errors = {}
    if number_type not in NumberType.values():
        errors["number_type"] = f"must be one of {', '.join(NumberType.values())}"
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        errors["quantity"] = f"must be a whole number from {MIN_QUANTITY} to {MAX_QUANTITY}"
    if errors:
        raise InvalidInput("the comparison is not valid", errors)
    profile = profile or call_profile(department, today)
    carriers = [carrier for carrier in db.session.scalars(db.select(Carrier).order_by(Carrier.name))
                if carrier.serves(department.city)]
    offers = [_offer(carrier, quantity, today, profile) for carrier in carriers]
    return sorted(offers, key=lambda offer: (offer.tariff is None, offer.monthly_total or ZERO,
                                             offer.one_time_fees or ZERO, offer.carrier.name))


def _offer(carrier: Carrier, quantity: int, today: date, profile: CallProfile) -> CarrierOffer:
    contract = standard_terms(carrier.id)
    offer = CarrierOffer(carrier=carrier, tariff=carrier.tariff_on(today),
                         risk_categories=contract.flagged_categories() if contract else [],
                         terms_known=contract is not None, risky_terms=carrier.risky_terms())
    if offer.tariff is None:
        offer.reason = NO_TARIFF
        return offer
    terms = TariffTerms.of(offer.tariff)
    offer.rental = cents(terms.monthly_fee * quantity)
    offer.calls = cents(monthly_calls_cost(profile, terms))
    offer.monthly_total = offer.rental + offer.calls  # the sum of the rounded parts, so the row adds up
    offer.one_time_fees = cents(terms.one_time_fee * quantity)
    return offer


def for_request(request: NumberRequest) -> dict:
    """The comparison a request's pages show: its branch's carriers for its numbers, costed as of today in the
    branch's time zone; as the template partial's variables."""
    today = today_in(request.department.time_zone)
    profile = call_profile(request.department, today)
    return {"comparison": compare_carriers(request.department, request.number_type, request.quantity, today,
                                           profile),
            "comparison_profile": profile}
