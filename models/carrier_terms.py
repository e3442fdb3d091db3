"""Carriers' own contracts as they send them, read into clauses and checked against the company's playbook.

A carrier's standard terms are versioned per carrier; a contract uploaded to a request (the carrier's text for
that deal) is reviewed instead of the standard terms. Each clause keeps the flags the playbook raised when it
was analysed, and which playbook version that was, so a lawyer sees when a check is out of date.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import audit_trail
from .access import CONTRACT_UPLOADERS
from .carriers import Carrier
from .choices import Role
from .db import db
from .errors import Forbidden, InvalidInput
from .organisation import User, utcnow
from .requests import NumberRequest
from .terms import DEFAULT_PLAYBOOK, Playbook, analyse_clause, detect_language
from .terms.reading import MAX_CONTRACT_BYTES, read_contract
from .terms.splitting import split_clauses

PLAYBOOK_EDITORS = frozenset({Role.LAWYER})
MAX_FILENAME = 200
MAX_UPLOAD_BYTES = MAX_CONTRACT_BYTES
# The fields of the carrier's record that its text states, and the analysis term each comes from.
RECORD_TERMS = ("price_change_notice_days", "invoice_dispute_days", "daily_penalty_percent", "penalty_capped")


class PlaybookVersion(db.Model):
    """One saved version of the company's playbook; the latest is in force."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    data: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def playbook(self) -> Playbook:
        return Playbook.from_data(self.data)


class CarrierContract(db.Model):
    __table_args__ = (UniqueConstraint("carrier_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"), index=True)
    # None: the carrier's standard terms; else the text sent for this request, reviewed instead.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("number_request.id"), index=True)
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(MAX_FILENAME))
    kind: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(2))
    playbook_version: Mapped[int] = mapped_column(default=0)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a lawyer copied the terms this text states into the carrier's record.
    terms_confirmed_at: Mapped[datetime | None]

    carrier: Mapped[Carrier] = relationship()
    request: Mapped[NumberRequest | None] = relationship()
    clauses: Mapped[list["ContractClause"]] = relationship(
        back_populates="contract", order_by="ContractClause.position", cascade="all, delete-orphan")

    @property
    def flag_count(self) -> int:
        return sum(len(clause.flags) for clause in self.clauses)

    def flagged_categories(self) -> list[str]:
        return sorted({flag["category"] for clause in self.clauses for flag in clause.flags})

    def stated_terms(self) -> dict:
        """What the text says of the terms the carrier's record keeps; the first clause to state one wins."""
        found: dict = {}
        for clause in self.clauses:
            for name, value in (clause.terms or {}).items():
                if name in RECORD_TERMS:
                    found.setdefault(name, value)
        return found

    def record_changes(self) -> dict[str, tuple]:
        """The carrier's record field -> (what it holds, what the text says), where they differ."""
        carrier = self.carrier
        changes = {}
        for name, value in self.stated_terms().items():
            if name == "penalty_capped":
                continue  # a cap's amount is the lawyer's to type; the text only says whether there is one
            now = getattr(carrier, name)
            stated = Decimal(str(value)) if name == "daily_penalty_percent" else value
            if now != stated:
                changes[name] = (now, stated)
        return changes


class ContractClause(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("carrier_contract.id"), index=True)
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(40), default="")
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    # Flag.to_data() of each flag the playbook raised, and the terms the clause states (JSON-able).
    flags: Mapped[list] = mapped_column(JSON, default=list)
    terms: Mapped[dict] = mapped_column(JSON, default=dict)

    contract: Mapped[CarrierContract] = relationship(back_populates="clauses")

    def highlighted(self) -> list[tuple[str, dict | None]]:
        """The text cut into (piece, the flag it belongs to or None), for showing the flagged spans."""
        pieces, at = [], 0
        for flag in sorted(self.flags, key=lambda f: f["start"]):
            if flag["start"] < at:
                continue  # overlapping spans: the first one is shown
            pieces += [(self.text[at:flag["start"]], None), (self.text[flag["start"]:flag["end"]], flag)]
            at = flag["end"]
        pieces.append((self.text[at:], None))
        return [(text, flag) for text, flag in pieces if text]


def current_playbook() -> tuple[int, Playbook]:
    """The version in force and its playbook; version 0 is the defaults, before anyone edits them."""
    latest = db.session.scalar(db.select(PlaybookVersion).order_by(PlaybookVersion.version.desc()).limit(1))
    return (latest.version, latest.playbook()) if latest else (0, DEFAULT_PLAYBOOK)


def save_playbook(user: User, data: dict, comment: str = "") -> PlaybookVersion:
    """A new version of the playbook; InvalidInput names each bad value. Flushes; the caller commits."""
    if not user.has_role(*PLAYBOOK_EDITORS):
        raise Forbidden("only lawyers edit the playbook")
    playbook = Playbook.from_data(data)
    version, current = current_playbook()
    saved = PlaybookVersion(version=version + 1, data=playbook.to_data(), comment=comment.strip(),
                            created_by=user.email)
    db.session.add(saved)
    db.session.flush()
    audit_trail.record(user, "edit_playbook", f"playbook {saved.version}",
                       {"changes": _playbook_changes(current.to_data(), saved.data)}, comment=comment.strip())
    return saved


def _playbook_changes(before: dict, after: dict, path: str = "") -> dict:
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            changes.update(_playbook_changes(old, new, f"{path}{key}."))
        elif old != new:
            changes[f"{path}{key}"] = [old, new]
    return changes


def analyse(contract: CarrierContract) -> None:
    """(Re)check every clause against the playbook in force."""
    version, playbook = current_playbook()
    for clause in contract.clauses:
        analysis = analyse_clause(clause.text, contract.language, playbook)
        clause.flags = [flag.to_data() for flag in analysis.flags]
        clause.terms = _jsonable_terms(analysis.terms)
    contract.playbook_version = version


def _jsonable_terms(terms: dict) -> dict:
    return {name: str(value) if isinstance(value, Decimal) else value for name, value in terms.items()}


def add_contract(user: User, carrier: Carrier, filename: str, data: bytes,
                 request: NumberRequest | None = None) -> CarrierContract:
    """Read, split and check a carrier's contract and keep it as the carrier's next version. InvalidInput says
    what is wrong with the file, and nothing is stored. Flushes; the caller commits."""
    if not user.has_role(*CONTRACT_UPLOADERS):
        raise Forbidden("only lawyers and admins add carriers' contracts")
    filename = (filename or "").strip()
    if not filename:
        raise InvalidInput("the file has no name", {"file": "choose a file to upload"})
    if len(filename) > MAX_FILENAME:
        raise InvalidInput("the file name is too long", {"file": f"the name must be at most {MAX_FILENAME} characters"})
    if request is not None and request.carrier_id != carrier.id:
        raise InvalidInput("the contract is not the request's carrier's",
                           {"carrier_id": "must be the request's carrier"})
    read = read_contract(filename, data)
    pieces = [piece for piece in split_clauses(read.text) if piece.text.strip() or piece.heading.strip()]
    if not pieces:
        raise InvalidInput("the file holds no clauses", {"file": "no text was found in it"})
    language = detect_language(read.text)
    contract = CarrierContract(
        carrier=carrier, request=request, version=next_version(carrier), filename=filename, kind=read.kind,
        language=language, uploaded_by=user.email,
        clauses=[ContractClause(position=position, number=piece.number[:40], heading=piece.heading,
                                text=piece.text) for position, piece in enumerate(pieces, start=1)])
    analyse(contract)
    db.session.add(contract)
    db.session.flush()
    audit_trail.record(user, "add_carrier_contract", audit_trail.subject_of(carrier),
                       {"contract": contract.id, "version": contract.version, "file": filename,
                        "request": request.id if request else None, "flags": contract.flag_count})
    return contract


def next_version(carrier: Carrier) -> int:
    latest = db.session.scalar(db.select(db.func.max(CarrierContract.version))
                               .where(CarrierContract.carrier_id == carrier.id))
    return (latest or 0) + 1


def standard_terms(carrier_id: int) -> CarrierContract | None:
    """The carrier's latest standard terms."""
    return db.session.scalar(db.select(CarrierContract).where(
        CarrierContract.carrier_id == carrier_id, CarrierContract.request_id.is_(None))
        .order_by(CarrierContract.version.desc()).limit(1))


def contract_for_review(request: NumberRequest) -> CarrierContract | None:
    """What the lawyer reviews: the text the carrier sent for this request, else its standard terms."""
    sent = db.session.scalar(db.select(CarrierContract).where(
        CarrierContract.request_id == request.id, CarrierContract.carrier_id == request.carrier_id)
        .order_by(CarrierContract.version.desc()).limit(1))
    return sent or standard_terms(request.carrier_id)


def recheck(user: User, contract: CarrierContract) -> None:
    if not user.has_role(*CONTRACT_UPLOADERS):
        raise Forbidden("only lawyers and admins check carriers' contracts again")
    analyse(contract)
    audit_trail.record(user, "recheck_carrier_contract", audit_trail.subject_of(contract.carrier),
                       {"contract": contract.id, "playbook_version": contract.playbook_version,
                        "flags": contract.flag_count})


def confirm_terms(user: User, contract: CarrierContract) -> dict:
    """Copy what the text states into the carrier's record, so its risk badges follow its real terms."""
    if not user.has_role(Role.LAWYER):
        raise Forbidden("only lawyers confirm what a carrier's contract says")
    changes = contract.record_changes()
    carrier = contract.carrier
    for name, (_, stated) in changes.items():
        setattr(carrier, name, stated)
    stated = contract.stated_terms()
    if stated.get("penalty_capped") is False:
        carrier.penalty_cap = None
    contract.terms_confirmed_at = utcnow()
    data = {name: [str(old) if old is not None else None, str(new) if new is not None else None]
            for name, (old, new) in changes.items()}
    audit_trail.record(user, "confirm_carrier_terms", audit_trail.subject_of(carrier),
                       {"contract": contract.id, "version": contract.version, "changes": data})
    return changes
