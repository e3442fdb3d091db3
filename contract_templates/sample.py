"""A complete, realistic rendering context for every contract template.

Used by the tests and for validating uploaded templates: a template that
renders with ``sample_context(lang)`` only uses variables the application
provides.  Some values deliberately contain ``&``, ``<``, ``>`` and quotes so
that escaping problems show up.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from . import LANGUAGES
from .formatting import format_date, format_money, money_in_words

_CURRENCY = "RUB"
_MONTHLY_FEE = Decimal("1500.00")
_ONE_TIME_FEE = Decimal("3000.00")
_PENALTY_CAP = Decimal("50000.00")

_RATES = {
    "en": [
        ("Local", "0.9000"),
        ("Long distance", "2.5000"),
        ("Mobile", "1.9500"),
        ("International", "12.0000"),
        ("Toll-free inbound", "3.2000"),
    ],
    "ru": [
        ("Местные вызовы", "0.9000"),
        ("Междугородные вызовы", "2.5000"),
        ("Вызовы на мобильные телефоны", "1.9500"),
        ("Международные вызовы", "12.0000"),
        ("Входящие вызовы на бесплатный номер 8-800", "3.2000"),
    ],
}

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

_TEXT = {
    "en": {
        "company": {
            "name": "Example Retail",
            "legal_name": 'Example Retail & Co "North" LLC',
            "tax_id": "1655123456",
            "address": "12 Bauman Street, office 5, Kazan, 420111, Russia",
            "signatory": "Anna S. Petrova, General Director",
        },
        "carrier": {
            "name": "Volga Telecom",
            "legal_name": "Volga Telecom JSC",
            "tax_id": "1656987654",
            "address": "40 Tatarstan Street, Kazan, 420021, Russia",
            "signatory": "Ivan P. Sidorov, Commercial Director",
            "penalty_cap": "50,000.00",
        },
        "department": {
            "name": "Kazan Sales Office",
            "city": "Kazan",
            "address": "12 Bauman Street, Kazan, 420111",
            "cost_centre": "CC-4120",
        },
        "number_type_label": "Local (geographic)",
        "purpose": "Customers' sales hotline (calls > 2 min go to <VIP> queue)",
        "tariff_name": "Business Local 2026",
        "billing_increment": "per second",
        "pbx": {"name": "Kazan office PBX", "vendor": "CloudPBX Ltd", "kind": "cloud"},
    },
    "ru": {
        "company": {
            "name": "Пример Ритейл",
            "legal_name": 'ООО «Пример Ритейл & Ко "Север"»',
            "tax_id": "1655123456",
            "address": "420111, Республика Татарстан, г. Казань, ул. Баумана, д. 12, офис 5",
            "signatory": "Петрова Анна Сергеевна, генеральный директор",
        },
        "carrier": {
            "name": "Волга Телеком",
            "legal_name": "АО «Волга Телеком»",
            "tax_id": "1656987654",
            "address": "420021, Республика Татарстан, г. Казань, ул. Татарстан, д. 40",
            "signatory": "Сидоров Иван Петрович, коммерческий директор",
            "penalty_cap": "50 000,00",
        },
        "department": {
            "name": "Казанский филиал (отдел продаж)",
            "city": "Казань",
            "address": "420111, г. Казань, ул. Баумана, д. 12",
            "cost_centre": "ЦЗ-4120",
        },
        "number_type_label": "Местный (географический)",
        "purpose": "Горячая линия отдела продаж (звонки > 2 мин — в очередь <VIP>)",
        "tariff_name": "Бизнес Местный 2026",
        "billing_increment": "посекундная",
        "pbx": {"name": "Казань-Офис", "vendor": "ООО «ОблачнаяАТС»", "kind": "облачная"},
    },
}


def sample_context(language: str = "en") -> dict[str, Any]:
    """Return a fresh, complete context for ``language`` ("en" or "ru")."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    text = _TEXT[language]
    return {
        "language": language,
        "document": {"reference": "NR-00012", "date": format_date(date(2026, 11, 28), language)},
        "company": dict(text["company"]),
        "carrier": {
            **text["carrier"],
            "penalty_cap_text": format_money(_PENALTY_CAP, _CURRENCY, language),
            "penalty_cap_words": money_in_words(_PENALTY_CAP, _CURRENCY, language),
            "currency": _CURRENCY,
            "price_change_notice_days": 30,
            "invoice_dispute_days": 15,
        },
        "department": {**text["department"], "ring_group": "600"},
        "request": {
            "reference": "NR-00012",
            "number_type": "local",
            "number_type_label": text["number_type_label"],
            "quantity": 2,
            "purpose": text["purpose"],
        },
        "tariff": {
            "name": text["tariff_name"],
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "currency": _CURRENCY,
            "monthly_fee": "1500.00",
            "one_time_fee": "3000.00",
            "monthly_fee_text": format_money(_MONTHLY_FEE, _CURRENCY, language),
            "one_time_fee_text": format_money(_ONE_TIME_FEE, _CURRENCY, language),
            "monthly_fee_words": money_in_words(_MONTHLY_FEE, _CURRENCY, language),
            "one_time_fee_words": money_in_words(_ONE_TIME_FEE, _CURRENCY, language),
            "billing_increment": text["billing_increment"],
            "rates": [
                {
                    "destination": destination,
                    "price_per_minute": price,
                    "price_text": format_money(Decimal(price), _CURRENCY, language, places=4),
                }
                for destination, price in _RATES[language]
            ],
        },
        "pbx": {**text["pbx"], "resells_numbers": True},
        "numbers": [
            {"e164": "+78432000001", "national": "8 (843) 200-00-01"},
            {"e164": "+78432000002", "national": "8 (843) 200-00-02"},
        ],
        "trunk": {
            "type": "registration",
            "registrar": "sip.volgatelecom.example:5060",
            "username": "kzn-nr00012",
            "password": 'Vt&8<x>"q2',
            "addresses": [],
        },
        "start_date": "2026-12-01",
        "protocol": {
            "round": 1,
            "clauses": [dict(item) for item in _PROTOCOL_ITEMS[language]],
        },
    }
