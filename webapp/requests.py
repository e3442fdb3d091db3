"""People's pages for number requests: my tasks, the list, one request, a new request."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Carrier, Department, Document, DomainError, NotFound, NumberRequest, PbxSystem, access, db
from models.choices import Role
from models.lifecycle import STATES, TRANSITIONS, allowed_transitions, tasks_for

from . import service
from .access_rules import SIGNED_IN, roles, rule
from .forms import RequestForm, action_form

bp = Blueprint("requests", __name__)


@bp.get("/")
@rule(SIGNED_IN)
def tasks():
    return render_template("tasks.html", tasks=tasks_for(current_user))


@bp.get("/requests")
@rule(SIGNED_IN)
def index():
    query = access.visible_requests(current_user).join(NumberRequest.department).order_by(NumberRequest.id.desc())
    state = request.args.get("state", "")
    if state in STATES:
        query = query.where(NumberRequest.state == state)
    department_id = request.args.get("department", type=int)
    if department_id:
        query = query.where(NumberRequest.department_id == department_id)
    text = request.args.get("q", "").strip()
    if text:
        like = f"%{text}%"
        conditions = [NumberRequest.purpose.ilike(like), Department.name.ilike(like), Department.city.ilike(like)]
        reference = text.upper().removeprefix("NR-").lstrip("0")
        if reference.isdigit():
            conditions.append(NumberRequest.id == int(reference))
        query = query.where(db.or_(*conditions))
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    departments = db.session.scalars(access.in_scope(current_user, db.select(Department).order_by(Department.name),
                                                     Department.id)).all()
    return render_template("requests.html", page=page, state=state, text=text, department_id=department_id,
                           departments=departments)


def _request_form() -> RequestForm:
    form = RequestForm()
    # A requester opens requests only for the branches they work for.
    mine = sorted(current_user.departments, key=lambda d: (d.city, d.name))
    form.department_id.choices = [(d.id, str(d)) for d in mine]
    if not mine:
        form.department_id.description = ("You work for no branch yet, so you cannot open a request. "
                                          "Ask an admin to add your branches to your account.")
    form.carrier_id.choices = [(c.id, f"{c.name} ({', '.join(c.cities)})") for c in
                               db.session.scalars(db.select(Carrier).order_by(Carrier.name))]
    form.pbx_id.choices = [(p.id, p.name + (" (vendor resells numbers: lock-in)" if p.resells_numbers else ""))
                           for p in db.session.scalars(db.select(PbxSystem).order_by(PbxSystem.name))]
    return form


@bp.route("/requests/new", methods=["GET", "POST"])
@rule(roles(Role.REQUESTER))
def new():
    form = _request_form()
    status = 200
    if form.validate_on_submit():
        try:
            created = service.open_request(current_user, **form.payload())
        except DomainError as error:
            for name, message in error.fields.items():
                getattr(form, name).errors.append(message)
            status = error.status
        else:
            flash(f"{created.reference} created as a draft. Submit it when it is ready.", "success")
            return redirect(url_for("requests.detail", request_id=created.id))
    elif request.method == "POST":
        status = 422
    return render_template("request_new.html", form=form), status


def _load(request_id: int) -> NumberRequest:
    try:
        return access.load_request(current_user, request_id)
    except NotFound:
        abort(404, description=f"There is no request {request_id}.")


def _action_forms(number_request: NumberRequest, failed_action: str = "", failed_form=None) -> list:
    """One form per action this user may take now; the one that just failed keeps its input."""
    forms = []
    for transition in allowed_transitions(number_request, current_user):
        if transition.action == failed_action:
            forms.append((transition, failed_form))
            continue
        form = action_form(transition.action, transition.label or transition.action, formdata=None)
        form.version.data = str(number_request.version)
        forms.append((transition, form))
    return forms


@bp.get("/requests/<int:request_id>")
@rule(SIGNED_IN)
def detail(request_id: int):
    number_request = _load(request_id)
    return render_template("request_detail.html", r=number_request, action_forms=_action_forms(number_request))


@bp.post("/requests/<int:request_id>/actions/<action>")
@rule(SIGNED_IN)
def act(request_id: int, action: str):
    number_request = _load(request_id)
    transition = TRANSITIONS.get((number_request.state, action))
    label = (transition.label or action) if transition else action
    form = action_form(action, label)
    if form.validate_on_submit():
        try:
            service.take_action(number_request, current_user, action, form.payload(),
                                expected_version=form.expected_version())
        except DomainError as error:
            db.session.refresh(number_request)
            if error.status in (403, 404, 409):
                flash(error.message, "error")
                return redirect(url_for("requests.detail", request_id=request_id))
            form.show_errors(error.fields)
        else:
            flash(f"{label}: done. The request is now “{STATES[number_request.state].label}”.", "success")
            return redirect(url_for("requests.detail", request_id=request_id))
    return render_template("request_detail.html", r=number_request,
                           action_forms=_action_forms(number_request, action, form)), 422


@bp.get("/documents/<int:document_id>")
@rule(SIGNED_IN)
def document(document_id: int):
    return docx_response(load_document(document_id))


def load_document(document_id: int) -> Document:
    """The document, if the signed-in user may see its request; the 404 page otherwise."""
    try:
        return access.load_document(current_user, document_id)
    except NotFound:
        abort(404, description="There is no such document.")


def docx_response(document: Document) -> Response:
    return Response(document.content, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": f'attachment; filename="{document.filename}"',
        "X-Content-SHA256": document.sha256,
    })
