"""The demo: its accounts (published password), whether this installation may load it and whether it is loaded.

Loading the data is demo.data's job; this module needs only the models, so the web app can ask whether the demo's
users are in the database (the "demo data" banner) without loading the demo's workflows.
"""
import os
from time import monotonic

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from models import User, db
from models.choices import Role

DEMO_PASSWORD = "numberdesk-demo"
DEMO_USERS = [
    ("requester@example.com", "Rita Requester", [Role.REQUESTER]),
    ("approver@example.com", "Artem Approver", [Role.APPROVER]),
    ("lawyer@example.com", "Lena Lawyer", [Role.LAWYER]),
    ("sysadmin@example.com", "Sergei Sysadmin", [Role.SYSADMIN]),
    ("accountant@example.com", "Anna Accountant", [Role.ACCOUNTANT]),
    ("admin@example.com", "Adam Admin", [Role.ADMIN]),
    # Requests for every branch but Kazan; requester@ works for the Kazan showroom alone.
    ("branches@example.com", "Boris Branches", [Role.REQUESTER]),
]


class DemoRefused(Exception):
    """The demo, with its published passwords, may not be loaded here."""


def demo_refusal() -> str | None:
    """Why this installation must not get the demo, or None when it may."""
    if os.environ.get("NUMBERDESK_ENV", "").strip().lower() == "production":
        return ("NUMBERDESK_ENV=production: the demo's users have a published password and are never created "
                "here; use `numberdesk setup --no-demo` and `numberdesk users create-admin EMAIL`")
    return None


def demo_wanted() -> bool:
    """`make run` loads the demo; NUMBERDESK_DEMO=0 (like `setup --no-demo`) is a real installation."""
    return os.environ.get("NUMBERDESK_DEMO", "1").strip().lower() not in ("0", "false", "no", "off")


def holds_demo_users() -> bool:
    """Whether any of the demo's users (with their published password) is in the database."""
    emails = [email for email, _, _ in DEMO_USERS]
    return db.session.scalar(db.select(User.id).where(User.email.in_(emails)).limit(1)) is not None


# How long a web process trusts its last look for the demo's users.
DEMO_MARKER_SECONDS = 60.0


def demo_in_use() -> bool:
    """Whether the banner "demo data" belongs on the pages.

    Every page asks, so each process looks at the database at most once a minute (one indexed query on the
    user's unique e-mail) and keeps the answer in app.extensions; loading the demo in this process sets it
    at once. A demo loaded or its users removed by another process shows within a minute. A database that
    cannot answer (not migrated yet) shows no banner rather than an error page."""
    marker = current_app.extensions.setdefault("numberdesk_demo", {"checked_at": None, "in_use": False})
    now = monotonic()
    if marker["checked_at"] is None or now - marker["checked_at"] >= DEMO_MARKER_SECONDS:
        try:
            marker["in_use"] = holds_demo_users()
        except SQLAlchemyError:
            db.session.rollback()
            marker["in_use"] = False
        marker["checked_at"] = now
    return marker["in_use"]


def mark_demo_loaded() -> None:
    """Loading the demo in this process shows the banner at once."""
    current_app.extensions["numberdesk_demo"] = {"checked_at": monotonic(), "in_use": True}
