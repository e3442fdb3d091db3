"""Signed contracts for lawyers, project leads and admins: what renews when and by when notice must be given, the
soonest deadline first, for the branches the reader sees."""
from flask import current_app, render_template, request
from flask_login import current_user

from models import Carrier, db, renewals
from models.time_zones import accounting_time_zone, today_in

from ..core.access_rules import CONTRACT_READERS, rule

# A deadline this close is marked on the page, as the first reminder is mailed then.
SOON_DAYS = 30


@rule(CONTRACT_READERS)
def index():
    carrier_id = request.args.get("carrier", type=int)
    page = db.paginate(renewals.contracts_query(current_user, carrier_id), page=request.args.get("page", 1, type=int),
                       per_page=current_app.config.get("PAGE_SIZE", 25), error_out=False)
    today = today_in(accounting_time_zone())
    return render_template("contracts/index.html", page=page, today=today, soon_days=SOON_DAYS,
                           outlooks={contract.id: renewals.outlook(contract, today) for contract in page.items},
                           carriers=db.session.scalars(db.select(Carrier).order_by(Carrier.name)).all(),
                           carrier_id=carrier_id)
