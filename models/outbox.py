"""The outbox: every e-mail numberdesk sends is first a row here, added in the transaction of what it tells about.

A decision and the mails about it are committed together, or neither is. Sending happens afterwards, outside any
web request (workflows/mail.py, handed to Prefect by the dispatcher like a test call): a mail server that is down
delays the mail and nothing else. Without a mail server (NUMBERDESK_SMTP_URL unset) the mails stay here, and
admins read them under Admin → Outbox.
"""
import os
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from . import audit_trail
from .db import db
from .errors import Conflict
from .organisation import User, utcnow
from .requests import Document, NumberRequest

TASK = "task"
DECISION = "decision"
DIGEST = "digest"
CARRIER_ORDER = "carrier_order"
ATTENTION = "attention"  # a machine step that keeps failing, for admins
ESCALATION = "escalation"  # a stage overdue by more than its own length, for project leads and admins
RENEWAL = "renewal"  # a signed contract's notice deadline coming up, for its lawyers and project leads
KINDS = (TASK, DECISION, DIGEST, CARRIER_ORDER, ATTENTION, ESCALATION, RENEWAL)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def mail_server_configured() -> bool:
    """Whether this process sends mail (NUMBERDESK_SMTP_URL, read by workflows/mail.py) or keeps it here."""
    return bool(os.environ.get("NUMBERDESK_SMTP_URL", "").strip())


class OutgoingMail(db.Model):
    """One e-mail to one address. Unsent while sent_at is None; attempts and last_error tell why it is not sent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("number_request.id"), index=True)
    # The person it is for; None for an address that is nobody's account (a carrier's order address).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A mail that must go once (a person's digest of a day, a request's carrier order) is queued once per key.
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Set when it is queued (or sent again); cleared when the dispatcher hands it to Prefect (as for test calls).
    dispatch_pending: Mapped[bool] = mapped_column(default=True)
    dispatch_attempts: Mapped[int] = mapped_column(default=0)

    request: Mapped[NumberRequest | None] = relationship()
    user: Mapped[User | None] = relationship()
    attachments: Mapped[list["MailAttachment"]] = relationship(back_populates="mail", cascade="all, delete-orphan",
                                                               order_by="MailAttachment.id")

    @property
    def sent(self) -> bool:
        return self.sent_at is not None

    @property
    def failed(self) -> bool:
        return not self.sent and self.attempts > 0

    def record_attempt(self, error: str | None, now: datetime | None = None) -> None:
        """Note one try to send it: sent when `error` is None, else why not."""
        now = now or utcnow()
        self.attempts += 1
        self.last_attempt_at = now
        if error is None:
            self.sent_at = now
        else:
            self.last_error = error


class MailAttachment(db.Model):
    """A file sent with a mail: its bytes, or a stored document (sent as .docx, or as PDF when content_type says
    so, converted when the mail is sent)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("outgoing_mail.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    mail: Mapped[OutgoingMail] = relationship(back_populates="attachments")
    document: Mapped[Document | None] = relationship()


def queue_mail(to_address: str, subject: str, text_body: str, html_body: str = "", *, kind: str,
               request: NumberRequest | None = None, user: User | None = None, key: str | None = None,
               attachments: tuple[MailAttachment, ...] = ()) -> OutgoingMail:
    """Add a mail to the outbox in the caller's transaction (the caller commits). A mail with a key already
    queued is returned as it is, not queued again."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}")
    if key is not None:
        queued = db.session.scalar(db.select(OutgoingMail).filter_by(key=key))
        if queued is not None:
            return queued
    mail = OutgoingMail(to_address=to_address, subject=subject[:250], text_body=text_body, html_body=html_body,
                        kind=kind, request=request, user=user, key=key, attachments=list(attachments),
                        dispatch_pending=True, created_at=utcnow())
    db.session.add(mail)
    return mail


def send_again(user: User, mail: OutgoingMail) -> OutgoingMail:
    """An admin asks for an unsent mail to be tried again now; the workflow sends it (after the commit, see
    workflows.dispatch.dispatch_mail). Flushes, does not commit."""
    if mail.sent:
        raise Conflict("this mail was sent already")
    mail.dispatch_pending = True
    audit_trail.record(user, "send_mail_again", f"outgoing mail {mail.id}",
                       {"to": mail.to_address, "subject": mail.subject})
    db.session.flush()
    return mail


def outbox_query(sent: bool | None = None):
    """The outbox, newest first; only the sent or only the unsent ones when `sent` says so."""
    query = db.select(OutgoingMail).order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
    if sent is True:
        query = query.where(OutgoingMail.sent_at.is_not(None))
    elif sent is False:
        query = query.where(OutgoingMail.sent_at.is_(None))
    return query


# --- the carrier order ------------------------------------------------------------------------------------

def carrier_order_key(request: NumberRequest) -> str:
    return f"carrier-order-{request.id}"


def order_mail(request: NumberRequest) -> OutgoingMail | None:
    """The mail that takes the request's carrier order letter to the carrier, if one was queued."""
    return db.session.scalar(db.select(OutgoingMail).filter_by(key=carrier_order_key(request)))


def order_sent_at(request: NumberRequest) -> datetime | None:
    """When the carrier order letter was e-mailed to the carrier (UTC); None while it is not (yet)."""
    mail = order_mail(request)
    return mail.sent_at if mail is not None else None


__all__ = ["CARRIER_ORDER", "DECISION", "DIGEST", "DOCX", "KINDS", "MailAttachment", "OutgoingMail", "PDF", "TASK",
           "carrier_order_key", "mail_server_configured", "order_mail", "order_sent_at", "outbox_query",
           "queue_mail", "send_again"]
