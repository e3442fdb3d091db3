"""People's pages for number requests: my tasks, the list, one request, a new request."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from sqlalchemy.orm import joinedload

from models import (Carrier, Department, DomainError, NotFound, NumberRequest, PbxSystem, absences, access,
                    attention, comparison, db, deadlines, outbox, pbx)
from models.choices import Role
from models.lifecycle import CARRIER_REFUSED, DRAFT, STATES, SUBMITTED, allowed_transitions, task_for_whom, task_query
from models.organisation import utcnow

from ..core.access_rules import SIGNED_IN, roles, rule
from ..core.helpers import branch_text, localised
from ..core.labels import action_label, domain_text, state_label
from . import service
from .forms import RequestForm, RetryForm, action_form


# The stages "My tasks" filters by, in the page's language.
STAGE_LABELS = {
    deadlines.APPROVAL: lazy_gettext("Approval"),
    deadlines.LEGAL_REVIEW: lazy_gettext("Legal review"),
    deadlines.SIGNATURE: lazy_gettext("Signature"),
    deadlines.CARRIER_ORDER: lazy_gettext("Carrier order"),
    deadlines.ATTACHMENT: lazy_gettext("PBX attachment"),
    deadlines.VERIFICATION: lazy_gettext("Verification"),
}


@rule(SIGNED_IN)
def tasks():
    """The requests waiting for me, one page at a time, soonest due first; filtered in the database."""
    department_id = request.args.get("department", type=int)
    stage = request.args.get("stage", "")
    stage = stage if stage in deadlines.STAGES else ""
    overdue = request.args.get("overdue") == "1"
    now = utcnow()
    query = task_query(current_user, department_id=department_id, stage=stage or None,
                       overdue=overdue or None, now=now)
    page = db.paginate(query.options(joinedload(NumberRequest.department), joinedload(NumberRequest.carrier)),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    # The branches something waits for me in.
    waiting_in = task_query(current_user).order_by(None).with_only_columns(NumberRequest.department_id).distinct()
    departments = db.session.scalars(db.select(Department).where(Department.id.in_(waiting_in))
                                     .order_by(Department.name)).all()
    # The tasks of somebody away whom I stand in for say whose they are.
    principals = absences.principals_of(current_user, now)
    for_whom = {r.id: person for r in page.items if (person := task_for_whom(r, current_user, principals))}
    return render_template("tasks.html", page=page, now=now, is_overdue=deadlines.is_overdue, for_whom=for_whom,
                           department_id=department_id, stage=stage, overdue=overdue, departments=departments,
                           stage_labels=STAGE_LABELS)


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
        conditions = [NumberRequest.purpose.ilike(like), Department.name.ilike(like), Department.city.ilike(like),
                      Department.name_ru.ilike(like), Department.city_ru.ilike(like)]
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
    form.department_id.choices = [(d.id, branch_text(d)) for d in mine]
    if not mine:
        form.department_id.description = gettext("You work for no branch yet, so you cannot open a request. "
                                                 "Ask an admin to add your branches to your account.")
    # A carrier's cities are kept in English; the branches know each city's Russian name.
    city_names = {d.city: localised(d, "city") for d in db.session.scalars(db.select(Department))}
    form.carrier_id.choices = [(c.id, f"{localised(c)} ({', '.join(city_names.get(city, city) for city in c.cities)})")
                               for c in db.session.scalars(db.select(Carrier).order_by(Carrier.name))]
    form.pbx_id.choices = [(p.id, gettext("%(name)s (vendor resells numbers: lock-in)", name=localised(p))
                            if p.resells_numbers else localised(p))
                           for p in db.session.scalars(db.select(PbxSystem).order_by(PbxSystem.name))]
    return form


@rule(roles(Role.REQUESTER))
def new():
    form = _request_form()
    status = 200
    if form.validate_on_submit():
        try:
            created = service.open_request(current_user, **form.payload())
        except DomainError as error:
            for name, message in error.fields.items():
                getattr(form, name).errors.append(domain_text(message))
            status = error.status
        else:
            flash(gettext("%(reference)s created as a draft. Submit it when it is ready.",
                          reference=created.reference), "success")
            return redirect(url_for("requests.detail", request_id=created.id))
    elif request.method == "POST":
        status = 422
    return render_template("request_new.html", form=form), status


def _load(request_id: int) -> NumberRequest:
    try:
        return access.load_request(current_user, request_id)
    except NotFound:
        abort(404, description=gettext("There is no request %(id)s.", id=request_id))


def _action_forms(number_request: NumberRequest, failed_action: str = "", failed_form=None) -> list:
    """One form per action this user may take now; the one that just failed keeps its input."""
    forms = []
    for transition in allowed_transitions(number_request, current_user):
        if transition.action == failed_action:
            forms.append((transition, failed_form))
            continue
        form = action_form(transition.action, action_label(transition.action), formdata=None)
        form.prepare(number_request)
        form.version.data = str(number_request.version)
        forms.append((transition, form))
    return forms


# Where the carrier is still being chosen: the carriers of the branch side by side.
COMPARING_STATES = (DRAFT, SUBMITTED, CARRIER_REFUSED)


def detail_page(number_request: NumberRequest, action_forms: list, status: int = 200):
    shown = comparison.for_request(number_request) if number_request.state in COMPARING_STATES else {}
    return render_template("request_detail.html", r=number_request, action_forms=action_forms,
                           verification=pbx.latest_verification(number_request),
                           order_mail=outbox.order_mail(number_request), retry_form=RetryForm(),
                           needs_attention=attention.needs_attention(number_request,
                                                                     STATES[number_request.state].machine_step),
                           overdue=deadlines.is_overdue(number_request.due_at, utcnow()), **shown), status


@rule(SIGNED_IN)
def detail(request_id: int):
    number_request = _load(request_id)
    return detail_page(number_request, _action_forms(number_request))


@rule(SIGNED_IN)
def act(request_id: int, action: str):
    number_request = _load(request_id)
    label = action_label(action)
    form = action_form(action, label)
    form.prepare(number_request)
    if form.validate_on_submit():
        try:
            service.take_action(number_request, current_user, action, form.payload(),
                                expected_version=form.expected_version())
        except DomainError as error:
            db.session.refresh(number_request)
            if error.status in (403, 404, 409):
                flash(domain_text(error.message), "error")
                return redirect(url_for("requests.detail", request_id=request_id))
            form.show_errors(error.fields)
        else:
            flash(gettext("%(action)s: done. The request is now “%(state)s”.", action=label,
                          state=state_label(number_request.state)), "success")
            return redirect(url_for("requests.detail", request_id=request_id))
    return detail_page(number_request, _action_forms(number_request, action, form), 422)


@rule(roles(Role.ADMIN))
def retry_step(request_id: int):
    number_request = _load(request_id)
    if RetryForm().validate_on_submit():
        try:
            service.retry_step(number_request, current_user)
        except DomainError as error:
            flash(domain_text(error.message), "error")
        else:
            flash(gettext("The automatic step is tried again."), "success")
    return redirect(url_for("requests.detail", request_id=request_id))
