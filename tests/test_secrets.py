"""Secrets at rest: trunk passwords are encrypted, shown to sysadmins only, audited when shown, and nowhere else."""
import hashlib
import html
import io
import json
import logging
import re
import stat
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import docx
import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, text

from conftest import auth, login, make_app
from contract_templates import render_document
from contract_templates.sample import sample_context
from lifecycle_helpers import fresh_numbers, request_in
from models import AuditEvent, CarrierOrder, Document, NumberRequest, db, secrets
from models.secrets import KEY_VARIABLE, MASK, SecretsKeyError
from cli import cli

# Special characters, to catch the password in its XML-escaped form too; "7391zq" finds it in any form.
PASSWORD = 'Tr&nk<Pw>"7391zq'
MARK = "7391zq"
TRUNK = {"type": "registration", "registrar": "sip.example.net:5060", "username": "nsk-trunk-7", "password": PASSWORD}


# --- encryption and keys ------------------------------------------------------------------------------

def test_a_secret_reads_back_with_its_key_and_not_with_another(monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, secrets.generate_key())
    token = secrets.encrypt(PASSWORD)
    assert MARK not in token and secrets.decrypt(token) == PASSWORD
    monkeypatch.setenv(KEY_VARIABLE, secrets.generate_key())
    with pytest.raises(SecretsKeyError, match="cannot be decrypted with the secrets key: NUMBERDESK_SECRETS_KEY"):
        secrets.decrypt(token)


def test_a_malformed_key_is_refused_with_where_it_came_from(monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, f"{secrets.generate_key()},not-a-key")
    with pytest.raises(SecretsKeyError, match="key 2 in NUMBERDESK_SECRETS_KEY is not a Fernet key"):
        secrets.encrypt("x")


def test_every_listed_key_decrypts_and_the_first_encrypts(monkeypatch):
    old, new = secrets.generate_key(), secrets.generate_key()
    monkeypatch.setenv(KEY_VARIABLE, old)
    under_old = secrets.encrypt("kept")
    monkeypatch.setenv(KEY_VARIABLE, f"{new}, {old}")
    assert secrets.decrypt(under_old) == "kept"
    assert Fernet(new).decrypt(secrets.encrypt("fresh").encode()) == b"fresh"


def test_without_the_variable_a_key_file_is_made_once_for_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    token = secrets.encrypt(PASSWORD)
    key_file = tmp_path / "instance" / "secrets.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert secrets.decrypt(token) == PASSWORD and key_file.read_text() == key
    assert Fernet(key.strip()).decrypt(token.encode()) == PASSWORD.encode()
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secrets.key"]  # no draft left behind


# --- rotation ---------------------------------------------------------------------------------------

def _stored_secrets() -> dict[int, str]:
    return dict(db.session.execute(db.select(CarrierOrder.id, CarrierOrder.trunk_secret)
                                   .where(CarrierOrder.trunk_secret.is_not(None))).all())


@pytest.fixture
def key_file_in_use(app, monkeypatch):
    """The demo's secrets, read from a key file in the instance folder instead of the variable."""
    key = secrets.current_keys()[0]
    key_file = secrets.key_file()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n")
    monkeypatch.delenv(KEY_VARIABLE)
    return key


def test_rotating_the_key_file_reencrypts_every_secret(app, key_file_in_use):
    old_key = key_file_in_use
    before = _stored_secrets()
    clear = {order_id: Fernet(old_key).decrypt(token.encode()).decode() for order_id, token in before.items()}
    assert clear and set(clear.values()) == {"demo-secret"}

    rotation = secrets.rotate_key(say=lambda message: None)

    assert rotation.reencrypted == len(before)
    keys = secrets.key_file().read_text().split()
    assert len(keys) == 1 and keys[0] != old_key
    assert stat.S_IMODE(secrets.key_file().stat().st_mode) == 0o600
    db.session.expire_all()
    after = _stored_secrets()
    assert after.keys() == before.keys()
    for order_id, token in after.items():
        assert token != before[order_id]
        assert Fernet(keys[0]).decrypt(token.encode()).decode() == clear[order_id]
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token.encode())
        # What the app reads, with the new key file alone.
        assert db.session.get(CarrierOrder, order_id).trunk_password() == clear[order_id]


def test_a_rotation_that_fails_midway_leaves_every_secret_readable(app, key_file_in_use, monkeypatch):
    before = _stored_secrets()
    reencrypt_all = secrets.reencrypt_all

    def crash(keys):
        raise OSError("disk full")
    monkeypatch.setattr(secrets, "reencrypt_all", crash)
    with pytest.raises(OSError):
        secrets.rotate_key(say=lambda message: None)
    # The new key came first in the file, the old one stayed after it; nothing in the database changed.
    keys = secrets.key_file().read_text().split()
    assert len(keys) == 2 and keys[1] == key_file_in_use
    db.session.expire_all()
    assert _stored_secrets() == before
    assert {db.session.get(CarrierOrder, order_id).trunk_password() for order_id in before} == {"demo-secret"}

    monkeypatch.setattr(secrets, "reencrypt_all", reencrypt_all)
    secrets.rotate_key(say=lambda message: None)  # running it again finishes the job
    (only_key,) = secrets.key_file().read_text().split()
    db.session.expire_all()
    assert all(Fernet(only_key).decrypt(token.encode()) == b"demo-secret" for token in _stored_secrets().values())


def test_a_rotation_refuses_a_secret_no_key_reads_and_changes_nothing(app, monkeypatch):
    before = _stored_secrets()
    monkeypatch.delenv(KEY_VARIABLE)  # a key file with a key the demo was not encrypted with
    secrets.current_keys()
    key_file_before = secrets.key_file().read_text()
    with pytest.raises(SecretsKeyError, match="cannot be decrypted with any of the keys"):
        secrets.rotate_key(say=lambda message: None)
    db.session.expire_all()
    assert _stored_secrets() == before
    assert key_file_before.split()[0] in secrets.key_file().read_text().split()


def test_rotating_a_key_from_the_environment_takes_two_runs(app, monkeypatch):
    old_key = secrets.current_keys()[0]
    before = _stored_secrets()
    first = secrets.rotate_key()
    new_key = first.message.split()[2]
    assert first.reencrypted == 0 and f"{KEY_VARIABLE}={new_key},{old_key}" in first.message
    assert _stored_secrets() == before

    monkeypatch.setenv(KEY_VARIABLE, f"{new_key},{old_key}")
    second = secrets.rotate_key()
    assert second.reencrypted == len(before) and "remove the older keys" in second.message
    db.session.expire_all()
    assert all(Fernet(new_key).decrypt(token.encode()) == b"demo-secret" for token in _stored_secrets().values())


def test_the_rotate_key_command(app, key_file_in_use):
    result = app.test_cli_runner().invoke(cli, ["secrets", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "now holds only the new key" in result.output
    assert secrets.key_file().read_text().split() != [key_file_in_use]
    (rotation,) = db.session.scalars(db.select(AuditEvent).filter_by(action="rotate_secrets_key")).all()
    assert rotation.data == {"reencrypted": len(_stored_secrets())} and rotation.subject == "secrets key"


# --- nowhere in clear ---------------------------------------------------------------------------------

def _docx_text(content: bytes) -> str:
    parsed = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in parsed.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in parsed.paragraphs] + cells)


def _pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def confirmed(app, client, people, catalog, tokens, caplog):
    """A request whose order the sysadmin confirmed through the API with PASSWORD; the PBX sheet is made."""
    caplog.set_level(logging.DEBUG)
    request = request_in("ordered", people, catalog)
    answer = client.post(f"/api/v1/requests/{request.id}/actions/confirm_order", headers=auth(tokens["sysadmin"]),
                         json={"numbers": fresh_numbers(), "trunk": TRUNK})
    assert answer.status_code == 200, answer.text
    assert MARK not in answer.text
    db.session.expire_all()
    request = db.session.get(NumberRequest, request.id)
    assert request.state == "attaching"
    return request


def test_after_confirm_order_the_password_is_nowhere_in_clear(app, client, confirmed, tokens, caplog, tmp_path):
    request = confirmed
    order = request.order
    assert order.trunk == {k: v for k, v in TRUNK.items() if k != "password"}
    assert MARK not in order.trunk_secret and order.trunk_password() == PASSWORD

    # The API's answers, for whoever may read the request.
    for role in ("sysadmin", "requester", "approver", "lawyer", "admin"):
        answer = client.get(f"/api/v1/requests/{request.id}", headers=auth(tokens[role]))
        assert answer.status_code == 200 and MARK not in answer.text

    # The audit trail.
    events = db.session.scalars(db.select(AuditEvent)).all()
    assert any(e.action == "confirm_order" and e.request_id == request.id for e in events)
    assert not [e.id for e in events if MARK in json.dumps([e.comment, e.data], ensure_ascii=False)]

    # The PBX sheet, as .docx, HTML preview and PDF: •••• where the password was.
    (sheet,) = [d for d in request.documents if d.kind == "pbx_sheet"]
    sheet_text = _docx_text(sheet.content)
    assert TRUNK["username"] in sheet_text and MASK in sheet_text and MARK not in sheet_text
    assert "Show trunk password" in sheet_text  # where a sysadmin reads it
    preview = client.get(f"/api/v1/documents/{sheet.id}?format=html", headers=auth(tokens["sysadmin"]))
    assert preview.status_code == 200 and TRUNK["username"] in preview.text and MARK not in preview.text
    pdf = client.get(f"/api/v1/documents/{sheet.id}?format=pdf", headers=auth(tokens["sysadmin"]))
    assert pdf.status_code == 200, pdf.text
    pdf_text = _pdf_text(pdf.data)
    assert TRUNK["username"] in pdf_text and MARK not in pdf_text

    # Kept PDFs are private to the app's own user.
    folder = tmp_path / "instance" / "pdf"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept = folder / f"{sheet.sha256}.pdf"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    # The request page, for everyone who sees the request.
    for email in ("sysadmin", "branches", "approver", "lawyer", "admin"):
        login(client, email)
        page = client.get(f"/requests/{request.id}")
        assert page.status_code == 200 and MASK in page.text and MARK not in page.text
        client.post("/logout")

    # The log lines.
    assert MARK not in caplog.text

    # The raw database file, once the write-ahead log is checkpointed into it, and every file of the instance.
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.commit()
    database_files = [p for p in tmp_path.iterdir() if p.name.startswith("test.db")]
    instance_files = [p for p in (tmp_path / "instance").rglob("*") if p.is_file()]
    assert kept in instance_files
    for path in database_files + instance_files:
        content = path.read_bytes()
        assert MARK.encode() not in content, path
        if path.suffix == ".pdf":
            assert MARK not in _pdf_text(content), path


def test_documents_made_before_the_order_show_no_trunk_password_either(app, confirmed):
    texts = [_docx_text(d.content) for d in confirmed.documents]
    assert len(texts) >= 3 and not [t for t in texts if MARK in t]


# --- the reveal ---------------------------------------------------------------------------------------

def _reveals(request_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).filter_by(request_id=request_id,
                                                                   action="reveal_trunk_password")))


def test_a_sysadmin_reveals_the_password_and_the_reveal_is_audited(client, confirmed):
    login(client, "sysadmin")
    page = client.get(f"/requests/{confirmed.id}")
    assert "Show trunk password" in page.text and MARK not in page.text

    shown = client.post(f"/requests/{confirmed.id}/trunk-password")
    assert shown.status_code == 200
    assert PASSWORD in html.unescape(shown.text)
    assert shown.headers["Cache-Control"] == "no-store"

    db.session.expire_all()
    (reveal,) = _reveals(confirmed.id)
    assert reveal.actor == "sysadmin@example.com" and reveal.from_state == reveal.to_state == "attaching"
    assert MARK not in json.dumps([reveal.comment, reveal.data])
    assert client.get(f"/requests/{confirmed.id}/trunk-password").status_code == 405  # never a GET
    assert client.post("/requests/999999/trunk-password").status_code == 404


def test_the_reveal_needs_the_request_pages_csrf_token(app, client, confirmed):
    login(client, "sysadmin")
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/requests/{confirmed.id}/trunk-password"
    page = client.get(f"/requests/{confirmed.id}").text
    form = page[page.index(f'action="{url}"'):]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    refused = client.post(url)
    assert refused.status_code == 400 and MARK not in refused.text
    assert client.post(url, data={"csrf_token": token}).status_code == 200
    db.session.expire_all()
    assert len(_reveals(confirmed.id)) == 1


@pytest.mark.parametrize("email", ["branches", "requester", "approver", "lawyer", "accountant", "admin"])
def test_nobody_else_may_reveal_it(client, confirmed, email):
    login(client, email)
    assert "Show trunk password" not in client.get(f"/requests/{confirmed.id}").text
    refused = client.post(f"/requests/{confirmed.id}/trunk-password")
    assert refused.status_code in (403, 404) and MARK not in refused.text
    db.session.expire_all()
    assert _reveals(confirmed.id) == []


def test_a_request_without_a_trunk_password_has_nothing_to_reveal(client, people, catalog):
    request = request_in("ordered", people, catalog)
    login(client, "sysadmin")
    assert client.post(f"/requests/{request.id}/trunk-password").status_code == 404
    assert "Show trunk password" not in client.get(f"/requests/{request.id}").text


def test_with_the_wrong_key_the_reveal_says_so(client, confirmed, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, secrets.generate_key())
    login(client, "sysadmin")
    answer = client.post(f"/requests/{confirmed.id}/trunk-password")
    assert answer.status_code == 503 and "cannot be decrypted with the secrets key" in answer.text
    db.session.expire_all()
    assert _reveals(confirmed.id) == []


# --- the migration ------------------------------------------------------------------------------------

def _old_sheet(password: str) -> bytes:
    """A PBX sheet as numberdesk made it before 0005: the password printed."""
    context = sample_context("en")
    context["trunk"]["password"] = password
    return render_document("pbx_sheet", "en", context)


class OldRows:
    """Inserts rows into the tables as they are in the database now (an older schema), filling the columns that
    need a value and were not given one with an empty value of their type."""

    def __init__(self, connection):
        self.connection = connection
        self.metadata = MetaData()

    def add(self, table_name: str, **values) -> int:
        table = Table(table_name, self.metadata, autoload_with=self.connection)
        for column in table.columns:
            if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
                continue
            python_type = column.type.python_type
            values[column.name] = {bool: False, int: 0, Decimal: Decimal(0), str: "",
                                   datetime: datetime(2026, 1, 1), date: date(2026, 1, 1)}.get(python_type, "")
        return self.connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def test_migration_0005_encrypts_clear_passwords_and_redacts_documents(tmp_path, monkeypatch, capsys):
    instance = tmp_path / "instance"
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(instance))
    database = tmp_path / "old.db"
    app = make_app(database)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0004")
        # What numberdesk kept before 0005: the password in the order's trunk and printed on the PBX sheet.
        # Written as rows of the schema at 0004: today's models have columns that did not exist then.
        old = OldRows(db.session.connection())
        user_id = old.add("user", email="sysadmin@example.com", name="Sergei", password_hash="-")
        department_id = old.add("department", name="Novosibirsk showroom", city="Novosibirsk", cost_centre="NSK-1")
        carrier_id = old.add("carrier", name="TransTelecom", legal_name="TransTelecom JSC", tax_id="1",
                             address="Moscow")
        pbx_id = old.add("pbx_system", name="Office Asterisk")
        request_id = old.add("number_request", department_id=department_id, carrier_id=carrier_id, pbx_id=pbx_id,
                             number_type="local", quantity=1, purpose="Showroom line", state="attaching",
                             created_by_id=user_id)
        old.add("carrier_order", request_id=request_id, carrier_id=carrier_id, adapter="manual",
                idempotency_key="k1", trunk=TRUNK)

        def old_document(kind: str, content: bytes) -> int:
            return old.add("document", request_id=request_id, carrier_id=carrier_id, kind=kind, version=1,
                           template_version="old", language="en", created_by="test", content=content,
                           sha256=hashlib.sha256(content).hexdigest(), filename=f"NR-{request_id:05d}-{kind}-v1.docx")
        sheet_content = _old_sheet(PASSWORD)
        letter = render_document("order_letter", "en", sample_context("en"))
        sheet_id, _ = old_document("pbx_sheet", sheet_content), old_document("order_letter", letter)
        db.session.commit()
        sheet = SimpleNamespace(content=sheet_content, sha256=hashlib.sha256(sheet_content).hexdigest())
        other = SimpleNamespace(content=letter, sha256=hashlib.sha256(letter).hexdigest())
        assert PASSWORD in _docx_text(sheet.content)
        old_sha, other_sha, other_content = sheet.sha256, other.sha256, other.content
        kept = instance / "pdf"
        kept.mkdir(parents=True)
        (kept / f"{old_sha}.pdf").write_bytes(b"%PDF made with the password")
        (kept / f"{other_sha}.pdf").write_bytes(b"%PDF of the order letter")
        db.session.remove()
        db.engine.dispose()

        upgrade(directory=directory, revision="0005")

        row = db.session.execute(text("SELECT trunk, trunk_secret FROM carrier_order")).one()
        assert json.loads(row.trunk) == {k: v for k, v in TRUNK.items() if k != "password"}
        assert MARK not in row.trunk_secret and secrets.decrypt(row.trunk_secret) == PASSWORD
        redacted = db.session.get(Document, sheet_id)
        redacted_text = _docx_text(redacted.content)
        assert MASK in redacted_text and MARK not in redacted_text
        xml = zipfile.ZipFile(io.BytesIO(redacted.content)).read("word/document.xml").decode()
        assert MARK not in xml and "sip.volgatelecom.example" in xml  # the rest of the sheet is as it was
        assert redacted.sha256 == hashlib.sha256(redacted.content).hexdigest() != old_sha
        assert db.session.scalar(db.select(Document.content).filter_by(kind="order_letter")) == other_content
        assert not (kept / f"{old_sha}.pdf").exists() and (kept / f"{other_sha}.pdf").exists()

        # Nothing of the clear password stays in the file: not in freed pages either.
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
        assert MARK.encode() not in database.read_bytes()

        db.session.remove()
        with pytest.raises(SystemExit):
            downgrade(directory=directory, revision="0004")
        assert "0005 cannot be undone" in capsys.readouterr().err  # what `numberdesk db downgrade` prints
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0005"
        db.session.remove()
        db.engine.dispose()
