"""Reads a request's facts from the database for the one context builder, and stores what the templates
render."""
import os
from datetime import date

from contract_templates import TemplateError, render_document, template_version
from contract_templates.context import (Bilingual, BranchFacts, CarrierFacts, ClauseFacts, DocumentFacts, Party,
                                        PbxFacts, TariffFacts, TrunkFacts)
from contract_templates.context import build_context as context_from_facts
from contract_templates.validation import render_limited
from models import Document, NumberRequest, TemplateVersion
from models.choices import DestinationClass, DocumentKind

# The example company, in both languages, for installations that set none of its details.
EXAMPLE_COMPANY = {
    "NAME": ("Example Retail", "Пример Ритейл"),
    "LEGAL_NAME": ("Example Retail LLC", "ООО «Пример Ритейл»"),
    "ADDRESS": ("1 Tverskaya St, Moscow, 125009", "125009, г. Москва, ул. Тверская, д. 1"),
    "SIGNATORY": ("Chief Executive Officer", "генеральный директор"),
}
EXAMPLE_TAX_ID = "7701000000"
# A tariff's per-minute rates by the destination class of the calls they price.
RATE_CLASSES = {"local": DestinationClass.LOCAL, "long_distance": DestinationClass.LONG_DISTANCE,
                "mobile": DestinationClass.MOBILE, "international": DestinationClass.INTERNATIONAL,
                "toll_free_inbound": DestinationClass.TOLL_FREE}


def _company_text(field: str) -> Bilingual:
    """NUMBERDESK_COMPANY_<field> and its Russian, NUMBERDESK_COMPANY_<field>_RU. The example's Russian is used
    only while the English is the example's too: a real company's name is never paired with the example's."""
    english_default, russian_default = EXAMPLE_COMPANY[field]
    english = os.environ.get(f"NUMBERDESK_COMPANY_{field}")
    russian = os.environ.get(f"NUMBERDESK_COMPANY_{field}_RU", "")
    if english is None:
        return Bilingual(english_default, russian or russian_default)
    return Bilingual(english, russian)


def company() -> Party:
    """The customer side of every contract, in both languages; set through the environment for a real
    deployment (NUMBERDESK_COMPANY_NAME, _LEGAL_NAME, _TAX_ID, _ADDRESS, _SIGNATORY, and each but the tax ID
    again with _RU for Russian documents)."""
    return Party(name=_company_text("NAME"), legal_name=_company_text("LEGAL_NAME"),
                 tax_id=os.environ.get("NUMBERDESK_COMPANY_TAX_ID", EXAMPLE_TAX_ID),
                 address=_company_text("ADDRESS"), signatory=_company_text("SIGNATORY"))


def _both(record, field: str) -> Bilingual:
    return Bilingual(getattr(record, field) or "", getattr(record, f"{field}_ru") or "")


def facts_of(request: NumberRequest, today: date) -> DocumentFacts:
    """What the request's documents state, as the database holds it. Raises LookupError when the carrier
    has no tariff in force."""
    carrier, department, pbx = request.carrier, request.department, request.pbx
    start = request.signed_on or today
    tariff = carrier.tariff_on(start)
    if tariff is None:
        raise LookupError(f"{carrier.name} has no tariff in force on {start.isoformat()}")
    order = request.order
    trunk = (order.trunk if order and order.trunk else {})
    return DocumentFacts(
        reference=request.reference, made_on=today, start_date=start, company=company(),
        carrier=CarrierFacts(
            party=Party(name=_both(carrier, "name"), legal_name=_both(carrier, "legal_name"), tax_id=carrier.tax_id,
                        address=_both(carrier, "address"), signatory=_both(carrier, "signatory")),
            language=carrier.language, currency=carrier.currency,
            price_change_notice_days=carrier.price_change_notice_days,
            invoice_dispute_days=carrier.invoice_dispute_days, penalty_cap=carrier.penalty_cap),
        department=BranchFacts(name=_both(department, "name"), city=_both(department, "city"),
                               address=_both(department, "address"), cost_centre=department.cost_centre,
                               ring_group=department.ring_group or f"rg-{department.id}"),
        number_type=request.number_type, quantity=request.quantity, purpose=request.purpose,
        tariff=TariffFacts(name=tariff.name, valid_from=tariff.valid_from, valid_to=tariff.valid_to,
                           monthly_fee=tariff.monthly_fee, one_time_fee=tariff.one_time_fee,
                           billing_increment=tariff.billing_increment,
                           rates=tuple((RATE_CLASSES[name], rate) for name, rate in tariff.rates().items())),
        pbx=PbxFacts(name=_both(pbx, "name"), vendor=_both(pbx, "vendor"), kind=pbx.kind,
                     resells_numbers=pbx.resells_numbers),
        numbers=tuple(number.e164 for number in request.numbers),
        trunk=TrunkFacts(type=trunk.get("type", ""), registrar=trunk.get("registrar", ""),
                         username=trunk.get("username", ""), has_password=bool(order and order.trunk_secret),
                         addresses=tuple(trunk.get("addresses", []))),
        protocol_round=max((item.round for item in request.protocol_items()), default=0),
        clauses=tuple(_clause_facts(item) for item in request.protocol_round()),
        earlier_clauses=tuple(_clause_facts(item) for item in request.protocol_items()
                              if item not in request.protocol_round()),
    )


def _clause_facts(item) -> ClauseFacts:
    return ClauseFacts(clause=item.clause, carrier_wording=item.carrier_wording, our_wording=item.our_wording,
                       agreed_wording=item.agreed_wording or "", answer=item.answer or "",
                       counter_wording=item.counter_wording or "", round=item.round)


def build_context(request: NumberRequest, today: date) -> dict:
    """The context of the request's documents, made on ``today``, by the one builder the template check's
    sample goes through too."""
    return context_from_facts(facts_of(request, today))


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
