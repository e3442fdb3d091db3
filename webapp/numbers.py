"""The inventory of numbers the company holds."""
from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from models import Carrier, Department, PhoneNumber, db
from models.choices import Holder, NumberStatus

bp = Blueprint("numbers", __name__)


def inventory_query(args):
    """The numbers matching the page's (or the API's) filters, newest first."""
    query = db.select(PhoneNumber).join(PhoneNumber.department).order_by(Department.city, PhoneNumber.e164)
    if args.get("holder") in Holder.values():
        query = query.where(PhoneNumber.holder == args["holder"])
    if args.get("status") in NumberStatus.values():
        query = query.where(PhoneNumber.status == args["status"])
    text = (args.get("q") or "").strip()
    if text:
        like = f"%{text}%"
        query = query.join(PhoneNumber.carrier).where(db.or_(
            PhoneNumber.e164.ilike(like), Department.name.ilike(like), Department.city.ilike(like),
            Carrier.name.ilike(like)))
    return query


@bp.get("/numbers")
@login_required
def index():
    page = db.paginate(inventory_query(request.args), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    at_risk = db.session.scalar(db.select(db.func.count(PhoneNumber.id))
                                .where(PhoneNumber.holder == Holder.INTERMEDIARY))
    return render_template("numbers.html", page=page, at_risk=at_risk, args=request.args)
