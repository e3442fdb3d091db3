"""Reading carriers' start times and amounts into the stored form, and rating calls, with their memos."""
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Date, DateTime
from sqlalchemy.dialects import sqlite

from models import carrier_text
from models.carrier_text import Amounts, BadRow, StartTimes
from models.choices import BillingIncrement
from models.db import Money, stored_date, stored_datetime
from models.rating import CallCharges, TariffSchedule, TariffTerms

OFFSETS = ["+00:00", "+03:00", "-05:00", "+14:00", "-12:00", "+05:30", "-03:45", "Z", ""]


def written_times(count: int) -> list[str]:
    """Times as carriers write them, in many shapes, over a few days around a new year."""
    rng = random.Random(7)
    start = datetime(2025, 12, 30)
    texts = []
    for _ in range(count):
        at = start + timedelta(seconds=rng.randrange(4 * 86400), microseconds=rng.choice([0, 0, 0, 250000]))
        texts.append(at.isoformat(rng.choice("T ")) + rng.choice(OFFSETS))
    return texts


def test_the_memo_gives_what_the_full_conversion_gives():
    times = StartTimes(time_zone="Europe/Moscow")
    texts = written_times(5000)
    for _ in range(2):  # the second time round every hour is known
        for text in texts:
            assert times(text) == StartTimes(time_zone="Europe/Moscow").convert(text), text
    assert times.hours  # the memo was used


@pytest.mark.parametrize("date_format,time_zone,around", [
    ("", "America/New_York", [datetime(2026, 3, 8), datetime(2026, 11, 1)]),
    ("%d.%m.%Y %H:%M:%S", "Europe/Moscow", [datetime(2010, 3, 28), datetime(2010, 10, 31), datetime(2026, 6, 1)]),
    ("%d.%m.%Y %H:%M:%S", "Australia/Lord_Howe", [datetime(2026, 4, 5), datetime(2026, 10, 4)]),  # 30-min shifts
    ("%Y-%m-%d %H:%M:%S", "America/Goose_Bay", [datetime(2010, 3, 14), datetime(2010, 11, 7)]),  # at 00:01
    ("%d.%m.%Y %H:%M", "Asia/Kolkata", [datetime(2026, 1, 1)]),
])
def test_local_times_convert_the_same_by_the_hour_as_one_by_one(date_format, time_zone, around):
    texts = [(day + timedelta(seconds=step * 433)).strftime(date_format or "%Y-%m-%dT%H:%M:%S")
             for day in around for step in range(-400, 400)]
    times = StartTimes(date_format, time_zone)
    for _ in range(2):
        for text in texts:
            assert times(text) == StartTimes(date_format, time_zone).convert(text), text


def test_times_are_stored_in_utc_with_their_utc_day():
    times = StartTimes()
    assert times("2026-01-01T01:30:05+03:00") == ("2025-12-31 22:30:05.000000", date(2025, 12, 31))
    assert times("2026-01-01T01:31:59+03:00") == ("2025-12-31 22:31:59.000000", date(2025, 12, 31))
    assert times("2026-01-01T01:31:59+05:30") == ("2025-12-31 20:01:59.000000", date(2025, 12, 31))
    assert times(" 2026-01-01T01:31:59Z ") == ("2026-01-01 01:31:59.000000", date(2026, 1, 1))


@pytest.mark.parametrize("text", ["2026-01-01T01:60:00+03:00", "2026-01-01T01:30:60+03:00",
                                  "2026-01-01T01:3\u0663:00+03:00", "2026-01-01T01:30-00+03:00",
                                  "2026-02-29T01:30:00+03:00", "2026-01-01T01:30:00+0a:00"])
def test_a_bad_time_is_refused_even_in_a_known_hour(text):
    times = StartTimes()
    times("2026-01-01T01:00:00+03:00")
    times("2026-02-28T01:00:00+03:00")
    with pytest.raises(BadRow, match="unparsable start time"):
        times(text)


def test_a_time_without_offset_needs_the_carriers_time_zone():
    with pytest.raises(BadRow, match="has no UTC offset"):
        StartTimes()("2026-07-01T12:00:00")
    assert StartTimes(time_zone="Europe/Moscow")("2026-07-01T12:00:00")[0] == "2026-07-01 09:00:00.000000"
    assert StartTimes("%d.%m.%Y %H:%M", "Asia/Yekaterinburg")("01.10.2026 11:30") == (
        "2026-10-01 06:30:00.000000", date(2026, 10, 1))


def test_memos_stay_bounded(monkeypatch):
    monkeypatch.setattr(carrier_text, "MEMO_LIMIT", 10)
    times, amounts = StartTimes(), Amounts(decimal_comma=False)
    for hour in range(100):
        times(f"2026-01-{1 + hour // 24:02d}T{hour % 24:02d}:00:00+03:00")
        assert amounts(f"{hour}.5") == hour * 10000 + 5000
    assert len(times.hours) <= 10 and len(amounts.memo) <= 10


def test_amounts_are_money_units():
    assert Amounts(decimal_comma=True)("1 234,50") == 12_345_000
    amounts = Amounts(decimal_comma=False)
    assert [amounts("0.00015"), amounts("0.00015"), amounts("-2.5")] == [2, 2, -25000]
    with pytest.raises(BadRow, match="unparsable amount '1,5'"):
        amounts("1,5")


def test_stored_forms_are_what_sqlalchemy_writes():
    dialect = sqlite.dialect()
    as_datetime = DateTime().dialect_impl(dialect).bind_processor(dialect)
    for value in (datetime(2026, 10, 5, 6, 0), datetime(2026, 1, 2, 3, 4, 5, 6), datetime(999, 12, 31, 23, 59)):
        assert stored_datetime(value) == as_datetime(value)
    as_date = Date().dialect_impl(dialect).bind_processor(dialect)
    for value in (date(2026, 10, 1), date(999, 1, 31)):
        assert stored_date(value) == as_date(value)
    as_money = Money().dialect_impl(dialect).bind_processor(dialect)
    amounts = Amounts(decimal_comma=False)
    for text in ("1.2", "0.00005", "0.00015", "123456.7891"):
        assert amounts(text) == as_money(Decimal(text))


def test_call_charges_follow_the_tariff_of_the_day():
    rates = {"local": Decimal("0.60"), "long_distance": Decimal("2.40"), "mobile": Decimal("1.80"),
             "international": Decimal("20.00"), "toll_free_inbound": Decimal("1.20")}
    first = TariffTerms(id=1, valid_from=date(2026, 1, 1), valid_to=date(2026, 10, 14), monthly_fee=Decimal("0"),
                        one_time_fee=Decimal("0"), rates=rates, billing_increment=BillingIncrement.PER_SECOND)
    second = TariffTerms(id=2, valid_from=date(2026, 10, 15), valid_to=None, monthly_fee=Decimal("0"),
                         one_time_fee=Decimal("0"), rates=rates, billing_increment=BillingIncrement.PER_MINUTE)
    charges = CallCharges(TariffSchedule([first, second]))
    for _ in range(2):
        assert charges(date(2026, 10, 14), "out", "local", 61) == (6100, 1)  # 61 s at 0.60 a minute
        assert charges(date(2026, 10, 15), "out", "local", 61) == (12000, 2)  # two whole minutes
        assert charges(date(2026, 10, 15), "in", "local", 61) == (0, 2)
    assert charges(date(2025, 12, 31), "out", "local", 61) == (None, None)
