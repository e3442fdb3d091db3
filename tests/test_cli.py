"""The `numberdesk` command: a real installation without the demo, the first admin, and API tokens."""
from datetime import timedelta

import pytest

from conftest import auth, make_app
from models import ApiToken, AuditEvent, User, db
from models.choices import Role
from cli import cli
from demo import DEMO_PASSWORD, DemoRefused
from demo.data import load_demo_data


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """An app on a database that does not exist yet, as on a new server."""
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    app = make_app(tmp_path / "new.db")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args))


def user_count() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


# --- a real installation -------------------------------------------------------------------------------------

def test_setup_no_demo_migrates_and_creates_no_users(empty_app):
    result = run(empty_app, "setup", "--no-demo")
    assert result.exit_code == 0, result.output
    assert user_count() == 0
    assert "numberdesk users create-admin EMAIL" in result.output and "Demo logins" not in result.output


def test_numberdesk_demo_0_is_a_real_installation_too(empty_app, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_DEMO", "0")
    result = run(empty_app, "setup")
    assert result.exit_code == 0, result.output
    assert user_count() == 0


def test_production_refuses_the_demo(empty_app, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_ENV", "production")
    refused = run(empty_app, "setup")
    assert refused.exit_code == 1 and "NUMBERDESK_ENV=production" in refused.output
    assert "setup --no-demo" in refused.output
    demo = run(empty_app, "demo")
    assert demo.exit_code == 1 and "NUMBERDESK_ENV=production" in demo.output
    assert run(empty_app, "setup", "--no-demo").exit_code == 0
    assert user_count() == 0
    with pytest.raises(DemoRefused):  # whoever calls the loader
        load_demo_data()
    assert user_count() == 0


def test_setup_with_the_demo_prints_its_logins(app):
    result = run(app, "setup")
    assert result.exit_code == 0, result.output
    assert f"Demo logins (password for all: {DEMO_PASSWORD})" in result.output
    assert "admin@example.com" in result.output


# --- the first admin -----------------------------------------------------------------------------------------

def test_create_admin_prints_a_one_time_password_that_must_be_changed(empty_app):
    assert run(empty_app, "setup", "--no-demo").exit_code == 0
    result = run(empty_app, "users", "create-admin", "Boss@Company.test", "--name", "Big Boss")
    assert result.exit_code == 0, result.output
    password = result.stdout.strip()
    assert len(password) >= 16 and "\n" not in password
    user = db.session.scalar(db.select(User).filter_by(email="boss@company.test"))
    assert user.name == "Big Boss" and user.roles == {Role.ADMIN} and user.must_change_password

    client = empty_app.test_client()
    signed_in = client.post("/login", data={"email": "boss@company.test", "password": password})
    assert signed_in.status_code == 302
    forced = client.get("/admin/")
    assert forced.status_code == 302 and forced.headers["Location"] == "/account/password"
    changed = client.post("/account/password", data={"current_password": password,
                                                     "new_password": "the boss's own password",
                                                     "confirm": "the boss's own password"})
    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200
    again = empty_app.test_client().post("/login", data={"email": "boss@company.test", "password": password})
    assert again.status_code == 200 and "Wrong email or password." in again.text


def test_create_admin_refuses_an_existing_email_and_a_non_email(app):
    taken = run(app, "users", "create-admin", "approver@example.com")
    assert taken.exit_code == 1 and "already exists" in taken.output
    assert run(app, "users", "create-admin", "not-an-email").exit_code == 2
    assert db.session.scalar(db.select(User).filter_by(email="approver@example.com")).roles == {Role.APPROVER}


def test_create_a_user_with_the_branches_they_work_for(app):
    created = run(app, "users", "create", "Olga@Example.com", "--name", "Olga", "--role", "requester",
                  "--branch", "SR-KZN", "--branch", "SR-UFA", "--password", "correct horse")
    assert created.exit_code == 0, created.output
    olga = db.session.scalar(db.select(User).filter_by(email="olga@example.com"))
    assert sorted(d.cost_centre for d in olga.departments) == ["SR-KZN", "SR-UFA"] and olga.check_password(
        "correct horse")
    assert db.session.scalar(db.select(AuditEvent).filter_by(subject=f"user {olga.id}", action="create"))


@pytest.mark.parametrize("args, complaint", [
    (["--role", "requester"], "needs the branch"),
    (["--role", "requester", "--branch", "XX-NONE"], "no branch with the cost centre XX-NONE"),
])
def test_create_refuses_a_requester_without_a_real_branch(app, args, complaint):
    refused = run(app, "users", "create", "nobody@example.com", "--name", "Nobody", *args, "--password", "long enough")
    assert refused.exit_code == 2 and complaint in refused.output
    assert db.session.scalar(db.select(User).filter_by(email="nobody@example.com")) is None


# --- API tokens ----------------------------------------------------------------------------------------------

def test_tokens_from_the_command_line(app, client):
    made = run(app, "users", "token", "approver@example.com", "--name", "nightly export", "--days", "7")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 200
    stored = db.session.scalar(db.select(ApiToken).filter_by(token_hash=ApiToken.hash(token)))
    assert stored.name == "nightly export" and stored.expires_at - stored.created_at == timedelta(days=7)

    default = run(app, "users", "token", "approver@example.com")
    default_stored = db.session.scalar(db.select(ApiToken).filter_by(token_hash=ApiToken.hash(default.stdout.strip())))
    assert default_stored.expires_at - default_stored.created_at == timedelta(days=90)

    listed = run(app, "users", "tokens", "approver@example.com")
    assert listed.exit_code == 0
    line = next(line for line in listed.output.splitlines() if "nightly export" in line)
    assert line.split()[0] == str(stored.id) and line.rstrip().endswith("active")

    revoked = run(app, "users", "revoke-token", str(stored.id))
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert client.get("/api/v1/departments", headers=auth(token)).status_code == 401
    relisted = run(app, "users", "tokens", "approver@example.com").output
    assert next(line for line in relisted.splitlines() if "nightly export" in line).rstrip().endswith("revoked")


def test_token_commands_refuse_what_does_not_exist(app):
    assert run(app, "users", "token", "nobody@example.com").exit_code == 1
    assert run(app, "users", "token", "approver@example.com", "--days", "0").exit_code == 2
    assert run(app, "users", "revoke-token", "99999").exit_code == 1
    assert run(app, "users", "tokens", "lawyer@example.com").output.strip() == "no tokens"
