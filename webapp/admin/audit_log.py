"""The audit trail page for admins: every event, newest first, filtered by subject, actor or action, and whether
the hash chain verifies (the same check as `numberdesk audit verify`)."""
import re

from flask import current_app, render_template, request
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from models import AuditEvent, NumberRequest, access, db
from models.audit_trail import check_chain
from models.choices import Role

from ..core.access_rules import roles, rule
from ..core.labels import event_label


# What happened, for the events that are not about a request (a request's own are named by core.labels).
OTHER_EVENT_LABELS = {
    "create": lazy_gettext("Record created"),
    "edit": lazy_gettext("Record changed"),
    "edit_layout": lazy_gettext("Call record layout changed"),
    "upload_template": lazy_gettext("Template uploaded"),
    "sign_in": lazy_gettext("Signed in"),
    "sign_in_failed": lazy_gettext("Sign-in refused"),
    "change_password": lazy_gettext("Password changed"),
    "create_token": lazy_gettext("API token created"),
    "revoke_token": lazy_gettext("API token revoked"),
    "create_admin": lazy_gettext("First admin created"),
    "rotate_secrets_key": lazy_gettext("Secrets key rotated"),
}


def action_text(action: str, about_request: bool = False) -> str:
    """An event's action in the page's language: a request's as its timeline says it, any other as above."""
    if not about_request and action in OTHER_EVENT_LABELS:
        return str(OTHER_EVENT_LABELS[action])
    return event_label(action)


# "NR-00005", "request 5" or "5": the events of one request, which have no subject text of their own.
REQUEST_REFERENCE = re.compile(r"^(?:NR-|request\s+)?0*(\d{1,9})$", re.IGNORECASE)


def _text_arg(name: str, longest: int) -> str:
    return request.args.get(name, "").strip()[:longest]


def events_query(subject: str, actor: str, action: str):
    """The events this admin may see (request events of the branches the access policy gives them, and every
    event that is not about a request), newest first, filtered."""
    visible_requests = access.visible_requests(current_user, db.select(NumberRequest.id))
    query = (db.select(AuditEvent).options(selectinload(AuditEvent.request))
             .where(db.or_(AuditEvent.request_id.is_(None), AuditEvent.request_id.in_(visible_requests)))
             .order_by(AuditEvent.id.desc()))
    if subject:
        matches = AuditEvent.subject.icontains(subject, autoescape=True)
        reference = REQUEST_REFERENCE.match(subject)
        if reference:
            matches = db.or_(matches, AuditEvent.request_id == int(reference.group(1)))
        query = query.where(matches)
    if actor:
        query = query.where(AuditEvent.actor.icontains(actor, autoescape=True))
    if action:
        query = query.where(AuditEvent.action == action)
    return query


@rule(roles(Role.ADMIN))
def index():
    subject, actor, action = _text_arg("subject", 80), _text_arg("actor", 120), _text_arg("action", 40)
    page = db.paginate(events_query(subject, actor, action), page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PAGE_SIZE", 25), error_out=False)
    actions = db.session.scalars(db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("audit_log/index.html", page=page, check=check_chain(), actions=actions,
                           subject=subject, actor=actor, action=action, action_text=action_text)
