"""The JSON API's requests, and what a request is opened with: branches, carriers and PBX systems."""
from flask import g

from models import (Carrier, Department, NumberRequest, PbxSystem, absences, access, db, deadlines, payloads, pbx,
                    protocol)
from models.choices import Role
from models.lifecycle import (HUMAN_ACTIONS, STATES, TRANSITIONS, allowed_actions, task_actions, task_for_whom,
                              task_query)
from models.organisation import utcnow

from ..api import inputs, schemas
from ..api.operations import Reply, Variant, body, operation, page_of, page_reply, query
from ..core.access_rules import SIGNED_IN, roles, rule
from . import service

# The body each decision takes, by the domain's validation of it: an action's body follows its transitions.
BODIES = {
    payloads.optional_comment: inputs.Decision,
    payloads.required_comment: inputs.ReasonedDecision,
    payloads.change_request: inputs.ChangeRequest,
    protocol.carrier_response: inputs.CarrierResponse,
    protocol.counter_answers: inputs.CounterAnswers,
    protocol.carrier_choice: inputs.CarrierChoice,
    pbx.attachment_checklist: inputs.AttachmentChecklist,
    payloads.signature: inputs.Signature,
    payloads.order_confirmation: inputs.OrderConfirmation,
}


def _action_variant(action: str) -> Variant:
    """The documented path of one decision: its label, the transitions it takes and who may take them."""
    transitions = [t for t in TRANSITIONS.values() if t.action == action]
    [validate] = {t.validate for t in transitions}
    lines = [f"- from `{t.source}` to {' or '.join(f'`{s}`' for s in t.targets())}"
             + (f" (by `{t.branch_on}`)" if t.branch_on else "") for t in transitions]
    roles_text = " or ".join(sorted({role for t in transitions for role in t.actor}))
    return Variant(transitions[0].label, f"By the role {roles_text}:\n" + "\n".join(lines), BODIES[validate])


def protocol_item_data(item) -> dict:
    return {"id": item.id, "round": item.round, "clause": item.clause, "category": item.category,
            "must_have": item.must_have, "carrier_wording": item.carrier_wording, "our_wording": item.our_wording,
            "answer": item.answer, "counter_wording": item.counter_wording, "agreed_wording": item.agreed_wording}


def request_data(r: NumberRequest) -> dict:
    return {
        "id": r.id, "reference": r.reference, "state": r.state, "state_label": STATES[r.state].label,
        "version": r.version, "department_id": r.department_id, "carrier_id": r.carrier_id, "pbx_id": r.pbx_id,
        "number_type": r.number_type, "quantity": r.quantity, "purpose": r.purpose,
        "created_by": r.created_by.email, "created_at": r.created_at, "dispatch_pending": r.dispatch_pending,
        "signed_on": r.signed_on, "numbers": [n.e164 for n in r.numbers],
        "documents": [{"id": d.id, "kind": d.kind, "version": d.version, "sha256": d.sha256,
                       "template_version": d.template_version, "created_at": d.created_at} for d in r.documents],
        "protocol": [protocol_item_data(item) for item in r.protocol_items()],
        "verification": pbx.latest_verification(r),
        "step_error": r.step_error,
        "history": [{"action": e.action, "from_state": e.from_state, "to_state": e.to_state, "actor": e.actor,
                     "at": e.at, "comment": e.comment} for e in r.events],
        "allowed_actions": allowed_actions(r, g.api_user),
    }


@rule(SIGNED_IN)
@operation("Branches", query=inputs.Paging, replies=[page_reply(schemas.Department, "One page of branches")])
def departments():
    return page_of(db.select(Department).order_by(Department.name), lambda d: {
        "id": d.id, "name": d.name, "city": d.city, "time_zone": d.time_zone, "cost_centre": d.cost_centre,
        "monthly_call_load": d.monthly_call_load})


@rule(SIGNED_IN)
@operation("Carriers, with the risky terms of their standard contracts", query=inputs.Paging,
           replies=[page_reply(schemas.Carrier, "One page of carriers")])
def carriers():
    return page_of(db.select(Carrier).order_by(Carrier.name), lambda c: {
        "id": c.id, "name": c.name, "legal_name": c.legal_name, "cities": c.cities, "risky_terms": c.risky_terms(),
        "billing_time_zone": c.billing_time_zone})


@rule(SIGNED_IN)
@operation("PBX systems", query=inputs.Paging, replies=[page_reply(schemas.Pbx, "One page of PBX systems")])
def pbx_systems():
    return page_of(db.select(PbxSystem).order_by(PbxSystem.name), lambda p: {
        "id": p.id, "name": p.name, "kind": p.kind, "vendor": p.vendor, "resells_numbers": p.resells_numbers})


@rule(roles(Role.REQUESTER))
@operation("Open a draft request", body=inputs.NewRequest,
           replies=[Reply(201, "The new draft", schemas.Request)])
def create_request():
    created = service.open_request(g.api_user, **body().model_dump())
    return request_data(created), 201


@rule(SIGNED_IN)
@operation("The requests you may see, newest first", query=inputs.RequestFilter,
           replies=[page_reply(schemas.Request, "One page of requests")])
def list_requests():
    select = access.visible_requests(g.api_user).order_by(NumberRequest.id.desc())
    state = query().state
    if state:
        select = select.where(NumberRequest.state == state)
    return page_of(select, request_data)


@rule(SIGNED_IN)
@operation("The requests waiting for you, soonest due first", query=inputs.TaskFilter,
           description="What `GET /` shows as My tasks: the requests in a state where you may act on them, with "
                       "the actions you may take and their due time (the end of the stage's last business day in "
                       "the branch's calendar).",
           replies=[page_reply(schemas.Task, "One page of tasks")])
def tasks():
    asked = query()
    now = utcnow()
    select = task_query(g.api_user, department_id=asked.department, stage=asked.stage, overdue=asked.overdue, now=now)
    principals = absences.principals_of(g.api_user, now)

    def task(r: NumberRequest) -> dict:
        found = {"request_id": r.id, "reference": r.reference, "actions": task_actions(r, g.api_user, principals),
                 "due_at": r.due_at, "overdue": deadlines.is_overdue(r.due_at, now)}
        principal = task_for_whom(r, g.api_user, principals)
        if principal is not None:
            found["on_behalf_of"] = principal.email
        return found
    return page_of(select, task)


@rule(SIGNED_IN)
@operation("One request with its numbers, documents, history and the actions you may take",
           replies=[Reply(200, "The request", schemas.Request)])
def get_request(request_id: int):
    return request_data(access.load_request(g.api_user, request_id))


@rule(SIGNED_IN)
@operation("Take a decision on a request", variant_of="action",
           variants={action: _action_variant(action) for action in sorted(HUMAN_ACTIONS)}, body=inputs.Decision,
           replies=[Reply(200, "The request after the decision", schemas.Request)], errors=(403, 409))
def take_action(request_id: int, action: str):
    number_request = access.load_request(g.api_user, request_id)
    decision = body()
    # As JSON, as the domain's validation takes it (a date as YYYY-MM-DD), with only what the caller sent.
    payload = decision.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    service.take_action(number_request, g.api_user, action, payload, expected_version=decision.version)
    return request_data(number_request)
