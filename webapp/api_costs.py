"""The JSON API's costs: GET /api/v1/reports/expenses?month=YYYY-MM."""
from flask import g, jsonify, request

from models import Forbidden, InvalidInput, access
from models.carrier_text import parse_month
from models.expenses import ExpenseFigures, amount_text, expense_figures

from .access_rules import SIGNED_IN, rule
from .api import bp


def expenses_json(figures: ExpenseFigures) -> dict:
    """Every amount a decimal string; `calls` is what the carriers billed."""
    return {
        "month": figures.month.strftime("%Y-%m"), "currency": figures.currency,
        "departments": [{
            "department_id": row.department_id, "name": row.name, "city": row.city, "numbers": row.costs.numbers,
            "rental": amount_text(row.costs.rental), "calls": amount_text(row.costs.calls_total),
            "one_time": amount_text(row.costs.one_time), "total": amount_text(row.costs.total),
            "previous_total": amount_text(row.costs.previous_total)} for row in figures.departments],
        "total": amount_text(figures.total().total),
    }


@bp.get("/reports/expenses")
@rule(SIGNED_IN)
def expense_report():
    try:
        month = parse_month(request.args.get("month", ""))
    except ValueError as error:
        raise InvalidInput("the month is missing or not written as YYYY-MM", {"month": str(error)}) from None
    visible = access.branch_scope(g.api_user)
    if visible is not None and not visible:
        raise Forbidden("your account does not belong to a branch, so it sees no branch's figures")
    return jsonify(expenses_json(expense_figures(month, visible)))
