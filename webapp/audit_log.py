"""The audit trail page for admins: every event, newest first, filtered by subject, actor or action, and whether
the hash chain verifies (the same check as `numberdesk audit verify`)."""
import re

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from models import AuditEvent, NumberRequest, access, db
from models.audit_trail import check_chain
from models.choices import Role

from .access_rules import roles, rule

bp = Blueprint("audit_log", __name__, url_prefix="/admin/audit")

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


@bp.get("/")
@rule(roles(Role.ADMIN))
def index():
    subject, actor, action = _text_arg("subject", 80), _text_arg("actor", 120), _text_arg("action", 40)
    page = db.paginate(events_query(subject, actor, action), page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PAGE_SIZE", 25), error_out=False)
    actions = db.session.scalars(db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("audit_log/index.html", page=page, check=check_chain(), actions=actions,
                           subject=subject, actor=actor, action=action)
