"""The numberdesk domain: entities, the request life cycle and the rules that belong to them."""
from .carriers import Carrier, PbxSystem, Tariff
from .db import configure_database, db, instance_dir, standalone_app
from .errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from .numbers import PhoneNumber, national_format, normalise_e164
from .organisation import ApiToken, Department, SignInAttempt, User
from .requests import AuditEvent, CarrierOrder, DisagreementItem, Document, NumberRequest
from .templates import TemplateVersion
from .billing import BillingImport, CallRecord, InvoiceLine, RejectedRow
from .expenses import ExpenseReport
from .carrier_terms import CarrierContract, ContractClause, PlaybookVersion
from .protocol import AcceptedRisk
from .pbx import TestCall
# Chains every audit event flushed, wherever it was added.
from .audit_trail import AuditChainHead
# Queues the e-mails every change of a request's state calls for, wherever it was flushed.
from . import notifications  # noqa: F401

__all__ = [
    "ApiToken", "AuditEvent", "Carrier", "CarrierOrder", "Conflict", "Department", "DisagreementItem", "Document",
    "DomainError", "TemplateVersion",
    "Forbidden", "InvalidInput", "NotFound", "NumberRequest", "PbxSystem", "PhoneNumber", "SignInAttempt", "Tariff",
    "User",
    "configure_database", "db", "instance_dir", "national_format", "normalise_e164", "standalone_app",
    "BillingImport", "CallRecord", "ExpenseReport", "InvoiceLine", "RejectedRow",
    "AuditChainHead", "AcceptedRisk", "CarrierContract", "ContractClause", "PlaybookVersion",
    "TestCall",
]
