"""Every URL of the numbers feature: the inventory page, a sysadmin's test call, and its API route."""
from flask import Blueprint

from . import api, views

bp = Blueprint("numbers", __name__, template_folder="templates")
bp.add_url_rule("/numbers", "index", views.index, methods=["GET"])
bp.add_url_rule("/numbers/test-calls", "test_call", views.test_call, methods=["POST"])


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/numbers", "numbers", api.numbers, methods=["GET"])
