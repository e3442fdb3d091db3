"""Every URL of the documents feature: download, preview, PDF, redline, and its API route."""
from flask import Blueprint

from . import api, views

bp = Blueprint("documents", __name__, template_folder="templates")
bp.add_url_rule("/documents/<int:document_id>", "document", views.document, methods=["GET"])
bp.add_url_rule("/documents/<int:document_id>/preview", "preview", views.preview, methods=["GET"])
bp.add_url_rule("/documents/<int:document_id>.pdf", "pdf", views.pdf, methods=["GET"])
bp.add_url_rule("/documents/<int:document_id>/compare", "compare", views.compare, methods=["GET"])


def register_api(api_bp: Blueprint) -> None:
    api_bp.add_url_rule("/documents/<int:document_id>", "document", api.document, methods=["GET"])
