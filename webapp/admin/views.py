"""Admin pages: departments, carriers, tariffs, PBX systems and users.

Each entity has a list page (search and pagination), a create page and an edit
page. The three kinds of page work the same way for every entity, so they share
`list_page()` and `form_page()`; what differs is written down once per entity
in a `Section`.
"""
from dataclasses import dataclass
from typing import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import Select, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import Carrier, Department, InvalidInput, NumberRequest, PbxSystem, Tariff, User, access, db
from models import attention, audit_trail, deadlines
from models.choices import BillingIncrement, PbxKind, Role
from models.lifecycle import STATES

from ..core.access_rules import roles, rule
from ..core.helpers import branch_text, choice_sets, localised, short_date
from ..core.labels import domain_text
from .forms import AdminForm, CarrierForm, DeadlinesForm, DepartmentForm, PbxSystemForm, TariffForm, UserForm

ADMINS = roles(Role.ADMIN)  # every admin page's rule


@dataclass(frozen=True)
class Section:
    """What the shared list and form pages need to know about one entity. Its words are whole phrases, each
    translated on its own: in Russian "New ..." and "... created" agree with the noun's gender."""

    title: str                          # "Departments"
    model: type
    form: type[AdminForm]
    query: Callable[[str], Select]      # the list's rows, filtered by the search text
    list_template: str                  # extends admin/list.html and draws the table's columns
    list_endpoint: str
    new_endpoint: str
    edit_endpoint: str
    search_hint: str                    # placeholder of the search box
    about: str                          # one line under the list's heading
    new: str                            # "New department": the button and the create page's heading
    edit: str                           # "Edit department: %(item)s", the edit page's heading
    created: str                        # "Department created: %(item)s." (flashed)
    saved: str                          # "Department saved: %(item)s." (flashed)
    empty: str                          # "There are no departments yet."
    no_match: str                       # "No departments match “%(q)s”."
    add_first: str                      # "Add the first department"


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
    title=lazy_gettext("Departments"), model=Department, form=DepartmentForm, query=department_query,
    list_template="admin/departments.html", list_endpoint="admin.departments",
    new_endpoint="admin.department_new", edit_endpoint="admin.department_edit",
    search_hint=lazy_gettext("Name, city or cost centre"),
    about=lazy_gettext("The company's branches: where numbers are needed and who pays for them."),
    new=lazy_gettext("New department"), edit=lazy_gettext("Edit department: %(item)s"),
    created=lazy_gettext("Department created: %(item)s."), saved=lazy_gettext("Department saved: %(item)s."),
    empty=lazy_gettext("There are no departments yet."), no_match=lazy_gettext("No departments match “%(q)s”."),
    add_first=lazy_gettext("Add the first department"))
CARRIERS = Section(
    title=lazy_gettext("Carriers"), model=Carrier, form=CarrierForm, query=carrier_query,
    list_template="admin/carriers.html", list_endpoint="admin.carriers",
    new_endpoint="admin.carrier_new", edit_endpoint="admin.carrier_edit",
    search_hint=lazy_gettext("Name, legal name, tax ID or city"),
    about=lazy_gettext("Telecom carriers we buy numbers from, with the risky terms of their standard contracts."),
    new=lazy_gettext("New carrier"), edit=lazy_gettext("Edit carrier: %(item)s"),
    created=lazy_gettext("Carrier created: %(item)s."), saved=lazy_gettext("Carrier saved: %(item)s."),
    empty=lazy_gettext("There are no carriers yet."), no_match=lazy_gettext("No carriers match “%(q)s”."),
    add_first=lazy_gettext("Add the first carrier"))
TARIFFS = Section(
    title=lazy_gettext("Tariffs"), model=Tariff, form=TariffForm, query=tariff_query,
    list_template="admin/tariffs.html", list_endpoint="admin.tariffs",
    new_endpoint="admin.tariff_new", edit_endpoint="admin.tariff_edit",
    search_hint=lazy_gettext("Tariff or carrier name"),
    about=lazy_gettext("Carriers' prices: fees and per-minute rates, each valid for a period."),
    new=lazy_gettext("New tariff"), edit=lazy_gettext("Edit tariff: %(item)s"),
    created=lazy_gettext("Tariff created: %(item)s."), saved=lazy_gettext("Tariff saved: %(item)s."),
    empty=lazy_gettext("There are no tariffs yet."), no_match=lazy_gettext("No tariffs match “%(q)s”."),
    add_first=lazy_gettext("Add the first tariff"))
PBX_SYSTEMS = Section(
    title=lazy_gettext("PBX systems"), model=PbxSystem, form=PbxSystemForm, query=pbx_query,
    list_template="admin/pbx_systems.html", list_endpoint="admin.pbx_systems",
    new_endpoint="admin.pbx_new", edit_endpoint="admin.pbx_edit",
    search_hint=lazy_gettext("Name or vendor"),
    about=lazy_gettext("The telephone systems numbers get attached to."),
    new=lazy_gettext("New PBX system"), edit=lazy_gettext("Edit PBX system: %(item)s"),
    created=lazy_gettext("PBX system created: %(item)s."), saved=lazy_gettext("PBX system saved: %(item)s."),
    empty=lazy_gettext("There are no PBX systems yet."), no_match=lazy_gettext("No PBX systems match “%(q)s”."),
    add_first=lazy_gettext("Add the first PBX system"))
USERS = Section(
    title=lazy_gettext("Users"), model=User, form=UserForm, query=user_query,
    list_template="admin/users.html", list_endpoint="admin.users",
    new_endpoint="admin.user_new", edit_endpoint="admin.user_edit",
    search_hint=lazy_gettext("Name or email"),
    about=lazy_gettext("People who sign in to numberdesk, and what they may do."),
    new=lazy_gettext("New user"), edit=lazy_gettext("Edit user: %(item)s"),
    created=lazy_gettext("User created: %(item)s."), saved=lazy_gettext("User saved: %(item)s."),
    empty=lazy_gettext("There are no users yet."), no_match=lazy_gettext("No users match “%(q)s”."),
    add_first=lazy_gettext("Add the first user"))

SECTIONS = (DEPARTMENTS, CARRIERS, TARIFFS, PBX_SYSTEMS, USERS)


def item_text(item) -> str:
    """A record as headings and messages name it, in the page's language."""
    if isinstance(item, Department):
        return branch_text(item)
    if isinstance(item, (Carrier, PbxSystem)):
        return localised(item)
    if isinstance(item, Tariff):
        return gettext("%(tariff)s (from %(day)s)", tariff=item.name, day=short_date(item.valid_from))
    return str(item)


def choice_labels():
    """The choice sets the admin list templates show labels from (in the page's language), and whose branches a
    user sees."""
    return {**choice_sets(BillingIncrement, PbxKind, Role), "branch_scope": access.branch_scope,
            "item_text": item_text}


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
        try:
            form.apply(item)
            db.session.add(item)
            audit_trail.record_change(current_user, item, before)  # the changed fields, never a password
            db.session.commit()
        except InvalidInput as refused:
            # A record's own rules (a branch's call distribution) refused a value the form let through.
            db.session.rollback()
            form_error = refused_on_fields(form, refused)
        except IntegrityError:
            # Someone saved a clashing row between our check and our commit. Nothing of ours stays;
            # checking again now usually puts the error next to the field concerned.
            db.session.rollback()
            if form.validate():
                form_error = gettext("The database refused this record; check the values and try again.")
        else:
            flash(str(section.created if is_new else section.saved) % {"item": item_text(item)}, "success")
            return redirect(url_for(section.list_endpoint))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/form.html", section=section, form=form, item=item, is_new=is_new,
                           form_error=form_error), status


def refused_on_fields(form: AdminForm, refused: InvalidInput) -> str | None:
    """Put the domain's reasons on the form's fields they name; what names no field is returned for the page."""
    elsewhere = []
    for name, reason in refused.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, domain_text(reason)]
        else:
            elsewhere.append(domain_text(reason))
    return "; ".join(elsewhere) or (None if refused.fields else domain_text(refused.message))


def get_or_404(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    return item


# --- the pages -----------------------------------------------------------------------------------

@rule(ADMINS)
def index():
    counts = {section.list_endpoint: db.session.scalar(db.select(db.func.count()).select_from(section.model))
              for section in SECTIONS}
    # Requests whose automatic step could not make a document (a template failing on their data): they wait
    # for an admin to upload a corrected template.
    machine_states = [state.name for state in STATES.values() if state.machine_step]
    failing = db.session.scalars(access.visible_requests(current_user, db.select(NumberRequest).where(
        db.or_(NumberRequest.step_error != "", NumberRequest.dispatch_attempts >= attention.MAX_STEP_ATTEMPTS),
        NumberRequest.state.in_(machine_states))).order_by(NumberRequest.id)).all()
    return render_template("admin/index.html", sections=SECTIONS, counts=counts, failing=failing,
                           max_attempts=attention.MAX_STEP_ATTEMPTS)


@rule(ADMINS)
def departments():
    return list_page(DEPARTMENTS)


@rule(ADMINS)
def department_new():
    return form_page(DEPARTMENTS, Department())


@rule(ADMINS)
def department_edit(item_id: int):
    return form_page(DEPARTMENTS, get_or_404(Department, item_id))


@rule(ADMINS)
def carriers():
    return list_page(CARRIERS)


@rule(ADMINS)
def carrier_new():
    return form_page(CARRIERS, Carrier())


@rule(ADMINS)
def carrier_edit(item_id: int):
    return form_page(CARRIERS, get_or_404(Carrier, item_id))


@rule(ADMINS)
def tariffs():
    return list_page(TARIFFS)


@rule(ADMINS)
def tariff_new():
    return form_page(TARIFFS, Tariff())


@rule(ADMINS)
def tariff_edit(item_id: int):
    return form_page(TARIFFS, get_or_404(Tariff, item_id))


@rule(ADMINS)
def pbx_systems():
    return list_page(PBX_SYSTEMS)


@rule(ADMINS)
def pbx_new():
    return form_page(PBX_SYSTEMS, PbxSystem())


@rule(ADMINS)
def pbx_edit(item_id: int):
    return form_page(PBX_SYSTEMS, get_or_404(PbxSystem, item_id))


@rule(ADMINS)
def users():
    return list_page(USERS)


@rule(ADMINS)
def user_new():
    return form_page(USERS, User())


@rule(ADMINS)
def user_edit(item_id: int):
    return form_page(USERS, get_or_404(User, item_id))


@rule(ADMINS)
def deadlines_page():
    """Each stage's business days; a change applies to the stages requests enter from then on."""
    form = DeadlinesForm()
    if not form.is_submitted():
        form.load(deadlines.business_days())
    if form.validate_on_submit():
        changed = deadlines.set_business_days(current_user, form.days())
        db.session.commit()
        flash(gettext("Deadlines saved.") if changed else gettext("Nothing changed."), "success")
        return redirect(url_for("admin.deadlines"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/deadlines.html", form=form), status
