"""Every URL of the outbox pages."""
from flask import Blueprint

from . import views

bp = Blueprint("outbox", __name__, template_folder="templates", url_prefix="/admin/outbox")
bp.add_url_rule("/", "index", views.index, methods=["GET"])
bp.add_url_rule("/<int:mail_id>", "mail", views.mail, methods=["GET"])
bp.add_url_rule("/<int:mail_id>/send-again", "send_again", views.send_again, methods=["POST"])
