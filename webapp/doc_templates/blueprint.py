"""Every URL of the contract templates feature: the admin pages (endpoints template_admin.*) and its API routes."""
from flask import Blueprint

from . import api, views

bp = Blueprint("template_admin", __name__, url_prefix="/admin/templates", template_folder="templates")
bp.context_processor(views.labels)
bp.add_url_rule("/", "index", views.index, methods=["GET"])
bp.add_url_rule("/", "upload", views.upload, methods=["POST"])
bp.add_url_rule("/<kind>/<language>/", "history", views.history, methods=["GET"])
bp.add_url_rule("/<kind>/variables", "variables", views.variables, methods=["GET"])
bp.add_url_rule("/<kind>/<language>/bundled.docx", "bundled", views.bundled, methods=["GET"])
bp.add_url_rule("/<kind>/<language>/v<int:version>.docx", "version_file", views.version_file, methods=["GET"])


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/templates", "list_templates", api.list_templates, methods=["GET"])
    api_bp.add_url_rule("/templates/<kind>", "upload_template", api.upload_template, methods=["POST"])
    api_bp.add_url_rule("/templates/<kind>/variables", "template_variables", api.template_variables,
                        methods=["GET"])
    api_bp.add_url_rule("/templates/<kind>/<language>/bundled", "bundled_template_file", api.bundled_template_file,
                        methods=["GET"])
    api_bp.add_url_rule("/templates/<kind>/<language>/<int:version>", "template_version_file",
                        api.template_version_file, methods=["GET"])
