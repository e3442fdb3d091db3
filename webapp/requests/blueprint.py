"""Every URL of the requests feature: its pages, the trunk password view and its API routes."""
from flask import Blueprint

from . import api, secrets_view, views

bp = Blueprint("requests", __name__, template_folder="templates")
bp.add_url_rule("/", "tasks", views.tasks, methods=["GET"])
bp.add_url_rule("/requests", "index", views.index, methods=["GET"])
bp.add_url_rule("/requests/new", "new", views.new, methods=["GET", "POST"])
bp.add_url_rule("/requests/<int:request_id>", "detail", views.detail, methods=["GET"])
bp.add_url_rule("/requests/<int:request_id>/actions/<action>", "act", views.act, methods=["POST"])
bp.add_url_rule("/requests/<int:request_id>/retry-step", "retry_step", views.retry_step, methods=["POST"])

# The one place a secret is shown, kept in a blueprint of its own so its endpoint says what it is.
secrets_bp = Blueprint("secrets_view", __name__)
secrets_bp.add_url_rule("/requests/<int:request_id>/trunk-password", "trunk_password", secrets_view.trunk_password,
                        methods=["POST"])
secrets_bp.app_context_processor(secrets_view.secret_helpers)


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/departments", "departments", api.departments, methods=["GET"])
    api_bp.add_url_rule("/carriers", "carriers", api.carriers, methods=["GET"])
    api_bp.add_url_rule("/pbx", "pbx_systems", api.pbx_systems, methods=["GET"])
    api_bp.add_url_rule("/tasks", "tasks", api.tasks, methods=["GET"])
    api_bp.add_url_rule("/requests", "create_request", api.create_request, methods=["POST"])
    api_bp.add_url_rule("/requests", "list_requests", api.list_requests, methods=["GET"])
    api_bp.add_url_rule("/requests/<int:request_id>", "get_request", api.get_request, methods=["GET"])
    api_bp.add_url_rule("/requests/<int:request_id>/actions/<action>", "take_action", api.take_action,
                        methods=["POST"])
