"""The lawyer's review of a carrier's contract for one request: every flagged clause is put in the protocol or
its risk accepted with a reason, each step audited on the request."""
from dataclasses import dataclass, field

from . import access, protocol
from .carrier_terms import CarrierContract, contract_for_review, current_playbook
from .choices import Role
from .db import db
from .errors import Conflict, Forbidden, NotFound
from .lifecycle import LEGAL_REVIEW, _not_own_request
from .organisation import User
from .protocol import AcceptedRisk
from .requests import AuditEvent, DisagreementItem, NumberRequest


@dataclass
class FlagReview:
    """One flag of one clause, and what has been done about it on this request."""

    clause_number: str
    clause_text: str
    flag: dict
    must_have: bool
    item: DisagreementItem | None = None
    accepted_risk: AcceptedRisk | None = None
    # What this carrier agreed to for this category before, if anything.
    remembered: DisagreementItem | None = None

    @property
    def open(self) -> bool:
        return self.item is None and self.accepted_risk is None


@dataclass
class Review:
    contract: CarrierContract | None
    playbook_version: int
    flags: list[FlagReview] = field(default_factory=list)
    refusals: list[DisagreementItem] = field(default_factory=list)

    @property
    def open_flags(self) -> list[FlagReview]:
        return [flag for flag in self.flags if flag.open]


def review_of(request: NumberRequest) -> Review:
    contract = contract_for_review(request)
    version, playbook = current_playbook()
    review = Review(contract=contract, playbook_version=version, refusals=protocol.refusals(request.carrier_id))
    if contract is None:
        return review
    items = {(item.clause, item.category): item for item in request.disagreements
             if item.carrier_id == request.carrier_id and item.category}
    risks = {(risk.clause, risk.category): risk for risk in db.session.scalars(
        db.select(AcceptedRisk).where(AcceptedRisk.request_id == request.id,
                                      AcceptedRisk.carrier_id == request.carrier_id))}
    remembered = protocol.accepted_wordings(request.carrier_id)
    for clause in contract.clauses:
        for flag in clause.flags:
            key = (clause.number, flag["category"])
            review.flags.append(FlagReview(
                clause_number=clause.number, clause_text=clause.text, flag=flag,
                must_have=playbook.must_have(flag["category"]), item=items.get(key), accepted_risk=risks.get(key),
                remembered=remembered.get(flag["category"])))
    return review


def _check_reviewer(user: User, request: NumberRequest) -> None:
    if not access.may_see_request(user, request):
        raise NotFound(f"there is no request {request.id}")
    if not user.has_role(Role.LAWYER):
        raise Forbidden("needs the role lawyer")
    reason = _not_own_request(request, user)
    if reason:
        raise Forbidden(reason)
    if request.state != LEGAL_REVIEW:
        raise Conflict("the protocol can be prepared only while the request is in legal review")


def _audit(user: User, request: NumberRequest, action: str, data: dict, comment: str = "") -> None:
    db.session.add(AuditEvent(request=request, actor_id=user.id, actor=user.email, action=action,
                              from_state=request.state, to_state=request.state, comment=comment, data=data))


def add_to_protocol(user: User, request: NumberRequest, *, clause: str, carrier_wording: str, our_wording: str,
                    category: str = "") -> DisagreementItem:
    """A draft item of the next protocol. Flushes; the caller commits."""
    _check_reviewer(user, request)
    values = protocol.check_item(clause, carrier_wording, our_wording)
    _, playbook = current_playbook()
    if category and category not in playbook.categories():
        category = ""
    if any(item.clause == values["clause"] and item.category == category and (item.draft or not item.settled)
           for item in request.disagreements if item.carrier_id == request.carrier_id):
        raise Conflict(f"clause {values['clause']} is already in the protocol")
    item = DisagreementItem(carrier_id=request.carrier_id, round=0, position=0, draft=True, category=category,
                            must_have=bool(category) and playbook.must_have(category), **values)
    request.disagreements.append(item)
    _audit(user, request, "add_to_protocol", {"clause": item.clause, "category": category})
    db.session.flush()
    return item


def remove_from_protocol(user: User, request: NumberRequest, item_id: int) -> None:
    _check_reviewer(user, request)
    item = next((item for item in request.draft_protocol_items() if item.id == item_id), None)
    if item is None:
        raise NotFound(f"there is no draft protocol item {item_id}")
    request.disagreements.remove(item)
    db.session.delete(item)
    _audit(user, request, "remove_from_protocol", {"clause": item.clause, "category": item.category})
    db.session.flush()


def accept_risk(user: User, request: NumberRequest, *, clause: str, category: str, reason: str) -> AcceptedRisk:
    """The lawyer signs this clause as the carrier wrote it; the reason is kept and audited."""
    _check_reviewer(user, request)
    reason = protocol.check_reason(reason)
    exists = db.session.scalar(db.select(AcceptedRisk).where(
        AcceptedRisk.request_id == request.id, AcceptedRisk.carrier_id == request.carrier_id,
        AcceptedRisk.clause == clause, AcceptedRisk.category == category))
    if exists:
        raise Conflict(f"the risk of clause {clause} is already accepted")
    risk = AcceptedRisk(request=request, carrier_id=request.carrier_id, clause=clause[:40], category=category[:32],
                        reason=reason, accepted_by=user.email)
    db.session.add(risk)
    _audit(user, request, "accept_clause_risk", {"clause": clause, "category": category}, comment=reason)
    db.session.flush()
    return risk
