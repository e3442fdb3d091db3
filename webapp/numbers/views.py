"""The inventory of numbers the company holds."""
from flask import current_app, render_template, request
from flask_login import current_user

from models import Carrier, Department, PhoneNumber, User, access, db
from models.choices import Holder, NumberStatus

from ..core.access_rules import SIGNED_IN, rule


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


@rule(SIGNED_IN)
def index():
    page = db.paginate(inventory_query(request.args, current_user), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
    at_risk = db.session.scalar(access.in_scope(current_user, db.select(db.func.count(PhoneNumber.id)),
                                                PhoneNumber.department_id)
                                .where(PhoneNumber.holder == Holder.INTERMEDIARY))
    return render_template("numbers.html", page=page, at_risk=at_risk, args=request.args)
