"""The one way a document's context is made: plain facts in, the templates' variables out, in the document's
language.

Real documents take their facts from the database (``workflows.documents.facts_of``); the template check and the
variables reference take the sample's (``contract_templates.sample``).  Both go through :func:`build_context`,
so a template is checked against exactly the variables, and the forms of dates, money and labels, that a real
document gets.

Facts hold values as the domain keeps them: dates, Decimals, choice codes (``local``, ``per_second``), and
names in both languages (:class:`Bilingual`).  Everything written out for a reader (dates, amounts, amounts in
words, labels, currency names) is written here, with ``models.formatting`` and the labels of
``models.choices``, in the carrier's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from models.choices import BillingIncrement, DestinationClass, NumberType, PbxKind, ProtocolAnswer, TrunkType
from models.numbers import national_format
from models.secrets import MASK

from . import LANGUAGES
from models.formatting import currency_name, format_date, format_money, money_in_words, plain_amount

# The company's own terms go into every contract, whatever the carrier's standard contract says.
MIN_NOTICE_DAYS = 30
MIN_DISPUTE_DAYS = 30
# Without a cap of the carrier's, penalties are capped at a year of the monthly fee.
PENALTY_CAP_MONTHS = 12


@dataclass(frozen=True)
class Bilingual:
    """A name or an address kept in English and in Russian; a Russian one left empty falls back to the
    English."""

    en: str
    ru: str = ""

    def get(self, language: str) -> str:
        if language == "ru" and self.ru.strip():
            return self.ru
        return self.en


@dataclass(frozen=True)
class Party:
    """Our company or a carrier, as contracts name it."""

    name: Bilingual
    legal_name: Bilingual
    tax_id: str
    address: Bilingual
    signatory: Bilingual


@dataclass(frozen=True)
class CarrierFacts:
    party: Party
    language: str  # the carrier's documents are in it
    currency: str
    price_change_notice_days: int | None  # the carrier's standard terms
    invoice_dispute_days: int
    penalty_cap: Decimal | None


@dataclass(frozen=True)
class BranchFacts:
    name: Bilingual
    city: Bilingual
    address: Bilingual
    cost_centre: str
    ring_group: str


@dataclass(frozen=True)
class TariffFacts:
    name: str
    valid_from: date
    valid_to: date | None
    monthly_fee: Decimal
    one_time_fee: Decimal
    billing_increment: str  # a BillingIncrement value
    rates: tuple[tuple[str, Decimal], ...]  # (DestinationClass value, price per minute), in the tariff's order


@dataclass(frozen=True)
class PbxFacts:
    name: Bilingual
    vendor: Bilingual
    kind: str  # a PbxKind value
    resells_numbers: bool


@dataclass(frozen=True)
class TrunkFacts:
    type: str = ""  # a TrunkType value, or "" before the carrier sends the trunk
    registrar: str = ""
    username: str = ""
    has_password: bool = False  # documents never print it, only that there is one
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClauseFacts:
    clause: str
    carrier_wording: str
    our_wording: str
    agreed_wording: str = ""
    answer: str = ""  # a ProtocolAnswer value; "" before the carrier answers
    counter_wording: str = ""
    round: int = 0


@dataclass(frozen=True)
class DocumentFacts:
    """Everything any document of a request can show."""

    reference: str
    made_on: date
    start_date: date
    company: Party
    carrier: CarrierFacts
    department: BranchFacts
    number_type: str  # a NumberType value
    quantity: int
    purpose: str
    tariff: TariffFacts
    pbx: PbxFacts
    numbers: tuple[str, ...] = ()  # E.164
    trunk: TrunkFacts = TrunkFacts()
    protocol_round: int = 0
    clauses: tuple[ClauseFacts, ...] = ()
    # The items of the rounds before this one, with the carrier's answers.
    earlier_clauses: tuple[ClauseFacts, ...] = ()


def _clause(item: ClauseFacts, language: str) -> dict:
    return {"round": item.round, "clause": item.clause, "carrier_wording": item.carrier_wording,
            "our_wording": item.our_wording, "agreed_wording": item.agreed_wording,
            "answer": ProtocolAnswer.label(item.answer, language) if item.answer else "",
            "counter_wording": item.counter_wording}


def _party(party: Party, language: str) -> dict[str, str]:
    return {"name": party.name.get(language), "legal_name": party.legal_name.get(language), "tax_id": party.tax_id,
            "address": party.address.get(language), "signatory": party.signatory.get(language)}


def build_context(facts: DocumentFacts) -> dict[str, Any]:
    """The variables every template receives (``schema.VARIABLES``), as plain data in the carrier's language."""
    language = facts.carrier.language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    carrier, tariff, trunk = facts.carrier, facts.tariff, facts.trunk
    currency = carrier.currency
    penalty_cap = carrier.penalty_cap if carrier.penalty_cap is not None else tariff.monthly_fee * PENALTY_CAP_MONTHS

    def day(value: date | None) -> str:
        return format_date(value, language) if value is not None else ""

    def money(amount: Decimal, **places: int) -> str:
        return format_money(amount, currency, language, **places)

    def words(amount: Decimal) -> str:
        return money_in_words(amount, currency, language)

    return {
        "language": language,
        "document": {"reference": facts.reference, "date": day(facts.made_on)},
        "company": _party(facts.company, language),
        "carrier": {
            **_party(carrier.party, language),
            "currency": currency, "currency_name": currency_name(currency, language),
            "price_change_notice_days": max(carrier.price_change_notice_days or 0, MIN_NOTICE_DAYS),
            "invoice_dispute_days": max(carrier.invoice_dispute_days or 0, MIN_DISPUTE_DAYS),
            "penalty_cap": plain_amount(penalty_cap), "penalty_cap_text": money(penalty_cap),
            "penalty_cap_words": words(penalty_cap),
        },
        "department": {
            "name": facts.department.name.get(language), "city": facts.department.city.get(language),
            "address": facts.department.address.get(language), "cost_centre": facts.department.cost_centre,
            "ring_group": facts.department.ring_group,
        },
        "request": {
            "reference": facts.reference, "number_type": facts.number_type,
            "number_type_label": NumberType.label(facts.number_type, language), "quantity": facts.quantity,
            "purpose": facts.purpose,
        },
        "tariff": {
            "name": tariff.name, "valid_from": day(tariff.valid_from), "valid_to": day(tariff.valid_to),
            "currency": currency, "currency_name": currency_name(currency, language),
            "monthly_fee": plain_amount(tariff.monthly_fee), "one_time_fee": plain_amount(tariff.one_time_fee),
            "monthly_fee_text": money(tariff.monthly_fee), "one_time_fee_text": money(tariff.one_time_fee),
            "monthly_fee_words": words(tariff.monthly_fee), "one_time_fee_words": words(tariff.one_time_fee),
            # Mid-sentence: «Тарификация вызовов: посекундная», "Calls are billed per second".
            "billing_increment": BillingIncrement.label(tariff.billing_increment, language).lower(),
            "rates": [{"destination": DestinationClass.label(destination, language),
                       "price_per_minute": plain_amount(price, 4),
                       "price_text": money(price, max_places=4)}
                      for destination, price in tariff.rates],
        },
        "pbx": {
            "name": facts.pbx.name.get(language), "vendor": facts.pbx.vendor.get(language), "kind": facts.pbx.kind,
            "kind_label": PbxKind.label(facts.pbx.kind, language), "resells_numbers": facts.pbx.resells_numbers,
        },
        "numbers": [{"e164": number, "national": national_format(number)} for number in facts.numbers],
        "trunk": {
            "type": trunk.type, "type_label": TrunkType.label(trunk.type, language) if trunk.type else "",
            "registrar": trunk.registrar, "username": trunk.username,
            # Documents are read by many: the password stays encrypted with the order, and sysadmins read it
            # on the request page.
            "password": MASK if trunk.has_password else "",
            "addresses": list(trunk.addresses),
        },
        "start_date": day(facts.start_date),
        "protocol": {
            "round": facts.protocol_round,
            "clauses": [_clause(item, language) for item in facts.clauses],
            "history": [_clause(item, language) for item in facts.earlier_clauses],
        },
    }
