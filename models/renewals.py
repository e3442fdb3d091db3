"""Signed contracts: each one's term, renewal rule and notice period, and the dates that follow from them.

The record_signature decision keeps them (SignedContract). A term counted in months ends, as the Civil Code counts
it, on the same date of its last month, or on that month's last day when it has no such date; a contract that renews
by itself runs for another `renews_for_months` from each end, unless notice is given at least `notice_days` before
it. The defaults are what the carrier's analysed contract states of its renewal (models/terms), else 12 / 12 / 30.

Each record also keeps its current term's end and notice deadline, rolled forward by the daily renewals flow, so
that lists sort and the reminders (models/renewal_reminders.py) select in SQL.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import access, carrier_terms
from .db import db
from .organisation import User, utcnow
from .requests import NumberRequest

DEFAULT_TERM_MONTHS = 12
DEFAULT_RENEWS_FOR_MONTHS = 12
DEFAULT_NOTICE_DAYS = 30
MIN_TERM_MONTHS, MAX_TERM_MONTHS = 1, 120
MAX_RENEWS_FOR_MONTHS = 120  # 0: no automatic renewal
MAX_NOTICE_DAYS = 365
# The shortest month: a notice period must end inside every term, or a renewal could not be stopped at all.
SHORTEST_MONTH_DAYS = 28
# The fields of the signature that say how the contract runs, and the analysed terms that give their defaults.
TERM_FIELDS = ("term_months", "renews_for_months", "notice_days")
STATED_TERMS = {"renews_for_months": "renewal_months", "notice_days": "renewal_notice_days"}


class SignedContract(db.Model):
    """The contract a request's signature made: how long it runs and how it renews."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("number_request.id"), unique=True)
    signed_on: Mapped[date]
    term_months: Mapped[int]
    renews_for_months: Mapped[int]
    notice_days: Mapped[int]
    # The current term's end and its last day to give notice (None without automatic renewal), as rolled forward.
    term_ends_on: Mapped[date] = mapped_column(index=True)
    notice_by: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[NumberRequest] = relationship()

    @property
    def renews(self) -> bool:
        return self.renews_for_months > 0

    def roll_forward(self, today: date) -> None:
        self.term_ends_on = term_end_on(self, today)
        self.notice_by = notice_deadline(self, self.term_ends_on)


# --- dates ------------------------------------------------------------------------------------------------

def _end_after_months(signed_on: date, months: int) -> date:
    return signed_on + relativedelta(months=months)


def term_end_on(contract: SignedContract, day: date) -> date:
    """The end of the term in force on `day` (its last day), rolling forward by renewals; a contract that does not
    renew keeps the end of its only term, past or not."""
    first_end = _end_after_months(contract.signed_on, contract.term_months)
    if day <= first_end or not contract.renews:
        return first_end
    step = contract.renews_for_months
    months_past = (day.year - first_end.year) * 12 + day.month - first_end.month
    renewals = max(1, months_past // step)  # a first guess, never past the term that holds `day`
    while renewals > 1 and _end_after_months(contract.signed_on, contract.term_months + (renewals - 1) * step) >= day:
        renewals -= 1
    while _end_after_months(contract.signed_on, contract.term_months + renewals * step) < day:
        renewals += 1
    return _end_after_months(contract.signed_on, contract.term_months + renewals * step)


def notice_deadline(contract: SignedContract, term_end: date) -> date | None:
    """The last day to give notice so that the term ending on `term_end` does not renew; None when it does not
    renew anyway."""
    return term_end - timedelta(days=contract.notice_days) if contract.renews else None


@dataclass(frozen=True)
class Outlook:
    """What happens to a contract, seen on one day."""

    term_end: date
    notice_by: date | None  # None: it does not renew
    next_term_end: date | None  # the end of the term it renews into unless notice is given; None: it does not renew
    days_to_notice: int | None  # negative once the deadline has passed
    ended: bool  # it did not renew and its term is over


def outlook(contract: SignedContract, today: date) -> Outlook:
    """The current term's end, the last day to give notice, and what it renews into if nobody does."""
    term_end = term_end_on(contract, today)
    deadline = notice_deadline(contract, term_end)
    next_end = term_end_on(contract, term_end + timedelta(days=1)) if contract.renews else None
    return Outlook(term_end, deadline, next_end, (deadline - today).days if deadline else None,
                   ended=not contract.renews and term_end < today)


# --- the terms a signature takes --------------------------------------------------------------------------

def stated_renewal_terms(request: NumberRequest) -> dict[str, int]:
    """What the carrier's analysed contract (the text sent for this request, else its standard terms) states of its
    renewal, as signature fields: renews_for_months and notice_days, each only when stated in whole numbers."""
    contract = carrier_terms.contract_for_review(request)
    found: dict[str, int] = {}
    for clause in (contract.clauses if contract else []):
        for field, term in STATED_TERMS.items():
            value = _whole((clause.terms or {}).get(term))
            if value is not None:
                found.setdefault(field, value)
    return found


def _whole(value) -> int | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() and number >= 0 else None


def default_terms(request: NumberRequest) -> dict[str, int]:
    """The term, renewal and notice a signature of this request starts from."""
    defaults = {"term_months": DEFAULT_TERM_MONTHS, "renews_for_months": DEFAULT_RENEWS_FOR_MONTHS,
                "notice_days": DEFAULT_NOTICE_DAYS}
    return {**defaults, **stated_renewal_terms(request)}


def clean_terms(payload: dict, request: NumberRequest, errors: dict) -> dict[str, int]:
    """The signature's term fields, each defaulted when left out (None or absent); a bad one is named in `errors`."""
    defaults = default_terms(request)
    cleaned = {}
    limits = {"term_months": (MIN_TERM_MONTHS, MAX_TERM_MONTHS), "renews_for_months": (0, MAX_RENEWS_FOR_MONTHS),
              "notice_days": (0, MAX_NOTICE_DAYS)}
    for field in TERM_FIELDS:
        value = payload.get(field)
        if value is None:
            value = defaults[field]
        low, high = limits[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[field] = f"must be a whole number from {low} to {high}"
        cleaned[field] = value
    if not errors.keys() & set(TERM_FIELDS) and cleaned["renews_for_months"]:
        shortest = min(cleaned["term_months"], cleaned["renews_for_months"])
        if cleaned["notice_days"] >= shortest * SHORTEST_MONTH_DAYS:
            errors["notice_days"] = (f"must be shorter than the shortest term ({shortest} months): at most "
                                     f"{shortest * SHORTEST_MONTH_DAYS - 1} days")
    return cleaned


def record_signed_contract(request: NumberRequest, cleaned: dict) -> SignedContract:
    """Keep the contract a signature made (cleaned by payloads.signature), its dates as of the signing day."""
    contract = SignedContract(request=request, signed_on=cleaned["signed_on"],
                              **{field: cleaned[field] for field in TERM_FIELDS})
    contract.roll_forward(cleaned["signed_on"])
    db.session.add(contract)
    return contract


def roll_forward_all(today: date) -> int:
    """Move every renewing contract whose term has ended on to its current term; returns how many moved."""
    ended = db.session.scalars(db.select(SignedContract).where(
        SignedContract.renews_for_months > 0, SignedContract.term_ends_on < today)).all()
    for contract in ended:
        contract.roll_forward(today)
    return len(ended)


# --- lists ------------------------------------------------------------------------------------------------

def contracts_query(user: User, carrier_id: int | None = None):
    """The signed contracts of the branches `user` sees, the soonest notice deadline first (those that end by
    themselves last, by their end); narrowed to one carrier."""
    query = access.visible_requests(user, db.select(SignedContract).join(SignedContract.request))
    if carrier_id is not None:
        query = query.where(NumberRequest.carrier_id == carrier_id)
    return query.order_by(SignedContract.notice_by.is_(None), SignedContract.notice_by, SignedContract.term_ends_on,
                          SignedContract.id)


def contract_of(request: NumberRequest) -> SignedContract | None:
    return db.session.scalar(db.select(SignedContract).filter_by(request_id=request.id))
