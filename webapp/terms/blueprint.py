"""Every URL of the carrier terms feature: carriers' contracts, the review of a request's contract, the playbook,
the clause library, and their API routes."""
from flask import Blueprint

from . import api, playbook_views, review_views, views

bp = Blueprint("terms", __name__, template_folder="templates")
bp.add_url_rule("/carriers", "carriers", views.carriers, methods=["GET"])
bp.add_url_rule("/carriers/<int:carrier_id>/contracts", "contracts", views.contracts, methods=["GET"])
bp.add_url_rule("/carriers/<int:carrier_id>/contracts", "upload", views.upload, methods=["POST"])
bp.add_url_rule("/carriers/<int:carrier_id>/contracts/<int:version>", "contract", views.contract, methods=["GET"])
bp.add_url_rule("/carriers/<int:carrier_id>/contracts/<int:version>/recheck", "recheck", views.recheck,
                methods=["POST"])
bp.add_url_rule("/carriers/<int:carrier_id>/contracts/<int:version>/confirm-terms", "confirm_terms",
                views.confirm_terms, methods=["POST"])
bp.add_url_rule("/clause-library", "library", views.library, methods=["GET"])
bp.add_url_rule("/requests/<int:request_id>/review", "review", review_views.review, methods=["GET"])
bp.add_url_rule("/requests/<int:request_id>/review/contract", "upload_for_request", review_views.upload,
                methods=["POST"])
bp.add_url_rule("/requests/<int:request_id>/review/protocol", "add_item", review_views.add_item, methods=["POST"])
bp.add_url_rule("/requests/<int:request_id>/review/protocol/<int:item_id>/remove", "remove_item",
                review_views.remove_item, methods=["POST"])
bp.add_url_rule("/requests/<int:request_id>/review/risks", "accept_risk", review_views.accept_risk, methods=["POST"])
bp.add_url_rule("/playbook", "playbook", playbook_views.playbook, methods=["GET"])
bp.add_url_rule("/playbook", "save_playbook", playbook_views.save, methods=["POST"])


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/clauses/check", "check_clause", api.check_clause, methods=["POST"])
    api_bp.add_url_rule("/carriers/<int:carrier_id>/contracts", "add_carrier_contract", api.add_contract,
                        methods=["POST"])
    api_bp.add_url_rule("/carriers/<int:carrier_id>/contracts", "carrier_contracts", api.contracts, methods=["GET"])
    api_bp.add_url_rule("/carriers/<int:carrier_id>/contracts/<int:version>", "carrier_contract", api.contract,
                        methods=["GET"])
