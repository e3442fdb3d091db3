"""The real stack: a Prefect server, `numberdesk worker` and the web app under gunicorn, as `make run` starts them.

One request goes from draft to active through the API as the different people, while Prefect runs
every machine step; an accountant uploads a carrier's file through the web pages, Prefect imports it,
and the report, its XLSX and the audit show it.
"""
import io
import re
from decimal import Decimal

import httpx
import pytest
from openpyxl import load_workbook

from models.pbx import ATTACHMENT_CHECKLIST
from real_stack import real_stack, wait_until

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with real_stack(tmp_path_factory.mktemp("stack")) as running:
        tokens = {role: running.token(f"{role}@example.com")
                  for role in ("requester", "approver", "lawyer", "sysadmin", "accountant")}
        yield {"web": running.web, "prefect": running.prefect_api, "tokens": tokens}


def test_a_request_goes_from_draft_to_active_through_the_real_stack(stack):
    web = httpx.Client(base_url=stack["web"] + "/api/v1", timeout=30)

    def as_(role):
        return {"Authorization": f"Bearer {stack['tokens'][role]}"}

    def act(role, action, **body):
        response = web.post(f"/requests/{request_id}/actions/{action}", json=body, headers=as_(role))
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for(state):
        return wait_until(lambda: (r := web.get(f"/requests/{request_id}", headers=as_("requester")).json())
                          ["state"] == state and r, f"state {state}", timeout=180)

    # requester@ works for the Kazan showroom
    kazan = next(d["id"] for d in web.get("/departments", headers=as_("requester")).json()
                 if d["name"] == "Kazan showroom")
    volga = next(c["id"] for c in web.get("/carriers", headers=as_("requester")).json() if c["name"] == "VolgaLink")
    office = next(p["id"] for p in web.get("/pbx", headers=as_("requester")).json() if p["name"] == "Office Asterisk")
    created = web.post("/requests", headers=as_("requester"), json={
        "department_id": kazan, "number_type": "local", "quantity": 1, "purpose": "Kazan showroom second line",
        "carrier_id": volga, "pbx_id": office})
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]

    act("requester", "submit")
    act("approver", "approve", comment="Pilot city")
    drafted = wait_for("legal_review")
    assert {d["kind"] for d in drafted["documents"]} == {"service_contract", "tariff_appendix",
                                                         "supplementary_agreement"}
    act("lawyer", "approve_contracts")
    act("lawyer", "record_signature", signed_on="2026-11-27")
    wait_for("ordered")
    act("sysadmin", "confirm_order", numbers=["+78432000555"],
        trunk={"type": "registration", "registrar": "sip.volgalink.example", "username": "kzn1", "password": "s3"})
    wait_for("attaching")
    act("sysadmin", "confirm_attachment", checklist=list(ATTACHMENT_CHECKLIST))
    wait_for("verifying")
    final = act("sysadmin", "confirm_verification", comment="Test call answered")

    assert final["state"] == "active" and final["numbers"] == ["+78432000555"]
    machine = [h["actor"] for h in final["history"] if h["actor"].startswith("workflow:")]
    assert machine == ["workflow:draft_contracts", "workflow:place_carrier_order", "workflow:attach_to_pbx",
                       "workflow:verify_number"]
    for document in final["documents"]:
        download = web.get(f"/documents/{document['id']}", headers=as_("lawyer"))
        assert download.status_code == 200 and download.content[:2] == b"PK"
    runs = httpx.post(f"{stack['prefect']}/flow_runs/filter", json={
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}).json()
    assert {run["parameters"].get("request_id") for run in runs} >= {request_id}
    assert len([run for run in runs if run["parameters"].get("request_id") == request_id]) == 4


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_an_accountant_imports_a_carriers_file_through_the_real_stack(stack):
    api = httpx.Client(base_url=stack["web"] + "/api/v1", timeout=30,
                       headers={"Authorization": f"Bearer {stack['tokens']['accountant']}"})
    carrier = next(c["id"] for c in api.get("/carriers").json() if c["name"] == "TransTelecom Direct")
    before = api.get("/reports/expenses", params={"month": "2026-10"}).json()

    browser = httpx.Client(base_url=stack["web"], timeout=30)
    signed_in = browser.post("/login", data={"csrf_token": _csrf_token(browser.get("/login").text),
                                             "email": "accountant@example.com", "password": "numberdesk-demo"})
    assert signed_in.status_code == 302, signed_in.text
    calls = ["call_id,number,started_at,duration_s,direction,destination,destination_class,billed_cost",
             "e2e-1,+74956400101,2026-10-20T10:00:00+03:00,60,out,+74951112233,local,1.10",
             "e2e-2,+74956400101,2026-10-20T11:00:00+03:00,120,out,+79161112233,mobile,2.20",
             "e2e-3,+74956400101,2026-10-21T09:15:30+03:00,-5,out,+74951112233,local,0.10",
             "e2e-4,+74956400101,2026-10-21T12:00:00+03:00,90,out,+73832112233,long_distance,3.30"]
    uploaded = browser.post("/costs/imports", data={
        "csrf_token": _csrf_token(browser.get("/costs/imports").text), "kind": "cdrs", "carrier_id": str(carrier)},
        files={"file": ("october.csv", io.BytesIO("\n".join(calls).encode()), "text/csv")})
    assert uploaded.status_code == 302, uploaded.text
    progress = uploaded.headers["Location"]
    finished = wait_until(lambda: (page := browser.get(progress)).status_code == 200
                          and "Refresh" not in page.headers and page, "the import to finish", timeout=180)
    assert 'aria-valuenow="100"' in finished.text and "negative duration -5" in finished.text

    import_id = int(progress.rstrip("/").rsplit("/", 1)[-1])
    runs = httpx.post(f"{stack['prefect']}/flow_runs/filter", json={
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}).json()
    assert [run["parameters"].get("import_id") for run in runs].count(import_id) == 1

    after = api.get("/reports/expenses", params={"month": "2026-10"}).json()
    calls_before = {d["department_id"]: Decimal(d["calls"]) for d in before["departments"]}
    grown = {d["name"]: Decimal(d["calls"]) - calls_before[d["department_id"]] for d in after["departments"]
             if Decimal(d["calls"]) != calls_before[d["department_id"]]}
    assert list(grown.values()) == [Decimal("6.60")] and "Moscow" in next(iter(grown))
    assert Decimal(after["total"]) - Decimal(before["total"]) == Decimal("6.60")

    download = browser.get("/costs/report.xlsx", params={"month": "2026-10"})
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    company = rows[-1]
    assert company[0] == "Company total"
    assert company[rows[0].index("Total (RUB)")] == pytest.approx(float(after["total"]))
    assert "price changed without notice" in browser.get("/costs/audit").text
