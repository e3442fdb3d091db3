"""Sample facts for every contract template, and the context they make.

Used by the tests, the variables reference and the check of uploaded templates: a template that renders with
``sample_context(lang)`` only uses variables the application provides.  The context is made by the same
:func:`contract_templates.context.build_context` as every real document's, so the two cannot differ in shape
or in the way dates, money and labels are written.  Some values deliberately contain ``&``, ``<``, ``>`` and
quotes so that escaping problems show up.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from . import LANGUAGES
from .context import (Bilingual, BranchFacts, CarrierFacts, ClauseFacts, DocumentFacts, Party, PbxFacts, TariffFacts,
                      TrunkFacts, build_context)

COMPANY = Party(
    name=Bilingual("Example Retail", "Пример Ритейл"),
    legal_name=Bilingual('Example Retail & Co "North" LLC', 'ООО «Пример Ритейл & Ко "Север"»'),
    tax_id="1655123456",
    address=Bilingual("12 Bauman Street, office 5, Kazan, 420111, Russia",
                      "420111, Республика Татарстан, г. Казань, ул. Баумана, д. 12, офис 5"),
    signatory=Bilingual("Anna S. Petrova, General Director", "Петрова Анна Сергеевна, генеральный директор"),
)
CARRIER = Party(
    name=Bilingual("Volga Telecom", "Волга Телеком"),
    legal_name=Bilingual("Volga Telecom JSC", "АО «Волга Телеком»"),
    tax_id="1656987654",
    address=Bilingual("40 Tatarstan Street, Kazan, 420021, Russia",
                      "420021, Республика Татарстан, г. Казань, ул. Татарстан, д. 40"),
    signatory=Bilingual("Ivan P. Sidorov, Commercial Director", "Сидоров Иван Петрович, коммерческий директор"),
)
DEPARTMENT = BranchFacts(
    name=Bilingual("Kazan Sales Office", "Казанский филиал (отдел продаж)"),
    city=Bilingual("Kazan", "Казань"),
    address=Bilingual("12 Bauman Street, Kazan, 420111", "420111, г. Казань, ул. Баумана, д. 12"),
    cost_centre="CC-4120",
    ring_group="600",
)
PBX = PbxFacts(name=Bilingual("Kazan office PBX", "АТС казанского офиса"),
               vendor=Bilingual("CloudPBX Ltd", "ООО «ОблачнаяАТС»"), kind="manual", resells_numbers=True)
RATES = (("local", Decimal("0.9000")), ("long_distance", Decimal("2.5000")), ("mobile", Decimal("1.9500")),
         ("international", Decimal("12.0000")), ("toll_free", Decimal("3.2000")))

# A protocol of disagreements with one clause still open (no agreed wording).
_PROTOCOL_ITEMS = {
    "en": [
        {
            "clause": "3.3",
            "carrier_wording": "The Carrier may change its prices by notice given 10 days in "
                               "advance.",
            "our_wording": "The Carrier may change its prices only by written notice given at "
                           "least 30 days in advance.",
            "agreed_wording": "The Carrier may change its prices only by written notice given at "
                              "least 30 days in advance.",
        },
        {
            "clause": "4.1",
            "carrier_wording": "Penalties are not capped.",
            "our_wording": 'Penalties are capped at RUB 50,000.00 & "no more" (< cap > fee).',
            "agreed_wording": "Penalties are capped at RUB 50,000.00 in aggregate.",
        },
        {
            "clause": "6.1",
            "carrier_wording": "The Customer may terminate the Contract at the end of a year.",
            "our_wording": "The Customer may terminate the Contract at any time by 30 days' "
                           "notice.",
            "agreed_wording": "",
        },
    ],
    "ru": [
        {
            "clause": "3.3",
            "carrier_wording": "Оператор вправе изменить цены, уведомив Абонента за 10 дней.",
            "our_wording": "Оператор вправе изменить цены только при письменном уведомлении "
                           "Абонента не менее чем за 30 календарных дней.",
            "agreed_wording": "Оператор вправе изменить цены только при письменном уведомлении "
                              "Абонента не менее чем за 30 календарных дней.",
        },
        {
            "clause": "4.1",
            "carrier_wording": "Размер неустойки не ограничен.",
            "our_wording": 'Неустойка ограничена суммой 50 000,00 руб. & «не более» (< лимит >).',
            "agreed_wording": "Общий размер неустоек не может превышать 50 000,00 руб.",
        },
        {
            "clause": "6.1",
            "carrier_wording": "Абонент вправе расторгнуть Договор по окончании года.",
            "our_wording": "Абонент вправе расторгнуть Договор в любое время, уведомив Оператора "
                           "за 30 дней.",
            "agreed_wording": "",
        },
    ],
}
# The round before: the carrier answered the penalty clause with a wording of its own.
_EARLIER_ITEMS = {
    "en": [{"clause": "4.1", "carrier_wording": "Penalties are not capped.",
            "our_wording": "Penalties are capped at RUB 30,000.00 in aggregate.",
            "answer": "counter", "counter_wording": "Penalties are capped at RUB 100,000.00 in aggregate.",
            "round": 1}],
    "ru": [{"clause": "4.1", "carrier_wording": "Размер неустойки не ограничен.",
            "our_wording": "Общий размер неустоек не может превышать 30 000,00 руб.",
            "answer": "counter", "counter_wording": "Общий размер неустоек не может превышать 100 000,00 руб.",
            "round": 1}],
}


# What people write themselves (a purpose, a tariff's name, the clauses of a protocol) is in one language only:
# the sample has it in each document language.
_WRITTEN = {
    "en": {"purpose": "Customers' sales hotline (calls > 2 min go to <VIP> queue)", "tariff": "Business Local 2026"},
    "ru": {"purpose": "Горячая линия отдела продаж (звонки > 2 мин — в очередь <VIP>)",
           "tariff": "Бизнес Местный 2026"},
}


def sample_facts(language: str = "en") -> DocumentFacts:
    """The sample's facts, with a carrier whose documents are in ``language`` ("en" or "ru")."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    written = _WRITTEN[language]
    return DocumentFacts(
        reference="NR-00012",
        made_on=date(2026, 11, 28),
        start_date=date(2026, 12, 1),
        company=COMPANY,
        carrier=CarrierFacts(party=CARRIER, language=language, currency="RUB", price_change_notice_days=30,
                             invoice_dispute_days=15, penalty_cap=Decimal("50000.00")),
        department=DEPARTMENT,
        number_type="local",
        quantity=2,
        purpose=written["purpose"],
        tariff=TariffFacts(name=written["tariff"], valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
                           monthly_fee=Decimal("1500.00"), one_time_fee=Decimal("3000.00"),
                           billing_increment="per_second", rates=RATES),
        pbx=PBX,
        numbers=("+78432000001", "+78432000002"),
        trunk=TrunkFacts(type="registration", registrar="sip.volgatelecom.example:5060", username="kzn-nr00012",
                         has_password=True),
        protocol_round=2,
        clauses=tuple(ClauseFacts(**item, round=2, answer="accepted" if item["agreed_wording"] else "")
                      for item in _PROTOCOL_ITEMS[language]),
        earlier_clauses=tuple(ClauseFacts(**item) for item in _EARLIER_ITEMS[language]),
    )


def sample_context(language: str = "en") -> dict[str, Any]:
    """Return a fresh, complete context for ``language`` ("en" or "ru")."""
    return build_context(sample_facts(language))
