"""Every URL of the admin feature: branches, carriers, tariffs, PBX systems, users, and the audit trail."""
from flask import Blueprint

from . import audit_log, views

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
bp.context_processor(views.choice_labels)
bp.add_url_rule("/", "index", views.index, methods=["GET"])
bp.add_url_rule("/departments/", "departments", views.departments, methods=["GET"])
bp.add_url_rule("/departments/new", "department_new", views.department_new, methods=["GET", "POST"])
bp.add_url_rule("/departments/<int:item_id>/edit", "department_edit", views.department_edit, methods=["GET", "POST"])
bp.add_url_rule("/carriers/", "carriers", views.carriers, methods=["GET"])
bp.add_url_rule("/carriers/new", "carrier_new", views.carrier_new, methods=["GET", "POST"])
bp.add_url_rule("/carriers/<int:item_id>/edit", "carrier_edit", views.carrier_edit, methods=["GET", "POST"])
bp.add_url_rule("/tariffs/", "tariffs", views.tariffs, methods=["GET"])
bp.add_url_rule("/tariffs/new", "tariff_new", views.tariff_new, methods=["GET", "POST"])
bp.add_url_rule("/tariffs/<int:item_id>/edit", "tariff_edit", views.tariff_edit, methods=["GET", "POST"])
bp.add_url_rule("/pbx/", "pbx_systems", views.pbx_systems, methods=["GET"])
bp.add_url_rule("/pbx/new", "pbx_new", views.pbx_new, methods=["GET", "POST"])
bp.add_url_rule("/pbx/<int:item_id>/edit", "pbx_edit", views.pbx_edit, methods=["GET", "POST"])
bp.add_url_rule("/users/", "users", views.users, methods=["GET"])
bp.add_url_rule("/users/new", "user_new", views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:item_id>/edit", "user_edit", views.user_edit, methods=["GET", "POST"])
bp.add_url_rule("/deadlines", "deadlines", views.deadlines_page, methods=["GET", "POST"])

audit_log_bp = Blueprint("audit_log", __name__, url_prefix="/admin/audit")
audit_log_bp.add_url_rule("/", "index", audit_log.index, methods=["GET"])
