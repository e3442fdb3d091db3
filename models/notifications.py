"""Who is e-mailed what, in their language (User.language, else English), through the outbox (models/outbox.py).

- A new task for you: when a request enters a state in which people act, everyone who may take one of its task
  actions there (their role, the branches the access policy lets them see, the four-eyes guards) is told,
  except whoever made the change. Somebody away (models/absences.py) is told through their delegate instead.
- A decision on your request: its creator is told of every change another person makes, and of the request
  becoming active, rejected or cancelled.
- The daily digest (daily_digest, run by the worker's schedule): people who chose the digest get one mail with
  what waits for them, what of it is overdue and the decisions on their requests in the last day; people who
  chose "immediately" get one only when something of theirs is overdue.

Each person chooses (User.mail_preference): immediately, a daily digest, or nothing. Nothing here edits the life
cycle: a session hook reads every request event that changes a state as it is flushed (as models/audit_trail.py
chains them) and queues the mails in that same transaction, so a decision and its mails are committed together.
"""
import os
from datetime import datetime, timedelta, timezone

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from . import absences, access, lifecycle
from .choices import MailPreference, NumberType
from .db import db
from .mail_texts import LANGUAGES, Items, Letter, Link, action_label, event_label, state_label, text
from .formatting import format_datetime
from .organisation import User, utcnow
from .outbox import (CARRIER_ORDER, DECISION, DIGEST, PDF, TASK, MailAttachment, OutgoingMail, carrier_order_key,
                     queue_mail)
from .requests import AuditEvent, Document, NumberRequest
from .time_zones import accounting_time_zone, day_of, zone

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
# States whose reaching the creator hears of even when nobody but the machine made the change.
ENDINGS = (lifecycle.ACTIVE, lifecycle.REJECTED, lifecycle.CANCELLED)
DIGEST_DECISIONS_SINCE = timedelta(days=1)
# A digest lists this many requests per section at most; "My tasks" has the rest.
DIGEST_ITEMS = 50


def base_url() -> str:
    """Where people open numberdesk, for the links in mails: NUMBERDESK_BASE_URL."""
    return (os.environ.get("NUMBERDESK_BASE_URL", "").strip() or DEFAULT_BASE_URL).rstrip("/")


def request_url(request: NumberRequest) -> str:
    return f"{base_url()}/requests/{request.id}"


def language_of(user: User) -> str:
    return user.language if user.language in LANGUAGES else "en"


# --- who --------------------------------------------------------------------------------------------------

def next_actors(request: NumberRequest, now: datetime | None = None) -> dict[User, list[str]]:
    """Everyone who may act on the request in its state now, with the task actions each may take. Somebody away
    (at `now`, the clock unless given) is told through their delegate, with what the delegate may do for them."""
    transitions = [t for (state, _), t in lifecycle.TRANSITIONS.items()
                   if state == request.state and t.is_task and not t.is_machine]
    if not transitions:
        return {}
    actors = {}
    for user in db.session.scalars(db.select(User).where(User.is_active_user).order_by(User.id)):
        if not access.sees_branch(user, request.department_id):
            continue
        actions = [t.action for t in transitions if lifecycle.refusal(t, request, user) is None]
        if actions:
            actors[user] = actions
    for absence in absences.active_absences(now):
        if actors.pop(absence.user, None) is None or not absence.delegate.is_active:
            continue
        delegated = [t.action for t in transitions
                     if lifecycle.refusal(t, request, absence.delegate, absence.user) is None]
        if delegated:
            mine = actors.setdefault(absence.delegate, [])
            mine += [action for action in delegated if action not in mine]
    return actors


def creator_hears_of(event: AuditEvent) -> bool:
    request = event.request
    if event.actor_id == request.created_by_id:
        return False
    return event.actor_id is not None or event.to_state in ENDINGS


# --- what -------------------------------------------------------------------------------------------------

def _due_text(request: NumberRequest, language: str, now: datetime) -> str:
    """When the request's stage is due, in its branch's time zone, and whether it is overdue (once requests have
    deadlines); empty without one."""
    due_at = getattr(request, "due_at", None)
    if due_at is None:
        return ""
    local = due_at.replace(tzinfo=timezone.utc).astimezone(zone(request.department.time_zone))
    due = format_datetime(local, language)
    return due + (f" ({text('overdue', language)})" if now > due_at else "")


def _branch(request: NumberRequest, language: str) -> str:
    department = request.department
    return (department.name_ru or department.name) if language == "ru" else department.name


def _request_line(request: NumberRequest, language: str) -> str:
    return text("request", language, reference=request.reference, branch=_branch(request, language),
                quantity=request.quantity, number_type=NumberType.label(request.number_type, language),
                purpose=request.purpose)


def _footer(user: User, language: str) -> tuple:
    preference = text(f"preference_{user.mail_preference}", language)
    return text("footer", language, preference=preference), Link(text("my_account", language), f"{base_url()}/account/")


def decision_letter(user: User, event: AuditEvent, task_actions: list[str], decision: bool,
                    now: datetime | None = None) -> Letter:
    """The mail telling `user` of `event` on a request: a new task for them, a decision on their request, or both."""
    language, request = language_of(user), event.request
    now = now or utcnow()
    state = state_label(request.state, language)
    if task_actions:
        subject = text("task_subject", language, reference=request.reference, state=state)
    else:
        subject = text("decision_subject", language, reference=request.reference,
                       event=event_label(event.action, language))
    letter = Letter(subject).add(text("greeting", language, name=user.name), _request_line(request, language))
    if decision:
        said = event_label(event.action, language)
        letter.add(text("decided_by", language, actor=event.actor, event=said) if event.actor_id is not None
                   else text("happened", language, event=said),
                   event.comment and text("comment", language, comment=event.comment),
                   text("now", language, state=state))
    if task_actions:
        due = _due_text(request, language, now)
        letter.add(text("task_intro", language, state=state),
                   text("you_may", language, actions=", ".join(action_label(a, language) for a in task_actions)),
                   due and text("due", language, due=due))
    letter.add(Link(text("open_request", language), request_url(request)),
               task_actions and Link(text("your_tasks", language), f"{base_url()}/"))
    return letter.add(*_footer(user, language))


def notify_decision(event: AuditEvent) -> list[OutgoingMail]:
    """Queue the mails an event that changed a request's state calls for, in the caller's transaction."""
    request = event.request
    told: dict[User, list[str]] = {user: actions for user, actions in next_actors(request).items()
                                   if user.id != event.actor_id}
    creator = request.created_by
    decided = creator_hears_of(event)
    if decided:
        told.setdefault(creator, [])
    queued = []
    for user, actions in told.items():
        if user.mail_preference != MailPreference.IMMEDIATELY or not user.is_active:
            continue
        letter = decision_letter(user, event, actions, decided and user.id == creator.id)
        queued.append(queue_mail(user.email, letter.subject, letter.as_text(), letter.as_html(),
                                 kind=TASK if actions else DECISION, request=request, user=user))
    return queued


# --- the session hook -------------------------------------------------------------------------------------

_PENDING = "numberdesk_state_changes"


@sa_event.listens_for(Session, "after_flush")
def _collect_state_changes(session: Session, _flush_context) -> None:
    """The request events of this flush that changed a state (a request's creation is no news to anyone)."""
    changes = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.request_id is not None
               and obj.from_state is not None and obj.to_state and obj.from_state != obj.to_state]
    if changes:
        session.info.setdefault(_PENDING, []).extend(changes)


@sa_event.listens_for(Session, "after_flush_postexec")
def _notify_state_changes(session: Session, _flush_context) -> None:
    """After the flush, when every id is known, the mails are added: the commit's next flush writes them."""
    for change in session.info.pop(_PENDING, []):
        notify_decision(change)


@sa_event.listens_for(Session, "after_rollback")
def _forget_state_changes(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- the carrier order ------------------------------------------------------------------------------------

def queue_carrier_order(request: NumberRequest, letter: Document, company_name: str) -> OutgoingMail | None:
    """E-mail the order letter, as PDF, to the carrier's order address, with the request's reference in the
    subject, in the carrier's language; once per request. None when the carrier has no order address."""
    carrier = request.carrier
    if not carrier.order_email:
        return None
    language = carrier.language if carrier.language in LANGUAGES else "en"
    city = (request.department.city_ru or request.department.city) if language == "ru" else request.department.city
    values = dict(reference=request.reference, quantity=request.quantity, city=city,
                  number_type=NumberType.label(request.number_type, language).lower())
    mail = Letter(text("order_subject", language, **values)).add(
        text("order_greeting", language), text("order_body", language, **values),
        text("order_reply", language, **values), text("order_signature", language, company=company_name))
    attachment = MailAttachment(filename=letter.filename.removesuffix(".docx") + ".pdf", content_type=PDF,
                                document=letter)
    return queue_mail(carrier.order_email, mail.subject, mail.as_text(), mail.as_html(), kind=CARRIER_ORDER,
                      request=request, key=carrier_order_key(request), attachments=(attachment,))


# --- the daily digest -------------------------------------------------------------------------------------

def digest_letter(user: User, now: datetime) -> Letter | None:
    """The day's digest for `user`, or None when there is nothing to tell them."""
    language = language_of(user)
    tasks = lifecycle.tasks_for(user)
    overdue = [r for r in tasks if getattr(r, "due_at", None) is not None and now > r.due_at]
    decisions = []
    if user.mail_preference == MailPreference.DIGEST:
        decisions = db.session.scalars(
            db.select(AuditEvent).join(AuditEvent.request)
            .where(NumberRequest.created_by_id == user.id, AuditEvent.at >= now - DIGEST_DECISIONS_SINCE,
                   AuditEvent.from_state.is_not(None), AuditEvent.from_state != AuditEvent.to_state,
                   db.or_(AuditEvent.actor_id != user.id, AuditEvent.actor_id.is_(None)))
            .order_by(AuditEvent.id)).all()
        decisions = [e for e in decisions if creator_hears_of(e)]
    else:
        tasks = []  # those told at once hear only of what is overdue
    if not (tasks or overdue or decisions):
        return None

    def task_item(request: NumberRequest) -> tuple[str, str]:
        due = _due_text(request, language, now)
        values = dict(reference=request.reference, branch=_branch(request, language),
                      state=state_label(request.state, language), due=due)
        return text("digest_task_due" if due else "digest_task", language, **values), request_url(request)

    def section(heading: str, requests: list[NumberRequest]) -> Items:
        items = tuple(task_item(r) for r in requests[:DIGEST_ITEMS])
        more = len(requests) - DIGEST_ITEMS
        return Items(heading, items + (((text("digest_more", language, count=more), None),) if more > 0 else ()))

    letter = Letter(text("digest_subject", language, waiting=len(tasks or overdue), overdue=len(overdue)))
    letter.add(text("greeting", language, name=user.name), text("digest_intro", language))
    if overdue:
        letter.add(section(text("digest_overdue", language), overdue))
    overdue_ids = {r.id for r in overdue}
    waiting = [r for r in tasks if r.id not in overdue_ids]
    if waiting:
        letter.add(section(text("digest_waiting", language), waiting))
    if decisions:
        letter.add(Items(text("digest_decisions", language), tuple(
            (text("digest_decision", language, reference=e.request.reference, actor=e.actor,
                  event=event_label(e.action, language)), request_url(e.request)) for e in decisions)))
    letter.add(Link(text("your_tasks", language), f"{base_url()}/"))
    return letter.add(*_footer(user, language))


def digest_key(user: User, day) -> str:
    return f"digest-{user.id}-{day.isoformat()}"


def daily_digest(now: datetime | None = None) -> list[OutgoingMail]:
    """Queue today's digest of every person who gets one (once per person and day, in the accounting time zone),
    and commit. Returns the mails queued."""
    now = now or utcnow()
    day = day_of(now, accounting_time_zone())
    queued = []
    people = db.session.scalars(db.select(User).where(User.is_active_user,
                                                      User.mail_preference != MailPreference.OFF)
                                .order_by(User.id)).all()
    for user in people:
        key = digest_key(user, day)
        if db.session.scalar(db.select(OutgoingMail.id).filter_by(key=key)) is not None:
            continue
        letter = digest_letter(user, now)
        if letter is not None:
            queued.append(queue_mail(user.email, letter.subject, letter.as_text(), letter.as_html(), kind=DIGEST,
                                     user=user, key=key))
    db.session.commit()
    return queued


__all__ = ["base_url", "daily_digest", "decision_letter", "digest_letter", "language_of", "next_actors",
           "notify_decision", "queue_carrier_order", "request_url"]
