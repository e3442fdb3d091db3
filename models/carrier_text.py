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
    """Start times as written, as (the UTC time as a DateTime column stores it, the UTC day).

    The text is ISO 8601, or follows `date_format` (strptime) when one is given. A time written without a
    UTC offset is in `time_zone`, or refused when there is none.
    """

    def __init__(self, date_format: str = "", time_zone: str = ""):
        self.date_format = date_format
        self.iso = not date_format
        self.zone = ZoneInfo(time_zone) if time_zone else None
        # "YYYY-MM-DDTHH" and the offset as written -> "YYYY-MM-DD HH" in UTC, and the UTC day.
        self.hours: dict[str, tuple[str, date]] = {}

    def __call__(self, text: str) -> tuple[str, date]:
        # numberdesk's own layout writes ISO 8601 to the second with the offset, 2026-10-01T09:30:00+03:00. With
        # a whole-hour offset the minutes and seconds are the same in UTC, so only the hour needs converting,
        # once for each hour and offset in the file.
        if len(text) == 25 and text[13:19] in _MINUTES_AND_SECONDS and self.iso:
            hour = text[:13] + text[19:]
            known = self.hours.get(hour)
            if known is None:
                stored, day = self.convert(text)
                if stored[13:] != text[13:19] + ".000000":  # an offset that is not whole hours
                    return stored, day
                if len(self.hours) >= MEMO_LIMIT:
                    self.hours.clear()
                known = self.hours[hour] = (stored[:13], day)
            return known[0] + text[13:19] + ".000000", known[1]
        return self.convert(text)

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
        utc = at.astimezone(timezone.utc).replace(tzinfo=None)
        return stored_datetime(utc), utc.date()

    def _read(self, text: str) -> datetime:
        return datetime.strptime(text, self.date_format) if self.date_format else datetime.fromisoformat(text)
