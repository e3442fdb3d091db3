"""Days and months in each carrier's billing time zone: a call belongs to the day and month its start has in
the zone its carrier bills by, in the expense report, the invoice audit, the price-drift flag and the rating.

The expectations here are computed from the call records with zoneinfo directly, not with numberdesk's own
month ranges. The edge calls are in 2039 and 2040, years the demo's calls (months around today) never reach.
"""
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import Migrate, downgrade, upgrade

from models import BillingImport, CallRecord, Carrier, ExpenseReport, InvalidInput, PhoneNumber, Tariff, db
from models.audit import carrier_audit, daily_billing
from models.carrier_text import StartTimes
from models.db import PROJECT_ROOT, standalone_app
from models.expenses import EVERY_CARRIER, ExpenseFigures, expense_figures, last_complete_month, store_expense_report
from models.rating import TariffSchedule, TariffTerms, monthly_rental
from models.time_zones import accounting_time_zone, month_range, offsets_are_whole_hours, start_of_day, today_in

CENT = Decimal("0.01")
MOSCOW, YEKATERINBURG, NOVOSIBIRSK = "Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk"  # UTC+3, +5, +7
# One number of each demo carrier, each in a branch with no other carrier's numbers.
NUMBERS = {"TransTelecom Direct": "+74956400101", "Nordtel": "+78126400201", "VolgaLink": "+78436400301"}
THREE_ZONES = {"TransTelecom Direct": MOSCOW, "VolgaLink": YEKATERINBURG, "Nordtel": NOVOSIBIRSK}
# Local start times (in the carrier's zone) and amounts, each amount a different power of two in kopecks, so
# a call counted in the wrong month changes every sum it touches.
OCTOBER, LEAP_FEBRUARY = date(2039, 10, 1), date(2040, 2, 1)  # 31 days; 29 days
EDGE_CALLS = [
    ("2039-09-30T23:59:59", "0.01", date(2039, 9, 1)),  # the last second of September
    ("2039-10-01T00:00:00", "0.02", OCTOBER),  # the first hour of October
    ("2039-10-01T00:59:59", "0.04", OCTOBER),
    ("2039-10-31T23:00:00", "0.08", OCTOBER),  # the last hour of October, its 31st day
    ("2039-10-31T23:59:59", "0.16", OCTOBER),
    ("2039-11-01T00:00:00", "0.32", date(2039, 11, 1)),
    ("2040-01-31T23:59:59", "0.64", date(2040, 1, 1)),
    ("2040-02-01T00:00:00", "1.28", LEAP_FEBRUARY),
    ("2040-02-29T00:30:00", "2.56", LEAP_FEBRUARY),  # the leap day
    ("2040-02-29T23:59:59", "5.12", LEAP_FEBRUARY),
    ("2040-03-01T00:00:00", "10.24", date(2040, 3, 1)),
]
EDGE_MONTHS = sorted({month for _, _, month in EDGE_CALLS})


def carrier(name: str) -> Carrier:
    return db.session.scalar(db.select(Carrier).filter_by(name=name))


def set_zones(zones: dict[str, str]) -> None:
    for name, zone_name in zones.items():
        carrier(name).billing_time_zone = zone_name
    db.session.commit()


def utc(local: datetime) -> datetime:
    """A zone-aware time as it is stored: naive UTC."""
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def add_call(carrier_name: str, started_at: datetime, amount: str, destination_class="local", call_id=None,
             rated: str | None = None) -> CallRecord:
    number = db.session.scalar(db.select(PhoneNumber).filter_by(e164=NUMBERS[carrier_name]))
    billing_import = db.session.scalar(db.select(BillingImport).filter_by(carrier_id=number.carrier_id))
    call = CallRecord(carrier_id=number.carrier_id, call_id=call_id or f"edge-{started_at.isoformat()}",
                      phone_number_id=number.id, department_id=number.department_id, started_at=started_at,
                      duration_s=60, direction="out", destination="+74951112233", destination_class=destination_class,
                      billed_cost=Decimal(amount), rated_cost=Decimal(rated or amount), tariff_id=None,
                      import_id=billing_import.id)
    db.session.add(call)
    return call


def add_edge_calls() -> None:
    for name in NUMBERS:
        zone = ZoneInfo(carrier(name).billing_time_zone)
        for local, amount, _ in EDGE_CALLS:
            add_call(name, utc(datetime.fromisoformat(local).replace(tzinfo=zone)), amount)
    db.session.commit()


def months_of_calls() -> dict[tuple[int, int, date], Decimal]:
    """The calls summed by carrier, branch and the month their start falls in, in the carrier's zone: the rule
    itself, with zoneinfo."""
    zones = {c.id: ZoneInfo(c.billing_time_zone) for c in db.session.scalars(db.select(Carrier))}
    sums: dict[tuple[int, int, date], Decimal] = {}
    for carrier_id, department_id, started_at, billed in db.session.execute(
            db.select(CallRecord.carrier_id, CallRecord.department_id, CallRecord.started_at,
                      CallRecord.billed_cost)):
        local = started_at.replace(tzinfo=timezone.utc).astimezone(zones[carrier_id])
        key = (carrier_id, department_id, date(local.year, local.month, 1))
        sums[key] = sums.get(key, Decimal(0)) + billed
    return sums


def total(sums: dict[tuple[int, int, date], Decimal], carrier_id=None, department_id=None, month=None) -> Decimal:
    return sum((amount for (c, d, m), amount in sums.items()
                if carrier_id in (None, c) and department_id in (None, d) and m == month), Decimal(0))


@pytest.mark.parametrize("zones", [
    THREE_ZONES,  # three calendars at once
    dict.fromkeys(THREE_ZONES, NOVOSIBIRSK),  # one calendar for every carrier, seven hours ahead of UTC
    dict.fromkeys(THREE_ZONES, YEKATERINBURG),
    dict.fromkeys(THREE_ZONES, "UTC"),
])
def test_every_carriers_monthly_total_is_the_sum_of_its_calls_in_its_zones_months(app, zones):
    set_zones(zones)
    add_edge_calls()
    expected = months_of_calls()
    months = sorted({month for _, _, month in expected})
    assert len(months) >= len(EDGE_MONTHS) + 3  # the demo's months and the edge months
    for month in months:
        # The invoice audit: each carrier's month, as the carrier's invoice counts it.
        for each in db.session.scalars(db.select(Carrier)):
            assert carrier_audit(each, month).billed == total(expected, carrier_id=each.id, month=month), (
                each.name, month)
        # The report: each branch's calls, whichever carriers they came through. Every amount is whole kopecks,
        # so rounding per branch and class changes nothing.
        figures = expense_figures(month)
        for row in figures.departments:
            assert row.costs.calls_total == total(expected, department_id=row.department_id, month=month), (
                row.name, month)
        assert figures.total().calls_total == total(expected, month=month)


@pytest.mark.parametrize("zones", [THREE_ZONES, dict.fromkeys(THREE_ZONES, MOSCOW)])
def test_the_first_and_last_hours_of_a_month_are_counted_where_the_carrier_bills_them(app, zones):
    set_zones(zones)
    add_edge_calls()
    for month in EDGE_MONTHS:
        want = sum((Decimal(amount) for _, amount, in_month in EDGE_CALLS if in_month == month), Decimal(0))
        for name in NUMBERS:
            assert carrier_audit(carrier(name), month).billed == want, (name, month)
        figures = expense_figures(month)
        assert figures.total().calls_total == 3 * want
        for row in figures.departments:
            assert row.costs.calls["local"] in (0, want)
    # Counted in UTC, the first hour of October in these zones would be September's.
    first_hour = [utc(datetime(2039, 10, 1, tzinfo=ZoneInfo(zone_name))) for zone_name in zones.values()]
    assert all(moment < datetime(2039, 10, 1) - timedelta(hours=2) for moment in first_hour)


def test_month_ranges_are_utc_instants_of_the_zones_midnights():
    assert month_range(date(2026, 11, 1), MOSCOW) == (datetime(2026, 10, 31, 21), datetime(2026, 11, 30, 21))
    assert month_range(date(2040, 2, 1), NOVOSIBIRSK) == (datetime(2040, 1, 31, 17), datetime(2040, 2, 29, 17))
    assert month_range(date(2039, 10, 1), YEKATERINBURG) == (datetime(2039, 9, 30, 19), datetime(2039, 10, 31, 19))
    assert month_range(date(2040, 2, 1), "UTC") == (datetime(2040, 2, 1), datetime(2040, 3, 1))
    # Berlin's October has 31 days and a clock change: it starts at UTC+2 and ends at UTC+1.
    assert month_range(date(2026, 10, 1), "Europe/Berlin") == (datetime(2026, 9, 30, 22), datetime(2026, 10, 31, 23))
    # Where the clocks skip midnight (Santiago, 11 September 2022), the day starts at the skip.
    assert start_of_day(date(2022, 9, 11), "America/Santiago") == datetime(2022, 9, 11, 4)


def test_a_zones_today_and_the_last_complete_month(monkeypatch):
    at = datetime(2026, 10, 31, 21, 30, tzinfo=timezone.utc)  # 00:30 on 1 November in Moscow
    assert today_in(MOSCOW, now=at) == date(2026, 11, 1)
    assert today_in("UTC", now=at) == date(2026, 10, 31)
    assert today_in("America/New_York", now=at) == date(2026, 10, 31)
    monkeypatch.setattr("models.expenses.today_in", lambda zone_name: today_in(zone_name, now=at))
    monkeypatch.delenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", raising=False)
    assert last_complete_month() == date(2026, 10, 1)  # in Moscow, October has ended
    monkeypatch.setenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", "Europe/London")
    assert last_complete_month() == date(2026, 9, 1)  # in London it is still 31 October


def test_the_accounting_time_zone_is_a_setting(monkeypatch):
    monkeypatch.delenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", raising=False)
    assert accounting_time_zone() == MOSCOW
    monkeypatch.setenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", " Asia/Vladivostok ")
    assert accounting_time_zone() == "Asia/Vladivostok"
    monkeypatch.setenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", "Moscow")
    with pytest.raises(ValueError, match="NUMBERDESK_ACCOUNTING_TIME_ZONE: 'Moscow' is not a known time zone"):
        accounting_time_zone()


def test_a_new_carrier_bills_in_the_accounting_time_zone_and_a_wrong_zone_is_refused(app, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", "Asia/Omsk")
    new = Carrier(name="Omsk Telecom", legal_name="Omsk Telecom JSC", tax_id="5500000000", address="Omsk")
    db.session.add(new)
    db.session.commit()
    assert new.billing_time_zone == "Asia/Omsk"
    assert {c.billing_time_zone for c in db.session.scalars(db.select(Carrier)) if c is not new} == {MOSCOW}
    with pytest.raises(InvalidInput) as refused:
        new.billing_time_zone = "Mars/Olympus"
    assert refused.value.fields == {"billing_time_zone": "'Mars/Olympus' is not a known time zone, such as "
                                                         "Europe/Moscow or Asia/Novosibirsk"}
    with pytest.raises(InvalidInput):
        new.billing_time_zone = ""


def test_changing_a_zone_recounts_live_reports_and_kept_reports_stay_as_kept(app):
    add_edge_calls()  # every carrier in Moscow time, the demo's default
    kept = store_expense_report(OCTOBER, generated_by="accountant@example.com")
    db.session.commit()
    kept_data = dict(kept.data)
    assert kept.figures().counted_in() == MOSCOW
    assert expense_figures(OCTOBER).total().calls_total == 3 * Decimal("0.30")

    set_zones({"Nordtel": NOVOSIBIRSK})  # its edge calls were written in Moscow time: seen from Novosibirsk
    live = expense_figures(OCTOBER)
    # 23:00 and 23:59:59 Moscow on 31 October are already November in Novosibirsk, the last second of September
    # is October: 0.30 - 0.08 - 0.16 + 0.01.
    nordtel = carrier("Nordtel")
    assert carrier_audit(nordtel, OCTOBER).billed == Decimal("0.07")
    assert live.total().calls_total == 2 * Decimal("0.30") + Decimal("0.07")
    assert live.counted_in() == ("Nordtel: Asia/Novosibirsk, TransTelecom Direct: Europe/Moscow, "
                                 "VolgaLink: Europe/Moscow")
    db.session.expire_all()
    again = db.session.get(ExpenseReport, kept.id)
    assert again.data == kept_data and again.figures().total().calls_total == 3 * Decimal("0.30")
    assert again.figures().counted_in() == MOSCOW


def test_a_report_kept_before_billing_time_zones_says_it_was_counted_in_utc(app):
    data = expense_figures(OCTOBER).to_data()
    assert data["time_zones"] == dict.fromkeys(THREE_ZONES, MOSCOW)
    del data["time_zones"]
    old = ExpenseFigures.from_data(data)
    assert old.time_zones == {EVERY_CARRIER: "UTC"} and old.counted_in() == "UTC"


def test_changing_a_zone_rerates_the_calls_it_moves_to_a_day_with_another_tariff(app):
    nordtel = carrier("Nordtel")
    set_zones({"Nordtel": "UTC"})
    old_terms = TariffTerms.of(nordtel.tariff_on(date(2039, 10, 31)))
    november = Tariff(carrier=nordtel, name="From November 2039", valid_from=date(2039, 11, 1),
                      monthly_fee=Decimal("390"), one_time_fee=Decimal("0"), rate_local=Decimal("0.90"),
                      rate_long_distance=Decimal("2"), rate_mobile=Decimal("2"), rate_international=Decimal("20"),
                      rate_toll_free_inbound=Decimal("1"))
    db.session.add(november)
    db.session.flush()
    new_terms = TariffTerms.of(november)
    # 21:30 UTC on 31 October is 1 November in Moscow; 12:00 UTC is the 31st in both zones.
    moved = add_call("Nordtel", datetime(2039, 10, 31, 21, 30), "0.90", rated=str(old_terms.charge("out", "local", 60)))
    moved.tariff_id = old_terms.id
    stays = add_call("Nordtel", datetime(2039, 10, 31, 12), "0.65", rated=str(old_terms.charge("out", "local", 60)))
    stays.tariff_id = old_terms.id
    db.session.commit()

    set_zones({"Nordtel": MOSCOW})
    db.session.expire_all()
    assert (moved.tariff_id, moved.rated_cost) == (november.id, new_terms.charge("out", "local", 60)) == (
        november.id, Decimal("0.9000"))
    assert (stays.tariff_id, stays.rated_cost) == (old_terms.id, old_terms.charge("out", "local", 60))

    set_zones({"Nordtel": "UTC"})  # and back
    db.session.expire_all()
    assert (moved.tariff_id, moved.rated_cost) == (old_terms.id, old_terms.charge("out", "local", 60))


def _daily(carrier_name: str, zone_name: str, utc_times: list[datetime]) -> dict[date, Decimal]:
    set_zones({carrier_name: zone_name})
    for index, moment in enumerate(utc_times):
        add_call(carrier_name, moment, "1.00", call_id=f"daily-{index}")
    db.session.commit()
    days = daily_billing(carrier(carrier_name).id, date(2041, 1, 1), zone_name)
    return {day.day: day.billed for day in days if day.day.year >= 2039}


def test_price_drift_days_are_the_carriers_days_in_utc_plus_7(app):
    assert _daily("Nordtel", NOVOSIBIRSK, [
        datetime(2039, 10, 30, 16, 59, 59),  # 23:59:59 on the 30th in Novosibirsk
        datetime(2039, 10, 30, 17),  # midnight: the 31st
        datetime(2039, 10, 31, 16, 59), datetime(2039, 10, 31, 17, 0, 1),  # the 31st's last minute; 1 November
    ]) == {date(2039, 10, 30): 1, date(2039, 10, 31): 2, date(2039, 11, 1): 1}


def test_price_drift_days_follow_daylight_saving_changes(app):
    """Berlin leaves summer time (UTC+2) for winter time (UTC+1) on Sunday 30 October 2039, a day of 25 hours.
    Shifting every time by one fixed offset would put one of these two calls on another day."""
    assert _daily("Nordtel", "Europe/Berlin", [
        datetime(2039, 10, 29, 22, 30),  # 00:30 on the 30th, summer time
        datetime(2039, 10, 30, 22, 30),  # 23:30 on the 30th, winter time
        datetime(2039, 10, 29, 21, 30),  # 23:30 on the 29th
    ]) == {date(2039, 10, 29): 1, date(2039, 10, 30): 2}


def test_price_drift_days_of_a_zone_half_an_hour_off_the_hour(app):
    assert not offsets_are_whole_hours("Asia/Kolkata") and offsets_are_whole_hours(MOSCOW)
    # India is UTC+05:30: 18:20 UTC is 23:50, 18:40 UTC is 00:10 the next day.
    assert _daily("Nordtel", "Asia/Kolkata", [datetime(2039, 10, 30, 18, 20), datetime(2039, 10, 30, 18, 40)]) == {
        date(2039, 10, 30): 1, date(2039, 10, 31): 1}


def test_start_times_give_the_day_in_the_billing_zone_also_within_one_utc_hour():
    times = StartTimes(day_zone="Asia/Kolkata")
    assert times("2039-10-30T18:20:00+00:00")[1] == date(2039, 10, 30)
    assert times("2039-10-30T18:40:00+00:00")[1] == date(2039, 10, 31)
    assert times("2039-10-30T18:20:00+00:00")[1] == date(2039, 10, 30)  # the same hour, remembered or not
    moscow = StartTimes(day_zone=MOSCOW)
    assert moscow("2026-10-31T21:30:00+00:00") == ("2026-10-31 21:30:00.000000", date(2026, 11, 1))


def test_rental_in_a_leap_february_counts_29_days():
    schedule = TariffSchedule([TariffTerms(id=1, valid_from=date(2039, 1, 1), valid_to=None,
                                           monthly_fee=Decimal("290"), one_time_fee=Decimal("0"), rates={},
                                           billing_increment="per_second")])
    assert monthly_rental(date(2040, 2, 15), None, LEAP_FEBRUARY, schedule) == Decimal("150.00")  # 15 of 29 days
    assert monthly_rental(date(2039, 2, 15), None, date(2039, 2, 1), schedule) == Decimal("145.00")  # 14 of 28
    assert monthly_rental(date(2039, 10, 31), None, OCTOBER, schedule) == (Decimal("290") / 31).quantize(
        CENT, ROUND_HALF_UP)


def test_the_report_reads_only_the_covering_index_with_one_zone_or_several(app):
    """Per-carrier UTC ranges keep the report's GROUP BY on the covering index: the table is never read."""
    statements = []

    def seen(_connection, _cursor, statement, parameters, _context, _many):
        if "month_index" in statement:
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        expense_figures(OCTOBER)
        set_zones(THREE_ZONES)
        expense_figures(OCTOBER)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 2 and "carrier_id IN" not in statements[0][0] and "carrier_id IN" in statements[1][0]
    for statement, parameters in statements:
        plan = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        assert any("USING COVERING INDEX ix_call_record_month_totals" in row[-1] for row in plan), plan


def _insert_at_0006(connection) -> dict:
    """A carrier whose tariff changes on 1 November 2026 and two calls, rated by their UTC day as before 0007."""
    tables = sa.MetaData()
    tables.reflect(connection)
    t = tables.tables
    connection.execute(t["department"].insert().values(
        id=1, name="Kazan showroom", city="Kazan", address="Kazan", time_zone=MOSCOW, cost_centre="K-1",
        monthly_call_load=0, ring_group=""))
    connection.execute(t["carrier"].insert().values(
        id=1, name="VolgaLink", legal_name="VolgaLink LLC", tax_id="1655000002", address="Kazan", signatory="",
        cities="Kazan", language="ru", currency="RUB", adapter="manual", invoice_dispute_days=0,
        daily_penalty_percent=0, accepts_disagreement_protocol=True))
    money = {"monthly_fee": 3_900_000, "one_time_fee": 0, "rate_long_distance": 20_000, "rate_mobile": 20_000,
             "rate_international": 200_000, "rate_toll_free_inbound": 10_000, "billing_increment": "per_second"}
    connection.execute(t["tariff"].insert(), [
        {"id": 1, "carrier_id": 1, "name": "2026", "valid_from": date(2026, 1, 1), "valid_to": date(2026, 10, 31),
         "rate_local": 6_500, **money},
        {"id": 2, "carrier_id": 1, "name": "From November", "valid_from": date(2026, 11, 1), "valid_to": None,
         "rate_local": 9_000, **money}])
    connection.execute(t["phone_number"].insert().values(
        id=1, e164="+78436400301", department_id=1, carrier_id=1, holder="direct", status="active",
        created_at=datetime(2026, 1, 1)))
    connection.execute(t["billing_import"].insert().values(
        id=1, kind="call_records", carrier_id=1, filename="calls.csv", path="calls.csv", size_bytes=0,
        created_at=datetime(2026, 11, 2), status="done", dispatch_pending=False, dispatch_attempts=0, bytes_read=0,
        rows_read=2, rows_imported=2, rows_duplicate=0, rows_rejected=0, error=""))
    call = {"carrier_id": 1, "phone_number_id": 1, "department_id": 1, "duration_s": 60, "direction": "out",
            "destination": "+78432000000", "destination_class": "local", "billed_cost": 9_000, "rated_cost": 6_500,
            "tariff_id": 1, "import_id": 1}
    connection.execute(t["call_record"].insert(), [
        {"id": 1, "call_id": "kazan-00-30", "started_at": datetime(2026, 10, 31, 21, 30), **call},  # 1 Nov, Kazan
        {"id": 2, "call_id": "kazan-noon", "started_at": datetime(2026, 10, 31, 9), **call}])


def test_the_migration_rates_existing_calls_by_their_day_in_the_new_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'upgrade.db'}")
    monkeypatch.delenv("NUMBERDESK_ACCOUNTING_TIME_ZONE", raising=False)
    app = standalone_app()
    migrations = str(PROJECT_ROOT / "migrations")
    Migrate(app, db, directory=migrations, render_as_batch=True)
    rows = sa.text("SELECT id, rated_cost, tariff_id FROM call_record ORDER BY id")
    with app.app_context():
        upgrade(directory=migrations, revision="0006")
        with db.engine.begin() as connection:
            _insert_at_0006(connection)
        upgrade(directory=migrations, revision="0007")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT billing_time_zone FROM carrier")).scalar() == MOSCOW
            # 00:30 on 1 November in Kazan pays November's 0.90; noon on 31 October stays at 0.65.
            assert connection.execute(rows).all() == [(1, 9_000, 2), (2, 6_500, 1)]
        downgrade(directory=migrations, revision="0006")
        with db.engine.connect() as connection:
            assert connection.execute(rows).all() == [(1, 6_500, 1), (2, 6_500, 1)]
            assert "billing_time_zone" not in {c["name"] for c in sa.inspect(connection).get_columns("carrier")}
        db.engine.dispose()
