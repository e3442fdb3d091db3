"""Reading the values carriers write (start times, amounts, months) into the form numberdesk stores.

A billing file has millions of rows, yet its amounts repeat and its start times fall into a few thousand
hours, so the readers remember what they have converted: for most rows a dictionary lookup replaces a
Decimal or datetime conversion, which matters at a million rows (see benchmarks/costs.py).
"""
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .db import money_units, stored_datetime
from .rating import MEMO_LIMIT

_MINUTES_AND_SECONDS = frozenset(f":{minute:02d}:{second:02d}" for minute in range(60) for second in range(60))


class BadRow(ValueError):
    """A row that cannot be imported; the message says why."""


class BadFile(ValueError):
    """A file that cannot be imported at all."""


def parse_amount(text: str, decimal_comma: bool) -> Decimal:
    """An amount as written: 1234.50, or with a decimal comma 1234,50; spaces may group the thousands."""
    written = text.replace(",", ".") if decimal_comma else text
    try:
        value = Decimal(written)
    except InvalidOperation:
        try:
            value = Decimal(written.replace(" ", "").replace("\u00a0", ""))
        except InvalidOperation:
            raise BadRow(f"unparsable amount {text!r}") from None
    if not value.is_finite():
        raise BadRow(f"unparsable amount {text!r}")
    return value


def parse_month(text: str) -> date:
    """'YYYY-MM' as the first day of that month; ValueError says why not."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a month written as YYYY-MM") from None


class Amounts:
    """Amounts as written (see parse_amount), as Money units."""

    def __init__(self, decimal_comma: bool):
        self.decimal_comma = decimal_comma
        self.memo: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        units = self.memo.get(text)
        if units is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            units = self.memo[text] = money_units(parse_amount(text, self.decimal_comma))
        return units


class StartTimes:
    """Start times as written, as (the UTC time as a DateTime column stores it, its day in `day_zone`: the
    carrier's billing time zone, whose day's tariff rates the call; UTC unless given).

    The text is ISO 8601, or follows `date_format` (strptime) when one is given. A time written without a
    UTC offset is in `time_zone`, or refused when there is none.

    Texts that end in minutes and seconds (2026-10-01T09:30:00+03:00, or 01.10.2026 09:30:00 in the carrier's
    time zone) are converted an hour at a time: when every minute and second of a local hour falls in one
    UTC hour, only the hour needs converting, once for each hour (and offset) in the file.
    """

    def __init__(self, date_format: str = "", time_zone: str = "", day_zone: str = "UTC"):
        self.date_format = date_format
        self.iso = not date_format
        self.ends_in_seconds = self.iso or date_format.endswith("%H:%M:%S")
        self.zone = ZoneInfo(time_zone) if time_zone else None
        self.day_zone = ZoneInfo(day_zone)
        # The text without its ":MM:SS" -> that hour in UTC as stored ("YYYY-MM-DD HH"), and its day in day_zone.
        self.hours: dict[str, tuple[str, date]] = {}

    def __call__(self, text: str) -> tuple[str, date]:
        if len(text) == 25 and self.iso:  # 2026-10-01T09:30:00+03:00
            at = 13
        elif self.ends_in_seconds:  # 2026-10-01T09:30:00, 01.10.2026 09:30:00
            at = len(text) - 6
        else:
            return self.convert(text)
        minutes_and_seconds = text[at:at + 6]
        if minutes_and_seconds not in _MINUTES_AND_SECONDS:
            return self.convert(text)
        hour = text[:at] + text[at + 6:]
        known = self.hours.get(hour)
        if known is None:
            known = self._hour(text, at)
            if known is None:
                return self.convert(text)
            if len(self.hours) >= MEMO_LIMIT:
                self.hours.clear()
            self.hours[hour] = known
        return known[0] + minutes_and_seconds + ".000000", known[1]

    def _hour(self, text: str, at: int) -> tuple[str, date] | None:
        """The UTC hour of the text's local hour, or None unless all of it is in that one UTC hour and one day
        of day_zone: an offset that is not whole hours, or a change of offset within the hour, keeps the
        minutes from carrying over."""
        try:
            first, day = self.convert(text[:at] + ":00:00" + text[at + 6:])
            last, last_day = self.convert(text[:at] + ":59:59" + text[at + 6:])
        except BadRow:  # the text's own conversion says what is wrong with it
            return None
        if (first[13:] != ":00:00.000000" or last[13:] != ":59:59.000000" or first[:13] != last[:13]
                or day != last_day):
            return None
        return first[:13], day

    def convert(self, text: str) -> tuple[str, date]:
        """What __call__ returns, worked out in full."""
        try:
            at = self._read(text)
        except ValueError:
            try:
                at = self._read(text.strip())
            except ValueError:
                raise BadRow(f"unparsable start time {text!r}") from None
        if at.tzinfo is None:
            if self.zone is None:
                raise BadRow(f"start time {text!r} has no UTC offset")
            at = at.replace(tzinfo=self.zone)
        utc = at.astimezone(timezone.utc)
        return stored_datetime(utc.replace(tzinfo=None)), utc.astimezone(self.day_zone).date()

    def _read(self, text: str) -> datetime:
        return datetime.strptime(text, self.date_format) if self.date_format else datetime.fromisoformat(text)
