"""Turns a request into plain data for the contract templates, and stores what they render."""
import os
from datetime import date
from decimal import Decimal

from contract_templates import TemplateError, render_document, template_version
from contract_templates.formatting import format_date, format_money, money_in_words
from contract_templates.validation import render_limited
from models import Document, NumberRequest, TemplateVersion, national_format
from models.choices import BillingIncrement, DocumentKind, Language, NumberType
from models.secrets import MASK

RU_DESTINATIONS = {"local": "Местные вызовы", "long_distance": "Междугородние вызовы", "mobile": "Вызовы на мобильные",
                   "international": "Международные вызовы", "toll_free_inbound": "Входящие на 8-800"}
EN_DESTINATIONS = {"local": "Local", "long_distance": "Long distance", "mobile": "Mobile",
                   "international": "International", "toll_free_inbound": "Toll-free inbound"}


def company() -> dict:
    """The customer side of every contract; set through the environment for a real deployment."""
    return {
        "name": os.environ.get("NUMBERDESK_COMPANY_NAME", "Example Retail"),
        "legal_name": os.environ.get("NUMBERDESK_COMPANY_LEGAL_NAME", "Example Retail LLC"),
        "tax_id": os.environ.get("NUMBERDESK_COMPANY_TAX_ID", "7701000000"),
        "address": os.environ.get("NUMBERDESK_COMPANY_ADDRESS", "1 Tverskaya St, Moscow, 125009"),
        "signatory": os.environ.get("NUMBERDESK_COMPANY_SIGNATORY", "Chief Executive Officer"),
    }


def _amount(value: Decimal | None, places: str = "0.01") -> str:
    return "" if value is None else str(value.quantize(Decimal(places)))


def build_context(request: NumberRequest, today: date) -> dict:
    carrier, department, pbx = request.carrier, request.department, request.pbx
    language = carrier.language
    tariff = carrier.tariff_on(request.signed_on or today)
    if tariff is None:
        raise LookupError(f"{carrier.name} has no tariff in force on {today.isoformat()}")
    destinations = RU_DESTINATIONS if language == Language.RU else EN_DESTINATIONS
    trunk = (request.order.trunk if request.order and request.order.trunk else {})
    currency = carrier.currency
    # The company's own terms go into the contract, whatever the carrier's standard says.
    penalty_cap = carrier.penalty_cap if carrier.penalty_cap is not None else tariff.monthly_fee * 12

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, language)

    def words(amount: Decimal) -> str:
        return money_in_words(amount, currency, language)
    return {
        "language": language,
        "document": {"reference": request.reference, "date": format_date(today, language)},
        "company": company(),
        "carrier": {
            "name": carrier.name, "legal_name": carrier.legal_name, "tax_id": carrier.tax_id,
            "address": carrier.address, "signatory": carrier.signatory or "", "currency": currency,
            "price_change_notice_days": max(carrier.price_change_notice_days or 0, 30),
            "invoice_dispute_days": max(carrier.invoice_dispute_days, 30),
            "penalty_cap": _amount(penalty_cap), "penalty_cap_text": money(penalty_cap),
            "penalty_cap_words": words(penalty_cap),
        },
        "department": {
            "name": department.name, "city": department.city, "address": department.address,
            "cost_centre": department.cost_centre, "ring_group": department.ring_group or f"rg-{department.id}",
        },
        "request": {
            "reference": request.reference, "number_type": request.number_type,
            "number_type_label": NumberType.label(request.number_type), "quantity": request.quantity,
            "purpose": request.purpose,
        },
        "tariff": {
            "name": tariff.name, "valid_from": tariff.valid_from.isoformat(),
            "valid_to": tariff.valid_to.isoformat() if tariff.valid_to else "", "currency": currency,
            "monthly_fee": _amount(tariff.monthly_fee), "one_time_fee": _amount(tariff.one_time_fee),
            "monthly_fee_text": money(tariff.monthly_fee), "one_time_fee_text": money(tariff.one_time_fee),
            "monthly_fee_words": words(tariff.monthly_fee), "one_time_fee_words": words(tariff.one_time_fee),
            "billing_increment": BillingIncrement.label(tariff.billing_increment).lower(),
            "rates": [{"destination": destinations[name], "price_per_minute": _amount(rate, "0.0001"),
                       "price_text": f"{_amount(rate, '0.0001')} {currency}"}
                      for name, rate in tariff.rates().items()],
        },
        "pbx": {"name": pbx.name, "vendor": pbx.vendor, "kind": pbx.kind, "resells_numbers": pbx.resells_numbers},
        "numbers": [{"e164": n.e164, "national": national_format(n.e164)} for n in request.numbers],
        "trunk": {
            "type": trunk.get("type", ""), "registrar": trunk.get("registrar", ""),
            # Documents are read by many: the password stays encrypted with the order, and sysadmins read it
            # on the request page.
            "username": trunk.get("username", ""),
            "password": MASK if request.order and request.order.trunk_secret else "",
            "addresses": list(trunk.get("addresses", [])),
        },
        "start_date": (request.signed_on or today).isoformat(),
        "protocol": {
            "round": max((item.round for item in request.disagreements), default=0),
            "clauses": [{"clause": item.clause, "carrier_wording": item.carrier_wording,
                         "our_wording": item.our_wording, "agreed_wording": item.agreed_wording or ""}
                        for item in request.protocol_round()],
        },
    }


class DocumentNotMade(Exception):
    """A document could not be rendered. ``str(error)`` is "the <kind> could not be made: <reason>", for
    the request page and the admins; the step records it and leaves the request where it is."""

    def __init__(self, kind: str, reason: str) -> None:
        label = DocumentKind.label(kind)
        name = label[0].lower() + label[1:] if label[1:2].islower() else label  # keeps "PBX"
        super().__init__(f"the {name} could not be made: {reason}")
        self.kind, self.reason = kind, reason


def store_document(request: NumberRequest, kind: str, context: dict, made_by: str) -> Document:
    """Render one document and keep it as a new version; earlier versions stay as they were.

    An uploaded template version, when one is active, wins over the bundled template. It is rendered
    in a child process under the same CPU, memory and time limits as the upload's test render: a
    template that passed with sample data may still loop or allocate without end on real data.
    Raises DocumentNotMade.
    """
    language = context["language"]
    uploaded = TemplateVersion.active_for(kind, language)
    try:
        if uploaded is not None:
            content, version = render_limited(kind, language, uploaded.content, context), uploaded.label
        else:
            content, version = render_document(kind, language, context), template_version(kind, language)
    except TemplateError as error:
        source = f"uploaded template {uploaded.label}" if uploaded is not None else "bundled template"
        raise DocumentNotMade(kind, f"{error.message} ({source})") from error
    return Document.new_version(request, kind, content, template_version=version, language=language,
                                created_by=made_by)
