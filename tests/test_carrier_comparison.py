"""Carriers side by side for a branch: its call profile, each carrier's monthly cost for it, and the risks.

Everything happens in a city of its own (Tver) with carriers of its own, in 2030, so the demo's carriers and
calls never enter the figures; `today` is always given.
"""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import render_template
from sqlalchemy import event

from models import (BillingImport, CallRecord, Carrier, CarrierContract, ContractClause, Department, InvalidInput,
                    PhoneNumber, Tariff, db)
from models.choices import BillingIncrement
from models.comparison import NO_TARIFF, call_profile, compare_carriers, default_profile

D = Decimal
TODAY = date(2030, 5, 17)  # the profile's months: February, March and April 2030
MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3 all year: the branch's months start at 21:00 UTC the day before
GOOD_TERMS = {"price_change_notice_days": 60, "invoice_dispute_days": 30, "daily_penalty_percent": D("0"),
              "penalty_cap": D("50000"), "accepts_disagreement_protocol": True}


def tariff(valid_from, increment, monthly, one_time, local, mobile, long_distance, international, toll_free,
           valid_to=None) -> Tariff:
    return Tariff(name=f"{increment} {valid_from}", valid_from=valid_from, valid_to=valid_to, monthly_fee=D(monthly),
                  one_time_fee=D(one_time), rate_local=D(local), rate_mobile=D(mobile),
                  rate_long_distance=D(long_distance), rate_international=D(international),
                  rate_toll_free_inbound=D(toll_free), billing_increment=increment)


def carrier(name: str, cities: list[str], tariffs: list[Tariff], **terms) -> Carrier:
    made = Carrier(name=name, legal_name=f"{name} LLC", tax_id="6900000000", address="Tver", tariffs=tariffs,
                   **(terms or GOOD_TERMS))
    made.cities = cities
    db.session.add(made)
    return made


@pytest.fixture
def carriers(app):
    """Three carriers in Tver with different increments and rates, one without a tariff today, one elsewhere."""
    found = {
        # Its record lets prices change without notice; its tariff changed on 1 April.
        "minute": carrier("Minute Tel", ["Tver", "Pskov"], [
            tariff(date(2029, 1, 1), BillingIncrement.PER_MINUTE, "900", "9000", "5", "5", "5", "50", "5",
                   valid_to=date(2030, 3, 31)),
            tariff(date(2030, 4, 1), BillingIncrement.PER_MINUTE, "300", "1000", "1.00", "2.00", "3.00", "10.00",
                   "0.50")], price_change_notice_days=None, invoice_dispute_days=30, penalty_cap=D("1000")),
        "second": carrier("Second Tel", ["tver"], [
            tariff(date(2030, 1, 1), BillingIncrement.PER_SECOND, "200", "3000", "1.20", "2.40", "2.00", "8.00",
                   "0.60")]),
        "first_minute": carrier("First Minute Tel", ["Moscow", "Tver"], [
            tariff(date(2030, 1, 1), BillingIncrement.FIRST_MINUTE_THEN_SECOND, "250", "0", "0.90", "1.50", "2.50",
                   "9.00", "1.00")]),
        "expired": carrier("Expired Tel", ["Tver"], [
            tariff(date(2020, 1, 1), BillingIncrement.PER_SECOND, "1", "1", "0.01", "0.01", "0.01", "0.01", "0.01",
                   valid_to=date(2029, 12, 31))]),
        "elsewhere": carrier("Elsewhere Tel", ["Pskov"], [
            tariff(date(2030, 1, 1), BillingIncrement.PER_SECOND, "1", "1", "0.01", "0.01", "0.01", "0.01", "0.01")]),
    }
    db.session.flush()
    return found


def branch(name: str, call_load: int = 0) -> Department:
    department = Department(name=name, city="Tver", time_zone="Europe/Moscow", cost_centre=f"CC-{name.upper()}",
                            monthly_call_load=call_load)
    db.session.add(department)
    db.session.flush()
    return department


class Calls:
    """Adds call records of one branch, through one number of one carrier, as an import would store them."""

    def __init__(self, department: Department, through: Carrier, e164: str):
        self.number = PhoneNumber(e164=e164, department=department, carrier=through)
        self.billing_import = BillingImport(carrier=through, filename="calls.csv", path="/nowhere/calls.csv")
        db.session.add_all([self.number, self.billing_import])
        db.session.flush()
        self.made = 0

    def add(self, moscow_time: str, direction: str, destination_class: str, duration_s: int, times: int = 1):
        started_at = (datetime.fromisoformat(moscow_time).replace(tzinfo=MOSCOW).astimezone(ZoneInfo("UTC"))
                      .replace(tzinfo=None))
        for _ in range(times):
            self.made += 1
            db.session.add(CallRecord(
                carrier_id=self.number.carrier_id, call_id=f"{self.number.e164}-{self.made}",
                phone_number_id=self.number.id, department_id=self.number.department_id, started_at=started_at,
                duration_s=duration_s, direction=direction, destination="+74822000000",
                destination_class=destination_class, billed_cost=D("99"), rated_cost=None,
                import_id=self.billing_import.id))


@pytest.fixture
def tver(carriers) -> Department:
    """A branch with calls in February to April 2030, and calls just outside those months that must not count."""
    department = branch("Tver showroom")
    calls = Calls(department, carriers["second"], "+74822000101")
    calls.add("2030-02-01T00:00:00", "out", "local", 30)  # the first second of February in Tver
    calls.add("2030-02-10T12:00:00", "out", "local", 30)
    calls.add("2030-03-05T09:00:00", "out", "local", 30)
    calls.add("2030-03-06T10:00:00", "out", "mobile", 61)
    calls.add("2030-03-07T11:00:00", "in", "toll_free", 45)
    calls.add("2030-04-12T15:00:00", "out", "local", 90)
    calls.add("2030-04-30T23:59:59", "out", "local", 90)  # the last second of April
    calls.add("2030-04-20T16:00:00", "in", "local", 100, times=4)
    calls.add("2030-01-31T23:59:59", "out", "international", 600)  # January
    calls.add("2030-05-01T00:00:00", "out", "international", 600)  # May: not complete yet
    calls.add("2030-05-16T10:00:00", "out", "international", 600)
    other = Calls(branch("Tver warehouse"), carriers["second"], "+74822000102")
    other.add("2030-03-10T10:00:00", "out", "international", 600, times=5)
    db.session.flush()
    return department


def groups(profile) -> dict[tuple, int]:
    return {(g.direction, g.destination_class, g.duration_s): g.calls for g in profile.groups}


def test_the_profile_counts_the_three_complete_months_in_the_branchs_time_zone(tver):
    profile = call_profile(tver, TODAY)
    assert (profile.is_default, profile.months) == (False, 3)
    assert (profile.first_month, profile.last_month) == (date(2030, 2, 1), date(2030, 4, 1))
    assert groups(profile) == {("out", "local", 30): 3, ("out", "local", 90): 2, ("out", "mobile", 61): 1,
                               ("in", "toll_free", 45): 1, ("in", "local", 100): 4}
    assert profile.calls_per_month == D(11) / 3


def test_the_months_are_counted_from_the_branchs_first_call(carriers):
    department = branch("Tver new showroom")
    calls = Calls(department, carriers["second"], "+74822000103")
    calls.add("2030-04-03T10:00:00", "out", "local", 60, times=6)
    profile = call_profile(department, TODAY)
    assert (profile.months, profile.first_month, profile.calls_per_month) == (1, date(2030, 4, 1), D(6))
    assert compare_carriers(department, "local", 1, TODAY)[0].calls == D("7.20")  # 6 minutes at 1.20


def test_each_carrier_rates_the_profile_with_its_own_increment_and_rates(tver, carriers):
    offers = {offer.carrier.name: offer for offer in compare_carriers(tver, "local", 2, TODAY)}
    # Over three months, per minute: 3 x 1.00 + 2 x 2.00 local, 1 x 4.00 mobile (61 s is two minutes),
    # 0.50 for the toll-free call; the incoming local calls are free. 11.50 / 3 = 3.8333...
    minute = offers["Minute Tel"]
    assert minute.tariff.valid_from == date(2030, 4, 1)  # the tariff in force today, not the one before
    assert (minute.calls, minute.rental, minute.monthly_total, minute.one_time_fees) == (
        D("3.83"), D("600.00"), D("603.83"), D("2000.00"))
    # Per second: 3 x 0.60 + 2 x 1.80 + 2.44 + 0.45 = 8.29; / 3 = 2.7633...
    second = offers["Second Tel"]
    assert (second.calls, second.rental, second.monthly_total, second.one_time_fees) == (
        D("2.76"), D("400.00"), D("402.76"), D("6000.00"))
    # First minute whole, then per second: 3 x 0.90 + 2 x 1.35 + 1.525 + 1.00 = 7.925; / 3 = 2.6416...
    first_minute = offers["First Minute Tel"]
    assert (first_minute.calls, first_minute.monthly_total, first_minute.one_time_fees) == (
        D("2.64"), D("502.64"), D("0.00"))


def test_offers_are_sorted_by_monthly_total_with_carriers_without_a_tariff_last(tver):
    offers = compare_carriers(tver, "local", 2, TODAY)
    assert [offer.carrier.name for offer in offers] == ["Second Tel", "First Minute Tel", "Minute Tel", "Expired Tel"]
    assert "Elsewhere Tel" not in {offer.carrier.name for offer in offers}  # does not serve Tver
    expired = offers[-1]
    assert (expired.tariff, expired.monthly_total, expired.reason) == (None, None, NO_TARIFF)


def test_a_branch_without_calls_is_costed_on_its_call_load(carriers):
    department = branch("Tver outlet", call_load=10_000)
    profile = call_profile(department, TODAY)
    assert (profile.is_default, profile.from_call_load, profile.months) == (True, True, 1)
    assert groups(profile) == {("in", "local", 180): 5000, ("out", "local", 120): 2500, ("out", "mobile", 90): 1500,
                               ("out", "long_distance", 150): 900, ("out", "international", 120): 100}
    offers = compare_carriers(department, "local", 1, TODAY)
    # Heavy calling turns the order of the rentals around: the first-minute tariff's low rates win.
    assert [(offer.carrier.name, offer.calls) for offer in offers if offer.tariff] == [
        ("First Minute Tel", D("15300.00")),  # 2500 x 1.80 + 1500 x 2.25 + 900 x 6.25 + 100 x 18.00
        ("Second Tel", D("17500.00")),  # 2500 x 2.40 + 1500 x 3.60 + 900 x 5.00 + 100 x 16.00
        ("Minute Tel", D("21100.00"))]  # 2500 x 2.00 + 1500 x 4.00 + 900 x 9.00 + 100 x 20.00


def test_a_branch_without_calls_or_call_load_gets_the_small_default(carriers):
    profile = call_profile(branch("Tver kiosk"), TODAY)
    assert (profile.is_default, profile.from_call_load, profile.calls_per_month) == (True, False, D(1000))
    assert sum(group.calls for group in default_profile(7).groups) == 7  # what rounding leaves is not lost


def test_the_risks_come_from_the_analysed_terms_and_the_carriers_record(tver, carriers):
    db.session.add(CarrierContract(
        carrier=carriers["second"], version=1, filename="terms.pdf", kind="pdf", language="en", uploaded_by="lawyer",
        clauses=[ContractClause(position=1, text="Prices may change at any time.", flags=[
                     {"category": "price_change", "start": 0, "end": 6}]),
                 ContractClause(position=2, text="A 3% penalty a day; invoices are final.", flags=[
                     {"category": "deemed_acceptance", "start": 0, "end": 5},
                     {"category": "daily_penalty", "start": 0, "end": 5}])]))
    db.session.flush()
    offers = {offer.carrier.name: offer for offer in compare_carriers(tver, "local", 1, TODAY)}
    second, minute = offers["Second Tel"], offers["Minute Tel"]
    assert (second.terms_known, second.risk_categories, second.risky_terms) == (
        True, ["daily_penalty", "deemed_acceptance", "price_change"], [])
    assert (minute.terms_known, minute.risk_categories) == (False, [])
    assert minute.risky_terms == ["Prices may change without enough written notice"]


@pytest.mark.parametrize("number_type,quantity,field", [
    ("landline", 1, "number_type"), ("local", 0, "quantity"), ("local", True, "quantity")])
def test_bad_input_is_refused(tver, number_type, quantity, field):
    with pytest.raises(InvalidInput) as refused:
        compare_carriers(tver, number_type, quantity, TODAY)
    assert field in refused.value.fields


def test_the_comparison_only_reads(tver):
    statements = []

    def note(_connection, _cursor, statement, *_):
        statements.append(statement.split(None, 1)[0].upper())
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        compare_carriers(tver, "local", 1, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert statements and set(statements) == {"SELECT"}


def test_the_partial_shows_the_carriers_in_order_with_their_costs_and_risks(app, tver):
    profile = call_profile(tver, TODAY)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        page = render_template("terms/_comparison.html", comparison=compare_carriers(tver, "local", 2, TODAY),
                               comparison_profile=profile)
    names = ["Second Tel", "First Minute Tel", "Minute Tel", "Expired Tel"]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "402.76" in page and "603.83" in page and "6,000.00" in page
    assert "February 2030" in page and "April 2030" in page
    assert "Prices may change without enough written notice" in page
    assert page.count("data-no-tariff") == 1 and "data-terms-unknown" in page


def test_the_partial_says_when_the_profile_is_a_default(app, carriers):
    department = branch("Tver depot", call_load=2500)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        page = render_template("terms/_comparison.html", comparison=compare_carriers(department, "local", 1, TODAY),
                               comparison_profile=call_profile(department, TODAY))
    assert 'data-profile="default"' in page and "2,500 calls a month" in page
