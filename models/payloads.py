"""Validation of the input each action takes. Each validator returns the cleaned values."""
from datetime import date

from .choices import TrunkType
from .db import db
from .errors import InvalidInput
from .limits import MAX_CLAUSE, MAX_CLAUSES, MAX_COMMENT, MAX_WORDING
from .numbers import PhoneNumber, normalise_e164
from .renewals import clean_terms


def _comment(payload: dict, errors: dict, *, required: bool) -> str:
    comment = payload.get("comment", "")
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        errors["comment"] = "must be text"
        return ""
    comment = comment.strip()
    if required and not comment:
        errors["comment"] = "is required: say why"
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = f"must be at most {MAX_COMMENT} characters"
    return comment


def _finish(cleaned: dict, errors: dict) -> dict:
    if errors:
        raise InvalidInput("the input is not valid", errors)
    return cleaned


def optional_comment(payload: dict, request) -> dict:
    errors: dict = {}
    return _finish({"comment": _comment(payload, errors, required=False)}, errors)


def required_comment(payload: dict, request) -> dict:
    errors: dict = {}
    return _finish({"comment": _comment(payload, errors, required=True)}, errors)


ITEM_FIELDS = ("clause", "carrier_wording", "our_wording")


def change_request(payload: dict, request) -> dict:
    """A reason, and optionally the clauses for a protocol of disagreements."""
    errors: dict = {}
    cleaned = {"comment": _comment(payload, errors, required=True), "items": []}
    raw = payload.get("items") or []
    if not isinstance(raw, list) or len(raw) > MAX_CLAUSES:
        errors["items"] = f"must be a list of at most {MAX_CLAUSES} clauses"
        return _finish(cleaned, errors)
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"items[{index}]"] = "must be an object with clause, carrier_wording and our_wording"
            continue
        for name in ITEM_FIELDS:
            value = item.get(name)
            limit = MAX_CLAUSE if name == "clause" else MAX_WORDING
            if not isinstance(value, str) or not value.strip():
                errors[f"items[{index}].{name}"] = "is required"
            elif len(value) > limit:
                errors[f"items[{index}].{name}"] = f"must be at most {limit} characters"
        cleaned["items"].append({name: str(item.get(name) or "").strip() for name in ITEM_FIELDS})
    return _finish(cleaned, errors)


def signature(payload: dict, request) -> dict:
    errors: dict = {}
    cleaned = {"comment": _comment(payload, errors, required=False)}
    raw = payload.get("signed_on")
    try:
        signed_on = date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        signed_on = None
    if signed_on is None:
        errors["signed_on"] = "must be a date as YYYY-MM-DD"
    elif signed_on > date.today():
        errors["signed_on"] = "cannot be in the future"
    elif request.carrier.tariff_on(signed_on) is None:
        # The contracts and the order letter state the tariff in force from the signature on.
        errors["signed_on"] = "the carrier has no tariff in force on that day"
    cleaned["signed_on"] = signed_on
    cleaned.update(clean_terms(payload, request, errors))  # the term, renewal and notice, defaulted
    return _finish(cleaned, errors)


def _numbers(raw, request, errors: dict) -> list[str]:
    if not isinstance(raw, list) or not raw:
        errors["numbers"] = "must be a non-empty list of E.164 numbers"
        return []
    numbers, problems = [], []
    for item in raw:
        try:
            numbers.append(normalise_e164(item))
        except ValueError as exc:
            problems.append(f"{item!r} {exc}")
    if problems:
        errors["numbers"] = "; ".join(problems)
    elif len(set(numbers)) != len(numbers):
        errors["numbers"] = "lists a number twice"
    elif len(numbers) != request.quantity:
        errors["numbers"] = f"must list exactly {request.quantity} number(s), as requested"
    else:
        taken = db.session.scalars(db.select(PhoneNumber.e164).where(PhoneNumber.e164.in_(numbers))).all()
        if taken:
            errors["numbers"] = f"already in the inventory: {', '.join(sorted(taken))}"
    return numbers


def _trunk(raw, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors["trunk"] = "must be an object with the trunk's type and credentials"
        return {}
    kind = raw.get("type")
    if kind not in TrunkType.values():
        errors["trunk.type"] = f"must be one of {', '.join(TrunkType.values())}"
        return {}
    if kind == TrunkType.REGISTRATION:
        trunk = {"type": kind}
        for field in ("registrar", "username", "password"):
            value = raw.get(field)
            if not isinstance(value, str) or not value.strip():
                errors[f"trunk.{field}"] = "is required for a registration trunk"
            else:
                trunk[field] = value.strip()
        return trunk
    addresses = raw.get("addresses")
    if (not isinstance(addresses, list) or not addresses
            or not all(isinstance(a, str) and a.strip() for a in addresses)):
        errors["trunk.addresses"] = "must list the carrier's SBC addresses"
        return {}
    return {"type": kind, "addresses": [a.strip() for a in addresses]}


def order_confirmation(payload: dict, request) -> dict:
    errors: dict = {}
    cleaned = {
        "comment": _comment(payload, errors, required=False),
        "numbers": _numbers(payload.get("numbers"), request, errors),
        "trunk": _trunk(payload.get("trunk"), errors),
    }
    return _finish(cleaned, errors)


def no_input(payload: dict, request) -> dict:
    return {"comment": str(payload.get("comment") or "")}
