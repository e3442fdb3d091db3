"""Reminders of the last day to give notice on a signed contract that renews by itself (models/renewals.py).

The lawyers and project leads who see the contract's branch are mailed 30 and 7 days before that day, once each per
term: the mail's key holds the contract, the term's end, the threshold and the person. A run that finds a deadline
already closer than 30 days sends only the nearest reminder due; once the day has passed, none. Like escalations,
these go whatever a person's mail preference: a missed notice deadline binds the company for another term.
"""
from datetime import date, datetime, timedelta

from . import access
from .choices import Role
from .db import db
from .formatting import format_date
from .mail_texts import Letter, Link, text
from .notifications import base_url, language_of, request_url
from .organisation import User, utcnow
from .outbox import RENEWAL, OutgoingMail, queue_mail
from .renewals import SignedContract, outlook, roll_forward_all
from .time_zones import accounting_time_zone, day_of

THRESHOLDS = (30, 7)  # days before the last day to give notice
RECIPIENT_ROLES = (Role.LAWYER, Role.APPROVER)


def threshold_due(days_to_notice: int) -> int | None:
    """The reminder due with this many days left to give notice: the nearest threshold reached; none once past."""
    reached = [threshold for threshold in THRESHOLDS if 0 <= days_to_notice <= threshold]
    return min(reached) if reached else None


def recipients(contract: SignedContract) -> list[User]:
    """The active lawyers and project leads who see the contract's branch."""
    people = db.session.scalars(db.select(User).where(User.is_active_user.is_(True)).order_by(User.id)).all()
    department_id = contract.request.department_id
    return [user for user in people if user.has_role(*RECIPIENT_ROLES) and access.sees_branch(user, department_id)]


def reminder_key(contract: SignedContract, threshold: int, user: User) -> str:
    return f"renewal-{contract.id}-{contract.term_ends_on.isoformat()}-{threshold}-{user.id}"


def _named(record, language: str) -> str:
    return (getattr(record, "name_ru", "") or record.name) if language == "ru" else record.name


def reminder_letter(user: User, contract: SignedContract, today: date) -> Letter:
    language, request = language_of(user), contract.request
    seen = outlook(contract, today)
    values = dict(reference=request.reference, carrier=_named(request.carrier, language),
                  branch=_named(request.department, language), signed_on=format_date(contract.signed_on, language),
                  term_end=format_date(seen.term_end, language), deadline=format_date(seen.notice_by, language),
                  days=seen.days_to_notice, months=contract.renews_for_months,
                  next_term_end=format_date(seen.next_term_end, language))
    return Letter(text("renewal_subject", language, **values)).add(
        text("greeting", language, name=user.name), text("renewal_body", language, **values),
        text("renewal_decide", language), Link(text("open_request", language), request_url(request)),
        Link(text("contracts", language), f"{base_url()}/contracts/"))


def remind_of_notice_deadlines(today: date) -> list[OutgoingMail]:
    """Roll the contracts forward to `today` and queue the reminders due; returns the mails newly queued. The caller
    commits."""
    roll_forward_all(today)
    due = db.session.scalars(db.select(SignedContract).where(
        SignedContract.notice_by >= today, SignedContract.notice_by <= today + timedelta(days=max(THRESHOLDS)))
        .order_by(SignedContract.notice_by, SignedContract.id)).all()
    queued = []
    for contract in due:
        threshold = threshold_due((contract.notice_by - today).days)
        if threshold is None:
            continue
        for user in recipients(contract):
            key = reminder_key(contract, threshold, user)
            if db.session.scalar(db.select(OutgoingMail.id).filter_by(key=key)) is not None:
                continue
            letter = reminder_letter(user, contract, today)
            queued.append(queue_mail(user.email, letter.subject, letter.as_text(), letter.as_html(), kind=RENEWAL,
                                     request=contract.request, user=user, key=key))
    return queued


def daily_renewal_reminders(now: datetime | None = None) -> list[OutgoingMail]:
    """Today's reminders (today in the accounting time zone), committed."""
    queued = remind_of_notice_deadlines(day_of(now or utcnow(), accounting_time_zone()))
    db.session.commit()
    return queued
