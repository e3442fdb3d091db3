"""Smoke tests in a real browser: Debian's headless Chromium, driven by Playwright."""
import shutil
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from conftest import make_app
from models import BillingImport, CarrierContract, DisagreementItem, NumberRequest, db
from models.carrier_files import CALL_FIELDS
from models.expenses import expense_figures, last_complete_month
from models.rating import previous_month

CONTRACTS = Path(__file__).parent.parent / "demo" / "contracts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def live_server(demo_database, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "inline")
    shutil.copy(demo_database, tmp_path / "browser.db")
    app = make_app(tmp_path / "browser.db", WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(tmp_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "numberdesk-demo")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_requester_and_an_approver_move_a_request_in_the_browser(live_server, page, tmp_path):
    app, base = live_server
    sign_in(page, base, "requester@example.com")
    page.click("text=New request")
    page.select_option("select[name=department_id]", label="Kazan showroom (Kazan)")
    page.fill("input[name=quantity]", "1")
    page.fill("textarea[name=purpose]", "Kazan showroom main line")
    page.select_option("select[name=carrier_id]", label="VolgaLink (Kazan, Ufa, Samara)")
    page.click("input[type=submit][value='Create draft']")
    page.wait_for_selector("text=created as a draft")
    page.click("input[type=submit][value='Submit for approval']")
    page.wait_for_selector("[data-state=submitted]")
    reference = page.text_content("h1").split(" ")[0]

    page.click("text=Sign out")
    sign_in(page, base, "approver@example.com")
    page.click(f"text={reference}")
    page.fill("textarea[name=approve-comment]", "Pilot city")
    page.click("input[type=submit][value=Approve]")
    page.wait_for_selector("[data-state=legal_review]")
    assert page.is_visible("text=Download .docx")
    page.screenshot(path=str(tmp_path / "request.png"), full_page=True)

    with app.app_context():
        request = db.session.scalar(db.select(NumberRequest).order_by(NumberRequest.id.desc()))
        assert (request.reference, request.state) == (reference, "legal_review")
        assert [e.actor for e in request.events][-2:] == ["approver@example.com", "workflow:draft_contracts"]


def test_an_accountant_imports_calls_and_downloads_the_report_in_the_browser(live_server, page, tmp_path):
    app, base = live_server
    calls = tmp_path / "october.csv"
    # Two months back: the demo's numbers are in service then, whatever today's date is.
    month = previous_month(last_complete_month())
    day = month.replace(day=20).isoformat()
    calls.write_text("\n".join([
        ",".join(CALL_FIELDS),
        f"web-1,+74956400101,{day}T10:00:00+03:00,60,out,+74951112233,local,1.10",
        f"web-2,+74956400101,{day}T11:00:00+03:00,-5,out,+74951112233,local,0.10"]))
    sign_in(page, base, "accountant@example.com")
    page.click("nav >> text=Costs")
    page.click("text=Imports")
    page.select_option("select[name=carrier_id]", label="TransTelecom Direct")
    page.set_input_files("input[name=file]", str(calls))
    page.click("input[type=submit][value='Upload and import']")
    page.wait_for_selector("text=october.csv is being imported")
    page.wait_for_selector("[aria-valuenow='100']")
    assert "negative duration -5" in page.text_content("main")

    page.click("text=Open the expense report")
    page.wait_for_selector(f"text=Expenses by branch · {month:%B %Y}")
    with page.expect_download() as download:
        page.click("text=Download XLSX")
    assert download.value.suggested_filename.endswith(".xlsx")
    download.value.save_as(tmp_path / download.value.suggested_filename)
    workbook = load_workbook(tmp_path / download.value.suggested_filename)
    rows = list(workbook.active.iter_rows(values_only=True))
    with app.app_context():
        imported = db.session.scalar(db.select(BillingImport).order_by(BillingImport.id.desc()))
        assert (imported.rows_imported, imported.rows_rejected) == (1, 1)
        total = expense_figures(month).total().total
    assert rows[-1][0] == "Company total" and rows[-1][rows[0].index("Total (RUB)")] == pytest.approx(float(total))

    page.click("text=Invoice audit")
    assert page.is_visible("text=price changed without notice")


def test_a_lawyer_uploads_a_contract_and_puts_a_flagged_clause_in_the_protocol(live_server, page):
    app, base = live_server
    with app.app_context():
        kazan = db.session.scalar(db.select(NumberRequest).where(NumberRequest.state == "legal_review")
                                  .join(NumberRequest.department).filter_by(city="Kazan"))
        request_id, carrier_id = kazan.id, kazan.carrier_id
    sign_in(page, base, "lawyer@example.com")
    # The carrier sent its own text for this deal: it is read, split and checked as it is uploaded.
    page.goto(f"{base}/requests/{request_id}/review")
    page.set_input_files("input[type=file][name=file]", str(CONTRACTS / "nordtel_en.pdf"))
    page.click("input[type=submit][value='Upload and check']")
    page.wait_for_selector("text=risk flags")
    flag = page.locator("[data-flag=price_change]").first
    assert "Found:" in flag.inner_text()
    flag.locator("textarea[name=our_wording]").fill("Prices change only on 30 days' written notice.")
    flag.locator("input[type=submit][value='Add to protocol']").click()
    page.wait_for_selector("text=is in the protocol")
    assert "Prices change only on 30 days' written notice." in page.locator("#draft-protocol").inner_text()
    with app.app_context():
        contract = db.session.scalar(db.select(CarrierContract).where(CarrierContract.request_id == request_id))
        assert contract.carrier_id == carrier_id and contract.filename == "nordtel_en.pdf"
        assert db.session.scalar(db.select(DisagreementItem).filter_by(
            request_id=request_id, our_wording="Prices change only on 30 days' written notice.", draft=True))
