"""The tamper-evident audit trail: every event holds a hash over its content and the previous event's hash.

Changing an event's content breaks its own hash; removing an event breaks the link from the next one; removing
the last events leaves the chain's head (a one-row table) pointing past the end. Whoever can rewrite the whole
table can rewrite every hash too: the chain shows edits made by hand or by a bug, it is not a signature.

Nothing has to remember to chain an event. A session hook chains every AuditEvent flushed, wherever it was
added (the request life cycle, sign-ins, admin pages, ...):

- before the flush, if the flush inserts events, it takes the chain's lock by updating the head row. That
  UPDATE waits for any other transaction that is appending (a row lock on PostgreSQL, the write lock on SQLite,
  where it also makes the read of the head below see the newest commit), and holds it until this transaction
  ends, so two transactions never chain onto the same head and ids follow the chain's order;
- after the flush, the events have their ids: each one's hash is computed over its content, id included, and
  the previous hash, written to its row, and the head moves to the last one.

Events must be added through the session (not Core inserts) to be chained, and are never changed afterwards.
"""
import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import String, event, inspect, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from .db import db
from .errors import DomainError
from .organisation import User, utcnow
from .requests import AuditEvent

GENESIS = ""  # the previous hash of the first event
HEAD_ID = 1
# Hashed in this order; what each event says, and where in the chain it is (its id).
HASHED_FIELDS = ("id", "request_id", "subject", "actor_id", "actor", "action", "from_state", "to_state", "comment",
                 "data", "at")
# Columns never written into the trail as values: an admin change records only that they changed.
SECRET_WORDS = ("password", "secret", "token")


class AuditChainHead(db.Model):
    """The chain's last event and its hash: one row (id 1), updated with every append; also the chain's lock."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None]
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


# --- the hash ----------------------------------------------------------------------------------------

def canonical_content(event) -> str:
    """The event's content as canonical JSON: sorted keys, no spaces, the time as ISO text.

    `event` is an AuditEvent or anything with the same attributes (a row read by the migration).
    """
    at = event.at
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["subject"] = content["subject"] or ""
    content["comment"] = content["comment"] or ""
    # As the JSON column gives it back: tuples as lists, keys as text.
    content["data"] = json.loads(json.dumps(content["data"]))
    content["at"] = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else at
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, event) -> str:
    """sha256 over the previous event's hash and this event's canonical content, as hex."""
    return hashlib.sha256(f"{prev_hash}\n{canonical_content(event)}".encode()).hexdigest()


# --- chaining every event that is flushed ------------------------------------------------------------

def _new_events(session: Session) -> list[AuditEvent]:
    return [obj for obj in session.new if isinstance(obj, AuditEvent)]


def _lock_head(session: Session) -> None:
    head = AuditChainHead.__table__
    connection = session.connection()
    locked = connection.execute(update(head).where(head.c.id == HEAD_ID).values(event_id=head.c.event_id))
    if locked.rowcount == 0:  # a database made without the migrations: start the chain
        connection.execute(head.insert().values(id=HEAD_ID, event_id=None, hash=GENESIS))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush_context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise DomainError("the audit trail is append-only: an event is never changed or removed")
    events = _new_events(session)
    if not events:
        return
    for new in events:
        # What is hashed after the insert must be what the row holds: fix the defaults now.
        new.at = new.at or utcnow()
        new.subject = new.subject or ""
        new.comment = new.comment or ""
    _lock_head(session)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    events = sorted(_new_events(session), key=lambda e: e.id)
    if not events:
        return
    connection = session.connection()
    head = AuditChainHead.__table__
    events_table = AuditEvent.__table__
    prev_hash = connection.execute(db.select(head.c.hash).where(head.c.id == HEAD_ID)).scalar_one()
    for new in events:
        new_hash = event_hash(prev_hash, new)
        connection.execute(update(events_table).where(events_table.c.id == new.id)
                           .values(prev_hash=prev_hash, hash=new_hash))
        # The row holds them now; the object must not look changed to the session.
        set_committed_value(new, "prev_hash", prev_hash)
        set_committed_value(new, "hash", new_hash)
        prev_hash = new_hash
    connection.execute(update(head).where(head.c.id == HEAD_ID).values(event_id=events[-1].id, hash=prev_hash))


# --- checking the chain ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first fails: `event_id` was changed, or an event before it (or after it) was removed."""

    event_id: int | None
    kind: str  # "changed", "removed_before" or "removed_after"

    @property
    def message(self) -> str:
        if self.kind == "changed":
            return f"audit event {self.event_id} was changed"
        if self.kind == "removed_before":
            return f"an event before {self.event_id} was removed"
        if self.event_id is None:
            return "every audit event was removed"
        return f"an event after {self.event_id} was removed"


@dataclass(frozen=True)
class ChainCheck:
    events: int
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def check_chain() -> ChainCheck:
    """Walk the events in id order and recompute every hash; the first break found, or none.

    Reads plain rows, not the session's objects, so what is checked is what the database holds now.
    """
    prev_hash = GENESIS
    last_id = None
    count = 0
    columns = [getattr(AuditEvent, name) for name in HASHED_FIELDS + ("prev_hash", "hash")]
    query = db.select(*columns).order_by(AuditEvent.id).execution_options(yield_per=1000)
    for found in db.session.execute(query):
        count += 1
        if found.hash != event_hash(found.prev_hash, found):
            return ChainCheck(count, ChainBreak(found.id, "changed"))
        if found.prev_hash != prev_hash:
            return ChainCheck(count, ChainBreak(found.id, "removed_before"))
        prev_hash, last_id = found.hash, found.id
    head = db.session.execute(db.select(AuditChainHead.event_id, AuditChainHead.hash)
                              .where(AuditChainHead.id == HEAD_ID)).first()
    if head is not None and tuple(head) != (last_id, prev_hash):
        return ChainCheck(count, ChainBreak(last_id, "removed_after"))
    return ChainCheck(count, None)


def verify_chain() -> ChainBreak | None:
    """The first event that was changed or removed, or None when the chain is intact."""
    return check_chain().broken


# --- recording events that are not about a request ---------------------------------------------------

def record(actor: User | None, action: str, subject: str, data: dict | None = None, *, comment: str = "",
           actor_label: str | None = None) -> AuditEvent:
    """Add an event about `subject` (e.g. "user 5", "carrier 2"); the caller commits.

    `actor` None is numberdesk itself, or somebody not signed in: `actor_label` then says who ("unknown" for a
    failed sign-in, whose subject is the e-mail tried). Never put a password or a secret in `data`.
    """
    added = AuditEvent(request_id=None, subject=subject[:80], actor_id=actor.id if actor else None,
                       actor=(actor.email if actor else actor_label or "numberdesk")[:120], action=action[:40],
                       from_state=None, to_state="", comment=comment, data=data or None)
    db.session.add(added)
    return added


def subject_of(item) -> str:
    """How an event names a record: "carrier 2", "pbx system 1"."""
    return f"{item.__tablename__.replace('_', ' ')} {item.id}"


def is_secret(name: str) -> bool:
    return any(word in name for word in SECRET_WORDS)


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(item) -> dict:
    """The fields of `item` an admin can change, as they are now: take it before applying a form.

    Its columns (deferred ones aside) and its many-to-many collections (a user's branches) by their members' names.
    """
    mapper = inspect(item).mapper
    # Copies: a JSON column's dict may be changed in place afterwards.
    values = {column.key: copy.deepcopy(getattr(item, column.key)) for column in mapper.column_attrs
              if not column.deferred}
    for relation in mapper.relationships:
        if relation.secondary is not None:
            values[relation.key] = sorted(str(member) for member in getattr(item, relation.key))
    return values


def changes_since(before: dict | None, item) -> dict[str, list | str]:
    """What changed on `item` since `before` (None: it is new): {field: [old, new]}.

    A secret (a password hash, an encrypted secret) is recorded only as "changed" (or "set" on a new record),
    under its name without "_hash": a password change reads "password": "changed".
    """
    after = snapshot(item)
    # Named as the table's columns are ("roles", "cities"), not as the attributes behind properties are.
    column_names = {column.key: column.columns[0].name for column in inspect(item).mapper.column_attrs}
    changes: dict[str, list | str] = {}
    for key, new in after.items():
        old = None if before is None else before.get(key)
        if old == new or (before is None and new in (None, [])):  # 1000 == 1000.0000: no change
            continue
        name = column_names.get(key, key)
        if is_secret(name) or is_secret(key):
            changes[name.removesuffix("_hash")] = "set" if before is None else "changed"
        else:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def record_change(actor: User | None, item, before: dict | None, *, action: str | None = None) -> AuditEvent | None:
    """Record an admin's create (`before` None) or edit of `item` with the fields it changed since `before`
    (a snapshot() taken before the change). Flushes, so a new record has its id; the caller commits.
    An edit that changes nothing is not recorded. The action is "create" or "edit" unless given.
    """
    changes = changes_since(before, item)
    if not changes and before is not None:
        return None
    db.session.add(item)
    db.session.flush()
    return record(actor, action or ("create" if before is None else "edit"), subject_of(item),
                  {"label": str(item), "changes": changes})
