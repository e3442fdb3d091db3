"""Admin pages: departments, carriers, tariffs, PBX systems and users.

Each entity has a list page (search and pagination), a create page and an edit
page. The three kinds of page work the same way for every entity, so they share
`list_page()` and `form_page()`; what differs is written down once per entity
in a `Section`.
"""
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import Carrier, Department, NumberRequest, PbxSystem, Tariff, User, access, db
from models import audit_trail
from models.choices import BillingIncrement, PbxKind, Role
from models.lifecycle import STATES

from .admin_forms import AdminForm, CarrierForm, DepartmentForm, PbxSystemForm, TariffForm, UserForm
from .access_rules import roles, rule

bp = Blueprint("admin", __name__, url_prefix="/admin")
ADMINS = roles(Role.ADMIN)  # every admin page's rule


@dataclass(frozen=True)
class Section:
    """What the shared list and form pages need to know about one entity."""

    title: str                          # "Departments"
    noun: str                           # "department", as in "New department"
    model: type
    form: type[AdminForm]
    query: Callable[[str], Select]      # the list's rows, filtered by the search text
    list_template: str                  # extends admin/list.html and draws the table's columns
    list_endpoint: str
    new_endpoint: str
    edit_endpoint: str
    search_hint: str                    # placeholder of the search box
    about: str                          # one line under the list's heading


def matching(q: str, *columns):
    """Rows where any of `columns` contains `q`, ignoring case; % and _ in `q` are taken literally."""
    return or_(*(column.icontains(q, autoescape=True) for column in columns))


def department_query(q: str) -> Select:
    query = db.select(Department).order_by(Department.name)
    if q:
        query = query.where(matching(q, Department.name, Department.city, Department.cost_centre))
    return query


def carrier_query(q: str) -> Select:
    query = db.select(Carrier).order_by(Carrier.name)
    if q:
        query = query.where(matching(q, Carrier.name, Carrier.legal_name, Carrier.tax_id, Carrier.cities_text))
    return query


def tariff_query(q: str) -> Select:
    query = (db.select(Tariff).join(Tariff.carrier).options(selectinload(Tariff.carrier))
             .order_by(Carrier.name, Tariff.valid_from.desc(), Tariff.id))
    if q:
        query = query.where(matching(q, Tariff.name, Carrier.name))
    return query


def pbx_query(q: str) -> Select:
    query = db.select(PbxSystem).order_by(PbxSystem.name)
    if q:
        query = query.where(matching(q, PbxSystem.name, PbxSystem.vendor))
    return query


def user_query(q: str) -> Select:
    query = db.select(User).options(selectinload(User.departments)).order_by(User.name, User.email)
    if q:
        query = query.where(matching(q, User.name, User.email))
    return query


DEPARTMENTS = Section(
    title="Departments", noun="department", model=Department, form=DepartmentForm, query=department_query,
    list_template="admin/departments.html", list_endpoint="admin.departments",
    new_endpoint="admin.department_new", edit_endpoint="admin.department_edit",
    search_hint="Name, city or cost centre",
    about="The company's branches: where numbers are needed and who pays for them.")
CARRIERS = Section(
    title="Carriers", noun="carrier", model=Carrier, form=CarrierForm, query=carrier_query,
    list_template="admin/carriers.html", list_endpoint="admin.carriers",
    new_endpoint="admin.carrier_new", edit_endpoint="admin.carrier_edit",
    search_hint="Name, legal name, tax ID or city",
    about="Telecom carriers we buy numbers from, with the risky terms of their standard contracts.")
TARIFFS = Section(
    title="Tariffs", noun="tariff", model=Tariff, form=TariffForm, query=tariff_query,
    list_template="admin/tariffs.html", list_endpoint="admin.tariffs",
    new_endpoint="admin.tariff_new", edit_endpoint="admin.tariff_edit",
    search_hint="Tariff or carrier name",
    about="Carriers' prices: fees and per-minute rates, each valid for a period.")
PBX_SYSTEMS = Section(
    title="PBX systems", noun="PBX system", model=PbxSystem, form=PbxSystemForm, query=pbx_query,
    list_template="admin/pbx_systems.html", list_endpoint="admin.pbx_systems",
    new_endpoint="admin.pbx_new", edit_endpoint="admin.pbx_edit",
    search_hint="Name or vendor",
    about="The telephone systems numbers get attached to.")
USERS = Section(
    title="Users", noun="user", model=User, form=UserForm, query=user_query,
    list_template="admin/users.html", list_endpoint="admin.users",
    new_endpoint="admin.user_new", edit_endpoint="admin.user_edit",
    search_hint="Name or email",
    about="People who sign in to numberdesk, and what they may do.")

SECTIONS = (DEPARTMENTS, CARRIERS, TARIFFS, PBX_SYSTEMS, USERS)


@bp.context_processor
def choice_labels():
    """The choice sets the admin list templates show labels from, and whose branches a user sees."""
    return {"BillingIncrement": BillingIncrement, "PbxKind": PbxKind, "Role": Role,
            "branch_scope": access.branch_scope}


# --- the shared pages ----------------------------------------------------------------------------

def list_page(section: Section):
    q = request.args.get("q", "").strip()[:100]
    page = db.paginate(section.query(q), page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PAGE_SIZE", 25), error_out=False)
    return render_template(section.list_template, section=section, page=page, q=q)


def form_page(section: Section, item):
    """The create page when `item` is new, the edit page otherwise."""
    is_new = item.id is None
    form = section.form(item=item)
    if not form.is_submitted() and not is_new:
        form.load(item)
    form_error = None
    if form.validate_on_submit():
        before = None if is_new else audit_trail.snapshot(item)
        form.apply(item)
        db.session.add(item)
        try:
            audit_trail.record_change(current_user, item, before)  # the changed fields, never a password
            db.session.commit()
        except IntegrityError:
            # Someone saved a clashing row between our check and our commit. Nothing of ours stays;
            # checking again now usually puts the error next to the field concerned.
            db.session.rollback()
            if form.validate():
                form_error = "The database refused this record; check the values and try again."
        else:
            flash(f"{section.noun.capitalize()} {'created' if is_new else 'saved'}: {item}.", "success")
            return redirect(url_for(section.list_endpoint))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", section=section, form=form, item=item, is_new=is_new,
                           form_error=form_error), status


def get_or_404(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    return item


# --- the pages -----------------------------------------------------------------------------------

@bp.get("/")
@rule(ADMINS)
def index():
    counts = {section.list_endpoint: db.session.scalar(db.select(db.func.count()).select_from(section.model))
              for section in SECTIONS}
    # Requests whose automatic step could not make a document (a template failing on their data): they wait
    # for an admin to upload a corrected template.
    machine_states = [state.name for state in STATES.values() if state.machine_step]
    failing = db.session.scalars(access.visible_requests(current_user, db.select(NumberRequest).where(
        NumberRequest.step_error != "", NumberRequest.state.in_(machine_states))).order_by(NumberRequest.id)).all()
    return render_template("admin/index.html", sections=SECTIONS, counts=counts, failing=failing)


@bp.get("/departments/")
@rule(ADMINS)
def departments():
    return list_page(DEPARTMENTS)


@bp.route("/departments/new", methods=["GET", "POST"])
@rule(ADMINS)
def department_new():
    return form_page(DEPARTMENTS, Department())


@bp.route("/departments/<int:item_id>/edit", methods=["GET", "POST"])
@rule(ADMINS)
def department_edit(item_id: int):
    return form_page(DEPARTMENTS, get_or_404(Department, item_id))


@bp.get("/carriers/")
@rule(ADMINS)
def carriers():
    return list_page(CARRIERS)


@bp.route("/carriers/new", methods=["GET", "POST"])
@rule(ADMINS)
def carrier_new():
    return form_page(CARRIERS, Carrier())


@bp.route("/carriers/<int:item_id>/edit", methods=["GET", "POST"])
@rule(ADMINS)
def carrier_edit(item_id: int):
    return form_page(CARRIERS, get_or_404(Carrier, item_id))


@bp.get("/tariffs/")
@rule(ADMINS)
def tariffs():
    return list_page(TARIFFS)


@bp.route("/tariffs/new", methods=["GET", "POST"])
@rule(ADMINS)
def tariff_new():
    return form_page(TARIFFS, Tariff())


@bp.route("/tariffs/<int:item_id>/edit", methods=["GET", "POST"])
@rule(ADMINS)
def tariff_edit(item_id: int):
    return form_page(TARIFFS, get_or_404(Tariff, item_id))


@bp.get("/pbx/")
@rule(ADMINS)
def pbx_systems():
    return list_page(PBX_SYSTEMS)


@bp.route("/pbx/new", methods=["GET", "POST"])
@rule(ADMINS)
def pbx_new():
    return form_page(PBX_SYSTEMS, PbxSystem())


@bp.route("/pbx/<int:item_id>/edit", methods=["GET", "POST"])
@rule(ADMINS)
def pbx_edit(item_id: int):
    return form_page(PBX_SYSTEMS, get_or_404(PbxSystem, item_id))


@bp.get("/users/")
@rule(ADMINS)
def users():
    return list_page(USERS)


@bp.route("/users/new", methods=["GET", "POST"])
@rule(ADMINS)
def user_new():
    return form_page(USERS, User())


@bp.route("/users/<int:item_id>/edit", methods=["GET", "POST"])
@rule(ADMINS)
def user_edit(item_id: int):
    return form_page(USERS, get_or_404(User, item_id))
