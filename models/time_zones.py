"""Billing time zones: which day and month a moment belongs to, as a carrier counts them.

Carriers bill the calendar days and months of their own time zone (Russian carriers: Moscow time), so a call
at 00:30 on 1 November in Kazan (21:30 UTC on 31 October) is on the carrier's November invoice. Times are
stored in UTC; a zone's day or month is the range of UTC instants [its first moment, the next one's first
moment), so queries compare stored times with constants and keep using their indexes.
"""
import os
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from dateutil.relativedelta import relativedelta

DEFAULT_ACCOUNTING_TIME_ZONE = "Europe/Moscow"
ACCOUNTING_TIME_ZONE_SETTING = "NUMBERDESK_ACCOUNTING_TIME_ZONE"
NOT_A_ZONE = "is not a known time zone, such as Europe/Moscow or Asia/Novosibirsk"
MAX_NAME = 64  # the longest IANA name is 32 characters


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    """The IANA name of a time zone (Europe/Moscow), stripped; ValueError if there is no such zone."""
    name = (name or "").strip()
    if name not in _known_zones():
        raise ValueError(f"{name!r} {NOT_A_ZONE}" if name else "a time zone is needed, such as Europe/Moscow")
    return name


@lru_cache(maxsize=128)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(check_time_zone(name))


def accounting_time_zone() -> str:
    """The company's accounting time zone (NUMBERDESK_ACCOUNTING_TIME_ZONE, Europe/Moscow unless set): a new
    carrier's billing time zone, and the zone whose calendar says which month has just ended."""
    name = os.environ.get(ACCOUNTING_TIME_ZONE_SETTING, "").strip() or DEFAULT_ACCOUNTING_TIME_ZONE
    try:
        return check_time_zone(name)
    except ValueError as error:
        raise ValueError(f"{ACCOUNTING_TIME_ZONE_SETTING}: {error}") from None


def start_of_day(day: date, zone_name: str) -> datetime:
    """The first moment of `day` in the zone, as a naive UTC datetime like every stored time.

    Where the clocks skip midnight, 00:00 does not exist; Python reads it with the offset in force before the
    change, which gives the very moment the day starts.
    """
    local = datetime.combine(day, time(), tzinfo=zone(zone_name))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def month_range(month: date, zone_name: str) -> tuple[datetime, datetime]:
    """The month (its first day) in the zone as UTC instants [first moment, first moment of the next month)."""
    return start_of_day(month, zone_name), start_of_day(month + relativedelta(months=1), zone_name)


def day_of(moment: datetime, zone_name: str) -> date:
    """The zone's calendar day of a stored (naive UTC) time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone(zone_name)).date()


def today_in(zone_name: str, now: datetime | None = None) -> date:
    """Today's date in the zone; `now` (aware) instead of the clock."""
    return (now or datetime.now(timezone.utc)).astimezone(zone(zone_name)).date()


@lru_cache(maxsize=128)
def offsets_are_whole_hours(zone_name: str) -> bool:
    """Whether the zone has been a whole number of hours off UTC since 1970 (all of Russia's zones have): then
    every UTC hour falls within one of its days. India (+05:30) or Nepal (+05:45) are not."""
    tz, moment = zone(zone_name), datetime(1970, 1, 1, tzinfo=timezone.utc)
    while moment.year < 2100:
        if moment.astimezone(tz).utcoffset() % timedelta(hours=1):
            return False
        moment += timedelta(days=14)
    return True
