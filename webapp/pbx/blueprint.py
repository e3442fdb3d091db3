"""Every URL of the PBX pages: the list, one PBX's page, and its check and "apply again"."""
from flask import Blueprint

from . import views

bp = Blueprint("pbx", __name__, template_folder="templates")
bp.add_url_rule("/pbx", "index", views.index, methods=["GET"])
bp.add_url_rule("/pbx/<int:pbx_id>", "detail", views.detail, methods=["GET"])
bp.add_url_rule("/pbx/<int:pbx_id>/check", "check", views.check, methods=["POST"])
bp.add_url_rule("/pbx/<int:pbx_id>/apply", "apply_again", views.apply_again, methods=["POST"])
