"""The life of a number request: one table of transitions and the one function that applies them.

The UI's buttons, the API's allowed actions, the tests and the README's diagram
all read TRANSITIONS; nothing else decides what may happen to a request.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

from sqlalchemy.orm.exc import StaleDataError

from . import absences, access, deadlines, payloads, pbx, pbx_checks, protocol, renewals
from .choices import Holder, NumberStatus, NumberType, PbxKind, Role
from .db import db
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .limits import MAX_PURPOSE, MAX_QUANTITY, MIN_QUANTITY
from .numbers import PhoneNumber
from .organisation import Department, User, utcnow
from .carriers import Carrier, PbxSystem
from .requests import AuditEvent, NumberRequest
from .time_zones import today_in

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
LEGAL_REVIEW = "legal_review"
DRAFTING_PROTOCOL = "drafting_protocol"
CHANGES_REQUESTED = "changes_requested"
COUNTER_PROPOSED = "counter_proposed"
CARRIER_REFUSED = "carrier_refused"
RISK_ACCEPTANCE = "risk_acceptance"
REDRAFTING = "redrafting"
LEGAL_APPROVED = "legal_approved"
SIGNED = "signed"
ORDERED = "ordered"
NUMBER_ASSIGNED = "number_assigned"
ATTACHING = "attaching"
ATTACHED = "attached"
VERIFYING = "verifying"
ACTIVE = "active"
REJECTED = "rejected"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class State:
    name: str
    label: str
    # The machine step that moves a request on from here; None when people do.
    machine_step: str | None = None
    final: bool = False


STATES: dict[str, State] = {s.name: s for s in (
    State(DRAFT, "Draft"),
    State(SUBMITTED, "Waiting for approval"),
    State(APPROVED, "Approved: drafting contracts", machine_step="draft_contracts"),
    State(LEGAL_REVIEW, "Legal review"),
    State(DRAFTING_PROTOCOL, "Changes requested: drafting the protocol of disagreements",
          machine_step="draft_protocol"),
    State(CHANGES_REQUESTED, "Changes requested: waiting for the carrier"),
    State(COUNTER_PROPOSED, "The carrier proposed its own wordings: the lawyer answers"),
    State(CARRIER_REFUSED, "The carrier refused: the lawyer decides what next"),
    State(RISK_ACCEPTANCE, "Waiting for a project lead to accept the carrier's terms"),
    State(REDRAFTING, "Redrafting contracts", machine_step="draft_contracts"),
    State(LEGAL_APPROVED, "Legally approved: waiting for signatures"),
    State(SIGNED, "Signed: placing the carrier order", machine_step="place_carrier_order"),
    State(ORDERED, "Ordered: waiting for the carrier"),
    State(NUMBER_ASSIGNED, "Number assigned: preparing PBX attachment", machine_step="attach_to_pbx"),
    State(ATTACHING, "Waiting for PBX attachment"),
    State(ATTACHED, "Attached: preparing verification", machine_step="verify_number"),
    State(VERIFYING, "Waiting for a test call"),
    State(ACTIVE, "Active", final=True),
    State(REJECTED, "Rejected", final=True),
    State(CANCELLED, "Cancelled", final=True),
)}
MACHINE = None  # the actor of a transition that only workflows may apply


# Guards: return a reason to refuse, or None.
def _creator_only(request: NumberRequest, user: User) -> str | None:
    if request.created_by_id != user.id:
        return "only the person who created the request may do this"
    return None


def _not_own_request(request: NumberRequest, user: User) -> str | None:
    if user.id in (request.created_by_id, request.submitted_by_id):
        return "nobody may decide on their own request"
    return None


def _not_own_request_nor_budget(request: NumberRequest, user: User) -> str | None:
    """The contracts of a request are approved by somebody other than whoever approved its budget."""
    if user.id == request.approved_by_id:
        return "the contracts must be approved by somebody other than the person who approved the budget"
    return _not_own_request(request, user)


def _not_own_request_nor_escalated(request: NumberRequest, user: User) -> str | None:
    """Whoever sent the carrier's terms up for acceptance does not accept them too."""
    escalations = [event for event in request.events if event.action == "escalate_risk"]
    if escalations and escalations[-1].actor_id == user.id:
        return "the carrier's terms must be accepted by somebody other than whoever asked for it"
    return _not_own_request(request, user)


def _creator_or_approver(request: NumberRequest, user: User) -> str | None:
    if user.has_role(Role.APPROVER) or request.created_by_id == user.id:
        return None
    return "only the person who created the request or a project lead may cancel it"


# The guards that keep four eyes on a decision: whoever stands in for somebody away passes them as themselves and
# as that person.
FOUR_EYES = frozenset({_not_own_request, _not_own_request_nor_budget, _not_own_request_nor_escalated})


# Effects: what an action changes besides the state, inside the same transaction.
def _record_submitter(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    request.submitted_by = user


def _record_approver(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    request.approved_by = user


def _record_signature(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    request.signed_on = cleaned["signed_on"]
    renewals.record_signed_contract(request, cleaned)


def _record_assigned_numbers(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    holder = Holder.INTERMEDIARY if request.pbx.resells_numbers else Holder.DIRECT
    for e164 in cleaned["numbers"]:
        request.numbers.append(PhoneNumber(
            e164=e164, department_id=request.department_id, carrier_id=request.carrier_id,
            pbx_id=request.pbx_id, holder=holder, status=NumberStatus.ASSIGNED))
    if request.order is None:
        raise Conflict("the carrier order has not been placed yet")
    request.order.set_trunk(cleaned["trunk"])  # the password is encrypted apart from the other settings
    request.order.confirmed_at = utcnow()


def _mark_numbers(status: str) -> Callable:
    def effect(request: NumberRequest, cleaned: dict, user: User | None) -> None:
        for number in request.numbers:
            number.status = status
            if status == NumberStatus.ACTIVE:  # rental days are the carrier's billing days
                number.activated_on = today_in(number.carrier.billing_time_zone)
    return effect


def _give_numbers_back(request: NumberRequest, cleaned: dict, user: User | None) -> None:
    """A request cancelled once the carrier assigned its numbers gives them back; on a PBX numberdesk provisions,
    applying its plan again (due now, done by the workflow) removes their routes."""
    if not request.numbers:
        return
    for number in request.numbers:
        number.status = NumberStatus.DISCONNECTED
        number.disconnected_on = today_in(number.carrier.billing_time_zone)
    if request.pbx.kind == PbxKind.ASTERISK:
        pbx_checks.due_now(request.pbx, pbx_checks.APPLY, user.email if user else "numberdesk")


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    # A state, or for a branching action a map from the value of `branch_on` to a state.
    target: str | dict
    actor: frozenset[str] | None
    validate: Callable = payloads.optional_comment
    guard: Callable | None = None
    effect: Callable | None = None
    branch_on: str | None = None
    # Whether waiting requests show up in "My tasks" (cancel is possible almost anywhere).
    is_task: bool = True
    label: str = field(default="", compare=False)

    @property
    def is_machine(self) -> bool:
        return self.actor is MACHINE

    def targets(self) -> list[str]:
        return list(self.target.values()) if isinstance(self.target, dict) else [self.target]


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# Up to the test call: a request cancelled after its numbers were assigned gives them back.
CANCELLABLE = (DRAFT, SUBMITTED, APPROVED, LEGAL_REVIEW, DRAFTING_PROTOCOL, CHANGES_REQUESTED, COUNTER_PROPOSED,
               CARRIER_REFUSED, RISK_ACCEPTANCE, REDRAFTING, LEGAL_APPROVED, SIGNED, ORDERED, NUMBER_ASSIGNED,
               ATTACHING, ATTACHED, VERIFYING)

_TABLE = [
    Transition(DRAFT, "submit", SUBMITTED, _roles(Role.REQUESTER), guard=_creator_only,
               effect=_record_submitter, label="Submit for approval"),
    Transition(SUBMITTED, "approve", APPROVED, _roles(Role.APPROVER), guard=_not_own_request,
               effect=_record_approver, label="Approve"),
    Transition(SUBMITTED, "reject", REJECTED, _roles(Role.APPROVER), validate=payloads.required_comment,
               guard=_not_own_request, label="Reject"),
    Transition(APPROVED, "contracts_drafted", LEGAL_REVIEW, MACHINE, validate=payloads.no_input,
               effect=protocol.prefill_from_memory),
    Transition(REDRAFTING, "contracts_drafted", LEGAL_REVIEW, MACHINE, validate=payloads.no_input,
               effect=protocol.prefill_from_memory),
    Transition(LEGAL_REVIEW, "approve_contracts", LEGAL_APPROVED, _roles(Role.LAWYER),
               guard=_not_own_request_nor_budget, label="Approve contracts"),
    Transition(LEGAL_REVIEW, "request_changes", DRAFTING_PROTOCOL, _roles(Role.LAWYER),
               validate=payloads.change_request, guard=_not_own_request, effect=protocol.open_round,
               label="Request changes (protocol of disagreements)"),
    Transition(DRAFTING_PROTOCOL, "protocol_drafted", CHANGES_REQUESTED, MACHINE, validate=payloads.no_input),
    Transition(LEGAL_REVIEW, "reject", REJECTED, _roles(Role.LAWYER), validate=payloads.required_comment,
               guard=_not_own_request, label="Reject"),
    Transition(CHANGES_REQUESTED, "carrier_response",
               {protocol.SETTLED: REDRAFTING, protocol.COUNTERED: COUNTER_PROPOSED, protocol.REFUSED: CARRIER_REFUSED},
               _roles(Role.LAWYER), validate=protocol.carrier_response, branch_on="outcome", guard=_not_own_request,
               effect=protocol.record_carrier_answers, label="Record the carrier's answer"),
    Transition(COUNTER_PROPOSED, "answer_counter_proposals",
               {protocol.SETTLED: REDRAFTING, protocol.OPEN: DRAFTING_PROTOCOL}, _roles(Role.LAWYER),
               validate=protocol.counter_answers, branch_on="outcome", guard=_not_own_request,
               effect=protocol.settle_counter_proposals, label="Answer the carrier's wordings"),
    Transition(CARRIER_REFUSED, "switch_carrier", REDRAFTING, _roles(Role.LAWYER), validate=protocol.carrier_choice,
               guard=_not_own_request, effect=protocol.switch_carrier, label="Switch to another carrier"),
    Transition(CARRIER_REFUSED, "escalate_risk", RISK_ACCEPTANCE, _roles(Role.LAWYER),
               validate=payloads.required_comment, guard=_not_own_request,
               label="Ask a project lead to accept the carrier's terms"),
    Transition(CARRIER_REFUSED, "reject", REJECTED, _roles(Role.LAWYER), validate=payloads.required_comment,
               guard=_not_own_request, label="Reject"),
    Transition(RISK_ACCEPTANCE, "accept_risk", REDRAFTING, _roles(Role.APPROVER), validate=payloads.required_comment,
               guard=_not_own_request_nor_escalated, effect=protocol.accept_carrier_wording,
               label="Accept the carrier's terms"),
    Transition(RISK_ACCEPTANCE, "reject", REJECTED, _roles(Role.APPROVER), validate=payloads.required_comment,
               guard=_not_own_request, label="Reject"),
    Transition(LEGAL_APPROVED, "record_signature", SIGNED, _roles(Role.LAWYER), validate=payloads.signature,
               guard=_not_own_request, effect=_record_signature, label="Record signature"),
    Transition(SIGNED, "order_placed", ORDERED, MACHINE, validate=payloads.no_input),
    Transition(ORDERED, "confirm_order", NUMBER_ASSIGNED, _roles(Role.SYSADMIN),
               validate=payloads.order_confirmation, effect=_record_assigned_numbers,
               label="Record the carrier's answer (numbers and trunk)"),
    Transition(NUMBER_ASSIGNED, "attachment_requested", ATTACHING, MACHINE, validate=payloads.no_input),
    # A PBX numberdesk provisions (pbx kind asterisk) is configured and test-called by the workflow itself.
    Transition(NUMBER_ASSIGNED, "pbx_provisioned", ATTACHED, MACHINE, validate=pbx.step_report,
               effect=_mark_numbers(NumberStatus.ATTACHED)),
    Transition(ATTACHING, "confirm_attachment", ATTACHED, _roles(Role.SYSADMIN), validate=pbx.attachment_checklist,
               effect=_mark_numbers(NumberStatus.ATTACHED), label="Confirm PBX attachment"),
    Transition(ATTACHED, "verification_requested", VERIFYING, MACHINE, validate=payloads.no_input),
    Transition(ATTACHED, "test_call_passed", ACTIVE, MACHINE, validate=pbx.step_report,
               effect=_mark_numbers(NumberStatus.ACTIVE)),
    Transition(ATTACHED, "test_call_failed", VERIFYING, MACHINE, validate=pbx.step_report),
    Transition(VERIFYING, "retry_verification", ATTACHED, _roles(Role.SYSADMIN), guard=pbx.pbx_calls_by_itself,
               label="Test-call the number again"),
    Transition(VERIFYING, "confirm_verification", ACTIVE, _roles(Role.SYSADMIN), validate=payloads.required_comment,
               effect=_mark_numbers(NumberStatus.ACTIVE), label="Confirm the test call"),
    *[Transition(state, "cancel", CANCELLED, _roles(Role.REQUESTER, Role.APPROVER), validate=payloads.required_comment,
                 guard=_creator_or_approver, effect=_give_numbers_back, is_task=False, label="Cancel")
      for state in CANCELLABLE],
]
TRANSITIONS: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in _TABLE}
ACTIONS: frozenset[str] = frozenset(t.action for t in _TABLE)
HUMAN_ACTIONS: frozenset[str] = frozenset(t.action for t in _TABLE if not t.is_machine)


def mermaid_diagram() -> str:
    """The life cycle as a Mermaid state diagram, drawn from the table (the README shows it)."""
    lines = ["stateDiagram-v2", f"    [*] --> {DRAFT}"]
    for t in _TABLE:
        if t.action == "cancel":
            continue
        who = "machine" if t.is_machine else "/".join(sorted(t.actor))
        for value, target in (t.target.items() if isinstance(t.target, dict) else [(None, t.target)]):
            condition = f" ({t.branch_on}={str(value).lower()})" if value is not None else ""
            lines.append(f"    {t.source} --> {target}: {t.action}{condition} by {who}")
    lines.append(f"    note right of {CANCELLED}: cancel by requester/approver from {', '.join(CANCELLABLE)}")
    lines += [f"    {state} --> [*]" for state in (ACTIVE, REJECTED, CANCELLED)]
    return "\n".join(lines)


def refusal(transition: Transition, request: NumberRequest, user: User | None,
            principal: User | None = None) -> str | None:
    """Why this actor may not take this transition on this request, or None if they may.

    With `principal`, `user` stands in for that absent person (models/absences.py): only a task of theirs, both
    holding its role, the four-eyes guards kept for both of them.
    """
    if transition.is_machine:
        return None if user is None else "only the workflow engine may take this step"
    if user is None:
        return "this step needs a person"
    if not user.has_role(*transition.actor):
        return f"needs the role {' or '.join(sorted(transition.actor))}"
    if principal is None:
        return transition.guard(request, user) if transition.guard else None
    if not transition.is_task or not principal.has_role(*transition.actor):
        return f"this is not a task of {principal.name}'s"
    if not transition.guard:
        return None
    return transition.guard(request, principal) or (
        transition.guard(request, user) if transition.guard in FOUR_EYES else None)


def _human_transitions(state: str) -> list[Transition]:
    return [t for (source, _), t in TRANSITIONS.items() if source == state and not t.is_machine]


def delegated_transitions(request: NumberRequest, user: User,
                          principals: list[User] | None = None) -> list[tuple[Transition, User]]:
    """The tasks `user` may take on `request` standing in for somebody away, each with whom it is for.
    `principals`: whom they stand in for (absences.principals_of), looked up at the clock unless given."""
    principals = absences.principals_of(user) if principals is None else principals
    return [(t, principal) for principal in principals if access.sees_branch(principal, request.department_id)
            for t in _human_transitions(request.state) if refusal(t, request, user, principal) is None]


def allowed_transitions(request: NumberRequest, user: User, principals: list[User] | None = None) -> list[Transition]:
    """What `user` may do on `request` now: on their own account in their branches, and the tasks of whomever
    they stand in for."""
    allowed = [t for t in _human_transitions(request.state) if refusal(t, request, user) is None] \
        if access.sees_branch(user, request.department_id) else []
    for transition, _ in delegated_transitions(request, user, principals):
        if transition not in allowed:
            allowed.append(transition)
    return allowed


def allowed_actions(request: NumberRequest, user: User) -> list[str]:
    return [t.action for t in allowed_transitions(request, user)]


def task_for_whom(request: NumberRequest, user: User, principals: list[User]) -> User | None:
    """The absent person a task of `user`'s is for; None when it is their own (or not theirs at all)."""
    if not principals:
        return None
    if access.sees_branch(user, request.department_id) and any(
            t.is_task and refusal(t, request, user) is None for t in _human_transitions(request.state)):
        return None
    delegated = delegated_transitions(request, user, principals)
    return delegated[0][1] if delegated else None


def _acting_for(transition: Transition, request: NumberRequest, user: User | None,
                now: datetime | None) -> User | None:
    """Whom `user` takes `transition` for: None for themselves (or the workflow engine), else the absent person
    they stand in for. Forbidden when they may do neither."""
    own = refusal(transition, request, user)
    sees = user is None or access.sees_branch(user, request.department_id)
    if sees and own is None:
        return None
    reason = own if sees else None
    for principal in absences.principals_of(user, now) if user is not None else []:
        if access.sees_branch(principal, request.department_id):
            delegated = refusal(transition, request, user, principal)
            if delegated is None:
                return principal
            if principal.has_role(*transition.actor):  # why not, for somebody whose task it would be
                reason = reason or delegated
    raise Forbidden(reason or own or "this request is not in your branches")


def apply_action(request: NumberRequest, action: str, user: User | None, payload: dict | None = None, *,
                 expected_version: int | None = None, actor_label: str | None = None,
                 now: datetime | None = None) -> AuditEvent:
    """Check and apply one action. Flushes but does not commit: the caller owns the transaction.

    `user` None means the workflow engine. Someone standing in for an absent person (at `now`, the clock unless
    given) takes that person's tasks: the event's actor says "<delegate> for <person>", its data names them.
    """
    if action not in ACTIONS:
        raise NotFound(f"there is no action called {action!r}")
    transition = TRANSITIONS.get((request.state, action))
    if transition is None:
        raise Conflict(f"{action!r} is not possible while the request is {request.state!r}")
    if user is not None and not access.may_see_request(user, request, now):
        raise NotFound(f"there is no request {request.id}")
    principal = _acting_for(transition, request, user, now)
    if expected_version is not None and expected_version != request.version:
        raise Conflict("the request changed since you loaded it: reload and decide again")
    payload = payload or {}
    if not isinstance(payload, dict):
        raise InvalidInput("the input must be a JSON object", {"body": "must be an object"})
    cleaned = transition.validate(payload, request)

    from_state = request.state
    if transition.effect:
        transition.effect(request, cleaned, user)
    target = transition.target[cleaned[transition.branch_on]] if transition.branch_on else transition.target
    request.state = target
    request.state_changed_at = utcnow()
    with db.session.no_autoflush:  # the flush below is the one that checks the request's version
        request.due_at = deadlines.due_on_entering(request.department, from_state, target, request.state_changed_at,
                                                   request.due_at)
    # A machine step is now due: the mark is committed with the decision, so nothing decided is lost, and the
    # dispatcher (workflows/dispatcher.py) hands it to Prefect outside the web request.
    request.dispatch_pending = STATES[target].machine_step is not None
    request.dispatch_attempts = 0  # a new state's step starts its own count (models/attention.py)
    data = {k: v for k, v in cleaned.items() if k != "comment"}
    if "trunk" in data:  # the audit trail is readable by many; credentials stay with the order
        data["trunk"] = {k: v for k, v in data["trunk"].items() if k != "password"}
    actor = user.email if user else (actor_label or "numberdesk")
    if principal is not None:
        actor = f"{user.email} for {principal.email}"[:120]
        data["on_behalf_of"] = {"id": principal.id, "email": principal.email}
    event = AuditEvent(
        request=request, actor_id=user.id if user else None, actor=actor,
        action=action, from_state=from_state, to_state=target, comment=cleaned.get("comment", ""),
        data=_jsonable(data) or None,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("somebody else changed this request at the same moment: reload and decide again") from None
    return event


def _jsonable(data: dict) -> dict:
    """The data as it reads back from a JSON column (string keys, lists), so the audit chain's hash holds."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def open_request(user: User, *, department_id, number_type, quantity, purpose, carrier_id, pbx_id) -> NumberRequest:
    """Create a draft number request after checking everything it names. Flushes, does not commit."""
    if not user.has_role(Role.REQUESTER):
        raise Forbidden("needs the role requester")
    errors: dict[str, str] = {}
    department = _lookup(Department, department_id, "department_id", errors)
    carrier = _lookup(Carrier, carrier_id, "carrier_id", errors)
    pbx = _lookup(PbxSystem, pbx_id, "pbx_id", errors)
    if number_type not in NumberType.values():
        errors["number_type"] = f"must be one of {', '.join(NumberType.values())}"
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        errors["quantity"] = f"must be a whole number from {MIN_QUANTITY} to {MAX_QUANTITY}"
    if not isinstance(purpose, str) or not purpose.strip():
        errors["purpose"] = "is required: say what the number is for"
    elif len(purpose) > MAX_PURPOSE:
        errors["purpose"] = f"must be at most {MAX_PURPOSE} characters"
    if department and not access.may_create_for(user, department.id):
        errors["department_id"] = "you may open requests only for the branches you work for"
    elif department and carrier and not carrier.serves(department.city):
        errors["carrier_id"] = f"{carrier.name} does not serve {department.city}"
    if errors:
        raise InvalidInput("the request is not valid", errors)
    request = NumberRequest(
        department=department, carrier=carrier, pbx=pbx, number_type=number_type, quantity=quantity,
        purpose=purpose.strip(), state=DRAFT, created_by=user)
    db.session.add(request)
    db.session.add(AuditEvent(request=request, actor_id=user.id, actor=user.email, action="create",
                              from_state=None, to_state=DRAFT, comment=""))
    db.session.flush()
    return request


def _lookup(model, value, name: str, errors: dict):
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = "must be the id of an existing record"
        return None
    found = db.session.get(model, value)
    if found is None:
        errors[name] = f"no such record: {value}"
    return found


# The guards of task transitions as SQL conditions on NumberRequest, for `user`: a page of tasks is filtered in the
# database. Each one refuses exactly what its guard refuses (tests/test_inbox.py compares them).
def _not_own_request_sql(user: User):
    return db.and_(NumberRequest.created_by_id != user.id,
                   db.or_(NumberRequest.submitted_by_id.is_(None), NumberRequest.submitted_by_id != user.id))


def _last_escalation_by():
    return (db.select(AuditEvent.actor_id)
            .where(AuditEvent.request_id == NumberRequest.id, AuditEvent.action == "escalate_risk")
            .order_by(AuditEvent.id.desc()).limit(1).correlate(NumberRequest).scalar_subquery())


GUARD_CONDITIONS: dict[Callable, Callable] = {
    _creator_only: lambda user: NumberRequest.created_by_id == user.id,
    _not_own_request: _not_own_request_sql,
    _not_own_request_nor_budget: lambda user: db.and_(
        db.or_(NumberRequest.approved_by_id.is_(None), NumberRequest.approved_by_id != user.id),
        _not_own_request_sql(user)),
    _not_own_request_nor_escalated: lambda user: db.and_(
        db.func.coalesce(_last_escalation_by(), 0) != user.id, _not_own_request_sql(user)),
    pbx.pbx_calls_by_itself: lambda user: NumberRequest.pbx_id.in_(
        db.select(PbxSystem.id).where(PbxSystem.kind == PbxKind.ASTERISK)),
}


def task_transitions(user: User) -> list[Transition]:
    """The transitions that make a waiting request this user's task, by their roles."""
    return [t for t in TRANSITIONS.values() if t.is_task and not t.is_machine and user.has_role(*t.actor)]


def _tasks_condition(user: User, principal: User | None = None):
    """SQL: the requests waiting for a task `user` may take on their own account, or for absent `principal` (in
    that person's branches and roles, the four-eyes guards for both)."""
    acting_as = principal or user
    conditions = []
    for t in task_transitions(user):
        if principal is not None and not principal.has_role(*t.actor):
            continue
        guards = [GUARD_CONDITIONS[t.guard](acting_as)] if t.guard else []
        if principal is not None and t.guard in FOUR_EYES:
            guards.append(GUARD_CONDITIONS[t.guard](user))
        conditions.append(db.and_(NumberRequest.state == t.source, *guards))
    return db.and_(access.branch_condition(acting_as, NumberRequest.department_id), db.or_(db.false(), *conditions))


def task_query(user: User, *, department_id: int | None = None, stage: str | None = None,
               overdue: bool | None = None, now: datetime | None = None):
    """The requests waiting for something this user may do, soonest due first (those without a deadline last),
    as one query; narrowed to a branch, a stage (models.deadlines.STAGES), or those (not) overdue at `now`.
    The tasks of whomever they stand in for at `now` (the clock unless given) are theirs too."""
    principals = absences.principals_of(user, now)
    mine = [_tasks_condition(user), *(_tasks_condition(user, principal) for principal in principals)]
    query = db.select(NumberRequest).where(db.or_(*mine))
    if department_id is not None:
        query = query.where(NumberRequest.department_id == department_id)
    if stage is not None:
        query = query.where(NumberRequest.state.in_(deadlines.STAGES[stage].states))
    if overdue is not None:
        query = query.where(deadlines.overdue_condition(now) if overdue else ~deadlines.overdue_condition(now))
    return query.order_by(NumberRequest.due_at.is_(None), NumberRequest.due_at, NumberRequest.state_changed_at,
                          NumberRequest.id)


def tasks_for(user: User, now: datetime | None = None) -> list[NumberRequest]:
    """Requests waiting for something this user may do, soonest due first."""
    return list(db.session.scalars(task_query(user, now=now)))


def task_actions(request: NumberRequest, user: User, principals: list[User] | None = None) -> list[str]:
    """What this user may do on a request of their tasks (cancelling aside), for themselves or for whomever they
    stand in for (`principals`, looked up at the clock unless given)."""
    return [t.action for t in allowed_transitions(request, user, principals) if t.is_task]


def machine_requests() -> list[NumberRequest]:
    """Requests in a state that a machine step must move on."""
    states = [s.name for s in STATES.values() if s.machine_step]
    return list(db.session.scalars(db.select(NumberRequest).where(NumberRequest.state.in_(states))))
