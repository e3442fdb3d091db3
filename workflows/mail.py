"""Sending the outbox (models/outbox.py) over SMTP, outside any web request and any request's transaction.

The mail server is NUMBERDESK_SMTP_URL: ``smtp://user:password@host:port`` (STARTTLS when the server offers it),
``smtps://...`` for TLS from the start; the sender is NUMBERDESK_MAIL_FROM (numberdesk@<host> unless set). Without
it nothing is sent: the mails stay in the database, where admins read them (Admin → Outbox).

A mail is read and its message built in one short transaction, sent with no transaction open, and the outcome
written in another: a mail server that is slow or down holds up nothing but mail. A failed try is recorded on the
mail (attempts, last_error) and raised, so the flow retries it; the sweeper tries again later what is still unsent.
"""
import logging
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from contract_templates import convert
from models import db
from models.organisation import utcnow
from models.outbox import PDF, OutgoingMail

from .runtime import database

log = logging.getLogger(__name__)

MAIL_FLOW = "send-mail"
DIGEST_FLOW = "daily-digest"
SMTP_TIMEOUT_SECONDS = 20


class MailNotSent(Exception):
    """The mail server refused the mail or could not be reached; the mail stays unsent with why."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # TLS from the start (smtps), rather than STARTTLS when offered
    user: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("NUMBERDESK_SMTP_URL must look like smtp://user:password@host:port or smtps://...")
        tls = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25), tls=tls,
                   user=unquote(parts.username or ""), password=unquote(parts.password or ""))


def configured_server() -> SmtpServer | None:
    url = os.environ.get("NUMBERDESK_SMTP_URL", "").strip()
    return SmtpServer.from_url(url) if url else None


def sender(server: SmtpServer) -> str:
    return os.environ.get("NUMBERDESK_MAIL_FROM", "").strip() or f"numberdesk@{server.host}"


def build_message(mail: OutgoingMail, from_address: str) -> EmailMessage:
    """The mail as MIME: plain text, HTML as its alternative, then the attachments (a document as PDF is
    converted here, in the worker). Raises convert.ConversionError when a PDF cannot be made."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = from_address, mail.to_address, mail.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain=from_address.rpartition("@")[2])
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    for attachment in mail.attachments:
        if attachment.document is not None:
            data = attachment.document.content
            if attachment.content_type == PDF:
                data = convert.docx_to_pdf(data)
        else:
            data = attachment.content
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def deliver(server: SmtpServer, message: EmailMessage) -> None:
    """Hand the message to the server. Raises MailNotSent."""
    try:
        if server.tls:
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
        with connection:
            if not server.tls and connection.has_extn("starttls"):
                connection.starttls(context=ssl.create_default_context())
            if server.user:
                connection.login(server.user, server.password)
            connection.send_message(message)
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        raise MailNotSent(f"{type(error).__name__}: {error}".strip()) from error


def send_mail(mail_id: int) -> str:
    """Send one mail from the outbox if it is still unsent and a mail server is configured; record how it went.
    Raises MailNotSent after recording a failed try (the flow retries)."""
    server = configured_server()
    if server is None:
        return f"mail {mail_id}: kept in the outbox (NUMBERDESK_SMTP_URL is not set)"
    with database() as session:
        mail = session.get(OutgoingMail, mail_id)
        if mail is None or mail.sent:
            session.rollback()
            return f"mail {mail_id}: nothing to do"
        to_address, failure = mail.to_address, None
        try:
            message = build_message(mail, sender(server))
        except convert.ConversionError as error:
            message, failure = None, MailNotSent(f"the attachment could not be made: {error}")
        session.rollback()  # no transaction stays open while the mail server is talked to
        if message is not None:
            try:
                deliver(server, message)
            except MailNotSent as error:
                failure = error
        _record(mail_id, failure)
        return f"mail {mail_id}: sent to {to_address}"


def _record(mail_id: int, failure: MailNotSent | None) -> None:
    """Write how the try went, in a transaction of its own; a failure is raised again once recorded."""
    mail = db.session.get(OutgoingMail, mail_id)
    mail.record_attempt(None if failure is None else str(failure), utcnow())
    db.session.commit()
    if failure is not None:
        log.warning("mail %s to %s not sent (try %d): %s", mail_id, mail.to_address, mail.attempts, failure)
        raise failure


def send_due_mails() -> list[int]:
    """Send every mail marked due, here and now (the `inline` mode's dispatch); a mail that fails stays unsent
    with why. Returns the ids sent."""
    if configured_server() is None:
        return []
    due = db.session.scalars(db.select(OutgoingMail.id).where(OutgoingMail.dispatch_pending,
                                                              OutgoingMail.sent_at.is_(None))
                             .order_by(OutgoingMail.id)).all()
    db.session.execute(db.update(OutgoingMail).where(OutgoingMail.id.in_(due)).values(dispatch_pending=False))
    db.session.commit()
    sent = []
    for mail_id in due:
        try:
            send_mail(mail_id)
        except MailNotSent:
            continue
        sent.append(mail_id)
    return sent
