"""The rating rules, the price-drift rule and the row rules, as plain functions: no database."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from models.audit import DailyBilling, PriceChange, price_changes
from models.carrier_files import CallRowParser, CsvLayout, NumberRef
from models.carrier_text import BadFile, BadRow, parse_amount, parse_month
from models.choices import BillingIncrement
from models.errors import InvalidInput
from models.rating import (TariffSchedule, TariffTerms, billable_seconds, call_charge, days_in_service,
                           monthly_rental, next_month, one_time_fee)

D = Decimal
HEADER = ["call_id", "number", "started_at", "duration_s", "direction", "destination", "destination_class",
          "billed_cost"]


def terms(tariff_id=1, valid_from=date(2026, 1, 1), valid_to=None, monthly_fee="310", one_time_fee="1500",
          local="0.60", increment=BillingIncrement.PER_SECOND) -> TariffTerms:
    return TariffTerms(id=tariff_id, valid_from=valid_from, valid_to=valid_to, monthly_fee=D(monthly_fee),
                       one_time_fee=D(one_time_fee), billing_increment=increment, rates={
                           "local": D(local), "long_distance": D("2.40"), "mobile": D("1.80"),
                           "international": D("20.00"), "toll_free_inbound": D("1.20")})


@pytest.mark.parametrize("increment,duration,seconds", [
    (BillingIncrement.PER_SECOND, 61, 61),
    (BillingIncrement.PER_SECOND, 0, 0),
    (BillingIncrement.PER_MINUTE, 1, 60),
    (BillingIncrement.PER_MINUTE, 60, 60),
    (BillingIncrement.PER_MINUTE, 61, 120),
    (BillingIncrement.FIRST_MINUTE_THEN_SECOND, 5, 60),
    (BillingIncrement.FIRST_MINUTE_THEN_SECOND, 61, 61),
    (BillingIncrement.FIRST_MINUTE_THEN_SECOND, 0, 0),  # an unanswered call costs nothing
])
def test_billable_seconds_follow_the_billing_increment(increment, duration, seconds):
    assert billable_seconds(duration, increment) == seconds


def test_an_unknown_billing_increment_is_refused():
    with pytest.raises(ValueError):
        billable_seconds(10, "per_fortnight")


@pytest.mark.parametrize("increment,duration,charge", [
    (BillingIncrement.PER_SECOND, 90, "0.9000"),  # 0.60 a minute for 1.5 minutes
    (BillingIncrement.PER_SECOND, 7, "0.0700"),
    (BillingIncrement.PER_MINUTE, 90, "1.2000"),
    (BillingIncrement.FIRST_MINUTE_THEN_SECOND, 7, "0.6000"),
    (BillingIncrement.FIRST_MINUTE_THEN_SECOND, 90, "0.9000"),
])
def test_call_charge_is_exact_decimal(increment, duration, charge):
    assert call_charge(D("0.60"), duration, increment) == D(charge)


def test_call_charge_rounds_half_up_to_money_places():
    assert call_charge(D("0.65"), 1, BillingIncrement.PER_SECOND) == D("0.0108")  # 0.010833...
    assert call_charge(D("0.0003"), 30, BillingIncrement.PER_SECOND) == D("0.0002")  # 0.00015 rounds up


@pytest.mark.parametrize("direction,destination_class,rate", [
    ("out", "local", "0.60"), ("out", "international", "20.00"),
    ("out", "toll_free", "0"),  # calling someone's 8-800 number is free
    ("in", "local", "0"),  # incoming calls are free...
    ("in", "toll_free", "1.20"),  # ...except to the company's own toll-free number
])
def test_which_rate_a_call_pays(direction, destination_class, rate):
    assert terms().rate_for(direction, destination_class) == D(rate)


def test_the_tariff_in_force_changes_mid_month():
    schedule = TariffSchedule([terms(1, date(2026, 1, 1), date(2026, 10, 14), local="0.60"),
                               terms(2, date(2026, 10, 15), local="0.80")])
    assert schedule.on(date(2026, 10, 14)).id == 1
    assert schedule.on(date(2026, 10, 15)).id == 2
    assert schedule.on(date(2025, 12, 31)) is None
    assert schedule.on(date(2026, 10, 14)).charge("out", "local", 60) == D("0.6000")
    assert schedule.on(date(2026, 10, 15)).charge("out", "local", 60) == D("0.8000")


def test_the_latest_starting_tariff_wins_like_carrier_tariff_on():
    open_ended, newer = terms(1, date(2026, 1, 1)), terms(2, date(2026, 6, 1), date(2026, 6, 30))
    schedule = TariffSchedule([newer, open_ended])
    assert [schedule.on(date(2026, 5, 31)).id, schedule.on(date(2026, 6, 15)).id,
            schedule.on(date(2026, 7, 1)).id] == [1, 2, 1]
    assert [(first.day, after.day, t.id) for first, after, t in
            schedule.periods(date(2026, 6, 1) - timedelta(days=3), date(2026, 7, 3))] == [(29, 1, 1), (1, 1, 2),
                                                                                          (1, 3, 1)]


def test_days_in_service_run_from_activation_to_the_day_before_disconnection():
    october = date(2026, 10, 1)
    assert days_in_service(date(2026, 1, 1), None, october) == (october, date(2026, 11, 1))
    assert days_in_service(date(2026, 10, 16), date(2026, 10, 21), october) == (date(2026, 10, 16),
                                                                                date(2026, 10, 21))
    assert days_in_service(date(2026, 11, 1), None, october) is None
    assert days_in_service(date(2026, 1, 1), date(2026, 10, 1), october) is None
    assert days_in_service(None, None, october) is None


@pytest.mark.parametrize("activated,disconnected,rental", [
    (date(2026, 1, 1), None, "310.00"),  # the whole month
    (date(2026, 10, 17), None, "150.00"),  # 15 of October's 31 days
    (date(2026, 1, 1), date(2026, 10, 11), "100.00"),  # 10 days, the disconnection day not paid
    (date(2026, 10, 5), date(2026, 10, 6), "10.00"),  # one day
    (date(2026, 11, 1), None, "0"),
])
def test_monthly_fees_are_pro_rated_by_days_in_service(activated, disconnected, rental):
    schedule = TariffSchedule([terms()])
    assert monthly_rental(activated, disconnected, date(2026, 10, 1), schedule) == D(rental)


def test_pro_rating_follows_a_fee_change_mid_month_and_rounds_per_number():
    schedule = TariffSchedule([terms(1, date(2026, 1, 1), date(2026, 10, 15), monthly_fee="310"),
                               terms(2, date(2026, 10, 16), monthly_fee="620")])
    # 15 days at 310/31 and 16 days at 620/31
    assert monthly_rental(date(2026, 1, 1), None, date(2026, 10, 1), schedule) == D("470.00")
    february = TariffSchedule([terms(monthly_fee="100")])
    assert monthly_rental(date(2026, 2, 2), None, date(2026, 2, 1), february) == D("96.43")  # 27/28 of 100


def test_the_one_time_fee_falls_in_the_month_of_activation():
    schedule = TariffSchedule([terms(one_time_fee="2500")])
    assert one_time_fee(date(2026, 10, 17), date(2026, 10, 1), schedule) == D("2500")
    assert one_time_fee(date(2026, 9, 30), date(2026, 10, 1), schedule) == 0
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def days(ratios: list[str | None], destination_class="local", start=date(2026, 10, 1)) -> list[DailyBilling]:
    """Daily billing at these ratios of the contracted 10.00 (None: no calls that day)."""
    return [DailyBilling(start + timedelta(days=n), destination_class, D("10.00") * D(ratio), D("10.00"))
            for n, ratio in enumerate(ratios) if ratio is not None]


def test_a_steady_higher_rate_is_a_price_change_from_its_first_day():
    found = price_changes(days(["1", "1.004", "0.998", "1", "1.2", "1.21", None, "1.19", "1.2"]))
    assert found == [PriceChange("local", since=date(2026, 10, 5), until=None, ratio=D("1.2000"))]


def test_rounding_noise_and_single_odd_days_are_no_price_change():
    assert price_changes(days(["1", "1.015", "0.985", "1", "1.5", "1", "1.01", "0.6", "1"])) == []
    assert price_changes(days(["1", "1.3", "1.3", "1"])) == []  # two days are not enough


def test_a_price_change_that_stopped_has_an_end_and_classes_are_separate():
    billed = days(["1.25", "1.25", "1.25", "1", "1"]) + days(["1", "1", "1", "1", "1"], "mobile")
    assert price_changes(billed) == [PriceChange("local", date(2026, 10, 1), date(2026, 10, 3), D("1.2500"))]
    stopped = PriceChange("local", date(2026, 10, 1), date(2026, 10, 3), D(1))
    assert stopped.overlaps(date(2026, 10, 3), date(2026, 10, 4))
    assert not stopped.overlaps(date(2026, 10, 4), date(2026, 11, 1))


def test_an_unsteady_rate_is_not_one_price_change():
    assert price_changes(days(["1.2", "1.5", "1.2", "1.5"])) == []


NUMBERS = {"+78436400301": NumberRef(id=7, department_id=3, carrier_id=2),
           "+74956400101": NumberRef(id=8, department_id=1, carrier_id=1)}


def parser(layout: CsvLayout | None = None, header=HEADER, schedule=None, zone="Europe/Moscow") -> CallRowParser:
    return CallRowParser(layout or CsvLayout.standard(), header, carrier_id=2, import_id=9, numbers=NUMBERS,
                         schedule=schedule or TariffSchedule([terms(5)]), billing_time_zone=zone)


def row(**fields) -> list[str]:
    values = {"call_id": "c1", "number": "+78436400301", "started_at": "2026-10-01T09:30:00+03:00",
              "duration_s": "90", "direction": "out", "destination": "+78432000000", "destination_class": "local",
              "billed_cost": "0.90", **fields}
    return [values[name] for name in HEADER]


def test_a_good_row_is_converted_to_utc_and_rated():
    values = dict(zip(CallRowParser.columns, parser().parse(row())))
    assert values == {"carrier_id": 2, "call_id": "c1", "phone_number_id": 7, "department_id": 3,
                      "started_at": "2026-10-01 06:30:00.000000", "duration_s": 90, "direction": "out",
                      "destination": "+78432000000", "destination_class": "local", "billed_cost": 9000,
                      "rated_cost": 9000, "tariff_id": 5, "import_id": 9}


# A new tariff from 1 November; the old one ends on 31 October.
NOVEMBER_CHANGE = TariffSchedule([terms(5, valid_to=date(2026, 10, 31)),
                                  terms(6, valid_from=date(2026, 11, 1), local="0.90")])


@pytest.mark.parametrize("started_at,zone,tariff_id", [
    # 00:30 on 1 November in Kazan is 21:30 UTC on 31 October: the carrier bills it by November's tariff.
    ("2026-11-01T00:30:00+03:00", "Europe/Moscow", 6),
    ("2026-10-31T23:59:59+03:00", "Europe/Moscow", 5),
    ("2026-10-31T21:30:00+00:00", "Europe/Moscow", 6),  # the same moment written in UTC
    ("2026-10-31T21:30:00+00:00", "UTC", 5),
    ("2026-11-01T00:00:00+07:00", "Asia/Novosibirsk", 6),  # 17:00 UTC on 31 October
    ("2026-10-31T23:59:59+07:00", "Asia/Novosibirsk", 5),
    ("2026-11-01T00:00:00+05:00", "Asia/Yekaterinburg", 6),
])
def test_a_call_is_rated_by_the_tariff_of_its_day_in_the_billing_time_zone(started_at, zone, tariff_id):
    values = dict(zip(CallRowParser.columns, parser(schedule=NOVEMBER_CHANGE, zone=zone).parse(
        row(started_at=started_at))))
    assert values["tariff_id"] == tariff_id
    assert values["rated_cost"] == (9000 if tariff_id == 5 else 13500)  # 90 s at 0.60 or 0.90 a minute


def test_a_carriers_local_times_are_rated_by_their_day_hour_after_hour():
    """Times written without an offset are converted an hour at a time; the day of each hour is the billing
    zone's, also for the hours either side of midnight."""
    layout = CsvLayout.from_data({"columns": {name: name for name in HEADER}, "date_format": "%d.%m.%Y %H:%M:%S",
                                  "time_zone": "Europe/Moscow"})
    rating = parser(layout, schedule=NOVEMBER_CHANGE)
    tariffs = [dict(zip(CallRowParser.columns, rating.parse(row(started_at=text))))["tariff_id"]
               for text in ("31.10.2026 23:10:00", "31.10.2026 23:59:59", "01.11.2026 00:00:00",
                            "01.11.2026 00:30:00", "31.10.2026 23:20:00", "01.11.2026 02:59:59")]
    assert tariffs == [5, 5, 6, 6, 5, 6]


def test_numbers_are_found_as_carriers_write_them():
    assert parser().parse(row(number=" 7 (843) 640-03-01 "))[2] == 7


@pytest.mark.parametrize("fields,reason", [
    ({"number": "+78430000000"}, "unknown number '+78430000000'"),
    ({"number": "+74956400101"}, "number '+74956400101' is rented from another carrier"),
    ({"started_at": "01/10/2026 09:30"}, "unparsable start time '01/10/2026 09:30'"),
    ({"started_at": "2026-10-01T09:30:00"}, "start time '2026-10-01T09:30:00' has no UTC offset"),
    ({"duration_s": "-5"}, "negative duration -5"),
    ({"duration_s": "1.5"}, "duration '1.5' is not a whole number of seconds"),
    ({"direction": "sideways"}, "unknown direction 'sideways'"),
    ({"destination_class": "satellite"}, "unknown destination class 'satellite'"),
    ({"billed_cost": "-1.00"}, "negative billed cost '-1.00'"),
    ({"billed_cost": "NaN"}, "unparsable amount 'NaN'"),
    ({"billed_cost": "1,5"}, "unparsable amount '1,5'"),
    ({"call_id": " "}, "the call id must have 1 to 100 characters"),
])
def test_bad_rows_say_why(fields, reason):
    with pytest.raises(BadRow) as refused:
        parser().parse(row(**fields))
    assert str(refused.value) == reason


def test_a_row_with_too_few_fields_is_bad():
    with pytest.raises(BadRow, match="has 3 fields; the header has 8"):
        parser().parse(["a", "b", "c"])


def test_a_call_on_a_day_without_tariff_is_kept_unrated():
    values = parser(schedule=TariffSchedule([])).parse(row())
    assert values[CallRowParser.columns.index("rated_cost")] is None
    assert values[CallRowParser.columns.index("tariff_id")] is None


def test_a_carriers_own_layout():
    layout = CsvLayout.from_data({
        "columns": {"number": "Номер", "started_at": "Начало", "duration_s": "Сек", "direction": "Направление",
                    "destination": "Кому", "destination_class": "Тип", "billed_cost": "Сумма"},
        "date_format": "%d.%m.%Y %H:%M", "time_zone": "Asia/Yekaterinburg", "decimal_comma": True,
        "delimiter": ";", "directions": {"Исх": "out"}, "destination_classes": {"Местный": "local"}})
    header = ["Сумма", "Номер", "Начало", "Сек", "Направление", "Кому", "Тип"]
    values = dict(zip(CallRowParser.columns, parser(layout, header).parse(
        ["1 234,50", "78436400301", "01.10.2026 11:30", "60", "исх ", "+78432000000", "МЕСТНЫЙ"])))
    assert values["started_at"] == "2026-10-01 06:30:00.000000"  # Yekaterinburg is UTC+5
    assert values["billed_cost"] == 12_345_000 and values["direction"] == "out"
    assert values["destination_class"] == "local"
    # Without a call id column, a call is known by its number, start and destination.
    assert values["call_id"] == "7|2026-10-01 06:30:00.000000|+78432000000"


def test_a_header_without_a_needed_column_fails_the_file():
    with pytest.raises(BadFile, match="the header has no column 'billed_cost'"):
        parser(header=HEADER[:-1])


def test_a_bad_layout_names_every_bad_setting():
    with pytest.raises(InvalidInput) as refused:
        CsvLayout.from_data({"columns": {"number": "n"}, "delimiter": ";;", "encoding": "klingon",
                             "time_zone": "Mars/Olympus", "date_format": "dd.mm.yyyy",
                             "directions": {"x": "up"}})
    assert {"columns.started_at", "delimiter", "encoding", "time_zone", "date_format", "directions"} <= set(
        refused.value.fields)
    assert "columns.call_id" not in refused.value.fields  # a call id column is optional


def test_amounts_and_months_as_written():
    assert parse_amount("1 234,50", decimal_comma=True) == D("1234.50")
    assert parse_amount(" 12.5 ", decimal_comma=False) == D("12.5")
    assert parse_month("2026-10") == date(2026, 10, 1)
    with pytest.raises(ValueError, match="is not a month written as YYYY-MM"):
        parse_month("2026-13")
