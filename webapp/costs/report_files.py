"""The expense report as files for accounting: CSV, and XLSX with real numbers and total rows; and the one
guard every CSV and XLSX download uses against cells a spreadsheet would run as formulas.

Headings and total rows are in the language of whoever downloads the file; amounts stay plain decimals
(12345.60) in every language, so a spreadsheet reads them as numbers."""
import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from flask_babel import force_locale, gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from models.choices import DestinationClass
from models.expenses import CLASSES, Costs, ExpenseFigures, amount_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"
# A spreadsheet reads text starting with one of these as a formula, which can run commands or send the sheet's
# data elsewhere ("CSV injection"). Branch names, carriers' file lines and the like come from people and files.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """``value`` as a spreadsheet cell that cannot be taken for a formula: text that starts like one gets a
    leading apostrophe. Numbers (a negative amount too) are left as they are, so they stay numbers.

    Every CSV and XLSX writer passes its cells through this (or :func:`safe_row`)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(cells) -> list:
    return [neutralised(cell) for cell in cells]


def headings(currency: str, language: str = "en") -> list[str]:
    """The heading row, in ``language`` (called inside :func:`force_locale`)."""
    by_class = [gettext("Calls: %(destination)s", destination=DestinationClass.label(c, language).lower())
                for c in CLASSES]
    amounts = [gettext("Rental"), *by_class, gettext("Calls"), gettext("One-time fees"), gettext("Total"),
               gettext("Previous month"), gettext("Change")]
    return [gettext("Branch"), gettext("City"), gettext("Cost centre"), gettext("Numbers"),
            *(f"{name} ({currency})" for name in amounts)]


def _values(costs: Costs) -> list:
    return [costs.numbers, costs.rental, *(costs.calls[c] for c in CLASSES), costs.calls_total, costs.one_time,
            costs.total, costs.previous_total, costs.change]


def report_rows(figures: ExpenseFigures) -> Iterator[tuple[bool, list]]:
    """(is a total row, cells): each department, then its city's total, and the company's total last."""
    for city, rows, city_costs in figures.by_city():
        for row in rows:
            yield False, [row.name, row.city, row.cost_centre, *_values(row.costs)]
        yield True, [gettext("Total %(city)s", city=city), city, "", *_values(city_costs)]
    yield True, [gettext("Company total"), "", "", *_values(figures.total())]


def report_csv(figures: ExpenseFigures, language: str = "en") -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    with force_locale(language):
        writer.writerow(safe_row(headings(figures.currency, language)))
        rows = list(report_rows(figures))
    for _, cells in rows:
        # Amounts are formatted after neutralising: "-120.00" is a number, not text to defuse.
        writer.writerow([amount_text(cell) if isinstance(cell, Decimal) else cell for cell in safe_row(cells)])
    return text.getvalue()


def report_xlsx(figures: ExpenseFigures, language: str = "en") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    with force_locale(language):
        sheet.title = gettext("Expenses %(month)s", month=f"{figures.month:%Y-%m}")
        sheet.append(safe_row(headings(figures.currency, language)))
        rows = list(report_rows(figures))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for is_total, cells in rows:
        sheet.append(safe_row(cells))
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
