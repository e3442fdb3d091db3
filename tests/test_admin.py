"""The admin pages: only admins get in, and each entity can be created and edited."""
import re
from datetime import date
from decimal import Decimal

import pytest
from werkzeug.security import generate_password_hash

from models import Carrier, Department, PbxSystem, Tariff, User, db
from models.choices import Role
from webapp import create_app

# Cheap hashes for the fixture users keep the tests fast; the app itself uses the default.
FAST_HASH = "pbkdf2:sha256:1000"
ADMIN_PASSWORD = "admin-secret-1"
CLERK_PASSWORD = "clerk-secret-1"


@pytest.fixture()
def app(tmp_path, monkeypatch):
    # No app context stays open across requests: Flask would reuse it, and with it
    # Flask-Login's cached user in `g`, for every request the test client makes.
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test"})
    with app.app_context():
        db.create_all()
        admin = User(email="admin@example.com", name="Ada Admin", is_active_user=True)
        admin.roles = {Role.ADMIN}
        admin.password_hash = generate_password_hash(ADMIN_PASSWORD, method=FAST_HASH)
        clerk = User(email="clerk@example.com", name="Carl Clerk", is_active_user=True)
        clerk.roles = {Role.REQUESTER, Role.APPROVER, Role.LAWYER, Role.SYSADMIN, Role.ACCOUNTANT}
        clerk.password_hash = generate_password_hash(CLERK_PASSWORD, method=FAST_HASH)
        db.session.add_all([admin, clerk])
        db.session.commit()
    return app


def login(app, email, password):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return client


@pytest.fixture()
def admin(app):
    return login(app, "admin@example.com", ADMIN_PASSWORD)


def one(app, model, **filters):
    """The one row matching `filters`, read fresh from the database (its columns stay readable)."""
    with app.app_context():
        return db.session.scalars(db.select(model).filter_by(**filters)).one()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def add(app, *items) -> list[int]:
    """Store `items` directly and return their ids."""
    with app.app_context():
        db.session.add_all(items)
        db.session.commit()
        return [item.id for item in items]


def branches_of(app, user: User) -> frozenset[int]:
    with app.app_context():
        return db.session.get(User, user.id).department_ids


def department_form(**changes):
    return {"name": "Kazan office", "city": "Kazan", "address": "Baumana 1", "time_zone": "Europe/Moscow",
            "cost_centre": "CC-KZN", "monthly_call_load": "1200", "ring_group": "600", **changes}


def carrier_form(**changes):
    return {"name": "TatTelecom", "legal_name": "PJSC Tattelecom", "tax_id": "1681000049",
            "address": "Kazan, Pushkina 15", "signatory": "I. Ivanov", "cities": "Kazan,  Naberezhnye Chelny ,",
            "language": "ru", "currency": "rub", "adapter": "manual", "price_change_notice_days": "",
            "invoice_dispute_days": "5", "daily_penalty_percent": "0.1", "penalty_cap": "",
            **changes}


def tariff_form(carrier_id, **changes):
    return {"carrier_id": str(carrier_id), "name": "Business 2025", "valid_from": "2025-01-01", "valid_to": "",
            "monthly_fee": "1500.00", "one_time_fee": "0", "rate_local": "0.0125", "rate_long_distance": "1.1",
            "rate_mobile": "1,9", "rate_international": "12.5", "rate_toll_free_inbound": "2.0001",
            "billing_increment": "per_second", **changes}


def make_one_of_each(app):
    department = Department(name="Moscow HQ", city="Moscow", cost_centre="CC-MSK")
    carrier = Carrier(name="MTT", legal_name="JSC MTT", tax_id="7705017253", address="Moscow")
    tariff = Tariff(carrier=carrier, name="Basic", valid_from=date(2025, 1, 1), monthly_fee=Decimal(0),
                    one_time_fee=Decimal(0), rate_local=Decimal(0), rate_long_distance=Decimal(0),
                    rate_mobile=Decimal(0), rate_international=Decimal(0), rate_toll_free_inbound=Decimal(0))
    pbx = PbxSystem(name="Asterisk HQ")
    return add(app, department, carrier, tariff, pbx)


def admin_urls(app):
    """Every admin page, with edit pages pointing at existing rows."""
    department_id, carrier_id, tariff_id, pbx_id = make_one_of_each(app)
    user = one(app, User, email="admin@example.com")
    ids = {"department_edit": department_id, "carrier_edit": carrier_id, "tariff_edit": tariff_id,
           "pbx_edit": pbx_id, "user_edit": user.id}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            name = rule.endpoint.removeprefix("admin.")
            urls.append(rule.build({"item_id": ids[name]} if "item_id" in rule.arguments else {})[1])
    return urls


def test_non_admin_gets_403_everywhere(app):
    urls = admin_urls(app)
    assert len(urls) == 17
    clerk = login(app, "clerk@example.com", CLERK_PASSWORD)
    for url in urls:
        assert clerk.get(url).status_code == 403, url
        if url.endswith(("/new", "/edit")):
            assert clerk.post(url, data=department_form(name="Sneaky")).status_code == 403, url
    assert count(app, Department) == 1
    anonymous = app.test_client()
    assert anonymous.get("/admin/").status_code == 302


def test_admin_sees_every_page(app, admin):
    for url in admin_urls(app):
        response = admin.get(url)
        assert response.status_code == 200, url
    page = admin.get("/admin/").get_data(as_text=True)
    for title in ("Departments", "Carriers", "Tariffs", "PBX systems", "Users"):
        assert title in page
    for url in ("/admin/users/", "/admin/users/1/edit"):  # password hashes are never shown
        assert "pbkdf2" not in admin.get(url).get_data(as_text=True)
    assert admin.get("/admin/users/999/edit").status_code == 404


def test_list_pages_are_paginated(app, admin):
    app.config["PAGE_SIZE"] = 2
    add(app, *(PbxSystem(name=f"PBX {n}") for n in range(5)))
    page = admin.get("/admin/pbx/?q=pbx&page=2").get_data(as_text=True)
    assert "PBX 2" in page and "PBX 3" in page and "PBX 0" not in page
    assert "3–4 of 5" in page and "q=pbx&amp;page=3" in page


def test_empty_list_and_search(app, admin):
    assert "There are no carriers yet" in admin.get("/admin/carriers/").get_data(as_text=True)
    make_one_of_each(app)
    assert "Moscow HQ" in admin.get("/admin/departments/?q=hq").get_data(as_text=True)
    page = admin.get("/admin/departments/?q=nowhere%").get_data(as_text=True)
    assert "No departments match" in page and "Moscow HQ" not in page
    # Carriers show the risky terms of their standard contract.
    assert "Fines and liability are not capped" in admin.get("/admin/carriers/").get_data(as_text=True)


def test_department_create_and_edit(app, admin):
    response = admin.post("/admin/departments/new", data=department_form())
    assert response.status_code == 302 and response.location.endswith("/admin/departments/")
    department = one(app, Department, name="Kazan office")
    assert (department.city, department.cost_centre, department.monthly_call_load) == ("Kazan", "CC-KZN", 1200)

    response = admin.post(f"/admin/departments/{department.id}/edit",
                          data=department_form(name="Kazan branch", time_zone="Europe/Samara"))
    assert response.status_code == 302
    department = one(app, Department, id=department.id)
    assert (department.name, department.time_zone) == ("Kazan branch", "Europe/Samara")
    assert count(app, Department) == 1


def test_duplicate_department_name_is_a_field_error(app, admin):
    admin.post("/admin/departments/new", data=department_form())
    response = admin.post("/admin/departments/new", data=department_form(name="kazan OFFICE", cost_centre="X"))
    assert response.status_code in (200, 422)
    assert "A department with this name already exists." in response.get_data(as_text=True)
    assert count(app, Department) == 1


def test_database_refusal_rolls_back(app, admin, monkeypatch):
    """If the database refuses the row after the form's own checks, nothing stays and no 500."""
    import webapp.admin.forms
    admin.post("/admin/departments/new", data=department_form())
    monkeypatch.setattr(webapp.admin.forms, "is_taken", lambda *args: False)
    response = admin.post("/admin/departments/new", data=department_form(cost_centre="OTHER"))
    assert response.status_code == 422
    assert "refused" in response.get_data(as_text=True)
    assert count(app, Department) == 1


def test_invalid_time_zone_and_negative_load_are_refused(app, admin):
    response = admin.post("/admin/departments/new",
                          data=department_form(time_zone="Mars/Olympus", monthly_call_load="-1"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown time zone" in page and "Number must be between 0" in page
    assert count(app, Department) == 0


def test_carrier_create_and_edit(app, admin):
    response = admin.post("/admin/carriers/new", data=carrier_form())
    assert response.status_code == 302
    carrier = one(app, Carrier, name="TatTelecom")
    assert carrier.cities == ["Kazan", "Naberezhnye Chelny"]
    assert carrier.currency == "RUB" and carrier.language == "ru"
    assert carrier.price_change_notice_days is None and carrier.penalty_cap is None
    assert carrier.daily_penalty_percent == Decimal("0.1")
    assert carrier.accepts_disagreement_protocol is False  # an unticked checkbox
    assert len(carrier.risky_terms()) == 5

    response = admin.post(f"/admin/carriers/{carrier.id}/edit", data=carrier_form(
        price_change_notice_days="30", invoice_dispute_days="10", daily_penalty_percent="0",
        penalty_cap="10000.50", accepts_disagreement_protocol="y", order_email=" Orders@TatTelecom.example "))
    assert response.status_code == 302
    carrier = one(app, Carrier, id=carrier.id)
    assert carrier.penalty_cap == Decimal("10000.50") and isinstance(carrier.penalty_cap, Decimal)
    assert carrier.risky_terms() == []
    assert carrier.order_email == "orders@tattelecom.example"
    bad = admin.post(f"/admin/carriers/{carrier.id}/edit", data=carrier_form(order_email="not an address"))
    assert bad.status_code == 422 and one(app, Carrier, id=carrier.id).order_email == "orders@tattelecom.example"

    response = admin.post("/admin/carriers/new", data=carrier_form(currency="rubles", penalty_cap="NaN"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A carrier with this name already exists." in page and "3-letter code" in page
    assert "Enter a number." in page
    assert count(app, Carrier) == 1


def test_tariff_create_and_edit(app, admin):
    [carrier_id] = add(app, Carrier(name="MTT", legal_name="JSC MTT", tax_id="7705017253", address="Moscow"))
    response = admin.post("/admin/tariffs/new", data=tariff_form(carrier_id))
    assert response.status_code == 302
    tariff = one(app, Tariff, name="Business 2025")
    assert tariff.carrier_id == carrier_id and tariff.valid_to is None
    for field in ("monthly_fee", "rate_local", "rate_mobile", "rate_toll_free_inbound"):
        assert isinstance(getattr(tariff, field), Decimal), field
    assert tariff.rate_local == Decimal("0.0125")
    assert tariff.rate_mobile == Decimal("1.9")
    assert tariff.rate_toll_free_inbound == Decimal("2.0001")

    response = admin.post(f"/admin/tariffs/{tariff.id}/edit",
                          data=tariff_form(carrier_id, valid_to="2025-12-31", monthly_fee="1499.99",
                                           billing_increment="per_minute"))
    assert response.status_code == 302
    tariff = one(app, Tariff, id=tariff.id)
    assert tariff.valid_to == date(2025, 12, 31) and tariff.billing_increment == "per_minute"
    assert tariff.monthly_fee == Decimal("1499.99")


def test_tariff_must_not_end_before_it_starts(app, admin):
    [carrier_id] = add(app, Carrier(name="MTT", legal_name="JSC MTT", tax_id="7705017253", address="Moscow"))
    response = admin.post("/admin/tariffs/new", data=tariff_form(carrier_id, valid_to="2024-12-31",
                                                                 rate_local="0.00001"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The tariff cannot end before it starts." in page and "at most 4 decimal places" in page
    assert count(app, Tariff) == 0


def test_pbx_create_and_edit(app, admin):
    data = {"name": "Bitrix24 cloud", "kind": "manual", "vendor": "Bitrix", "resells_numbers": "y", "notes": ""}
    assert admin.post("/admin/pbx/new", data=data).status_code == 302
    pbx = one(app, PbxSystem, name="Bitrix24 cloud")
    assert pbx.resells_numbers is True and pbx.vendor == "Bitrix"
    assert "lock-in" in admin.get("/admin/pbx/").get_data(as_text=True)

    data = {**data, "notes": "Moving off it", "resells_numbers": ""}
    del data["resells_numbers"]
    assert admin.post(f"/admin/pbx/{pbx.id}/edit", data=data).status_code == 302
    pbx = one(app, PbxSystem, id=pbx.id)
    assert pbx.resells_numbers is False and pbx.notes == "Moving off it"


def test_user_create_and_edit(app, admin):
    moscow, kazan = add(app, Department(name="Moscow HQ", city="Moscow", cost_centre="CC-MSK"),
                        Department(name="Kazan office", city="Kazan", cost_centre="CC-KZN"))
    data = {"email": "  Lena@Example.com ", "name": "Lena Lawyer", "roles": [Role.LAWYER, Role.APPROVER],
            "departments": [str(moscow), str(kazan)], "active": "y", "password": "correct horse"}
    assert admin.post("/admin/users/new", data=data).status_code == 302
    user = one(app, User, email="lena@example.com")
    assert user.roles == {Role.LAWYER, Role.APPROVER} and branches_of(app, user) == {moscow, kazan}
    assert user.is_active_user and user.check_password("correct horse")
    old_hash = user.password_hash
    listed = admin.get("/admin/users/?q=lena").get_data(as_text=True)
    assert "Kazan office, Moscow HQ" in listed

    # Editing without a password keeps the current one; no branches: a company-wide role sees every branch.
    data = {**data, "name": "Lena L.", "departments": [], "password": "", "roles": [Role.LAWYER]}
    del data["active"]
    assert admin.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    user = one(app, User, id=user.id)
    assert (user.name, user.roles, branches_of(app, user), user.is_active_user) == (
        "Lena L.", {Role.LAWYER}, frozenset(), False)
    assert user.password_hash == old_hash
    assert "every branch" in admin.get("/admin/users/?q=lena").get_data(as_text=True)

    # A duplicate email, no roles and no password on create are all field errors.
    response = admin.post("/admin/users/new", data={"email": "LENA@example.com", "name": "Other", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("A user with this email already exists.", "Pick at least one role.",
                    "A new user needs a password."):
        assert message in page
    assert count(app, User) == 3


def test_a_requester_needs_a_branch_and_the_form_says_what_branches_do(app, admin):
    [kazan] = add(app, Department(name="Kazan office", city="Kazan", cost_centre="CC-KZN"))
    form = admin.get("/admin/users/new").get_data(as_text=True)
    assert "Kazan office (Kazan)" in form and "branches limit what they see" in form
    data = {"email": "rita@example.com", "name": "Rita", "roles": [Role.REQUESTER], "active": "y",
            "password": "correct horse"}
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert "A requester works for at least one branch" in response.get_data(as_text=True)
    assert count(app, User) == 2
    assert admin.post("/admin/users/new", data={**data, "departments": [str(kazan)]}).status_code == 302
    assert branches_of(app, one(app, User, email="rita@example.com")) == {kazan}


def test_admin_cannot_lock_themselves_out(app, admin):
    me = one(app, User, email="admin@example.com")
    response = admin.post(f"/admin/users/{me.id}/edit",
                          data={"email": me.email, "name": me.name, "roles": [Role.REQUESTER]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot take the admin role" in page and "cannot deactivate yourself" in page
    assert one(app, User, id=me.id).roles == {Role.ADMIN}


# --- names in Russian, and the pages in Russian ------------------------------------------------------

RUSSIAN = {"Accept-Language": "ru-RU,ru;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def test_a_department_keeps_its_russian_names(app, admin):
    data = department_form(name_ru="Офис в Казани", city_ru="Казань", address_ru="г. Казань, ул. Баумана, д. 1")
    assert admin.post("/admin/departments/new", data=data).status_code == 302
    department = one(app, Department, name="Kazan office")
    assert (department.name_ru, department.city_ru, department.address_ru) == (
        "Офис в Казани", "Казань", "г. Казань, ул. Баумана, д. 1")
    form = admin.get(f"/admin/departments/{department.id}/edit").get_data(as_text=True)
    assert 'value="Офис в Казани"' in form and "Name in Russian" in form and "Address in Russian" in form
    assert "Офис в Казани" in admin.get("/admin/departments/").get_data(as_text=True)
    # Left empty, a Russian name is empty (Russian documents then use the English); too long is refused.
    assert admin.post(f"/admin/departments/{department.id}/edit",
                      data=department_form(name_ru="", city_ru="", address_ru="")).status_code == 302
    assert one(app, Department, id=department.id).name_ru == ""
    response = admin.post(f"/admin/departments/{department.id}/edit", data=department_form(city_ru="К" * 81))
    assert response.status_code == 422 and "Field cannot be longer than 80 characters." in response.get_data(
        as_text=True)


def test_a_carrier_keeps_its_russian_names_and_its_billing_time_zone(app, admin):
    data = carrier_form(name_ru="Таттелеком", legal_name_ru="ПАО «Таттелеком»", address_ru="г. Казань, ул. Пушкина, 15",
                        signatory_ru="генеральный директор Иванов И. И.", billing_time_zone="Europe/Samara")
    assert admin.post("/admin/carriers/new", data=data).status_code == 302
    carrier = one(app, Carrier, name="TatTelecom")
    assert (carrier.name_ru, carrier.legal_name_ru, carrier.address_ru, carrier.signatory_ru) == (
        "Таттелеком", "ПАО «Таттелеком»", "г. Казань, ул. Пушкина, 15", "генеральный директор Иванов И. И.")
    assert carrier.billing_time_zone == "Europe/Samara"
    form = admin.get(f"/admin/carriers/{carrier.id}/edit").get_data(as_text=True)
    assert 'value="ПАО «Таттелеком»"' in form and 'value="Europe/Samara"' in form and "Legal address in Russian" in form
    listed = admin.get("/admin/carriers/").get_data(as_text=True)
    assert "Таттелеком" in listed and "Billed by Europe/Samara time" in listed

    response = admin.post(f"/admin/carriers/{carrier.id}/edit", data={**data, "billing_time_zone": "Mars/Olympus"})
    assert response.status_code == 422 and "Unknown time zone" in response.get_data(as_text=True)
    assert one(app, Carrier, id=carrier.id).billing_time_zone == "Europe/Samara"
    # A form without the zone (an older page, say) gives the company's accounting zone.
    assert admin.post("/admin/carriers/new", data=carrier_form(name="MTS")).status_code == 302
    assert one(app, Carrier, name="MTS").billing_time_zone == "Europe/Moscow"
    assert admin.get("/admin/carriers/new").get_data(as_text=True).count('value="Europe/Moscow"') == 1


def test_a_pbx_system_keeps_its_russian_names(app, admin):
    data = {"name": "Bitrix24 cloud", "name_ru": "Облако Битрикс24", "kind": "manual", "vendor": "Bitrix",
            "vendor_ru": "ООО «Битрикс»", "notes": ""}
    assert admin.post("/admin/pbx/new", data=data).status_code == 302
    pbx = one(app, PbxSystem, name="Bitrix24 cloud")
    assert (pbx.name_ru, pbx.vendor_ru) == ("Облако Битрикс24", "ООО «Битрикс»")
    assert 'value="ООО «Битрикс»"' in admin.get(f"/admin/pbx/{pbx.id}/edit").get_data(as_text=True)
    response = admin.post(f"/admin/pbx/{pbx.id}/edit", data={**data, "vendor_ru": "Б" * 121})
    assert response.status_code == 422 and one(app, PbxSystem, id=pbx.id).vendor_ru == "ООО «Битрикс»"


def test_the_admin_pages_in_russian(app, admin):
    make_one_of_each(app)
    index = admin.get("/admin/", headers=RUSSIAN).get_data(as_text=True)
    for russian in ("Администрирование", "Филиалы", "Операторы связи", "Тарифы", "АТС", "Пользователи",
                    "Журнал аудита"):
        assert russian in index, russian
    assert "Departments" not in index and "Audit trail" not in index
    carriers = admin.get("/admin/carriers/", headers=RUSSIAN).get_data(as_text=True)
    assert "Новый оператор" in carriers and "Рискованные условия договора" in carriers and "ИНН 7705017253" in carriers
    assert "Операторы по запросу «нигде» не найдены." in admin.get(
        "/admin/carriers/?q=нигде", headers=RUSSIAN).get_data(as_text=True)
    tariffs = admin.get("/admin/tariffs/", headers=RUSSIAN).get_data(as_text=True)
    assert "01.01.2025 – бессрочно" in tariffs and "0,00\u00a0руб." in tariffs and "Посекундная" in tariffs
    form = admin.get("/admin/carriers/new", headers=RUSSIAN).get_data(as_text=True)
    for russian in ("Новый оператор", "Название на русском", "Полное наименование на русском",
                    "Юридический адрес на русском", "Подписант на русском", "Часовой пояс тарификации", "ИНН",
                    "Язык договора", "Русский", "Принимает протокол разногласий", "Сохранить"):
        assert russian in form, russian
    assert "Legal name" not in form and ">Russian<" not in form
    users = admin.get("/admin/users/new", headers=RUSSIAN).get_data(as_text=True)
    assert "Бухгалтер" in users and "Не менее 8 символов." in users and "Accountant" not in users
    # The audit trail names what happened: the sign-in and the records made above are not a request's events.
    admin.post("/admin/pbx/new", data={"name": "Office PBX", "kind": "manual"})
    trail = admin.get("/admin/audit/", headers=RUSSIAN).get_data(as_text=True)
    assert "Журнал аудита" in trail and "Цепочка сходится" in trail
    assert "Вход в систему" in trail and "Запись создана" in trail and "Создана как черновик" not in trail


def test_admin_errors_and_messages_in_russian(app, admin):
    created = admin.post("/admin/departments/new", data=department_form(), headers=RUSSIAN, follow_redirects=True)
    assert "Филиал создан: Kazan office (Kazan)." in created.get_data(as_text=True)
    response = admin.post("/admin/departments/new", headers=RUSSIAN,
                          data=department_form(name="kazan office", cost_centre="", time_zone="Mars/Olympus"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for russian in ("Исправьте отмеченные ниже поля.", "Филиал с таким названием уже есть.",
                    "Неизвестный часовой пояс", "Обязательное поле."):
        assert russian in page, russian
    assert "already exists" not in page and "This field is required." not in page


def test_admin_pages_stay_english_for_an_english_browser(app, admin):
    make_one_of_each(app)
    for url in ("/admin/", "/admin/carriers/", "/admin/tariffs/", "/admin/pbx/new", "/admin/users/new"):
        page = admin.get(url, headers=ENGLISH).get_data(as_text=True)
        assert not re.search("[А-Яа-яЁё]", page), url
    # The carrier form's hints show Russian names as examples; its words are English.
    form = admin.get("/admin/carriers/new", headers=ENGLISH).get_data(as_text=True)
    assert "Name in Russian" in form and "Legal address in Russian" in form and "Billing time zone" in form
    assert ">Russian</option>" in form and "Название" not in form
