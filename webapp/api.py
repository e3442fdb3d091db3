"""The JSON API, /api/v1. Bearer tokens only: a browser session never authenticates here.

Each route's rule (webapp/access_rules.py) checks the token and sets g.api_user before the view runs; what the
user then sees goes through the access policy (models/access.py): a record they may not see is a 404.
"""
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from models import Carrier, Department, DomainError, InvalidInput, NumberRequest, PbxSystem, PhoneNumber, access, db
from models.choices import Role
from models.lifecycle import STATES, allowed_actions

from contract_templates.convert import ConversionFailed, ConversionUnavailable

from . import service
from .access_rules import PUBLIC, SIGNED_IN, roles, rule
from .documents import FORMATS, document_as
from .numbers import inventory_query
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status: int, error: str, message: str, fields: dict | None = None):
    return jsonify({"error": error, "message": message, "fields": fields or {}}), status


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    return error_response(error.status, error.error, error.message, error.fields)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return error_response(error.code or 500, error.name.lower().replace(" ", "_"), error.description or error.name)


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", {"body": "must be a JSON object"})
    return body


def _page_args() -> tuple[int, int]:
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = min(max(request.args.get("per_page", current_app.config["PAGE_SIZE"], type=int), 1), 200)
    return page, per_page


def _listing(query, serialise):
    """A JSON array of one page; the total count and the next page travel in headers."""
    page, per_page = _page_args()
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    response = jsonify([serialise(item) for item in found.items])
    response.headers["X-Total-Count"] = str(found.total)
    if found.has_next:
        args = {**request.args.to_dict(), "page": found.next_num, "per_page": per_page}
        response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return response


def request_json(r: NumberRequest) -> dict:
    return {
        "id": r.id, "reference": r.reference, "state": r.state, "state_label": STATES[r.state].label,
        "version": r.version, "department_id": r.department_id, "carrier_id": r.carrier_id, "pbx_id": r.pbx_id,
        "number_type": r.number_type, "quantity": r.quantity, "purpose": r.purpose,
        "created_by": r.created_by.email, "created_at": r.created_at.isoformat() + "Z",
        "dispatch_pending": r.dispatch_pending,
        "signed_on": r.signed_on.isoformat() if r.signed_on else None,
        "numbers": [n.e164 for n in r.numbers],
        "documents": [{"id": d.id, "kind": d.kind, "version": d.version, "sha256": d.sha256,
                       "template_version": d.template_version, "created_at": d.created_at.isoformat() + "Z"}
                      for d in r.documents],
        "history": [{"action": e.action, "from_state": e.from_state, "to_state": e.to_state, "actor": e.actor,
                     "at": e.at.isoformat() + "Z", "comment": e.comment} for e in r.events],
        "allowed_actions": allowed_actions(r, g.api_user),
    }


def number_json(n: PhoneNumber) -> dict:
    return {"e164": n.e164, "national": n.national, "department_id": n.department_id,
            "department": n.department.name, "carrier_id": n.carrier_id, "carrier": n.carrier.name,
            "holder": n.holder, "lock_in_risk": n.is_lock_in_risk, "pbx_id": n.pbx_id,
            "pbx": n.pbx.name if n.pbx else None, "status": n.status, "request_id": n.request_id,
            "activated_on": n.activated_on.isoformat() if n.activated_on else None}


@bp.get("/openapi.json")
@rule(PUBLIC)
def openapi():
    return jsonify(openapi_document())


@bp.get("/departments")
@rule(SIGNED_IN)
def departments():
    return _listing(db.select(Department).order_by(Department.name), lambda d: {
        "id": d.id, "name": d.name, "city": d.city, "time_zone": d.time_zone, "cost_centre": d.cost_centre,
        "monthly_call_load": d.monthly_call_load})


@bp.get("/carriers")
@rule(SIGNED_IN)
def carriers():
    return _listing(db.select(Carrier).order_by(Carrier.name), lambda c: {
        "id": c.id, "name": c.name, "legal_name": c.legal_name, "cities": c.cities, "risky_terms": c.risky_terms()})


@bp.get("/pbx")
@rule(SIGNED_IN)
def pbx_systems():
    return _listing(db.select(PbxSystem).order_by(PbxSystem.name), lambda p: {
        "id": p.id, "name": p.name, "kind": p.kind, "vendor": p.vendor, "resells_numbers": p.resells_numbers})


@bp.post("/requests")
@rule(roles(Role.REQUESTER))
def create_request():
    body = json_body()
    fields = ("department_id", "number_type", "quantity", "purpose", "carrier_id", "pbx_id")
    created = service.open_request(g.api_user, **{name: body.get(name) for name in fields})
    return jsonify(request_json(created)), 201


@bp.get("/requests")
@rule(SIGNED_IN)
def list_requests():
    query = access.visible_requests(g.api_user).order_by(NumberRequest.id.desc())
    state = request.args.get("state")
    if state:
        if state not in STATES:
            raise InvalidInput("unknown state", {"state": f"must be one of {', '.join(STATES)}"})
        query = query.where(NumberRequest.state == state)
    return _listing(query, request_json)


@bp.get("/requests/<int:request_id>")
@rule(SIGNED_IN)
def get_request(request_id: int):
    return jsonify(request_json(access.load_request(g.api_user, request_id)))


@bp.post("/requests/<int:request_id>/actions/<action>")
@rule(SIGNED_IN)
def take_action(request_id: int, action: str):
    number_request = access.load_request(g.api_user, request_id)
    body = json_body() if request.content_length else {}
    version = body.pop("version", None)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise InvalidInput("the version must be a whole number", {"version": "must be a whole number"})
    service.take_action(number_request, g.api_user, action, body, expected_version=version)
    return jsonify(request_json(number_request))


@bp.get("/documents/<int:document_id>")
@rule(SIGNED_IN)
def document(document_id: int):
    found = access.load_document(g.api_user, document_id)
    fmt = request.args.get("format", "docx")
    if fmt not in FORMATS:
        raise InvalidInput("unknown format", {"format": f"must be one of {', '.join(FORMATS)}"})
    try:
        return document_as(found, fmt)
    except ConversionUnavailable as error:
        return error_response(503, "conversion_unavailable", str(error))
    except ConversionFailed as error:
        return error_response(502, "conversion_failed", str(error))


@bp.get("/numbers")
@rule(SIGNED_IN)
def numbers():
    return _listing(inventory_query(request.args, g.api_user), number_json)
