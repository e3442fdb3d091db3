"""E-mail: decisions and tasks told to the right people in their languages, through the outbox, sent over a real SMTP
server on loopback (aiosmtpd) whose arrivals the tests read; a dead server delays mail and nothing else."""
import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from conftest import auth, installed, login
from contract_templates.convert import libreoffice_path
from lifecycle_helpers import request_in
from models import AuditEvent, Carrier, NumberRequest, db
from models.choices import MailPreference
from models.lifecycle import LEGAL_APPROVED, LEGAL_REVIEW, ORDERED, SUBMITTED
from models.notifications import daily_digest
from models.organisation import utcnow
from models.outbox import MailAttachment, OutgoingMail, order_mail, order_sent_at, queue_mail
from workflows import dispatcher
from workflows.dispatch import sweep_outbox
from workflows.mail import MailNotSent, send_mail

BASE_URL = "https://numbers.example.test"


class Inbox:
    """What the SMTP server received: each message parsed, with the envelope's recipients."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def outbox(app, monkeypatch):
    """An empty outbox (the demo's decisions queued mails of their own) and links to BASE_URL."""
    monkeypatch.setenv("NUMBERDESK_BASE_URL", BASE_URL)
    monkeypatch.delenv("NUMBERDESK_SMTP_URL", raising=False)
    empty_outbox()


@pytest.fixture
def smtp(outbox, monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("NUMBERDESK_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    yield inbox
    controller.stop()


def empty_outbox() -> None:
    db.session.execute(db.delete(MailAttachment))
    db.session.execute(db.delete(OutgoingMail))
    db.session.commit()


def mails() -> list[OutgoingMail]:
    db.session.expire_all()
    return db.session.scalars(db.select(OutgoingMail).order_by(OutgoingMail.id)).all()


def body(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def approve(client, tokens, request: NumberRequest, comment: str = "Within this quarter's budget"):
    answer = client.post(f"/api/v1/requests/{request.id}/actions/approve", json={"comment": comment},
                         headers=auth(tokens["approver"]))
    assert answer.status_code == 200, answer.text
    db.session.refresh(request)


def test_a_decision_mails_the_next_actor_and_the_requester_in_their_languages_with_links(
        client, people, catalog, tokens, smtp):
    people["lawyer"].language = "ru"
    people["requester"].language = "en"
    db.session.commit()
    request = request_in(SUBMITTED, people, catalog)
    empty_outbox()  # the approver's task
    approve(client, tokens, request)
    assert request.state == LEGAL_REVIEW  # approved, then the contracts were drafted

    link = f"{BASE_URL}/requests/{request.id}"
    [task] = smtp.to("lawyer@example.com")
    assert task["Subject"] == f"[numberdesk] {request.reference} ждёт вас: Юридическая проверка"
    text = body(task, "plain")
    assert "Здравствуйте, Lena Lawyer!" in text and "Согласовать договоры" in text and link in text
    assert f'<a href="{link}">Открыть заявку</a>' in body(task, "html")

    # The creator hears of the approver's decision, with the comment; the approver of their own decision nothing.
    [decision] = smtp.to("branches@example.com")
    assert decision["Subject"] == f"[numberdesk] Your request {request.reference}: Approved"
    text = body(decision, "plain")
    assert "approver@example.com decided on your request: Approved." in text
    assert "Comment: Within this quarter's budget" in text and link in text
    assert "Now: Approved: drafting contracts." in text  # as the decision left it
    assert smtp.to("approver@example.com") == []
    assert all(mail.sent for mail in mails())


def test_each_persons_preference_is_respected_and_the_digest_tells_once_a_day(
        client, people, catalog, tokens, smtp):
    people["lawyer"].mail_preference = MailPreference.OFF
    people["requester"].mail_preference = MailPreference.DIGEST
    people["sysadmin"].mail_preference = MailPreference.DIGEST
    people["sysadmin"].language = "ru"
    db.session.commit()
    request = request_in(SUBMITTED, people, catalog)
    ordered = request_in(ORDERED, people, catalog)
    empty_outbox()
    approve(client, tokens, request)
    assert smtp.messages == []  # the lawyer wants none, the requester a digest
    assert mails() == []

    # The sysadmin's task (recording the carrier's answer) is overdue, once requests have deadlines.
    now = utcnow()
    overdue = hasattr(NumberRequest, "due_at")
    if overdue:
        ordered.due_at = now - timedelta(days=1)
        db.session.commit()

    queued = daily_digest(now)
    assert {mail.to_address for mail in queued} >= {"branches@example.com", "sysadmin@example.com"}
    assert "lawyer@example.com" not in {mail.to_address for mail in queued}
    digest = next(mail for mail in queued if mail.to_address == "branches@example.com")
    assert "Decisions on your requests in the last day" in digest.text_body
    assert f"{request.reference}: Approved by approver@example.com" in digest.text_body
    assert f"{BASE_URL}/requests/{request.id}" in digest.text_body
    sysadmin_digest = next(mail for mail in queued if mail.to_address == "sysadmin@example.com").text_body
    assert sysadmin_digest.startswith("Здравствуйте, Sergei Sysadmin!")
    assert ("Просрочено:" in sysadmin_digest) == overdue
    assert ordered.reference in sysadmin_digest.split("Просрочено:" if overdue else "Ждут ваших действий:")[1]
    assert daily_digest(now) == []  # once per person and day

    # In prefect mode the worker's dispatcher hands them over; here the next run sends them.
    for mail in queued:
        send_mail(mail.id)
    assert {m["X-Envelope-To"] for m in smtp.messages} == {mail.to_address for mail in queued}


def test_a_dead_mail_server_leaves_the_mail_unsent_and_the_decision_committed(
        client, people, catalog, tokens, outbox, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    request = request_in(SUBMITTED, people, catalog)
    empty_outbox()
    approve(client, tokens, request)

    db.session.expire_all()
    assert db.session.get(NumberRequest, request.id).state == LEGAL_REVIEW
    assert db.session.scalar(db.select(AuditEvent).filter_by(request_id=request.id, action="approve")) is not None
    unsent = mails()
    assert {mail.to_address for mail in unsent} == {"lawyer@example.com", "branches@example.com"}
    for mail in unsent:
        assert not mail.sent and mail.attempts == 1 and "ConnectionRefusedError" in mail.last_error

    # The mail server is back: the sweeper's next run, a while after the last try, sends them.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setenv("NUMBERDESK_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        assert sweep_outbox() == []  # tried just now: not yet
        for mail in unsent:
            mail.last_attempt_at -= timedelta(minutes=3)
        db.session.commit()
        assert sorted(sweep_outbox()) == sorted(mail.id for mail in unsent)
    finally:
        controller.stop()
    assert sorted(m["X-Envelope-To"] for m in inbox.messages) == ["branches@example.com", "lawyer@example.com"]
    assert all(mail.sent and mail.attempts == 2 for mail in mails())


def test_without_a_mail_server_mail_stays_in_the_outbox(people, catalog, outbox):
    request_in(SUBMITTED, people, catalog)
    [mail] = mails()  # the approver's task
    assert mail.to_address == "approver@example.com" and mail.dispatch_pending
    assert send_mail(mail.id).endswith("kept in the outbox (NUMBERDESK_SMTP_URL is not set)")
    assert not mails()[0].sent and mails()[0].attempts == 0
    assert sweep_outbox() == []
    assert all(handover.kind != "mail" for handover in dispatcher.due_handovers())


def test_the_dispatcher_hands_a_due_mail_to_prefect_once_a_mail_server_is_set(people, catalog, outbox, monkeypatch):
    request_in(SUBMITTED, people, catalog)
    [mail] = mails()
    monkeypatch.setenv("NUMBERDESK_SMTP_URL", "smtp://127.0.0.1:25")
    handover = next(h for h in dispatcher.due_handovers() if h.kind == "mail")
    assert (handover.deployment, handover.parameters) == ("send-mail/numberdesk", {"mail_id": mail.id})
    assert dispatcher.claim(handover) and not dispatcher.claim(handover)
    dispatcher.release(handover)
    assert mails()[0].dispatch_pending and mails()[0].dispatch_attempts == 1


@installed(libreoffice_path() is not None, "LibreOffice")
def test_the_carrier_order_letter_goes_to_the_carrier_as_pdf_with_the_reference(client, people, catalog, tokens,
                                                                                smtp):
    carrier = db.session.scalar(db.select(Carrier).filter_by(name="TransTelecom Direct"))
    carrier.order_email = "orders@transtelecom.example"
    db.session.commit()
    request = request_in(LEGAL_APPROVED, people, catalog)
    assert order_sent_at(request) is None
    answer = client.post(f"/api/v1/requests/{request.id}/actions/record_signature",
                         json={"signed_on": "2026-01-15"}, headers=auth(tokens["lawyer"]))
    assert answer.status_code == 200, answer.text

    [order] = smtp.to("orders@transtelecom.example")
    assert request.reference in order["Subject"]
    [attachment] = list(order.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{request.reference}-order_letter-v1.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert request.reference in body(order, "plain")
    db.session.expire_all()
    assert order_sent_at(request) is not None and order_mail(request).kind == "carrier_order"
    login(client, "lawyer")
    assert "The order letter was e-mailed to orders@transtelecom.example" in client.get(
        f"/requests/{request.id}").text


def test_the_outbox_is_for_admins_and_shows_mails_safely_and_sends_a_failed_one_again(
        client, people, outbox, monkeypatch):
    hostile = queue_mail("someone@example.com", "Hostile", "plain words",
                         '<p>Hi <a href="https://x.example/">link</a><script>alert(1)</script>'
                         '<a href="javascript:alert(2)">bad</a></p>', kind="decision")
    sent = queue_mail("other@example.com", "Gone already", "text", kind="decision")
    db.session.commit()
    sent.record_attempt(None)
    hostile.record_attempt("SMTPRecipientsRefused: refused")
    db.session.commit()

    login(client, "lawyer")
    assert client.get("/admin/outbox/").status_code == 403
    assert client.get(f"/admin/outbox/{hostile.id}").status_code == 403
    client.post("/logout")

    login(client, "admin")
    listing = client.get("/admin/outbox/").text
    assert "Hostile" in listing and "Gone already" in listing and "NUMBERDESK_SMTP_URL" in listing
    unsent = client.get("/admin/outbox/?shown=unsent").text
    assert "Hostile" in unsent and "Gone already" not in unsent and "SMTPRecipientsRefused" in unsent
    assert "Hostile" not in client.get("/admin/outbox/?shown=sent").text
    page = client.get(f"/admin/outbox/{hostile.id}").text
    assert "plain words" in page and 'href="https://x.example/"' in page
    assert "<script>" not in page.split('id="mail-html"')[1] and "javascript:" not in page

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setenv("NUMBERDESK_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        again = client.post(f"/admin/outbox/{hostile.id}/send-again", follow_redirects=True)
    finally:
        controller.stop()
    assert again.status_code == 200 and "The mail was sent." in again.text
    assert [m["X-Envelope-To"] for m in inbox.messages] == ["someone@example.com"]
    assert client.post(f"/admin/outbox/{sent.id}/send-again").status_code == 409
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="send_mail_again")) is not None


def test_a_person_chooses_their_mail_preference_on_their_account_page(client, people):
    login(client, "lawyer")
    page = client.get("/account/", headers={"Accept-Language": "ru"}).text
    assert "Раз в день, одной сводкой" in page
    saved = client.post("/account/mail", data={"mail_preference": "digest"}, follow_redirects=True)
    assert saved.status_code == 200 and "E-mail preference saved." in saved.text
    db.session.refresh(people["lawyer"])
    assert people["lawyer"].mail_preference == MailPreference.DIGEST
    assert client.post("/account/mail", data={"mail_preference": "hourly"}).status_code == 422


def test_a_failed_send_is_recorded_and_raised_for_the_flow_to_retry(people, catalog, outbox, monkeypatch):
    request_in(SUBMITTED, people, catalog)
    [mail] = mails()
    monkeypatch.setenv("NUMBERDESK_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(MailNotSent):
        send_mail(mail.id)
    assert mails()[0].attempts == 1 and mails()[0].last_error


def test_every_state_and_action_has_its_words_in_both_languages():
    from models.lifecycle import ACTIONS, HUMAN_ACTIONS, STATES
    from models.mail_texts import ACTION_LABELS, EVENT_LABELS, STATE_LABELS
    assert set(STATE_LABELS) == set(STATES)
    assert set(ACTION_LABELS) == set(HUMAN_ACTIONS)
    assert set(EVENT_LABELS) == set(ACTIONS)
