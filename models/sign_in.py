"""How many failed sign-ins an account and an address get before they must wait.

The attempts are rows in the database rather than counters in a web process (as Flask-Limiter keeps them by
default): every gunicorn worker sees the same count, and a restart does not wipe it.

The rules: 5 failures for one e-mail, or 20 from one address, within 15 minutes lock that e-mail or address
for 15 minutes from the last failure. A successful sign-in clears the account's count (not the address's: one
good account must not reset a guesser's budget). An e-mail that belongs to nobody is counted and locked just
the same, so that the answer never tells whether an account exists. Tries refused by a lock are not counted:
they check no password, and the lock ends 15 minutes after the last real failure.
"""
import math
from datetime import datetime, timedelta

from .db import db
from .organisation import SignInAttempt, utcnow

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
# Attempts are kept a day, so a night's guessing can still be looked at; the rules need only WINDOW + LOCK.
KEEP = timedelta(days=1)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _locked_until(column, value: str, limit: int, now: datetime, since: datetime | None = None) -> datetime | None:
    """The end of the lock on `value`: its last `limit` failures fell within WINDOW and the lock runs
    LOCK from the latest one. Only failures recent enough to matter are read (at most `limit` rows)."""
    earliest = now - LOCK - WINDOW
    if since is not None and since > earliest:
        earliest = since
    failures = db.session.scalars(
        db.select(SignInAttempt.at)
        .where(column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.at > earliest)
        .order_by(SignInAttempt.at.desc()).limit(limit)).all()
    if len(failures) < limit or failures[0] - failures[-1] > WINDOW:
        return None
    until = failures[0] + LOCK
    return until if until > now else None


def _last_success(email: str) -> datetime | None:
    return db.session.scalar(db.select(db.func.max(SignInAttempt.at))
                             .where(SignInAttempt.email == email, SignInAttempt.succeeded.is_(True)))


def lock_remaining(email: str, address: str, now: datetime | None = None) -> timedelta | None:
    """How long this e-mail or address must still wait, or None when it may try.

    Whichever lock ends later counts; the caller answers the same way for both."""
    now = now or utcnow()
    email = normalise_email(email)
    ends = [until for until in (
        _locked_until(SignInAttempt.email, email, ACCOUNT_LIMIT, now, since=_last_success(email)),
        _locked_until(SignInAttempt.address, address, ADDRESS_LIMIT, now),
    ) if until is not None]
    return max(ends) - now if ends else None


def wait_message(remaining: timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes != 1 else ''}."


def record_attempt(email: str, address: str, succeeded: bool, now: datetime | None = None) -> None:
    """Keep one attempt and drop those older than KEEP. The caller commits."""
    now = now or utcnow()
    db.session.add(SignInAttempt(email=normalise_email(email), address=(address or "")[:64], succeeded=succeeded,
                                 at=now))
    prune(now)


def prune(now: datetime | None = None) -> int:
    """Delete attempts older than KEEP; the table then holds about a day of sign-ins."""
    now = now or utcnow()
    result = db.session.execute(db.delete(SignInAttempt).where(SignInAttempt.at < now - KEEP))
    return result.rowcount or 0
