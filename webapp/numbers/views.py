"""The inventory of numbers the company holds: each number's place on its PBX and its last test call, and a
sysadmin's "test-call again"."""
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from models import Carrier, Department, PhoneNumber, TestCall, User, access, db
from models.choices import Holder, NumberStatus, PbxKind, RingStrategy, Role
from models.pbx import queue_test_call
from workflows.dispatch import dispatch_test_call

from ..core.access_rules import SIGNED_IN, roles, rule
from ..core.helpers import choice_sets
from ..pbx.plans import plans_of


def inventory_query(args, user: User):
    """The numbers of the branches `user` sees, matching the page's (or the API's) filters, by city and number."""
    query = access.in_scope(user, db.select(PhoneNumber), PhoneNumber.department_id)
    query = query.join(PhoneNumber.department).order_by(Department.city, PhoneNumber.e164)
    if args.get("holder") in Holder.values():
        query = query.where(PhoneNumber.holder == args["holder"])
    if args.get("status") in NumberStatus.values():
        query = query.where(PhoneNumber.status == args["status"])
    text = (args.get("q") or "").strip()
    if text:
        like = f"%{text}%"
        query = query.join(PhoneNumber.carrier).where(db.or_(
            PhoneNumber.e164.ilike(like), Department.name.ilike(like), Department.city.ilike(like),
            Department.name_ru.ilike(like), Department.city_ru.ilike(like), Carrier.name.ilike(like),
            Carrier.name_ru.ilike(like)))
    return query


def test_calls_of(numbers: list[PhoneNumber]) -> tuple[dict[int, TestCall], set[int]]:
    """The last test call placed to each number (by number id), and the numbers with a test call due."""
    ids = [number.id for number in numbers]
    calls = db.session.scalars(db.select(TestCall).where(TestCall.phone_number_id.in_(ids))
                               .order_by(TestCall.at, TestCall.id)).all()
    last = {call.phone_number_id: call for call in calls if not call.due}  # the latest one stays
    return last, {call.phone_number_id for call in calls if call.due}


def may_test_call(user: User, number: PhoneNumber) -> bool:
    return (user.has_role(Role.SYSADMIN) and number.status == NumberStatus.ACTIVE and number.pbx is not None
            and number.pbx.kind == PbxKind.ASTERISK)


@rule(SIGNED_IN)
def index():
    page = db.paginate(inventory_query(request.args, current_user), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    at_risk = db.session.scalar(access.in_scope(current_user, db.select(db.func.count(PhoneNumber.id)),
                                                PhoneNumber.department_id)
                                .where(PhoneNumber.holder == Holder.INTERMEDIARY))
    last_calls, due_calls = test_calls_of(page.items)
    return render_template("numbers.html", page=page, at_risk=at_risk, args=request.args,
                           plans=plans_of(number.pbx for number in page.items if number.pbx is not None),
                           last_calls=last_calls, due_calls=due_calls, may_test_call=may_test_call,
                           **choice_sets(RingStrategy))


def _back_to_inventory() -> str:
    """The inventory page the button was on (its filters and page), never another site."""
    back = urlsplit(request.form.get("next", ""))
    if back.scheme or back.netloc or back.path != url_for("numbers.index"):
        return url_for("numbers.index")
    return back.path + (f"?{back.query}" if back.query else "")


@rule(roles(Role.SYSADMIN))
def test_call():
    """Ask for a new test call to an active number; the workflow places it, the page shows it due meanwhile."""
    number = db.session.get(PhoneNumber, request.form.get("number_id", type=int) or 0)
    if number is None:
        abort(404, description=gettext("There is no such number."))
    call = queue_test_call(current_user, number)
    db.session.commit()
    dispatch_test_call(call)  # in the background: the web request does not wait for the call
    if call.due:
        flash(gettext("A test call to %(number)s is due: its result shows here once it is made.",
                      number=number.e164), "info")
    elif call.passed:
        flash(gettext("The test call to %(number)s passed.", number=number.e164), "success")
    else:
        flash(gettext("The test call to %(number)s failed.", number=number.e164), "warning")
    return redirect(_back_to_inventory())
