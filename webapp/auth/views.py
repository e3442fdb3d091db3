"""Signing in and out. Who may open each page is declared with webapp/core/access_rules.py's @rule."""
import math
from urllib.parse import urlsplit

from datetime import timedelta

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from models import User, audit_trail, db
from models.sign_in import lock_remaining, normalise_email, record_attempt

from ..core.access_rules import PUBLIC, SIGNED_IN, rule
from .forms import LoginForm


def safe_next(target: str | None) -> str:
    r"""`target` if it is a path on this site, else the start page.

    Browsers read "//host", "/\host" and even "/<tab>/host" (they drop tabs and newlines) as another site,
    so only a path that starts with one "/" and holds no backslash, space or control character passes."""
    target = (target or "").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("requests.tasks")
    if any(char <= " " or char == "\x7f" for char in target):
        return url_for("requests.tasks")
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else url_for("requests.tasks")


def wait_text(remaining: timedelta) -> str:
    """models.sign_in.wait_message, in the page's language."""
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return ngettext("Too many failed sign-ins; try again in %(num)d minute.",
                    "Too many failed sign-ins; try again in %(num)d minutes.", minutes)


# Checked when the e-mail belongs to nobody, so that such an answer takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("no account has this password")


def _check_credentials(email: str, password: str) -> User | None:
    """The active user with this e-mail and password; always one password-hash check, found or not."""
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    matches = user.check_password(password)
    return user if matches and user.is_active else None


@rule(PUBLIC)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, address = normalise_email(form.email.data), request.remote_addr or ""
        # Locks on the account and on the address answer alike, and an unknown e-mail is locked like a known
        # one: the answer never tells whether an account exists.
        remaining = lock_remaining(email, address)
        if remaining is not None:
            form.password.errors.append(wait_text(remaining))
            return render_template("login.html", form=form), 429
        user = _check_credentials(email, form.password.data)
        record_attempt(email, address, succeeded=user is not None)
        # The e-mail tried is the subject; a failure's actor is unknown. Never the password.
        audit_trail.record(user, "sign_in" if user else "sign_in_failed", email, {"address": address},
                           actor_label="unknown")
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        remaining = lock_remaining(email, address)
        form.password.errors.append(wait_text(remaining) if remaining else gettext("Wrong email or password."))
    return render_template("login.html", form=form)


@rule(SIGNED_IN)
def logout():
    chosen = current_user.language
    logout_user()
    if chosen:  # the sign-in page that follows stays in the language the person chose
        session["language"] = chosen
    flash(gettext("Signed out."), "info")
    return redirect(url_for("auth.login"))
