"""The expense report and the invoice audit against sums computed here independently, from the demo's
numbers, tariffs and months of calls; the files for accounting; the JSON API; the kept reports."""
import csv
import io
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from conftest import auth, login
from models import Carrier, Department, ExpenseReport, PhoneNumber, User, db
from models.choices import Role
from models.audit import carrier_audit
from models.expenses import CLASSES, ExpenseFigures, expense_figures, last_complete_month, monthly_costs
from models.rating import month_start, next_month, previous_month
from workflows import costs
from workflows.flows import monthly_expense_report

CENT = Decimal("0.01")
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


@pytest.fixture
def month() -> date:
    """The demo's last complete month: VolgaLink raised its price on the 15th."""
    return previous_month(month_start(date.today()))


def stored_midnight(day: date, zone_name: str) -> str:
    """The first moment of a day in a zone, as call records store times (UTC)."""
    moment = datetime.combine(day, time(), ZoneInfo(zone_name)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.000000")


def expected_costs(month: date) -> dict[int, dict]:
    """Each department's month, computed the long way: calls summed in SQL in integer units, each carrier's
    from midnight to midnight in its billing time zone; fees day by day with Carrier.tariff_on."""
    following = next_month(month)
    costs_by_department = {d.id: {"numbers": 0, "rental": Decimal(0), "one_time": Decimal(0),
                                  "calls": dict.fromkeys(CLASSES, Decimal(0))}
                           for d in db.session.scalars(db.select(Department))}
    units_by_class: dict[tuple[int, str], int] = {}
    for carrier in db.session.scalars(db.select(Carrier)):
        rows = db.session.execute(db.text(
            "SELECT department_id, destination_class, SUM(billed_cost) FROM call_record "
            "WHERE carrier_id = :carrier AND started_at >= :first AND started_at < :after "
            "GROUP BY department_id, destination_class"),
            {"carrier": carrier.id, "first": stored_midnight(month, carrier.billing_time_zone),
             "after": stored_midnight(following, carrier.billing_time_zone)})
        for department_id, destination_class, units in rows:
            units_by_class[department_id, destination_class] = units_by_class.get(
                (department_id, destination_class), 0) + units
    for (department_id, destination_class), units in units_by_class.items():
        costs_by_department[department_id]["calls"][destination_class] = (Decimal(units) / 10000).quantize(
            CENT, ROUND_HALF_UP)
    days_in_month = (following - month).days
    for number in db.session.scalars(db.select(PhoneNumber).where(PhoneNumber.activated_on.is_not(None))):
        fee_days = Decimal(0)
        day, in_service = month, False
        while day < following:
            if number.activated_on <= day and (number.disconnected_on is None or day < number.disconnected_on):
                in_service = True
                tariff = number.carrier.tariff_on(day)
                fee_days += tariff.monthly_fee if tariff else 0
            day += timedelta(days=1)
        department = costs_by_department[number.department_id]
        department["numbers"] += in_service
        department["rental"] += (fee_days / days_in_month).quantize(CENT, ROUND_HALF_UP)
        if month <= number.activated_on < following:
            department["one_time"] += number.carrier.tariff_on(number.activated_on).one_time_fee
    for department in costs_by_department.values():
        department["total"] = department["rental"] + sum(department["calls"].values()) + department["one_time"]
    return costs_by_department


def test_the_report_adds_up_to_independently_computed_sums(app, month):
    figures = expense_figures(month)
    expected, before = expected_costs(month), expected_costs(previous_month(month))
    assert len(figures.departments) == 9
    for row in figures.departments:
        want = expected[row.department_id]
        assert (row.costs.numbers, row.costs.rental, row.costs.calls, row.costs.one_time) == (
            want["numbers"], want["rental"], want["calls"], want["one_time"]), row.name
        assert row.costs.total == want["total"]
        assert row.costs.previous_total == before[row.department_id]["total"]
        assert row.costs.change == want["total"] - before[row.department_id]["total"]
    assert figures.total().total == sum(d["total"] for d in expected.values())
    assert figures.total().calls_total > 0 and figures.total().numbers >= 12
    assert figures.currency == "RUB"
    assert figures.counted_in() == "Europe/Moscow"  # every demo carrier bills by Moscow's calendar


def test_city_and_company_totals_are_sums_of_rows(app, month):
    figures = expense_figures(month)
    cities = figures.by_city()
    assert [city for city, _, _ in cities] == sorted({d.city for d in figures.departments})
    assert sum((total.total for _, _, total in cities), Decimal(0)) == figures.total().total
    for city, rows, total in cities:
        assert total.rental == sum(r.costs.rental for r in rows)
        assert total.calls == {c: sum(r.costs.calls[c] for r in rows) for c in CLASSES}


def test_one_department_sees_the_same_figures_alone(app, month, catalog):
    kazan = catalog["department"]("Kazan")
    alone = expense_figures(month, {kazan.id})
    assert [row.name for row in alone.departments] == ["Kazan showroom"]
    everyone = {row.department_id: row.costs for row in expense_figures(month).departments}
    assert alone.departments[0].costs == everyone[kazan.id]


def test_several_months_come_from_one_pass(app, month):
    first = previous_month(previous_month(month))
    months = monthly_costs(first, month)
    assert list(months) == [first, previous_month(month), month]
    for each in months:
        assert sum((c.total for c in months[each].values()), Decimal(0)) == expense_figures(each).total().total


def test_figures_survive_being_kept_as_json(app, month):
    figures = expense_figures(month)
    assert ExpenseFigures.from_data(figures.to_data()) == figures


def test_the_monthly_flow_keeps_last_months_report(app):
    month = last_complete_month()  # the month just ended in the accounting time zone
    assert monthly_expense_report.name == "monthly-expense-report"
    assert costs.store_monthly_report() == f"expense report {month:%Y-%m} stored"
    kept = db.session.scalars(db.select(ExpenseReport).filter_by(month=month)
                              .order_by(ExpenseReport.version.desc())).first()
    assert kept.generated_by == "workflow:monthly-expense-report"
    assert kept.figures() == expense_figures(month)
    first = (kept.id, kept.version, kept.data, kept.generated_at)
    costs.store_monthly_report(f"{month:%Y-%m}")  # again: a new version, the kept one stays as it was
    db.session.expire_all()
    kept_again = db.session.scalars(db.select(ExpenseReport).filter_by(month=month)
                                    .order_by(ExpenseReport.version)).all()
    assert [r.version for r in kept_again][-2:] == [first[1], first[1] + 1]
    earlier = db.session.get(ExpenseReport, first[0])
    assert (earlier.id, earlier.version, earlier.data, earlier.generated_at) == first


def test_the_audit_flags_volgalinks_silent_price_rise(app, month):
    volgalink = db.session.scalar(db.select(Carrier).filter_by(name="VolgaLink"))
    audit = carrier_audit(volgalink, month)
    assert len(audit.price_changes) == 1
    flag = audit.price_changes[0]
    assert flag.change.destination_class == "local" and flag.change.since == month + timedelta(days=14)
    assert flag.contracted_rate == Decimal("0.65") and Decimal("0.76") < flag.billed_rate < Decimal("0.80")
    assert audit.billed > audit.contracted
    local = [line for line in audit.calls if line.destination_class == "local"]
    assert local and all(line.difference >= 0 for line in local)
    assert {line.item for line in audit.fees} == {"rental"}
    assert all(line.billed - line.contracted == 60 for line in audit.fees)  # 450 invoiced against 390
    nordtel = carrier_audit(db.session.scalar(db.select(Carrier).filter_by(name="Nordtel")), month)
    assert nordtel.price_changes == [] and abs(nordtel.difference) < 1


def test_the_xlsx_holds_numbers_and_totals(client, month):
    login(client, "accountant")
    response = client.get(f"/costs/report.xlsx?month={month:%Y-%m}")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("Branch", "City", "Cost centre", "Numbers") and header[-3] == "Total (RUB)"
    departments = [r for r in body if not r[0].startswith("Total ") and r[0] != "Company total"]
    company = body[-1]
    assert company[0] == "Company total" and len(departments) == 9
    total = header.index("Total (RUB)")
    for row in body:
        assert all(isinstance(cell, (int, float)) for cell in row[3:]), row
    assert company[total] == pytest.approx(sum(r[total] for r in departments))
    assert Decimal(str(company[total])).quantize(CENT) == expense_figures(month).total().total
    assert sheet.cell(row=2 + len(body) - 1, column=1).font.bold


def test_the_csv_has_the_same_totals(client, month):
    login(client, "accountant")
    response = client.get(f"/costs/report.csv?month={month:%Y-%m}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    total = rows[0].index("Total (RUB)")
    assert rows[-1][0] == "Company total"
    assert Decimal(rows[-1][total]) == expense_figures(month).total().total
    assert all(AMOUNT.match(cell) for cell in rows[-1][4:])


def test_the_api_report(client, tokens, month):
    response = client.get(f"/api/v1/reports/expenses?month={month:%Y-%m}", headers=auth(tokens["accountant"]))
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"month", "currency", "departments", "total", "time_zones"}
    assert body["month"] == f"{month:%Y-%m}" and body["currency"] == "RUB" and len(body["departments"]) == 9
    assert body["time_zones"] == {"Nordtel": "Europe/Moscow", "TransTelecom Direct": "Europe/Moscow",
                                  "VolgaLink": "Europe/Moscow"}
    for department in body["departments"]:
        assert set(department) == {"department_id", "name", "city", "numbers", "rental", "calls", "one_time",
                                   "total", "previous_total"}
        for key in ("rental", "calls", "one_time", "total", "previous_total"):
            assert AMOUNT.match(department[key]), (key, department[key])
        assert Decimal(department["total"]) == (Decimal(department["rental"]) + Decimal(department["calls"])
                                                + Decimal(department["one_time"]))
    assert Decimal(body["total"]) == sum(Decimal(d["total"]) for d in body["departments"])
    assert Decimal(body["total"]) == expense_figures(month).total().total
    spec = client.get("/api/v1/openapi.json").json
    assert "/reports/expenses" in spec["paths"]


def test_the_api_shows_a_requester_only_their_branches(client, tokens, month):
    mine = client.get(f"/api/v1/reports/expenses?month={month:%Y-%m}", headers=auth(tokens["kazan_requester"])).json
    assert [d["name"] for d in mine["departments"]] == ["Kazan showroom"]
    assert mine["total"] == mine["departments"][0]["total"]
    others = client.get(f"/api/v1/reports/expenses?month={month:%Y-%m}", headers=auth(tokens["requester"])).json
    assert len(others["departments"]) == 8 and "Kazan showroom" not in {d["name"] for d in others["departments"]}


def test_the_api_refuses_figures_to_someone_without_a_branch(client, month):
    branchless = User(email="new@example.com", name="New Requester", password_hash="-")
    branchless.roles = {Role.REQUESTER}
    db.session.add(branchless)
    token = branchless.issue_token()
    db.session.commit()
    nobody = client.get(f"/api/v1/reports/expenses?month={month:%Y-%m}", headers=auth(token))
    assert nobody.status_code == 403 and nobody.json["error"] == "forbidden"
    assert "does not belong to a branch" in nobody.json["message"]


@pytest.mark.parametrize("query", ["?month=2026-13", "?month=october", ""])
def test_the_api_refuses_a_bad_month(client, tokens, query):
    response = client.get(f"/api/v1/reports/expenses{query}", headers=auth(tokens["accountant"]))
    assert response.status_code == 422 and set(response.json["fields"]) == {"month"}


def test_the_api_needs_a_token(client):
    response = client.get("/api/v1/reports/expenses?month=2026-10")
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
