"""Every URL of the numbers feature: the inventory page and its API route."""
from flask import Blueprint

from . import api, views

bp = Blueprint("numbers", __name__, template_folder="templates")
bp.add_url_rule("/numbers", "index", views.index, methods=["GET"])


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/numbers", "numbers", api.numbers, methods=["GET"])
