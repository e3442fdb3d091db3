"""Shared fixtures: an app on a throw-away database, the demo people, and helpers to move requests."""
import os
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade

os.environ.setdefault("NUMBERDESK_DISPATCH", "inline")
# Every test's database is a copy of the demo's, in an instance folder of its own: one secrets key for the whole
# run reads the trunk passwords the demo encrypted.
os.environ.setdefault("NUMBERDESK_SECRETS_KEY", Fernet.generate_key().decode())

from models import Carrier, Department, PbxSystem, User, db  # noqa: E402
from models.choices import Role  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.core import i18n  # noqa: E402
from demo import DEMO_PASSWORD  # noqa: E402
from demo.data import load_demo_data  # noqa: E402


def installed(available: bool, what: str):
    """Mark tests that need `what` from Debian. `make test` and CI install it, so there a missing `what` is a
    failure, never a skip (NUMBERDESK_TESTS_COMPLETE=1 or CI set); a developer running pytest alone without it
    is told to run `make test`."""
    complete = os.environ.get("CI") or os.environ.get("NUMBERDESK_TESTS_COMPLETE")
    return pytest.mark.skipif(not available and not complete,
                              reason=f"{what} is not installed here: `make test` installs it")


def make_app(database: Path, **config):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                       "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", **config})


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """The pages' translations, built from the .po files when `make install` has not built them (yet)."""
    i18n.compile_catalogs()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The migrations applied and the demo loaded once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("demo")
    os.environ["NUMBERDESK_INSTANCE"] = str(folder / "instance")
    database = folder / "demo.db"
    app = make_app(database)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_demo_data()
        db.session.remove()
        db.engine.dispose()
    return database


@pytest.fixture
def app(demo_database, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "inline")
    shutil.copy(demo_database, tmp_path / "test.db")
    app = make_app(tmp_path / "test.db")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def user(email_prefix: str) -> User:
    return db.session.scalar(db.select(User).filter_by(email=f"{email_prefix}@example.com"))


@pytest.fixture
def people(app):
    """The demo's people by role; the requester is the one who works for every branch but Kazan."""
    found = {role: user(role) for role in ("approver", "lawyer", "sysadmin", "accountant", "admin")}
    return {"requester": user("branches"), "kazan_requester": user("requester"), **found}


@pytest.fixture
def catalog(app):
    """The demo records a new request needs."""
    def department(city):
        return db.session.scalar(db.select(Department).filter_by(city=city))

    def carrier(name):
        return db.session.scalar(db.select(Carrier).filter_by(name=name))

    def pbx(name):
        return db.session.scalar(db.select(PbxSystem).filter_by(name=name))
    return {"department": department, "carrier": carrier, "pbx": pbx}


@pytest.fixture
def tokens(app, people):
    issued = {role: person.issue_token() for role, person in people.items()}
    db.session.commit()
    return issued


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(client, role: str) -> None:
    response = client.post("/login", data={"email": f"{role}@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.text


__all__ = ["Role", "auth", "login", "user"]
