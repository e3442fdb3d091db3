"""Who sees what: the one access policy that every loader and every list goes through.

A user works for zero or more branches (departments). Requesters see only the records of their branches.
Company-wide roles see every branch, unless an admin has limited them to some by giving them branches.
What a user may not see does not exist for them: loaders raise NotFound, lists leave it out.
"""
from datetime import datetime

from sqlalchemy import Select

from . import absences
from .choices import Role
from .db import db
from .errors import NotFound
from .organisation import User
from .requests import Document, NumberRequest

COMPANY_WIDE = frozenset({Role.APPROVER, Role.LAWYER, Role.SYSADMIN, Role.ACCOUNTANT, Role.ADMIN})
# Trunk credentials and PBX passwords: nobody else ever reads them.
SECRET_READERS = frozenset({Role.SYSADMIN})
TEMPLATE_READERS = frozenset({Role.ADMIN, Role.LAWYER})
BILLING_IMPORTERS = frozenset({Role.ACCOUNTANT})
# Carriers' own contracts, their risk flags and the playbook: read by whoever decides on terms.
CONTRACT_READERS = frozenset({Role.LAWYER, Role.APPROVER, Role.ADMIN})
CONTRACT_UPLOADERS = frozenset({Role.LAWYER, Role.ADMIN})


def branch_scope(user: User) -> frozenset[int] | None:
    """The ids of the branches whose records `user` sees; None for every branch."""
    if user.has_role(*COMPANY_WIDE):
        return user.department_ids or None
    return user.department_ids


def sees_branch(user: User, department_id: int) -> bool:
    scope = branch_scope(user)
    return scope is None or department_id in scope


def branch_condition(user: User, department_column):
    """SQL: the rows of the branches `user` sees."""
    scope = branch_scope(user)
    return db.true() if scope is None else department_column.in_(scope)


def in_scope(user: User, query: Select, department_column) -> Select:
    """`query` narrowed to the rows of the branches `user` sees."""
    scope = branch_scope(user)
    return query if scope is None else query.where(department_column.in_(scope))


def may_create_for(user: User, department_id: int) -> bool:
    """Requesters open requests only for branches they work for."""
    return department_id in user.department_ids


def may_read_secrets(user: User) -> bool:
    return user.has_role(*SECRET_READERS)


def may_read_templates(user: User) -> bool:
    return user.has_role(*TEMPLATE_READERS)


def may_read_contracts(user: User) -> bool:
    return user.has_role(*CONTRACT_READERS)


def may_see_request(user: User, request: NumberRequest, now: datetime | None = None) -> bool:
    """A request of their branches, or, while they stand in for somebody away, of the absent person's branches
    (to decide their tasks; lists stay those of their own branches)."""
    if sees_branch(user, request.department_id):
        return True
    return any(sees_branch(principal, request.department_id) for principal in absences.principals_of(user, now))


def visible_requests(user: User, query: Select | None = None) -> Select:
    return in_scope(user, db.select(NumberRequest) if query is None else query, NumberRequest.department_id)


def load_request(user: User, request_id: int) -> NumberRequest:
    found = db.session.get(NumberRequest, request_id)
    if found is None or not may_see_request(user, found):
        raise NotFound(f"there is no request {request_id}")
    return found


def load_document(user: User, document_id: int) -> Document:
    found = db.session.get(Document, document_id)
    if found is None or not may_see_request(user, found.request):
        raise NotFound(f"there is no document {document_id}")
    return found


def visible_contracts(user: User, query: Select):
    """Carriers' contracts `user` may read: standard terms, and those sent for requests of branches they see."""
    from .carrier_terms import CarrierContract
    if not may_read_contracts(user):
        return query.where(db.false())
    scope = branch_scope(user)
    if scope is None:
        return query
    return query.where(db.or_(CarrierContract.request_id.is_(None), CarrierContract.request_id.in_(
        db.select(NumberRequest.id).where(NumberRequest.department_id.in_(scope)))))


def load_carrier_contract(user: User, carrier_id: int, version: int):
    from .carrier_terms import CarrierContract
    found = db.session.scalar(visible_contracts(user, db.select(CarrierContract).where(
        CarrierContract.carrier_id == carrier_id, CarrierContract.version == version)))
    if found is None:
        raise NotFound(f"there is no version {version} of carrier {carrier_id}'s contract")
    return found
