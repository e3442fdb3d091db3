"""The tamper-evident audit trail: every event chained to the one before, `numberdesk audit verify` naming the
first event changed or removed, admin changes, sign-ins, template uploads and layouts audited without secrets,
kept expense reports never overwritten, and the migration that chains an older database."""
import io
import json
import threading
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade

from conftest import auth, installed, login
from test_postgresql import PG_BIN, demo_on_postgresql, postgresql_url  # noqa: F401 (fixtures)
from contract_templates import TEMPLATE_DIR
from models import AuditEvent, Carrier, Department, DomainError, ExpenseReport, PbxSystem, Tariff, User, db
from models.audit_trail import AuditChainHead, ChainBreak, check_chain, record, verify_chain
from models.choices import Role
from models.expenses import store_expense_report
from models.lifecycle import apply_action, open_request
from webapp.costs import views as cost_pages
from cli import cli
from demo import DEMO_PASSWORD

NEW_PASSWORD = "a brand new secret 42"


def chain() -> list:
    return db.session.execute(db.select(AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash)
                              .order_by(AuditEvent.id)).all()


def tamper(sql: str, **params) -> None:
    """Change the table behind the app's back, as somebody with the database file could."""
    db.session.execute(db.text(sql), params)
    db.session.commit()


def verify(app):
    return app.test_cli_runner().invoke(cli, ["audit", "verify"])


def events_about(subject: str) -> list[AuditEvent]:
    return db.session.scalars(db.select(AuditEvent).filter_by(subject=subject).order_by(AuditEvent.id)).all()


def assert_no_secret_in(event: AuditEvent, *secrets: str) -> None:
    text = json.dumps(event.data) + event.comment
    for secret in secrets:
        assert secret not in text


# --- the chain -----------------------------------------------------------------------------------------

def test_every_demo_event_is_chained_to_the_one_before(app):
    rows = chain()
    assert len(rows) > 10
    assert rows[0].prev_hash == ""
    for before, after in zip(rows, rows[1:]):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert verify_chain() is None
    head = db.session.get(AuditChainHead, 1)
    assert (head.event_id, head.hash) == (rows[-1].id, rows[-1].hash)


def test_events_added_anywhere_are_chained(app, people, catalog):
    request = open_request(people["requester"], department_id=catalog["department"]("Novosibirsk").id,
                           number_type="local", quantity=1, purpose="Reception",
                           carrier_id=catalog["carrier"]("TransTelecom Direct").id,
                           pbx_id=catalog["pbx"]("Office Asterisk").id)
    apply_action(request, "submit", people["requester"])
    record(people["admin"], "test_note", "carrier 1", {"why": "a check"})
    db.session.commit()
    rows = chain()
    last_four = rows[-4:]
    assert [e.action for e in db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.id.in_([r.id for r in last_four[1:]])).order_by(AuditEvent.id))] == [
        "create", "submit", "test_note"]
    for before, after in zip(last_four, last_four[1:]):
        assert after.prev_hash == before.hash
    assert verify_chain() is None
    assert [e.action for e in request.events] == ["create", "submit"]  # the request's history still reads it


def test_the_command_says_the_trail_is_intact(app):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"audit trail intact: {len(chain())} events"


def test_a_changed_comment_is_named_and_the_command_fails(app):
    target = chain()[5].id
    tamper("UPDATE audit_event SET comment = 'nothing happened' WHERE id = :id", id=target)
    broken = verify_chain()
    assert broken == ChainBreak(target, "changed")
    result = verify(app)
    assert result.exit_code == 1 and f"audit event {target} was changed" in result.output


def test_a_changed_time_or_actor_is_named_the_first_break_first(app):
    rows = chain()
    tamper("UPDATE audit_event SET at = '2020-01-01 00:00:00.000000' WHERE id = :id", id=rows[7].id)
    assert verify_chain() == ChainBreak(rows[7].id, "changed")
    tamper("UPDATE audit_event SET actor = 'somebody@else' WHERE id = :id", id=rows[3].id)
    assert verify_chain() == ChainBreak(rows[3].id, "changed")


def test_a_removed_event_is_named_by_the_next_one(app):
    rows = chain()
    tamper("DELETE FROM audit_event WHERE id = :id", id=rows[4].id)
    broken = verify_chain()
    assert broken == ChainBreak(rows[5].id, "removed_before")
    result = verify(app)
    assert result.exit_code == 1 and f"an event before {rows[5].id} was removed" in result.output


def test_removing_the_last_events_is_noticed_too(app):
    rows = chain()
    tamper("DELETE FROM audit_event WHERE id >= :id", id=rows[-2].id)
    broken = verify_chain()
    assert broken == ChainBreak(rows[-3].id, "removed_after")
    assert broken.message == f"an event after {rows[-3].id} was removed"
    assert verify(app).exit_code == 1


def test_the_session_refuses_to_change_or_remove_an_event(app):
    event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).first()
    event.comment = "rewritten"
    with pytest.raises(DomainError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).first())
    with pytest.raises(DomainError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert verify_chain() is None


def test_two_transactions_appending_at_once_do_not_fork_the_chain(app):
    def append_elsewhere():
        with app.app_context():
            record(None, "test_append", "elsewhere", actor_label="another process")
            db.session.commit()

    record(None, "test_append", "here", actor_label="this process")
    db.session.flush()  # holds the chain's lock until our commit
    other = threading.Thread(target=append_elsewhere)
    other.start()
    other.join(timeout=0.5)  # gives the other transaction the chance to queue behind our lock
    db.session.commit()
    other.join()
    here, elsewhere = events_about("here")[0], events_about("elsewhere")[0]
    assert elsewhere.id > here.id and elsewhere.prev_hash == here.hash
    assert verify_chain() is None


@installed(PG_BIN is not None, "PostgreSQL's server")
def test_two_transactions_appending_at_once_on_postgresql(demo_on_postgresql):  # noqa: F811 (the fixture)
    """PostgreSQL gives ids at insert and lets both transactions insert at once: only the chain's lock keeps
    the second from chaining onto the head the first has not committed yet."""
    app = demo_on_postgresql
    with app.app_context():
        assert verify_chain() is None  # the demo, on PostgreSQL
        test_two_transactions_appending_at_once_do_not_fork_the_chain(app)
        db.session.remove()


# --- what gets audited ---------------------------------------------------------------------------------

def test_sign_ins_are_audited_without_the_password(client):
    login(client, "admin")
    [signed_in] = events_about("admin@example.com")
    assert (signed_in.action, signed_in.actor) == ("sign_in", "admin@example.com")
    assert signed_in.data == {"address": "127.0.0.1"}
    assert_no_secret_in(signed_in, DEMO_PASSWORD)
    wrong = client.post("/login", data={"email": "lawyer@example.com", "password": "not-the-password-7"})
    assert wrong.status_code == 200
    [failed] = events_about("lawyer@example.com")
    assert (failed.action, failed.actor_id, failed.actor) == ("sign_in_failed", None, "unknown")
    assert_no_secret_in(failed, "not-the-password-7")
    assert verify_chain() is None


DEPARTMENT = {"name": "Sochi kiosk", "city": "Sochi", "address": "Kurortny 1", "time_zone": "Europe/Moscow",
              "cost_centre": "CC-SOCHI", "monthly_call_load": "100", "ring_group": "700"}
CARRIER = {"name": "SochiTel", "legal_name": "LLC SochiTel", "tax_id": "2320000001", "address": "Sochi",
           "signatory": "I. Ivanov", "cities": "Sochi", "language": "ru", "currency": "RUB", "adapter": "manual",
           "price_change_notice_days": "30", "invoice_dispute_days": "10", "daily_penalty_percent": "0",
           "penalty_cap": "1000", "accepts_disagreement_protocol": "y"}
PBX = {"name": "Sochi Asterisk", "kind": "manual", "vendor": "Sangoma", "notes": ""}


def tariff_form(carrier_id: int, **changes) -> dict:
    return {"carrier_id": str(carrier_id), "name": "Sochi basic", "valid_from": "2025-01-01", "valid_to": "",
            "monthly_fee": "100.00", "one_time_fee": "0", "rate_local": "0.5", "rate_long_distance": "1",
            "rate_mobile": "1.5", "rate_international": "10", "rate_toll_free_inbound": "0",
            "billing_increment": "per_second", **changes}


def create_and_edit(client, path: str, model, data: dict, changes: dict, **find) -> tuple[int, list[AuditEvent]]:
    assert client.post(f"/admin/{path}/new", data=data).status_code == 302
    item = db.session.scalars(db.select(model).filter_by(**find)).one()
    assert client.post(f"/admin/{path}/{item.id}/edit", data={**data, **changes}).status_code == 302
    return item.id, events_about(f"{model.__tablename__.replace('_', ' ')} {item.id}")


def test_admin_changes_record_what_changed(client):
    login(client, "admin")
    department_id, events = create_and_edit(client, "departments", Department, DEPARTMENT,
                                            {"ring_group": "701"}, name="Sochi kiosk")
    assert [(e.action, e.actor) for e in events] == [("create", "admin@example.com"), ("edit", "admin@example.com")]
    assert events[0].data["changes"]["name"] == [None, "Sochi kiosk"]
    assert events[1].data == {"label": "Sochi kiosk (Sochi)", "changes": {"ring_group": ["700", "701"]}}

    carrier_id, events = create_and_edit(client, "carriers", Carrier, CARRIER, {"signatory": "P. Petrov"},
                                         name="SochiTel")
    assert events[1].data["changes"] == {"signatory": ["I. Ivanov", "P. Petrov"]}

    _, events = create_and_edit(client, "tariffs", Tariff, tariff_form(carrier_id),
                                {"rate_local": "0.75"}, name="Sochi basic")
    assert events[0].data["changes"]["monthly_fee"] == [None, "100.00"]
    assert events[1].data["changes"] == {"rate_local": ["0.5000", "0.75"]}

    _, events = create_and_edit(client, "pbx", PbxSystem, PBX, {"vendor": "Sangoma Inc"}, name="Sochi Asterisk")
    assert events[1].data["changes"] == {"vendor": ["Sangoma", "Sangoma Inc"]}

    # Saving a form that changes nothing records nothing.
    assert client.post(f"/admin/carriers/{carrier_id}/edit", data={**CARRIER, "signatory": "P. Petrov"}
                       ).status_code == 302
    assert len(events_about(f"carrier {carrier_id}")) == 2
    assert verify_chain() is None


def test_a_users_password_is_recorded_only_as_changed(client):
    login(client, "admin")
    kazan = db.session.scalar(db.select(Department.id).filter_by(city="Kazan"))
    data = {"email": "new.lawyer@example.com", "name": "New Lawyer", "roles": [Role.LAWYER], "departments": [],
            "active": "y", "password": "first password 1"}
    user_id, events = create_and_edit(client, "users", User, data,
                                      {"password": NEW_PASSWORD, "departments": [str(kazan)]},
                                      email="new.lawyer@example.com")
    created, edited = events
    assert created.data["changes"]["password"] == "set" and created.data["changes"]["email"] == [
        None, "new.lawyer@example.com"]
    assert edited.data["changes"]["password"] == "changed"
    assert edited.data["changes"]["departments"] == [[], ["Kazan showroom (Kazan)"]]
    assert created.data["changes"]["roles"] == [None, "lawyer"]
    password_hash = db.session.get(User, user_id).password_hash
    for event in events:
        assert "password_hash" not in event.data["changes"]
        assert_no_secret_in(event, "first password 1", NEW_PASSWORD, password_hash)


def test_a_template_upload_is_audited(client, tokens):
    bundled = (TEMPLATE_DIR / "en" / "service_contract.docx").read_bytes()
    response = client.post("/api/v1/templates/service_contract", headers=auth(tokens["admin"]),
                           data={"file": (io.BytesIO(bundled), "contract.docx"), "language": "en"},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    [uploaded] = events_about("template service_contract/en v1")
    assert (uploaded.action, uploaded.actor) == ("upload_template", "admin@example.com")
    assert uploaded.data["sha256"] == response.json["sha256"] and uploaded.data["filename"] == "contract.docx"
    assert verify_chain() is None


def test_a_layout_change_is_audited(client):
    login(client, "admin")
    nordtel = db.session.scalar(db.select(Carrier.id).filter_by(name="Nordtel"))
    data = {"column_call_id": "", "column_number": "DID", "column_started_at": "Start",
            "column_duration_s": "Secs", "column_direction": "Dir", "column_destination": "To",
            "column_destination_class": "Class", "column_billed_cost": "Amount", "date_format": "%d/%m/%Y %H:%M",
            "time_zone": "Europe/Moscow", "decimal_comma": "y", "delimiter": ";", "encoding": "cp1251",
            "directions": "IN = in\nOUT = out", "destination_classes": "Loc = local"}
    before = len(events_about(f"carrier {nordtel}"))
    assert client.post(f"/costs/carriers/{nordtel}/layout", data=data).status_code == 302
    changed = events_about(f"carrier {nordtel}")[before:]
    assert [(e.action, list(e.data["changes"])) for e in changed] == [("edit_layout", ["cdr_layout"])]
    old, new = changed[0].data["changes"]["cdr_layout"]
    assert new["columns"]["number"] == "DID" and old != new


# --- the admin page ------------------------------------------------------------------------------------

def test_the_audit_trail_page_lists_filters_and_verifies(client):
    login(client, "admin")
    page = client.get("/admin/audit/")
    assert page.status_code == 200 and "The chain verifies" in page.text and "sign_in" in page.text
    only_requests = client.get("/admin/audit/?subject=NR-00001").text
    assert "NR-00001" in only_requests and "<td>admin@example.com</td>" not in only_requests
    signed_in = client.get("/admin/audit/?action=sign_in&actor=admin@").text
    assert "<td>admin@example.com</td>" in signed_in and 'href="/requests/' not in signed_in
    target = chain()[2].id
    tamper("UPDATE audit_event SET comment = 'edited' WHERE id = :id", id=target)
    page = client.get("/admin/audit/").text
    assert "does not verify" in page and f"audit event {target} was changed" in page


@pytest.mark.parametrize("role", ["accountant", "lawyer", "requester"])
def test_only_admins_open_the_audit_trail(client, role):
    login(client, role)
    assert client.get("/admin/audit/").status_code == 403


# --- kept reports --------------------------------------------------------------------------------------

def test_keeping_a_month_twice_adds_a_version(app):
    month = date(2020, 1, 1)  # before any demo data: the figures are all zero, and that is fine
    first = store_expense_report(month, generated_by="first@example.com")
    db.session.commit()
    kept_first = (first.id, first.data, first.generated_at, first.generated_by)
    second = store_expense_report(month, generated_by="second@example.com")
    db.session.commit()
    db.session.expire_all()
    versions = db.session.scalars(db.select(ExpenseReport).filter_by(month=month)
                                  .order_by(ExpenseReport.version)).all()
    assert [(r.version, r.generated_by) for r in versions] == [(1, "first@example.com"), (2, "second@example.com")]
    assert (versions[0].id, versions[0].data, versions[0].generated_at, versions[0].generated_by) == kept_first
    assert versions[1].id == second.id != first.id


def test_two_accountants_keeping_a_month_at_once_both_stay(client, monkeypatch):
    """The other keep commits first with the same version number: ours is refused, never overwrites it."""
    month = date(2020, 2, 1)

    def kept_meanwhile(*args, **kwargs):
        ours = store_expense_report(*args, **kwargs)
        with client.application.app_context():  # another request, with its own session
            store_expense_report(month, generated_by="other@example.com")
            db.session.commit()
        return ours

    monkeypatch.setattr(cost_pages, "store_expense_report", kept_meanwhile)
    login(client, "accountant")
    response = client.post("/costs/archive", data={"month": "2020-02"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/costs/archive")
    assert "was kept at the same moment" in client.get("/costs/archive").text
    versions = db.session.scalars(db.select(ExpenseReport).filter_by(month=month)).all()
    assert [(r.version, r.generated_by) for r in versions] == [(1, "other@example.com")]


# --- the migration -------------------------------------------------------------------------------------

def test_the_migration_chains_the_events_of_an_older_database(app):
    events = len(chain())
    directory = app.extensions["migrate"].directory
    db.session.remove()
    downgrade(directory=directory, revision="0005")
    assert set(db.session.scalars(db.select(AuditEvent.hash))) == {""}  # as 0005 left them: no chain
    db.session.remove()
    upgrade(directory=directory)
    result = check_chain()
    assert (result.events, result.broken) == (events, None)
    assert chain()[1].prev_hash == chain()[0].hash != ""
