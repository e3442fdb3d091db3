"""Requests somebody must look at: a machine step that kept failing, and a stage overdue by more than its own length.

A machine step is re-driven by the sweeper with a growing pause (workflows/dispatch.py); after MAX_STEP_ATTEMPTS
re-drives at one stage it is left alone, the request "needs attention" with the step's error, admins are told, and
an admin retries it from the request page. A stage overdue by more than its own length is escalated: the project
leads and admins who see the branch are told, once per stage.
"""
from datetime import datetime

from . import access
from .choices import Role
from .db import db
from .deadlines import STAGE_OF_STATE, business_days, due_after, overdue_condition
from .errors import Conflict, Forbidden, NotFound
from .mail_texts import Letter, Link, state_label, text
from .notifications import language_of, request_url
from .organisation import User
from .outbox import ATTENTION, ESCALATION, OutgoingMail, queue_mail
from .requests import AuditEvent, NumberRequest

MAX_STEP_ATTEMPTS = 5


def needs_attention(request: NumberRequest, machine_step: str | None) -> bool:
    """`machine_step`: the step the request's state waits for (lifecycle.STATES), None for a person's state."""
    return machine_step is not None and request.dispatch_attempts >= MAX_STEP_ATTEMPTS


def retry_step(user: User, request: NumberRequest, machine_step: str | None) -> None:
    """An admin has the step tried again from the start of its count. Flushes; the caller commits and dispatches."""
    if not user.has_role(Role.ADMIN):
        raise Forbidden("needs the role admin")
    if not access.may_see_request(user, request):
        raise NotFound(f"there is no request {request.id}")
    if machine_step is None:
        raise Conflict("no automatic step waits in this state")
    request.dispatch_attempts = 0
    request.dispatch_pending = True
    db.session.add(AuditEvent(request=request, actor_id=user.id, actor=user.email, action="retry_step",
                              from_state=request.state, to_state=request.state, comment="",
                              data={"step": machine_step, "error": request.step_error}))
    db.session.flush()


def _watchers(request: NumberRequest) -> list[User]:
    """The active admins and project leads who see the request's branch."""
    people = db.session.scalars(db.select(User).where(User.is_active_user.is_(True))).all()
    return [user for user in people if user.has_role(Role.ADMIN, Role.APPROVER)
            and access.may_see_request(user, request)]


def _admins(request: NumberRequest) -> list[User]:
    return [user for user in _watchers(request) if user.has_role(Role.ADMIN)]


def _letter(user: User, request: NumberRequest, subject_key: str, body_key: str, **values) -> Letter:
    language = language_of(user)
    state = state_label(request.state, language)
    return (Letter(text(subject_key, language, reference=request.reference, state=state))
            .add(text("greeting", language, name=user.name),
                 text(body_key, language, reference=request.reference, state=state, **values),
                 Link(text("open_request", language), request_url(request))))


def tell_admins_of_stuck_step(request: NumberRequest) -> list[OutgoingMail]:
    """Mail the admins who see the branch that the request's step keeps failing; once per stage."""
    queued = []
    for user in _admins(request):
        letter = _letter(user, request, "attention_subject", "attention_body",
                         error=request.step_error or "-", attempts=request.dispatch_attempts)
        queued.append(queue_mail(user.email, letter.subject, letter.as_text(), letter.as_html(), kind=ATTENTION,
                                 request=request, user=user,
                                 key=f"attention-{request.id}-{request.state_changed_at.isoformat()}-{user.id}"))
    return queued


def escalation_due(request: NumberRequest, now: datetime) -> bool:
    """Overdue by more than the stage's own length: past the deadline counted again from the deadline."""
    stage = STAGE_OF_STATE.get(request.state)
    if stage is None or request.due_at is None:
        return False
    department = request.department
    return now > due_after(request.due_at, business_days()[stage], department.time_zone, department.country)


def escalate_overdue(now: datetime) -> list[OutgoingMail]:
    """Tell the project leads and admins of every request overdue by more than its stage's length, once per stage
    (the deadline is in the mail's key). The caller commits."""
    queued = []
    overdue = db.session.scalars(db.select(NumberRequest).where(overdue_condition(now))).all()
    for request in overdue:
        if not escalation_due(request, now):
            continue
        for user in _watchers(request):
            letter = _letter(user, request, "escalation_subject", "escalation_body",
                             due=request.due_at.strftime("%Y-%m-%d %H:%M UTC"))
            queued.append(queue_mail(user.email, letter.subject, letter.as_text(), letter.as_html(),
                                     kind=ESCALATION, request=request, user=user,
                                     key=f"escalation-{request.id}-{request.due_at.isoformat()}-{user.id}"))
    return queued
