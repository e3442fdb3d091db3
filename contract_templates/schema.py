"""Every variable a contract template may use, as plain data.

``VARIABLES`` maps a dotted path to a one-line description.  ``[]`` marks the
items of a list: ``tariff.rates[].destination`` is the ``destination`` of each
rate in ``{% for rate in tariff.rates %}``.  A list itself has its own entry
(``tariff.rates``), so that a template may loop over it or test it.

``KIND_VARIABLES`` says which top-level names each kind of document receives;
an uploaded template may use no others.

The paths must match ``sample_context()`` exactly (a test checks it), so that
the sample context can render every uploaded template and the variables
reference can show a real example of each value.
"""

from __future__ import annotations

from typing import Any

TOP_LEVEL: dict[str, str] = {
    "language": "The document's language",
    "document": "The document being generated",
    "company": "Our company, the customer",
    "carrier": "The telecom carrier we buy the numbers from",
    "department": "The branch the numbers are for",
    "request": "The number request the document belongs to",
    "tariff": "The carrier's tariff in force",
    "pbx": "The telephone system the numbers are attached to",
    "numbers": "The telephone numbers the carrier assigned",
    "trunk": "The SIP trunk settings the carrier gave",
    "start_date": "The date the service starts",
    "protocol": "The protocol of disagreements with the carrier's contract",
}

VARIABLES: dict[str, str] = {
    "language": "Language of the document: 'en' or 'ru'",
    "document.reference": "Reference printed on the document (the request's reference, e.g. NR-00012)",
    "document.date": "Date of the document, written out in the document's language",
    "company.name": "Our company's short name, in the document's language",
    "company.legal_name": "Our company's registered legal name, in the document's language",
    "company.tax_id": "Our company's tax ID (INN)",
    "company.address": "Our company's registered address, in the document's language",
    "company.signatory": "Who signs for our company: name and position, in the document's language",
    "carrier.name": "The carrier's short (trading) name, in the document's language",
    "carrier.legal_name": "The carrier's registered legal name, in the document's language",
    "carrier.tax_id": "The carrier's tax ID (INN)",
    "carrier.address": "The carrier's registered address, in the document's language",
    "carrier.signatory": "Who signs for the carrier: name and position, in the document's language (may be empty)",
    "carrier.currency": "Currency the carrier bills in, as its code, e.g. RUB",
    "carrier.currency_name": "The currency in words, in the document's language, e.g. 'российский рубль'",
    "carrier.price_change_notice_days": "Days of notice the carrier must give before changing prices (at least 30)",
    "carrier.invoice_dispute_days": "Days we have to dispute an invoice (at least 30)",
    "carrier.penalty_cap": "Cap on penalties we may owe the carrier, as a plain amount (e.g. 50000.00)",
    "carrier.penalty_cap_text": ("The penalty cap with its currency, formatted for the language (e.g. RUB 50,000.00 "
                                 "or 50 000,00 руб.)"),
    "carrier.penalty_cap_words": "The penalty cap in words, as contracts state amounts",
    "department.name": "The branch's name, in the document's language",
    "department.city": "The branch's city, in the document's language",
    "department.address": "The branch's address, where the numbers are used, in the document's language",
    "department.cost_centre": "The branch's cost centre, for invoices",
    "department.ring_group": "The PBX ring group incoming calls go to",
    "request.reference": "The number request's reference, e.g. NR-00012",
    "request.number_type": "Type of numbers as a code: local, toll_free or mobile",
    "request.number_type_label": "Type of numbers as words in the document's language, e.g. 'Local (geographic)'",
    "request.quantity": "How many numbers are requested",
    "request.purpose": "What the numbers are for, as the requester wrote it",
    "tariff.name": "The tariff's name",
    "tariff.valid_from": "First day the tariff is valid, written out in the document's language",
    "tariff.valid_to": "Last day the tariff is valid, written out in the document's language; empty when open-ended",
    "tariff.currency": "Currency of the tariff's prices, as its code, e.g. RUB",
    "tariff.currency_name": "The currency in words, in the document's language, e.g. 'российский рубль'",
    "tariff.monthly_fee": "Monthly fee per number, as a plain amount (e.g. 1500.00)",
    "tariff.monthly_fee_text": "The monthly fee with its currency, formatted for the language (e.g. RUB 1,500.00)",
    "tariff.monthly_fee_words": "The monthly fee in words, as contracts state amounts",
    "tariff.one_time_fee": "One-time connection fee per number, as a plain amount (e.g. 3000.00)",
    "tariff.one_time_fee_text": "The one-time fee with its currency, formatted for the document's language",
    "tariff.one_time_fee_words": "The one-time fee in words, as contracts state amounts",
    "tariff.billing_increment": "How calls are billed, in words in the document's language, e.g. 'per second'",
    "tariff.rates": "The per-minute call prices, one per destination (a list to loop over)",
    "tariff.rates[].destination": "Where the calls of this rate go, in the document's language, e.g. 'Mobile'",
    "tariff.rates[].price_per_minute": "Price per minute, as a plain amount with four decimals",
    "tariff.rates[].price_text": ("Price per minute with its currency, formatted for the document's language "
                                  "(e.g. 0,65 руб.; up to four decimals when the price has them)"),
    "pbx.name": "The PBX system's name, in the document's language",
    "pbx.vendor": "Who provides the PBX system, in the document's language",
    "pbx.kind": "How numberdesk works with the PBX, as a code, e.g. manual",
    "pbx.kind_label": "How numberdesk works with the PBX, in words in the document's language",
    "pbx.resells_numbers": "Whether the PBX vendor, not we, would hold the numbers (yes/no)",
    "numbers": "The assigned numbers (a list to loop over; empty before the carrier assigns them)",
    "numbers[].e164": "The number in international format, e.g. +78432000001",
    "numbers[].national": "The number in national format, e.g. 8 (843) 200-00-01",
    "trunk.type": "Kind of SIP trunk as a code: 'registration' or 'ip' (empty when not known yet)",
    "trunk.type_label": "Kind of SIP trunk in words, in the document's language (empty when not known yet)",
    "trunk.registrar": "SIP registrar (host:port) of a registration trunk",
    "trunk.username": "SIP username of a registration trunk",
    "trunk.password": ("Always •••• for a registration trunk: documents never hold the password; sysadmins "
                       "read it on the request page"),
    "trunk.addresses": "The carrier's SBC addresses for an IP trunk (a list of text; empty otherwise)",
    "start_date": "The date the service starts, written out in the document's language",
    "protocol.round": "Which round of negotiation this protocol is (1 for the first)",
    "protocol.clauses": "The disputed clauses (a list to loop over)",
    "protocol.clauses[].clause": "The clause of the carrier's contract in dispute, e.g. '5.2'",
    "protocol.clauses[].carrier_wording": "The clause as the carrier wrote it",
    "protocol.clauses[].our_wording": "The clause as we propose it",
    "protocol.clauses[].agreed_wording": "The wording both sides agreed (empty while still disputed)",
    "protocol.clauses[].round": "The round the clause was put in",
    "protocol.clauses[].answer": "The carrier's answer in words (accepted, rejected, counter-proposal; empty before)",
    "protocol.clauses[].counter_wording": "The carrier's own wording, when it proposed one",
    "protocol.history": "The clauses of the earlier rounds with the carrier's answers (a list to loop over)",
    "protocol.history[].round": "The round the clause was put in",
    "protocol.history[].clause": "The clause of the carrier's contract, e.g. '5.2'",
    "protocol.history[].carrier_wording": "The clause as the carrier wrote it",
    "protocol.history[].our_wording": "The clause as we proposed it in that round",
    "protocol.history[].answer": "The carrier's answer in words",
    "protocol.history[].counter_wording": "The carrier's own wording, when it proposed one",
    "protocol.history[].agreed_wording": "The wording agreed in that round (empty if none)",
}

# What every document receives; some kinds get more below.
_COMMON = frozenset({"language", "document", "company", "carrier", "department", "request", "tariff", "pbx",
                     "start_date"})

KIND_VARIABLES: dict[str, frozenset[str]] = {
    "service_contract": _COMMON,
    "tariff_appendix": _COMMON,
    "supplementary_agreement": _COMMON | {"numbers", "trunk"},
    "tripartite_agreement": _COMMON | {"numbers"},
    "disagreement_protocol": _COMMON | {"protocol"},
    "order_letter": _COMMON | {"numbers"},
    "pbx_sheet": _COMMON | {"numbers", "trunk"},
}

KINDS: tuple[str, ...] = tuple(KIND_VARIABLES)


def top_level(path: str) -> str:
    """``"tariff.rates[].destination"`` -> ``"tariff"``."""
    return path.split(".", 1)[0].removesuffix("[]")


def variables_for(kind: str) -> dict[str, str]:
    """The paths (and descriptions) a template of ``kind`` may use, in schema order."""
    provided = KIND_VARIABLES[kind]
    return {path: text for path, text in VARIABLES.items() if top_level(path) in provided}


def paths_of(context: dict[str, Any]) -> dict[str, Any]:
    """Every path of a context in the schema's notation, with an example value.

    Nested dicts contribute their keys, not an entry of their own.  A list gets
    an entry (its value is the list); the items of a list of dicts contribute
    ``list[].key`` with the first item's value as the example.
    """
    found: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
            return
        found.setdefault(prefix, value)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    walk(f"{prefix}[]", item)

    walk("", context)
    return found


def value_type(value: Any) -> str:
    """A word for the kind of value, for the variables reference."""
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "list"
    return "text"


def reference(kind: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    """The variables reference of ``kind``: one dict per path with its
    description, the type and the example value found in ``context``
    (normally ``sample_context(language)``; ``None`` when it lacks the path)."""
    examples = paths_of(context)
    rows = []
    for path, description in variables_for(kind).items():
        example = examples.get(path)
        rows.append({"path": path, "description": description,
                     "type": value_type(example) if path in examples else None, "example": example})
    return rows
