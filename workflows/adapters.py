"""The outside world: carriers and PBX systems, each reached through a small adapter.

The adapter a carrier or PBX uses is chosen in the database (Carrier.adapter, PbxSystem.kind).
"""
from datetime import date

from models import NumberRequest
from models.choices import CarrierAdapter, DocumentKind, PbxKind

from .documents import build_context, store_document


class ManualCarrier:
    """Orders by letter: renders the order letter; a person records the carrier's answer."""

    def place_order(self, request: NumberRequest, idempotency_key: str, made_by: str) -> str:
        """Place the order and return the carrier's reference for it (none for a letter)."""
        store_document(request, DocumentKind.ORDER_LETTER, build_context(request, date.today()), made_by)
        return ""


class ManualPbx:
    """A PBX the sysadmin configures by hand from a rendered configuration sheet."""

    def request_attachment(self, request: NumberRequest, made_by: str) -> None:
        store_document(request, DocumentKind.PBX_SHEET, build_context(request, date.today()), made_by)

    def request_verification(self, request: NumberRequest, made_by: str) -> None:
        # The sysadmin makes the test call and confirms it; nothing to prepare.
        return None


CARRIER_ADAPTERS = {CarrierAdapter.MANUAL: ManualCarrier()}
PBX_ADAPTERS = {PbxKind.MANUAL: ManualPbx()}


def carrier_adapter(request: NumberRequest) -> ManualCarrier:
    return CARRIER_ADAPTERS[request.carrier.adapter]


def pbx_adapter(request: NumberRequest) -> ManualPbx:
    return PBX_ADAPTERS[request.pbx.kind]
