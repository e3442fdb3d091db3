"""Every URL of the contracts page."""
from flask import Blueprint

from . import views

bp = Blueprint("contracts", __name__, template_folder="templates", url_prefix="/contracts")
bp.add_url_rule("/", "index", views.index, methods=["GET"])
