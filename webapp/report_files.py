"""The expense report as files for accounting: CSV, and XLSX with real numbers and total rows."""
import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from models.choices import DestinationClass
from models.expenses import CLASSES, Costs, ExpenseFigures, amount_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"


def headings(currency: str) -> list[str]:
    amounts = ["Rental", *(f"Calls: {DestinationClass.label(c).lower()}" for c in CLASSES), "Calls",
               "One-time fees", "Total", "Previous month", "Change"]
    return ["Branch", "City", "Cost centre", "Numbers", *(f"{name} ({currency})" for name in amounts)]


def _values(costs: Costs) -> list:
    return [costs.numbers, costs.rental, *(costs.calls[c] for c in CLASSES), costs.calls_total, costs.one_time,
            costs.total, costs.previous_total, costs.change]


def report_rows(figures: ExpenseFigures) -> Iterator[tuple[bool, list]]:
    """(is a total row, cells): each department, then its city's total, and the company's total last."""
    for city, rows, city_costs in figures.by_city():
        for row in rows:
            yield False, [row.name, row.city, row.cost_centre, *_values(row.costs)]
        yield True, [f"Total {city}", city, "", *_values(city_costs)]
    yield True, ["Company total", "", "", *_values(figures.total())]


def report_csv(figures: ExpenseFigures) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headings(figures.currency))
    for _, cells in report_rows(figures):
        writer.writerow([amount_text(cell) if isinstance(cell, Decimal) else cell for cell in cells])
    return text.getvalue()


def report_xlsx(figures: ExpenseFigures) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Expenses {figures.month:%Y-%m}"
    sheet.append(headings(figures.currency))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for is_total, cells in report_rows(figures):
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = AMOUNT_FORMAT
            if is_total:
                cell.font = bold
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
