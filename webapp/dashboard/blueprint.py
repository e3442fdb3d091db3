"""Every URL of the dashboard."""
from flask import Blueprint

from . import views

bp = Blueprint("dashboard", __name__, template_folder="templates")
bp.add_url_rule("/dashboard", "index", views.index, methods=["GET"])
