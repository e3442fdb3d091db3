"""A number request and what its life produces: documents, the carrier order, the audit trail."""
import hashlib
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from . import secrets
from .carriers import Carrier, PbxSystem
from .choices import DocumentKind
from .db import db
from .numbers import PhoneNumber
from .organisation import Department, User, utcnow


class NumberRequest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    pbx_id: Mapped[int] = mapped_column(ForeignKey("pbx_system.id"))
    number_type: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(32), index=True)
    # Optimistic lock: every UPDATE checks and bumps it, so a stale write fails.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Who approved the budget: the contracts must be approved by somebody else.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the stage it waits in is due (models/deadlines.py); None in a state without a deadline.
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set with the decision that makes a machine step due; cleared when the dispatcher hands the step to Prefect.
    # dispatch_attempts counts the hand-overs that failed and the sweeper's re-drives.
    dispatch_pending: Mapped[bool] = mapped_column(default=False)
    dispatch_attempts: Mapped[int] = mapped_column(default=0)
    # Why the last machine step failed (e.g. a template that cannot be rendered); empty when it did not.
    step_error: Mapped[str] = mapped_column(Text, default="")

    __mapper_args__ = {"version_id_col": version}

    department: Mapped[Department] = relationship()
    carrier: Mapped[Carrier] = relationship()
    pbx: Mapped[PbxSystem] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    documents: Mapped[list["Document"]] = relationship(
        back_populates="request", order_by="(Document.kind, Document.version)")
    events: Mapped[list["AuditEvent"]] = relationship(back_populates="request", order_by="AuditEvent.id")
    numbers: Mapped[list[PhoneNumber]] = relationship(order_by=PhoneNumber.e164)
    order: Mapped["CarrierOrder | None"] = relationship(back_populates="request")
    disagreements: Mapped[list["DisagreementItem"]] = relationship(
        back_populates="request", order_by="(DisagreementItem.round, DisagreementItem.position)")

    def protocol_items(self) -> list["DisagreementItem"]:
        """Every item sent to the request's carrier, round by round (a former carrier's stay in history)."""
        return [item for item in self.disagreements if not item.draft and item.carrier_id == self.carrier_id]

    def protocol_round(self) -> list["DisagreementItem"]:
        """The items of the latest protocol of disagreements sent to the carrier."""
        sent = self.protocol_items()
        latest = max((item.round for item in sent), default=0)
        return [item for item in sent if item.round == latest]

    def protocol_rounds(self) -> list[tuple[int, list["DisagreementItem"]]]:
        rounds: dict[int, list] = {}
        for item in self.protocol_items():
            rounds.setdefault(item.round, []).append(item)
        return sorted(rounds.items())

    def draft_protocol_items(self) -> list["DisagreementItem"]:
        """What the lawyer has put in the next protocol and not sent yet."""
        return [item for item in self.disagreements if item.draft and item.carrier_id == self.carrier_id]

    @property
    def reference(self) -> str:
        return f"NR-{self.id:05d}"

    def latest_documents(self) -> list["Document"]:
        latest: dict[str, Document] = {}
        for document in self.documents:
            latest[document.kind] = document
        return list(latest.values())

    # A protocol of disagreements, once issued, is redrafted with the contracts (with the agreed wording).
    CONTRACT_KINDS = (DocumentKind.SERVICE_CONTRACT, DocumentKind.TARIFF_APPENDIX,
                      DocumentKind.SUPPLEMENTARY_AGREEMENT, DocumentKind.TRIPARTITE_AGREEMENT,
                      DocumentKind.DISAGREEMENT_PROTOCOL)

    def contract_kinds(self) -> list[str]:
        """The contracts this request needs drafted (again, on a redraft)."""
        drafted = [kind for kind in self.CONTRACT_KINDS if any(d.kind == kind for d in self.documents)
                   and (kind != DocumentKind.DISAGREEMENT_PROTOCOL or self.protocol_items())]
        if drafted:
            return drafted
        kinds = []
        if not self._company_has_signed_contract_with_carrier():
            kinds += [DocumentKind.SERVICE_CONTRACT, DocumentKind.TARIFF_APPENDIX]
        # A reselling PBX vendor holds the number itself, so it must be a party.
        kinds.append(DocumentKind.TRIPARTITE_AGREEMENT if self.pbx.resells_numbers
                     else DocumentKind.SUPPLEMENTARY_AGREEMENT)
        return kinds

    def _company_has_signed_contract_with_carrier(self) -> bool:
        return db.session.scalar(db.select(db.func.count(NumberRequest.id)).where(
            NumberRequest.carrier_id == self.carrier_id, NumberRequest.id != self.id,
            NumberRequest.signed_on.is_not(None))) > 0

    def next_version(self, kind: str) -> int:
        return 1 + max((d.version for d in self.documents if d.kind == kind), default=0)


class Document(db.Model):
    __table_args__ = (UniqueConstraint("request_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("number_request.id"), index=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    template_version: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    request: Mapped[NumberRequest] = relationship(back_populates="documents")

    @classmethod
    def new_version(cls, request: NumberRequest, kind: str, content: bytes, *, template_version: str,
                    language: str, created_by: str) -> "Document":
        version = request.next_version(kind)
        document = cls(
            request=request, carrier_id=request.carrier_id, kind=kind, version=version,
            template_version=template_version, language=language, created_by=created_by,
            sha256=hashlib.sha256(content).hexdigest(), content=content,
            filename=f"{request.reference}-{kind}-v{version}.docx",
        )
        db.session.add(document)
        return document


class CarrierOrder(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("number_request.id"), unique=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    adapter: Mapped[str] = mapped_column(String(32))
    # The key sent with every call to the carrier: a retry never orders twice.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    external_ref: Mapped[str] = mapped_column(String(120), default="")
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    trunk: Mapped[dict | None] = mapped_column(JSON)  # never the password: that is trunk_secret
    trunk_secret: Mapped[str | None] = mapped_column(Text)  # the trunk's password, encrypted

    request: Mapped[NumberRequest] = relationship(back_populates="order")

    def set_trunk(self, trunk: dict) -> None:
        """Keeps the trunk's settings as they came and its password apart, encrypted."""
        settings = dict(trunk)
        password = settings.pop("password", None)
        self.trunk = settings
        self.trunk_secret = secrets.encrypt(password) if password else None

    def trunk_password(self) -> str | None:
        """The trunk's password in clear: for sysadmins' eyes only (see models.access.may_read_secrets).
        Raises secrets.SecretsKeyError when the key in use is not the one it was encrypted with."""
        return secrets.decrypt(self.trunk_secret) if self.trunk_secret else None


class DisagreementItem(db.Model):
    """One row of a protocol of disagreements: a clause the company wants worded differently, and what the
    carrier answered. An item is settled once it has an agreed wording."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("number_request.id"), index=True)
    # The carrier it was put to: what a carrier accepted or refused is remembered per carrier.
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carrier.id"), index=True)
    # Each request_changes sends a new round; a draft item waits for the next one.
    round: Mapped[int]
    position: Mapped[int]
    draft: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    clause: Mapped[str] = mapped_column(String(40))
    # The playbook category it answers ("" for a clause the lawyer added by hand), and whether the
    # playbook marked it must-have when it was added: refusing such an item is refusing the deal.
    category: Mapped[str] = mapped_column(String(32), default="", server_default="")
    must_have: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    carrier_wording: Mapped[str] = mapped_column(Text)
    our_wording: Mapped[str] = mapped_column(Text)
    # The carrier's answer: accepted, rejected or counter (with its own wording).
    answer: Mapped[str | None] = mapped_column(String(16))
    counter_wording: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    agreed_wording: Mapped[str | None] = mapped_column(Text)

    request: Mapped[NumberRequest] = relationship(back_populates="disagreements")
    carrier: Mapped[Carrier | None] = relationship()

    @property
    def settled(self) -> bool:
        return self.agreed_wording is not None


class AuditEvent(db.Model):
    """Append-only: who did what, when and why; to a request, or (request None) to something `subject` names."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("number_request.id"), index=True)
    subject: Mapped[str] = mapped_column(String(80), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # A chain: each event's hash covers its content and the previous event's hash.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    request: Mapped[NumberRequest | None] = relationship(back_populates="events")
