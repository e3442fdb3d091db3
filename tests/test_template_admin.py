"""Uploading contract template versions: the API and the admin pages."""
import io

import pytest
from docx import Document

from contract_templates import TEMPLATE_DIR
from models import TemplateVersion, db
from conftest import auth, login

BUNDLED = (TEMPLATE_DIR / "en" / "service_contract.docx").read_bytes()


def docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def versions(kind: str = "service_contract", language: str = "en") -> list[TemplateVersion]:
    return db.session.scalars(db.select(TemplateVersion).filter_by(kind=kind, language=language)
                              .order_by(TemplateVersion.version)).all()


def post_template(client, token, kind="service_contract", data=BUNDLED, filename="contract.docx", language="en"):
    form = {}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    if language is not None:
        form["language"] = language
    return client.post(f"/api/v1/templates/{kind}", data=form, headers=auth(token),
                       content_type="multipart/form-data")


# --- the API ---------------------------------------------------------------------------------------

def test_admin_uploads_a_version(client, tokens):
    response = post_template(client, tokens["admin"])
    assert response.status_code == 201, response.json
    body = response.json
    assert body["kind"] == "service_contract" and body["language"] == "en"
    assert body["version"] == 1 and body["active"] is True
    assert body["label"] == f"v1-{body['sha256'][:12]}"
    assert body["uploaded_by"] == "admin@example.com" and body["uploaded_at"].endswith("Z")
    assert TemplateVersion.active_for("service_contract", "en").content == BUNDLED

    second = post_template(client, tokens["admin"], filename="contract-2.docx")
    assert second.status_code == 201 and second.json["version"] == 2
    download = client.get(second.headers["Location"], headers=auth(tokens["lawyer"]))
    assert download.status_code == 200 and download.data == BUNDLED
    assert [v.active for v in versions()] == [False, True]


def test_refused_upload_lists_every_reason_and_keeps_the_active_one(client, tokens):
    assert post_template(client, tokens["admin"]).status_code == 201
    bad = docx("{{ nickname }} {{ ''.__class__ }}")
    response = post_template(client, tokens["admin"], data=bad, filename="contract.docm")
    assert response.status_code == 422
    body = response.json
    assert body["error"] == "invalid_template"
    assert len(body["reasons"]) == 3, body["reasons"]
    assert any(".docm" in reason for reason in body["reasons"])
    assert any("unknown variable(s): nickname" in reason for reason in body["reasons"])
    assert any("__class__" in reason for reason in body["reasons"])
    assert body["fields"]["file"] == "; ".join(body["reasons"])
    assert [(v.version, v.active) for v in versions()] == [(1, True)]
    assert TemplateVersion.active_for("service_contract", "en").version == 1


def test_upload_needs_file_and_language(client, tokens):
    response = post_template(client, tokens["admin"], data=None, language=None)
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"file", "language"}
    response = post_template(client, tokens["admin"], language="de")
    assert response.status_code == 422 and set(response.json["fields"]) == {"language"}
    assert versions() == []


def test_only_admins_upload(client, tokens):
    response = post_template(client, tokens["lawyer"])
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert versions() == []


def test_upload_needs_a_token(client):
    response = client.post("/api/v1/templates/service_contract", data={"language": "en"})
    assert response.status_code == 401


def test_unknown_kind(client, tokens):
    assert post_template(client, tokens["admin"], kind="fax_cover").status_code == 404
    assert client.get("/api/v1/templates/fax_cover/variables", headers=auth(tokens["admin"])).status_code == 404
    assert client.get("/api/v1/templates/service_contract/en/7", headers=auth(tokens["admin"])).status_code == 404


def test_listing(client, tokens):
    assert post_template(client, tokens["admin"], kind="pbx_sheet", language="ru",
                         data=(TEMPLATE_DIR / "ru" / "pbx_sheet.docx").read_bytes()).status_code == 201
    response = client.get("/api/v1/templates", headers=auth(tokens["lawyer"]))
    assert response.status_code == 200
    entries = {(entry["kind"], entry["language"]): entry for entry in response.json}
    assert len(entries) == 7 * 2
    assert entries[("service_contract", "en")]["active_version"] is None
    assert entries[("service_contract", "en")]["versions"] == []
    assert entries[("service_contract", "en")]["bundled_version"]
    uploaded = entries[("pbx_sheet", "ru")]
    assert uploaded["active_version"]["version"] == 1
    assert [v["version"] for v in uploaded["versions"]] == [1]
    assert set(uploaded["versions"][0]) >= {"version", "sha256", "label", "active", "uploaded_by", "uploaded_at"}


def test_variables_endpoint(client, tokens):
    response = client.get("/api/v1/templates/tariff_appendix/variables?language=ru", headers=auth(tokens["lawyer"]))
    assert response.status_code == 200
    rows = {row["path"]: row for row in response.json["variables"]}
    assert rows["carrier.legal_name"]["example"] == "АО «Волга Телеком»"
    assert rows["carrier.legal_name"]["tag"] == "{{ carrier.legal_name }}"
    assert rows["tariff.rates"]["tag"] == "{% for rate in tariff.rates %}"
    assert rows["tariff.rates[].destination"]["tag"] == "{{ rate.destination }}"
    assert not any(path.startswith(("numbers", "trunk", "protocol")) for path in rows)


def test_bundled_download(client, tokens):
    response = client.get("/api/v1/templates/service_contract/en/bundled", headers=auth(tokens["lawyer"]))
    assert response.status_code == 200 and response.data == BUNDLED


# --- the admin pages -------------------------------------------------------------------------------

def test_admin_uploads_through_the_page(client):
    login(client, "admin")
    page = client.get("/admin/templates/")
    assert page.status_code == 200 and "Bundled default" in page.text and 'type="file"' in page.text
    response = client.post("/admin/templates/", data={
        "kind": "order_letter", "language": "en",
        "file": (io.BytesIO((TEMPLATE_DIR / "en" / "order_letter.docx").read_bytes()), "Order letter.docx")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "version 1 is now in use" in response.text
    assert [(v.version, v.active, v.filename) for v in versions("order_letter")] == [(1, True, "Order letter.docx")]
    assert "Version 1" in response.text
    history = client.get("/admin/templates/order_letter/en/")
    assert history.status_code == 200 and "Order letter.docx" in history.text
    assert client.get("/admin/templates/order_letter/en/v1.docx").data.startswith(b"PK")


def test_refused_upload_shows_the_reasons(client):
    login(client, "admin")
    response = client.post("/admin/templates/", data={
        "kind": "service_contract", "language": "en",
        "file": (io.BytesIO(docx("{{ numbers }} {{ lipsum.__globals__ }}")), "contract.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "unknown variable(s): numbers" in response.text
    assert "lipsum may not be used" in response.text
    assert "__globals__" in response.text
    assert versions() == []


def test_page_form_refuses_other_file_types(client):
    login(client, "admin")
    response = client.post("/admin/templates/", data={
        "kind": "service_contract", "language": "en", "file": (io.BytesIO(BUNDLED), "contract.docm")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "Only Word documents ending in .docx" in response.text
    assert versions() == []


def test_lawyer_views_but_cannot_upload(client):
    login(client, "lawyer")
    page = client.get("/admin/templates/")
    assert page.status_code == 200 and 'type="file"' not in page.text
    response = client.post("/admin/templates/", data={
        "kind": "service_contract", "language": "en", "file": (io.BytesIO(BUNDLED), "contract.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 403
    assert versions() == []
    reference = client.get("/admin/templates/supplementary_agreement/variables?language=en")
    assert reference.status_code == 200
    assert "carrier.legal_name" in reference.text and "Volga Telecom JSC" in reference.text
    assert "numbers[].e164" in reference.text and "{%tr for rate in tariff.rates %}" in reference.text
    assert "protocol.round" not in reference.text
    assert client.get("/admin/templates/service_contract/en/bundled.docx").data == BUNDLED


@pytest.mark.parametrize("role", ["requester", "accountant"])
def test_others_cannot_see_the_pages(client, role):
    login(client, role)
    assert client.get("/admin/templates/").status_code == 403
    assert client.get("/admin/templates/service_contract/variables").status_code == 403


def test_unknown_kind_pages(client):
    login(client, "lawyer")
    assert client.get("/admin/templates/fax_cover/variables").status_code == 404
    assert client.get("/admin/templates/service_contract/de/").status_code == 404
    assert client.get("/admin/templates/service_contract/en/v3.docx").status_code == 404


# --- in Russian ------------------------------------------------------------------------------------

RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9"}


def test_the_template_pages_in_russian(client):
    login(client, "admin")
    page = client.get("/admin/templates/", headers=RUSSIAN).text
    for russian in ("Шаблоны договоров", "Договор об оказании услуг связи", "Тарифное приложение", "Русский",
                    "Шаблон из поставки", "Загрузить новую версию", "Шаблон Word (.docx)", "Скачать", "Переменные"):
        assert russian in page, russian
    assert "Contract templates" not in page and "Bundled default" not in page and ">English<" not in page
    response = client.post("/admin/templates/", headers=RUSSIAN, follow_redirects=True, data={
        "kind": "order_letter", "language": "ru",
        "file": (io.BytesIO((TEMPLATE_DIR / "ru" / "order_letter.docx").read_bytes()), "Письмо.docx")},
        content_type="multipart/form-data")
    assert "Письмо-заявка оператору (Русский): теперь используется версия 1." in response.text
    history = client.get("/admin/templates/order_letter/ru/", headers=RUSSIAN).text
    assert "Письмо-заявка оператору (Русский): версии" in history and "используется" in history
    refused = client.post("/admin/templates/", headers=RUSSIAN, data={
        "kind": "service_contract", "language": "en", "file": (io.BytesIO(BUNDLED), "contract.docm")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Шаблон не принят; используется прежний." in refused.text
    assert "Принимаются только документы Word с расширением .docx." in refused.text
    variables = client.get("/admin/templates/tariff_appendix/variables?language=ru", headers=RUSSIAN).text
    assert "Переменные: Тарифное приложение" in variables and "Как использовать их в Word" in variables
    assert "{% if tariff.valid_to %}до {{ tariff.valid_to }}{% else %}бессрочно{% endif %}" in variables
    assert "Примеры на русском" in variables and "How to use them in Word" not in variables
