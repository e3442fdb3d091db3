"""Russian documents are Russian throughout: the demo's Russian carrier (VolgaLink, Kazan), with the Russian
names an admin fills in, gets documents a Russian lawyer need not retype; and the sample the template check uses
is made by the same builder as a real document's context."""
import re
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from conftest import make_app
from contract_templates.sample import sample_context
from contract_templates.schema import paths_of, value_type
from models import db
from models import choices
from models.choices import ChoiceSet
from test_contract_pack import complete_request, text_of
from workflows.documents import build_context, company, store_document

KINDS = ["service_contract", "tariff_appendix", "supplementary_agreement", "tripartite_agreement",
         "disagreement_protocol", "order_letter", "pbx_sheet"]
# What an admin fills in for the demo's records in Russian (the English stays as the demo has it).
RUSSIAN = {
    "department": {"Kazan": {"name_ru": "Шоурум в Казани", "city_ru": "Казань",
                             "address_ru": "420111, г. Казань, ул. Баумана, д. 20"}},
    "carrier": {"VolgaLink": {"name_ru": "ВолгаЛинк", "legal_name_ru": "ООО «ВолгаЛинк Региональный Телеком»",
                              "address_ru": "420111, г. Казань, ул. Пушкина, д. 4",
                              "signatory_ru": "директор Галиев Р."}},
    "pbx": {"CloudPBX Pro": {"name_ru": "КлаудАТС Про", "vendor_ru": "ООО «КлаудАТС»"}},
}
RUSSIAN_TARIFF = "Локальный Плюс"
RUSSIAN_PURPOSE = "Линия шоурума для местных звонков"
# What the lawyer writes in a protocol of disagreements with a Russian carrier.
RUSSIAN_CLAUSES = [{"clause": "4.2", "carrier_wording": "Оператор вправе изменить цены в любое время",
                    "our_wording": "Не менее чем за 60 дней с письменным уведомлением"}]
MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
RUSSIAN_DATE = re.compile(rf"«\d{{2}}» (?:{MONTHS}) \d{{4}} г\.")
MONTH_WORD = re.compile(rf"(?<![а-я])(?:{MONTHS})(?![а-я])")
# Latin words a Russian document may hold: terms Russian technical writing keeps in Latin, the product's own name
# and the label of its button that shows a trunk password (the sysadmin's sheet points at it).
LATIN_ALLOWED = ["Show trunk password", "numberdesk", "E.164", "SIP", "SBC", "IP"]


def plain(text_: str) -> str:
    return text_.replace("\u00a0", " ")


def fill_in_russian(catalog) -> None:
    for table, records in RUSSIAN.items():
        for key, names in records.items():
            record = catalog[table](key)
            for field, value in names.items():
                setattr(record, field, value)
    for tariff in catalog["carrier"]("VolgaLink").tariffs:
        tariff.name = RUSSIAN_TARIFF
    db.session.commit()


@pytest.fixture
def kazan_request(people, catalog, monkeypatch):
    for field in ("NAME", "LEGAL_NAME", "TAX_ID", "ADDRESS", "SIGNATORY"):
        monkeypatch.delenv(f"NUMBERDESK_COMPANY_{field}", raising=False)
        monkeypatch.delenv(f"NUMBERDESK_COMPANY_{field}_RU", raising=False)
    fill_in_russian(catalog)
    request = complete_request(people, catalog, "Kazan", "VolgaLink", pbx="CloudPBX Pro", clauses=RUSSIAN_CLAUSES)
    request.purpose = RUSSIAN_PURPOSE
    db.session.commit()
    return request


def latin_left(text_: str, context: dict) -> list[str]:
    """The Latin words of ``text_`` outside the allowed ones and the request's own codes and host names."""
    codes = [context["request"]["reference"], context["department"]["cost_centre"],
             context["department"]["ring_group"], context["trunk"]["registrar"], context["trunk"]["username"],
             *context["trunk"]["addresses"]]
    text_ = re.sub(r"\S+@\S+|https?://\S+|www\.\S+", " ", text_)  # e-mail addresses and web addresses
    for allowed in sorted(filter(None, codes), key=len, reverse=True) + LATIN_ALLOWED:
        text_ = re.sub(rf"(?<![A-Za-z]){re.escape(allowed)}(?![A-Za-z])", " ", text_)
    return re.findall(r"[A-Za-z][A-Za-z'-]*", text_)


@pytest.mark.parametrize("kind", KINDS)
def test_russian_documents_hold_no_latin_word_and_no_iso_date(kazan_request, kind):
    context = build_context(kazan_request, date(2026, 12, 2))
    assert context["language"] == "ru"
    content = store_document(kazan_request, kind, context, "test").content
    text_ = plain(text_of(content))

    assert not re.search(r"\d{4}-\d{2}-\d{2}", text_), "an ISO date in a Russian document"
    assert "«02» декабря 2026 г." in text_  # the document's date
    assert "г.." not in text_  # a date ending a sentence brings its own full stop
    assert not re.search(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b", text_)
    assert len(MONTH_WORD.findall(text_)) == len(RUSSIAN_DATE.findall(text_)) > 0, "every date as «DD» месяц YYYY г."
    assert latin_left(text_, context) == []
    assert "ВолгаЛинк Региональный Телеком" in text_ or kind == "pbx_sheet"
    assert "ООО «Пример Ритейл»" in text_ or kind == "pbx_sheet"
    if kind in ("supplementary_agreement", "order_letter"):
        assert "«Местный (географический)»" in text_
    if kind in ("order_letter", "pbx_sheet"):
        assert "г. Казань" in text_
    if kind in ("supplementary_agreement", "tripartite_agreement", "order_letter", "pbx_sheet"):
        assert context["start_date"] in text_ and RUSSIAN_DATE.fullmatch(context["start_date"])


def test_russian_tariff_appendix_states_money_in_russian(kazan_request):
    context = build_context(kazan_request, date(2026, 12, 2))
    text_ = plain(text_of(store_document(kazan_request, "tariff_appendix", context, "test").content))
    assert "Местные вызовы\n" in text_ and "0,65 руб." in text_  # VolgaLink's local rate
    assert "Входящие вызовы на номера 8-800" in text_ and "1,50 руб." in text_
    assert "390,00 руб." in text_ and "триста девяносто рублей 00 копеек" in text_  # the monthly fee, in words
    assert "2 500,00 руб." in text_ and "две тысячи пятьсот рублей 00 копеек" in text_
    assert "Тарификация вызовов: посекундная." in text_
    assert "Действует с\n«01» января 2026 г." in text_
    assert "Валюта\nроссийский рубль" in text_
    assert "RUB" not in text_ and "0.65" not in text_


def test_russian_service_contract_caps_penalties_in_words(kazan_request):
    context = build_context(kazan_request, date(2026, 12, 2))
    text_ = plain(text_of(store_document(kazan_request, "service_contract", context, "test").content))
    # VolgaLink caps nothing: a year of the monthly fee, 12 x 390.
    assert "не могут превышать 4 680,00 руб. (четыре тысячи шестьсот восемьдесят рублей 00 копеек)" in text_
    assert "Валюта цен — российский рубль." in text_


def test_a_russian_name_left_empty_falls_back_to_the_english(people, catalog):
    request = complete_request(people, catalog, "Kazan", "VolgaLink")
    carrier = catalog["carrier"]("VolgaLink")
    carrier.legal_name_ru = "ООО «ВолгаЛинк Региональный Телеком»"
    carrier.address_ru = ""
    catalog["department"]("Kazan").city_ru = ""
    db.session.commit()
    context = build_context(request, date(2026, 12, 2))
    assert context["carrier"]["legal_name"] == "ООО «ВолгаЛинк Региональный Телеком»"
    assert context["carrier"]["address"] == carrier.address  # no Russian address yet: the English one
    assert context["department"]["city"] == "Kazan"
    english = build_context(complete_request(people, catalog, "St Petersburg", "Nordtel"), date(2026, 12, 2))
    assert english["language"] == "en" and english["company"]["legal_name"] == "Example Retail LLC"
    assert english["document"]["date"] == "2 December 2026"


def test_the_company_in_russian_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("NUMBERDESK_COMPANY_LEGAL_NAME", "Acme Retail LLC")
    monkeypatch.delenv("NUMBERDESK_COMPANY_LEGAL_NAME_RU", raising=False)
    # A real company without a Russian name: its English one, never the example's Russian.
    assert company().legal_name.get("ru") == "Acme Retail LLC"
    monkeypatch.setenv("NUMBERDESK_COMPANY_LEGAL_NAME_RU", "ООО «Акме Ритейл»")
    assert company().legal_name.get("ru") == "ООО «Акме Ритейл»"
    assert company().legal_name.get("en") == "Acme Retail LLC"


@pytest.mark.parametrize("city,carrier,language", [("Kazan", "VolgaLink", "ru"), ("St Petersburg", "Nordtel", "en")])
def test_the_sample_has_exactly_the_shape_of_a_real_context(people, catalog, city, carrier, language):
    real = build_context(complete_request(people, catalog, city, carrier), date(2026, 12, 2))
    sample = sample_context(language)
    real_paths, sample_paths = paths_of(real), paths_of(sample)
    assert sorted(real_paths) == sorted(sample_paths)
    assert {path: value_type(value) for path, value in real_paths.items()} == \
        {path: value_type(value) for path, value in sample_paths.items()}


def test_every_choice_has_a_russian_label():
    sets = [value for value in vars(choices).values()
            if isinstance(value, type) and issubclass(value, ChoiceSet) and value is not ChoiceSet]
    assert len(sets) >= 15
    for choice_set in sets:
        for value in choice_set.values():
            russian = choice_set.label(value, "ru")
            assert russian != choice_set.label(value, "en"), (choice_set.__name__, value)
            assert re.search("[а-яё]", russian), (choice_set.__name__, value)
    assert choices.BillingIncrement.label("per_second", "ru") == "Посекундная"
    assert choices.NumberType.choices("ru")[0] == ("local", "Местный (географический)")
    with pytest.raises(ValueError):
        choices.NumberType.label("local", "de")


def test_migration_0008_adds_empty_russian_names_and_goes_back(tmp_path):
    app = make_app(tmp_path / "names.db")
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0007")
        db.session.execute(text("INSERT INTO pbx_system (name, kind, vendor, resells_numbers, notes) "
                                "VALUES ('Office Asterisk', 'manual', 'self-hosted', 0, '')"))
        db.session.commit()
        upgrade(directory=directory, revision="0008")
        row = db.session.execute(text("SELECT name, name_ru, vendor_ru FROM pbx_system")).one()
        assert tuple(row) == ("Office Asterisk", "", "")
        downgrade(directory=directory, revision="0007")
        columns = [column[1] for column in db.session.execute(text("PRAGMA table_info(pbx_system)"))]
        assert "vendor_ru" not in columns and "vendor" in columns
        db.session.remove()
        db.engine.dispose()
