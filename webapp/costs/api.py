"""The JSON API's costs: GET /api/v1/reports/expenses?month=YYYY-MM."""
from flask import g

from models import Forbidden, access
from models.expenses import ExpenseFigures, amount_text, expense_figures

from ..api import inputs, schemas
from ..api.operations import Reply, operation, query
from ..core.access_rules import SIGNED_IN, rule


def expenses_data(figures: ExpenseFigures) -> dict:
    """Every amount a decimal string; `calls` is what the carriers billed."""
    return {
        "month": figures.month.strftime("%Y-%m"), "currency": figures.currency,
        "departments": [{
            "department_id": row.department_id, "name": row.name, "city": row.city, "numbers": row.costs.numbers,
            "rental": amount_text(row.costs.rental), "calls": amount_text(row.costs.calls_total),
            "one_time": amount_text(row.costs.one_time), "total": amount_text(row.costs.total),
            "previous_total": amount_text(row.costs.previous_total)} for row in figures.departments],
        "total": amount_text(figures.total().total),
        "time_zones": figures.time_zones,
    }


@rule(SIGNED_IN)
@operation("The month's expense report per branch", query=inputs.ReportQuery,
           description="Rental and one-time fees as contracted, calls as billed. Accountants and the other "
                       "company-wide roles see every branch (or those an admin limited them to), requesters their "
                       "own; somebody who works for no branch is refused (403).",
           replies=[Reply(200, "The report; amounts are decimal strings", schemas.ExpenseReport)], errors=(403,))
def expense_report():
    month = query().month
    visible = access.branch_scope(g.api_user)
    if visible is not None and not visible:
        raise Forbidden("your account does not belong to a branch, so it sees no branch's figures")
    return expenses_data(expense_figures(month, visible))
