"""Every URL of the costs feature: the expense report, the reports kept, imports, the invoice audit, carriers'
CSV layouts, and its API route."""
from flask import Blueprint

from . import api, views

bp = Blueprint("costs", __name__, url_prefix="/costs", template_folder="templates")
bp.context_processor(views.choice_sets)
bp.add_url_rule("/", "index", views.index, methods=["GET"])
bp.add_url_rule("/report.<any(csv, xlsx):fmt>", "report_download", views.report_download, methods=["GET"])
bp.add_url_rule("/archive", "archive", views.archive, methods=["GET"])
bp.add_url_rule("/archive", "keep_report", views.keep_report, methods=["POST"])
bp.add_url_rule("/archive/<int:report_id>", "kept_report", views.kept_report, methods=["GET"])
bp.add_url_rule("/archive/<int:report_id>.<any(csv, xlsx):fmt>", "kept_report_download",
                views.kept_report_download, methods=["GET"])
bp.add_url_rule("/imports", "imports", views.imports, methods=["GET", "POST"])
bp.add_url_rule("/imports/<int:import_id>", "import_detail", views.import_detail, methods=["GET"])
bp.add_url_rule("/imports/<int:import_id>/rejected.csv", "rejected_rows", views.rejected_rows, methods=["GET"])
bp.add_url_rule("/audit", "audit", views.audit, methods=["GET"])
bp.add_url_rule("/audit/<int:carrier_id>", "carrier_audit_page", views.carrier_audit_page, methods=["GET"])
bp.add_url_rule("/carriers/<int:carrier_id>/layout", "carrier_layout", views.carrier_layout, methods=["GET", "POST"])


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/reports/expenses", "expense_report", api.expense_report, methods=["GET"])
