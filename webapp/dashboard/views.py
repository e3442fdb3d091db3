"""The dashboard page: every figure comes from models/dashboard.py, counted over the branches the viewer sees."""
from decimal import Decimal

from flask import current_app, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from models import NumberRequest, db, deadlines
from models.choices import Role
from models.dashboard import (MEDIAN_DAYS, OTHER, WEEKS, median_stage_times, open_by_stage_and_city, overdue_query,
                              stage_totals, weekly_outcomes)
from models.lifecycle import ACTIVE, CANCELLED, REJECTED
from models.organisation import utcnow

from ..core.access_rules import roles, rule
from ..core.helpers import short_date
from ..costs.charts import stacked_bars
from ..requests.views import STAGE_LABELS

STAGE_AND_OTHER_LABELS = {**STAGE_LABELS, OTHER: lazy_gettext("Between stages")}
OUTCOME_LABELS = {ACTIVE: lazy_gettext("Became active"), REJECTED: lazy_gettext("Were rejected"),
                  CANCELLED: lazy_gettext("Were cancelled")}


def _stage_chart(totals: dict[str, int]):
    return stacked_bars([gettext("Open requests")],
                        [(str(STAGE_AND_OTHER_LABELS[name]), [Decimal(count)]) for name, count in totals.items()])


def _week_chart(weeks):
    return stacked_bars([str(label) for label in OUTCOME_LABELS.values()], [
        (gettext("Week %(week)d, from %(monday)s", week=week.iso_week[1], monday=short_date(week.monday)),
         [Decimal(week.counts[state]) for state in OUTCOME_LABELS]) for week in weeks])


@rule(roles(Role.APPROVER, Role.ADMIN))
def index():
    now = utcnow()
    cities = open_by_stage_and_city(current_user)
    totals = stage_totals(cities)
    overdue = db.paginate(overdue_query(current_user, now).options(joinedload(NumberRequest.department)),
                          page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"],
                          error_out=False)
    weeks = weekly_outcomes(current_user, now)
    return render_template(
        "dashboard/index.html", cities=cities, totals=totals, stage_labels=STAGE_AND_OTHER_LABELS,
        stage_chart=_stage_chart(totals) if cities else None, overdue=overdue, now=now,
        stage_of_state=deadlines.STAGE_OF_STATE, medians=median_stage_times(current_user, now),
        median_days=MEDIAN_DAYS, weeks=weeks, outcome_labels=OUTCOME_LABELS, week_count=WEEKS,
        week_chart=_week_chart(weeks) if any(sum(week.counts.values()) for week in weeks) else None)
