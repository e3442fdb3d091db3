"""The protocol of disagreements, item by item: what is sent each round, what the carrier answers to each item,
how it is settled, and what each carrier accepted or refused before.

The life cycle (models.lifecycle) calls the validators and effects here; the lawyer's own edits of the draft
protocol are in models.legal_review.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .carrier_terms import contract_for_review, current_playbook
from .carriers import Carrier
from .choices import ProtocolAnswer
from .db import db
from .errors import InvalidInput
from .limits import MAX_CLAUSE, MAX_CLAUSES, MAX_COMMENT, MAX_WORDING
from .organisation import User, utcnow
from .payloads import _comment, _finish
from .requests import DisagreementItem, NumberRequest

ACCEPTED, REJECTED, COUNTER = ProtocolAnswer.ACCEPTED, ProtocolAnswer.REJECTED, ProtocolAnswer.COUNTER
ANSWERS = tuple(ProtocolAnswer.values())
# What a lawyer does with each counter-proposal: take the carrier's wording, or answer it in the next round.
TAKE, PROPOSE = "accept", "propose"
# Outcomes of a carrier's answer, which the life cycle branches on.
SETTLED, COUNTERED, REFUSED, OPEN = "settled", "countered", "refused", "open"


class AcceptedRisk(db.Model):
    """A flagged clause the company signs as the carrier wrote it, and who decided so and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("number_request.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    clause: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text)
    accepted_by: Mapped[str] = mapped_column(String(120))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[NumberRequest] = relationship()
    carrier: Mapped[Carrier] = relationship()


def _item_id(raw, known: dict, index: int, errors: dict, name: str = "answers"):
    item_id = raw.get("item_id") if isinstance(raw, dict) else None
    if isinstance(item_id, bool) or not isinstance(item_id, int) or item_id not in known:
        errors[f"{name}[{index}].item_id"] = "must be the id of an item of the protocol's latest round"
        return None
    return known[item_id]


def _wording(raw: dict, key: str, index: int, errors: dict, name: str = "answers") -> str:
    value = raw.get("wording")
    if not isinstance(value, str) or not value.strip():
        errors[f"{name}[{index}].wording"] = key
        return ""
    if len(value) > MAX_WORDING:
        errors[f"{name}[{index}].wording"] = f"must be at most {MAX_WORDING} characters"
    return value.strip()


def carrier_response(payload: dict, request: NumberRequest) -> dict:
    """The carrier's answer to each item of the latest round, or its refusal of the whole protocol.

    `accepted: true` is short for accepting every item, `accepted: false` for refusing the protocol.
    """
    errors: dict = {}
    cleaned = {"comment": _comment(payload, errors, required=False), "answers": {}, "refused": False}
    items = {item.id: item for item in request.protocol_round()}
    accepted, answers = payload.get("accepted"), payload.get("answers")
    if accepted is not None and answers is not None:
        errors["accepted"] = "give either accepted or answers, not both"
    elif accepted is not None:
        if not isinstance(accepted, bool):
            errors["accepted"] = "must be true or false"
        elif accepted:
            cleaned["answers"] = {item_id: (ACCEPTED, "") for item_id in items}
        else:
            cleaned["refused"] = True
    elif payload.get("refused") is True:
        cleaned["refused"] = True
    elif not isinstance(answers, list) or len(answers) > MAX_CLAUSES:
        errors["answers"] = "must list the carrier's answer to each item (accepted, rejected or counter)"
    else:
        for index, raw in enumerate(answers):
            item = _item_id(raw, items, index, errors)
            if item is None:
                continue
            answer = raw.get("answer")
            if answer not in ANSWERS:
                errors[f"answers[{index}].answer"] = f"must be one of {', '.join(ANSWERS)}"
                continue
            wording = ""
            if answer == COUNTER:
                wording = _wording(raw, "is required: the carrier's own wording", index, errors)
            if item.id in cleaned["answers"]:
                errors[f"answers[{index}].item_id"] = "answers an item twice"
            cleaned["answers"][item.id] = (answer, wording)
        missing = [item.clause for item_id, item in items.items() if item_id not in cleaned["answers"]]
        if missing and "answers" not in errors:
            errors["answers"] = f"must answer every item; missing: clause {', '.join(missing)}"
    cleaned["outcome"] = _answer_outcome(cleaned, items)
    return _finish(cleaned, errors)


def _answer_outcome(cleaned: dict, items: dict) -> str:
    if cleaned["refused"]:
        return REFUSED
    answers = cleaned["answers"]
    if any(answer == REJECTED and items[item_id].must_have for item_id, (answer, _) in answers.items()):
        return REFUSED
    if any(answer == COUNTER for answer, _ in answers.values()):
        return COUNTERED
    return SETTLED


def record_carrier_answers(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    now = utcnow()
    for item in request.protocol_round():
        answer, wording = (REJECTED, "") if cleaned["refused"] else cleaned["answers"][item.id]
        item.answer, item.answered_at = answer, now
        item.counter_wording = wording or None
        if answer == ACCEPTED:
            item.agreed_wording = item.our_wording
        elif answer == REJECTED and not item.must_have:
            item.agreed_wording = item.carrier_wording  # not worth the deal: the carrier's text stands


def counter_answers(payload: dict, request: NumberRequest) -> dict:
    """The lawyer's answer to each counter-proposal: take the carrier's wording, or propose another."""
    errors: dict = {}
    cleaned = {"comment": _comment(payload, errors, required=False), "answers": {}}
    countered = {item.id: item for item in request.protocol_round() if item.answer == COUNTER and not item.settled}
    answers = payload.get("answers")
    if not isinstance(answers, list):
        errors["answers"] = "must list a decision for each counter-proposal (accept or propose)"
        answers = []
    for index, raw in enumerate(answers):
        item = _item_id(raw, countered, index, errors)
        if item is None:
            continue
        decision = raw.get("decision")
        if decision not in (TAKE, PROPOSE):
            errors[f"answers[{index}].decision"] = f"must be {TAKE} or {PROPOSE}"
            continue
        wording = _wording(raw, "is required: the wording to propose", index, errors) if decision == PROPOSE else ""
        cleaned["answers"][item.id] = (decision, wording)
    missing = [item.clause for item_id, item in countered.items() if item_id not in cleaned["answers"]]
    if missing and "answers" not in errors:
        errors["answers"] = f"must decide on every counter-proposal; missing: clause {', '.join(missing)}"
    cleaned["outcome"] = OPEN if any(d == PROPOSE for d, _ in cleaned["answers"].values()) else SETTLED
    return _finish(cleaned, errors)


def settle_counter_proposals(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    items = {item.id: item for item in request.protocol_round()}
    next_items = []
    for item_id, (decision, wording) in cleaned["answers"].items():
        item = items[item_id]
        if decision == TAKE:
            item.agreed_wording = item.counter_wording
        else:
            next_items.append(dict(clause=item.clause, category=item.category, must_have=item.must_have,
                                   carrier_wording=item.counter_wording, our_wording=wording))
    if next_items:
        send_round(request, next_items)


def send_round(request: NumberRequest, items: list[dict]) -> None:
    """The next round: the given items and the lawyer's drafts, numbered in order."""
    sent_round = max((item.round for item in request.protocol_items()), default=0) + 1
    drafts = request.draft_protocol_items()
    for item in items:
        request.disagreements.append(DisagreementItem(carrier_id=request.carrier_id, round=sent_round, position=0,
                                                      draft=False, **item))
    for draft in drafts:
        draft.draft, draft.round = False, sent_round
    this_round = [item for item in request.disagreements if item.round == sent_round and not item.draft
                  and item.carrier_id == request.carrier_id]
    for position, item in enumerate(this_round, start=1):
        item.position = position


def open_round(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    """request_changes: the items typed with the decision join the drafts in a new round."""
    if cleaned["items"] or request.draft_protocol_items():
        send_round(request, [dict(item, category="", must_have=False) for item in cleaned["items"]])


def accept_carrier_wording(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    """An approver accepts the risk of what the carrier refused: its wording stands, and the decision is kept
    per clause."""
    for item in request.protocol_round():
        if not item.settled:
            item.agreed_wording = item.counter_wording or item.carrier_wording
            db.session.add(AcceptedRisk(request=request, carrier_id=request.carrier_id, clause=item.clause,
                                        category=item.category, reason=cleaned["comment"],
                                        accepted_by=user.email if user else "numberdesk"))


def carrier_choice(payload: dict, request: NumberRequest) -> dict:
    """Another carrier that serves the branch's city, and why."""
    errors: dict = {}
    cleaned = {"comment": _comment(payload, errors, required=True)}
    carrier_id = payload.get("carrier_id")
    carrier = (db.session.get(Carrier, carrier_id)
               if isinstance(carrier_id, int) and not isinstance(carrier_id, bool) else None)
    if carrier is None:
        errors["carrier_id"] = "must be the id of a carrier"
    elif carrier.id == request.carrier_id:
        errors["carrier_id"] = "must be another carrier than the one that refused"
    elif not carrier.serves(request.department.city):
        errors["carrier_id"] = f"{carrier.name} does not serve {request.department.city}"
    cleaned["carrier_id"] = carrier.id if carrier else None
    return _finish(cleaned, errors)


def other_carriers(request: NumberRequest) -> list[Carrier]:
    """The carriers a request could switch to: every other one that serves its branch's city."""
    return [carrier for carrier in db.session.scalars(db.select(Carrier).order_by(Carrier.name))
            if carrier.id != request.carrier_id and carrier.serves(request.department.city)]


def switch_carrier(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    request.carrier = db.session.get(Carrier, cleaned["carrier_id"])


def check_item(clause: str, carrier_wording: str, our_wording: str) -> dict:
    """One protocol item as a lawyer writes it; InvalidInput names each bad field."""
    errors = {}
    values = {"clause": clause, "carrier_wording": carrier_wording, "our_wording": our_wording}
    for name, value in values.items():
        limit = MAX_CLAUSE if name == "clause" else MAX_WORDING
        if not isinstance(value, str) or not value.strip():
            errors[name] = "is required"
        elif len(value) > limit:
            errors[name] = f"must be at most {limit} characters"
    if errors:
        raise InvalidInput("the protocol item is not valid", errors)
    return {name: value.strip() for name, value in values.items()}


def check_reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("say why the risk is acceptable", {"reason": "is required: say why"})
    if len(reason) > MAX_COMMENT:
        raise InvalidInput("the reason is too long", {"reason": f"must be at most {MAX_COMMENT} characters"})
    return reason.strip()


def carrier_history(carrier_id: int) -> list[DisagreementItem]:
    """Every item the carrier answered, newest first: what it accepted and what it refused, on which request."""
    return list(db.session.scalars(
        db.select(DisagreementItem).where(DisagreementItem.carrier_id == carrier_id,
                                          DisagreementItem.answer.is_not(None))
        .order_by(DisagreementItem.answered_at.desc(), DisagreementItem.id.desc())))


def accepted_wordings(carrier_id: int) -> dict[str, DisagreementItem]:
    """Per category, the latest item of ours this carrier agreed to (our wording or its counter we took)."""
    found: dict[str, DisagreementItem] = {}
    for item in carrier_history(carrier_id):
        if item.category and item.answer in (ACCEPTED, COUNTER) and item.agreed_wording:
            found.setdefault(item.category, item)
    return found


def refusals(carrier_id: int) -> list[DisagreementItem]:
    return [item for item in carrier_history(carrier_id) if item.answer == REJECTED]


def clause_library(category: str | None = None) -> list[DisagreementItem]:
    """Wordings carriers agreed to, per category, newest first: one per carrier and wording."""
    query = (db.select(DisagreementItem).where(DisagreementItem.category != "",
                                               DisagreementItem.agreed_wording.is_not(None),
                                               DisagreementItem.answer.in_((ACCEPTED, COUNTER)))
             .order_by(DisagreementItem.category, DisagreementItem.answered_at.desc()))
    if category:
        query = query.where(DisagreementItem.category == category)
    seen, found = set(), []
    for item in db.session.scalars(query):
        key = (item.category, item.carrier_id, item.agreed_wording)
        if key not in seen:
            seen.add(key)
            found.append(item)
    return found


def prefill_from_memory(request: NumberRequest, cleaned: dict | None = None, user: User | None = None) -> None:
    """When contracts reach legal review, the protocol starts from what the carrier accepted before: each flagged
    clause of a category it agreed a wording for becomes a draft item with that wording."""
    contract = contract_for_review(request)
    if contract is None:
        return
    remembered = accepted_wordings(request.carrier_id)
    _, playbook = current_playbook()
    taken = {(item.clause, item.category) for item in request.disagreements if item.carrier_id == request.carrier_id}
    taken |= {(risk.clause, risk.category) for risk in db.session.scalars(
        db.select(AcceptedRisk).where(AcceptedRisk.request_id == request.id))}
    for clause in contract.clauses:
        for flag in clause.flags:
            key = (clause.number, flag["category"])
            if flag["category"] in remembered and key not in taken:
                taken.add(key)
                request.disagreements.append(DisagreementItem(
                    carrier_id=request.carrier_id, round=0, position=0, draft=True, clause=clause.number[:MAX_CLAUSE],
                    category=flag["category"], must_have=playbook.must_have(flag["category"]),
                    carrier_wording=clause.text[:MAX_WORDING],
                    our_wording=remembered[flag["category"]].agreed_wording))
