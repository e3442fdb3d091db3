"""The costs pages through the Flask test client: who sees what, uploading and watching an import, the
report and its downloads, the kept reports, the invoice audit and a carrier's CSV layout."""
import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from conftest import login
from models import BillingImport, Carrier, ExpenseReport, User, db
from models.choices import Role
from demo import DEMO_PASSWORD
from models.carrier_files import CALL_FIELDS
from models.formatting import format_month, format_short_date
from models.rating import month_start, previous_month

LAST_MONTH = previous_month(month_start(date.today()))


def carrier_id(name: str) -> int:
    return db.session.scalar(db.select(Carrier.id).filter_by(name=name))


def departments_shown(page: str) -> set[str]:
    return set(re.findall(r'data-department="(\d+)"', page))


def test_costs_pages_need_a_sign_in(client):
    for path in ("/costs/", "/costs/report.xlsx", "/costs/archive", "/costs/imports", "/costs/audit"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_accountant_sees_every_branch_with_a_chart(client):
    login(client, "accountant")
    page = client.get("/costs/").text
    assert LAST_MONTH.strftime("%B %Y") in page
    assert len(departments_shown(page)) == 9 and "Kazan total" in page and ">Company<" in page
    assert "<svg" in page and "Total per branch" in page and "Download XLSX" in page
    assert "Keep this report" in page


def test_company_wide_roles_see_every_branch_unless_limited(client, people, catalog):
    login(client, "approver")
    assert len(departments_shown(client.get("/costs/").text)) == 9
    people["approver"].departments = [catalog["department"]("Kazan"), catalog["department"]("Ufa")]
    db.session.commit()
    page = client.get("/costs/").text
    assert departments_shown(page) == {str(catalog["department"](city).id) for city in ("Kazan", "Ufa")}
    assert ">Total<" in page and ">Company<" not in page


def test_requesters_see_only_their_own_branches(client, catalog):
    login(client, "requester")  # a Kazan showroom manager
    page = client.get("/costs/").text
    assert departments_shown(page) == {str(catalog["department"]("Kazan").id)}
    assert "Moscow call centre" not in page and "Keep this report" not in page
    assert "Imports" not in page and "Invoice audit" not in page
    sheet = client.get("/costs/report.csv").text
    assert "Kazan showroom" in sheet and "Moscow" not in sheet
    kept = db.session.scalar(db.select(ExpenseReport.id).filter_by(month=LAST_MONTH))
    assert departments_shown(client.get(f"/costs/archive/{kept}").text) == {str(catalog["department"]("Kazan").id)}
    assert "Moscow" not in client.get(f"/costs/archive/{kept}.csv").text
    for path in ("/costs/imports", "/costs/audit", f"/costs/audit/{carrier_id('VolgaLink')}",
                 "/costs/imports/1", "/costs/imports/1/rejected.csv"):
        assert client.get(path).status_code == 403, path
    assert client.post("/costs/archive", data={"month": "2026-01"}).status_code == 403


def test_someone_without_a_branch_is_told_why_they_see_nothing(client):
    branchless = User(email="new@example.com", name="New Requester")
    branchless.roles = {Role.REQUESTER}
    branchless.set_password(DEMO_PASSWORD)
    db.session.add(branchless)
    db.session.commit()
    login(client, "new")
    page = client.get("/costs/").text
    assert "does not belong to a branch" in page and "data-department" not in page
    assert "does not belong to a branch" in client.get("/costs/archive").text
    assert client.get("/costs/report.xlsx").status_code == 403
    kept = db.session.scalar(db.select(ExpenseReport.id).filter_by(month=LAST_MONTH))
    assert client.get(f"/costs/archive/{kept}.xlsx").status_code == 403


def test_a_bad_month_is_a_clear_404(client):
    login(client, "accountant")
    response = client.get("/costs/?month=2026-13")
    assert response.status_code == 404 and "is not a month written as YYYY-MM" in response.text


def test_kept_reports_are_listed_and_can_be_kept_again(client):
    login(client, "accountant")
    page = client.get("/costs/archive").text
    assert LAST_MONTH.strftime("%B %Y") in page and "workflow:monthly-expense-report" in page
    response = client.post("/costs/archive", data={"month": LAST_MONTH.strftime("%Y-%m")})
    assert response.status_code == 302
    versions = db.session.scalars(db.select(ExpenseReport).filter_by(month=LAST_MONTH)
                                  .order_by(ExpenseReport.version)).all()
    # Kept again: a second version; the first stays as the monthly workflow generated it.
    assert [(r.version, r.generated_by) for r in versions] == [
        (1, "workflow:monthly-expense-report"), (2, "accountant@example.com")]
    kept = versions[-1]
    page = client.get(response.headers["Location"]).text
    assert "Version 2, kept as generated" in page and "accountant@example.com" in page
    archive = client.get("/costs/archive").text
    assert archive.index(">v2</a>") < archive.index(">v1</a>")  # newest first, both listed
    download = client.get(f"/costs/archive/{kept.id}.xlsx")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert client.get("/costs/archive/99999").status_code == 404


def upload(client, content: bytes, carrier: str, kind: str = "cdrs", name: str = "october.csv"):
    return client.post("/costs/imports", data={"kind": kind, "carrier_id": str(carrier_id(carrier)),
                                               "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_an_accountant_uploads_a_file_and_watches_it_import(client):
    login(client, "accountant")
    assert "Import a carrier's file" in client.get("/costs/imports").text
    lines = [",".join(CALL_FIELDS),
             "up-1,+74956400101,2026-10-07T10:00:00+03:00,60,out,+74951112233,local,0.80",
             "up-2,+74956400101,07.10.2026,60,out,+74951112233,local,0.80",
             "up-3,+74956400102,2026-10-07T11:00:00+03:00,30,in,+79161234567,local,0.00"]
    response = upload(client, "\n".join(lines).encode(), "TransTelecom Direct")
    assert response.status_code == 302
    billing_import = db.session.scalar(db.select(BillingImport).order_by(BillingImport.id.desc()))
    assert response.headers["Location"].endswith(f"/costs/imports/{billing_import.id}")
    assert billing_import.created_by.email == "accountant@example.com"
    assert (billing_import.status, billing_import.rows_imported, billing_import.rows_rejected) == ("done", 2, 1)
    page = client.get(response.headers["Location"])
    assert "Refresh" not in page.headers  # done: the page stops following it
    assert 'aria-valuenow="100"' in page.text and "unparsable start time" in page.text
    rejected = client.get(f"/costs/imports/{billing_import.id}/rejected.csv")
    assert rejected.status_code == 200 and rejected.text.splitlines() == [
        "line,reason,row", "3,unparsable start time '07.10.2026',"
        '"up-2,+74956400101,07.10.2026,60,out,+74951112233,local,0.80"']
    assert "october.csv" in client.get("/costs/imports").text


def test_a_running_import_page_refreshes_itself(client, catalog):
    running = BillingImport(carrier=catalog["carrier"]("Nordtel"), filename="big.csv", path="/tmp/big.csv",
                            size_bytes=1000, bytes_read=420, status="running")
    db.session.add(running)
    db.session.commit()
    login(client, "accountant")
    page = client.get(f"/costs/imports/{running.id}")
    assert page.headers["Refresh"] == "2" and "progress-width-42" in page.text


def test_an_upload_needs_a_file(client):
    login(client, "accountant")
    response = client.post("/costs/imports", data={"kind": "cdrs", "carrier_id": str(carrier_id("Nordtel"))},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the file to import" in response.text
    response = upload(client, b"x", "Nordtel", name="calls.exe")
    assert response.status_code == 422 and "Upload a .csv file" in response.text


def test_the_audit_shows_the_carrier_whose_price_silently_changed(client):
    login(client, "accountant")
    since = LAST_MONTH + timedelta(days=14)
    page = client.get("/costs/audit").text
    assert f"VolgaLink: price changed without notice since {format_short_date(since, 'en')}" in page
    assert page.count("price changed without notice</span>") == 1  # VolgaLink's row only
    detail = client.get(f"/costs/audit/{carrier_id('VolgaLink')}").text
    assert f'data-since="{since.isoformat()}"' in detail and "against the contracted RUB 0.65" in detail
    assert "Monthly rental" in detail and "450.00" in detail
    quiet = client.get(f"/costs/audit/{carrier_id('Nordtel')}").text
    assert "price changed without notice" not in quiet
    assert client.get("/costs/audit/99999").status_code == 404


def test_a_carriers_layout_is_edited_and_checked(client):
    login(client, "admin")
    nordtel = carrier_id("Nordtel")
    form = client.get(f"/costs/carriers/{nordtel}/layout").text
    assert 'value="billed_cost"' in form
    data = {"column_call_id": "", "column_number": "DID", "column_started_at": "Start",
            "column_duration_s": "Secs", "column_direction": "Dir", "column_destination": "To",
            "column_destination_class": "Class", "column_billed_cost": "Amount", "date_format": "%d/%m/%Y %H:%M",
            "time_zone": "Europe/Moscow", "decimal_comma": "y", "delimiter": ";", "encoding": "cp1251",
            "directions": "IN = in\nOUT = out", "destination_classes": "Loc = local"}
    bad = client.post(f"/costs/carriers/{nordtel}/layout", data={**data, "directions": "IN in"})
    assert bad.status_code == 422 and "write it as “their word = our value”" in bad.text
    bad = client.post(f"/costs/carriers/{nordtel}/layout", data={**data, "time_zone": "Mars/Olympus",
                                                                 "column_number": ""})
    assert bad.status_code == 422
    assert "is not a known time zone" in bad.text and "name the column that holds this" in bad.text
    assert client.post(f"/costs/carriers/{nordtel}/layout", data=data).status_code == 302
    layout = db.session.get(Carrier, nordtel).cdr_layout
    assert layout["columns"]["number"] == "DID" and layout["decimal_comma"] is True
    assert layout["directions"] == {"in": "in", "out": "out"} and "call_id" in layout["columns"]


@pytest.mark.parametrize("role", ["requester", "lawyer", "sysadmin"])
def test_only_accountants_and_admins_edit_layouts(client, role):
    login(client, role)
    assert client.get(f"/costs/carriers/{carrier_id('Nordtel')}/layout").status_code == 403


def test_carriers_billing_in_several_currencies_are_refused_plainly(client, catalog):
    catalog["carrier"]("Nordtel").currency = "EUR"
    db.session.commit()
    login(client, "accountant")
    response = client.get("/costs/")
    assert response.status_code == 400 and "carriers bill in EUR, RUB" in response.text


def test_admins_find_the_layout_from_the_carriers_list(client):
    login(client, "admin")
    assert f"/costs/carriers/{carrier_id('VolgaLink')}/layout" in client.get("/admin/carriers/").text


# --- in Russian ------------------------------------------------------------------------------------

RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
CYRILLIC = re.compile("[А-Яа-яЁё]")


def test_a_russian_accountant_reads_the_expense_report_in_russian(client):
    login(client, "accountant")
    page = client.get("/costs/", headers=RUSSIAN).text
    assert '<html lang="ru">' in page
    assert f"Расходы по филиалам · {format_month(LAST_MONTH, 'ru')}" in page  # e.g. «ноябрь 2026»
    for russian in ("Отчёт о расходах", "Сохранённые отчёты", "Импорт", "Сверка счетов", "Аренда", "Звонки",
                    "Разовые", "Итого", "Предыдущий месяц", "По компании", "Номеров в работе", "Скачать XLSX",
                    "Сохранить этот отчёт", "Местные вызовы", "Итого по филиалам, RUB",
                    "Месяцы считаются по времени Europe/Moscow"):
        assert russian in page, russian
    # Branches and cities by their Russian names; amounts with a decimal comma, the total with «руб.».
    assert "Шоурум в Казани" in page and "Итого: Казань" in page and "Kazan showroom" not in page
    assert re.search(r'data-total="[\d.]+">\d{1,3}(\u00a0\d{3})*,\d\d\u00a0руб\.<', page)
    for english in ("Expenses by branch", "Rental", "Download XLSX", "Keep this report", "Previous month"):
        assert english not in page, english
    assert departments_shown(page) == departments_shown(client.get("/costs/", headers=ENGLISH).text)


def test_the_report_stays_english_for_an_english_browser(client):
    login(client, "accountant")
    page = client.get("/costs/", headers=ENGLISH).text
    assert f"Expenses by branch · {LAST_MONTH:%B %Y}" in page and "Months counted in Europe/Moscow" in page
    assert re.search(r'data-total="[\d.]+">RUB \d{1,3}(,\d{3})*\.\d\d<', page)
    assert not CYRILLIC.search(page), CYRILLIC.search(page)


def test_the_downloads_follow_the_readers_language(client):
    login(client, "accountant")
    month = LAST_MONTH.strftime("%Y-%m")
    russian = list(csv.reader(io.StringIO(client.get(f"/costs/report.csv?month={month}", headers=RUSSIAN).text)))
    assert russian[0][:4] == ["Филиал", "Город", "Центр затрат", "Номера"]
    assert "Аренда (RUB)" in russian[0] and "Звонки: местные вызовы (RUB)" in russian[0]
    assert russian[-1][0] == "Итого по компании" and any(row[0] == "Итого: Kazan" for row in russian)
    assert re.fullmatch(r"-?\d+\.\d\d", russian[-1][4])  # amounts stay plain numbers in every language
    english = list(csv.reader(io.StringIO(client.get(f"/costs/report.csv?month={month}", headers=ENGLISH).text)))
    assert english[0][:4] == ["Branch", "City", "Cost centre", "Numbers"] and english[-1][0] == "Company total"
    assert [row[4:] for row in russian[1:]] == [row[4:] for row in english[1:]]
    workbook = load_workbook(io.BytesIO(client.get(f"/costs/report.xlsx?month={month}", headers=RUSSIAN).data))
    assert workbook.active.title == f"Расходы за {month}" and workbook.active["A1"].value == "Филиал"


def test_kept_reports_and_their_flash_are_in_russian(client):
    login(client, "accountant")
    archive = client.get("/costs/archive", headers=RUSSIAN).text
    assert "Сохранённые отчёты о расходах" in archive and format_month(LAST_MONTH, "ru") in archive
    assert "Сформировать и сохранить отчёт за" in archive and "Kept expense reports" not in archive
    kept = client.post("/costs/archive", data={"month": LAST_MONTH.strftime("%Y-%m")}, headers=RUSSIAN,
                       follow_redirects=True).text
    assert f"Отчёт за {format_month(LAST_MONTH, 'ru')} сохранён в текущем виде как версия 2." in kept
    assert "Версия 2, сохранена в том виде, в каком была сформирована" in kept


def test_imports_and_a_layout_in_russian(client):
    login(client, "accountant")
    page = client.get("/costs/imports", headers=RUSSIAN).text
    for russian in ("Загрузить файл оператора", "Форматы детализации звонков", "Содержимое файла",
                    "Детализация звонков", "Строки счетов", "Готово", "Загрузить и импортировать",
                    "ТрансТелеком Директ"):
        assert russian in page, russian
    assert "Import a carrier's file" not in page and "Call detail records" not in page
    missing = client.post("/costs/imports", data={"kind": "cdrs", "carrier_id": str(carrier_id("Nordtel"))},
                          content_type="multipart/form-data", headers=RUSSIAN)
    assert missing.status_code == 422 and "Выберите файл для загрузки." in missing.text
    detail = client.get(f"/costs/imports/{db.session.scalar(db.select(db.func.min(BillingImport.id)))}",
                        headers=RUSSIAN).text
    assert "Прочитано строк" in detail and "Отклонённые строки" in detail and "Rows read" not in detail

    layout = client.get(f"/costs/carriers/{carrier_id('Nordtel')}/layout", headers=RUSSIAN).text
    assert "Нордтел: формат детализации звонков" in layout and "Столбец нашего номера" in layout
    assert "Сохранить формат" in layout and "Our number column" not in layout
    refused = client.post(f"/costs/carriers/{carrier_id('Nordtel')}/layout", headers=RUSSIAN,
                          data={"column_number": "DID", "delimiter": ",", "encoding": "utf-8", "directions": "IN in"})
    assert refused.status_code == 422 and "Строка 1: запишите в виде «их слово = наше значение»." in refused.text


def test_the_invoice_audit_in_russian(client):
    login(client, "accountant")
    since = LAST_MONTH + timedelta(days=14)
    page = client.get("/costs/audit", headers=RUSSIAN).text
    assert f"Сверка счетов · {format_month(LAST_MONTH, 'ru')}" in page
    assert f"ВолгаЛинк: цена изменена без уведомления с {format_short_date(since, 'ru')}" in page
    assert "выставлено по договору" in page and "price changed without notice" not in page
    detail = client.get(f"/costs/audit/{carrier_id('VolgaLink')}", headers=RUSSIAN).text
    assert "Местные вызовы тарифицируются по" in detail and "за минуту вместо 0,65\u00a0руб. по договору" in detail
    assert "Звонки по номерам и направлениям" in detail and "Шоурум в Казани" in detail
    assert "Ежемесячная абонентская плата" in detail and "Monthly rental" not in detail
