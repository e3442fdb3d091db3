"""Every URL of signing in and out, and of a person's own account."""
from flask import Blueprint

from . import account, views

bp = Blueprint("auth", __name__, template_folder="templates")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])

account_bp = Blueprint("account", __name__, url_prefix="/account")
account_bp.add_url_rule("/", "index", account.index, methods=["GET"])
account_bp.add_url_rule("/language", "language", account.language, methods=["POST"])
account_bp.add_url_rule("/mail", "mail_preference", account.mail_preference, methods=["POST"])
account_bp.add_url_rule("/absence", "absence", account.absence, methods=["POST"])
account_bp.add_url_rule("/absence/clear", "clear_absence", account.clear_absence, methods=["POST"])
account_bp.add_url_rule("/password", "change_password", account.change_password, methods=["GET", "POST"])
account_bp.add_url_rule("/tokens", "tokens", account.tokens, methods=["GET", "POST"])
account_bp.add_url_rule("/tokens/<int:token_id>/revoke", "revoke_token", account.revoke_token, methods=["POST"])
