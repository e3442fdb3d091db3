"""People's pages for number requests: my tasks, the list, one request, a new request."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import Carrier, Department, Document, DomainError, NumberRequest, PbxSystem, db
from models.choices import Role
from models.lifecycle import STATES, TRANSITIONS, allowed_transitions, tasks_for

from . import service
from .auth import roles_required
from .forms import RequestForm, action_form

bp = Blueprint("requests", __name__)


@bp.get("/")
@login_required
def tasks():
    return render_template("tasks.html", tasks=tasks_for(current_user))


@bp.get("/requests")
@login_required
def index():
    query = db.select(NumberRequest).join(NumberRequest.department).order_by(NumberRequest.id.desc())
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
    departments = db.session.scalars(db.select(Department).order_by(Department.name)).all()
    return render_template("requests.html", page=page, state=state, text=text, department_id=department_id,
                           departments=departments)


def _request_form() -> RequestForm:
    form = RequestForm()
    form.department_id.choices = [(d.id, str(d)) for d in
                                  db.session.scalars(db.select(Department).order_by(Department.city))]
    form.carrier_id.choices = [(c.id, f"{c.name} ({', '.join(c.cities)})") for c in
                               db.session.scalars(db.select(Carrier).order_by(Carrier.name))]
    form.pbx_id.choices = [(p.id, p.name + (" (vendor resells numbers: lock-in)" if p.resells_numbers else ""))
                           for p in db.session.scalars(db.select(PbxSystem).order_by(PbxSystem.name))]
    return form


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(Role.REQUESTER)
def new():
    form = _request_form()
    if not form.department_id.data and current_user.department_id and request.method == "GET":
        form.department_id.data = current_user.department_id
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
    found = db.session.get(NumberRequest, request_id)
    if found is None:
        abort(404, description=f"There is no request {request_id}.")
    return found


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
@login_required
def detail(request_id: int):
    number_request = _load(request_id)
    return render_template("request_detail.html", r=number_request, action_forms=_action_forms(number_request))


@bp.post("/requests/<int:request_id>/actions/<action>")
@login_required
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
@login_required
def document(document_id: int):
    found = db.session.get(Document, document_id)
    if found is None:
        abort(404, description="There is no such document.")
    return docx_response(found)


def docx_response(document: Document) -> Response:
    return Response(document.content, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": f'attachment; filename="{document.filename}"',
        "X-Content-SHA256": document.sha256,
    })
