"""A person's own account: their password, their API tokens, their language, mail and absence."""
from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext, refresh
from flask_login import current_user, login_user

from models import ApiToken, DomainError, absences, audit_trail, db
from models.choices import Role
from models.organisation import utcnow
from models.sign_in import lock_remaining, record_attempt

from ..core.access_rules import SIGNED_IN, rule
from ..core.helpers import short_date
from ..core.i18n import LANGUAGES, page_language
from ..core.labels import domain_text
from .forms import BROWSER_LANGUAGE, AbsenceForm, ChangePasswordForm, LanguageForm, MailPreferenceForm, TokenForm
from .views import wait_text


# What someone who must choose a new password may still open.
OPEN_BEFORE_PASSWORD_CHANGE = {"account.change_password", "account.language", "auth.logout", "auth.login", "static",
                               "bootstrap.static"}


def password_change_first():
    """Registered on the app: whoever signed in with a one-time password chooses their own before anything
    else (the page says why). The API is left alone: it knows people by their tokens, never by this session."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_BEFORE_PASSWORD_CHANGE and not request.path.startswith("/api/")):
        return redirect(url_for("account.change_password"))
    return None


def _time_zone() -> str:
    """Times show in the person's branch's time zone when they work for one branch, else in UTC."""
    departments = current_user.departments
    return departments[0].time_zone if len(departments) == 1 else "UTC"


def _absence_form(form: AbsenceForm | None = None) -> AbsenceForm:
    if form is None:
        absence = absences.absence_of(current_user)
        form = AbsenceForm(formdata=None, data={} if absence is None else {
            "starts_on": absence.starts_on, "ends_on": absence.ends_on, "delegate_id": absence.delegate_id})
    form.delegate_id.choices = [(person.id, f"{person.name} ({person.email})")
                                for person in absences.delegate_candidates(current_user)]
    form.ends_on.description = gettext("Both days included, as days in %(zone)s.",
                                       zone=absences.time_zone_of(current_user))
    return form


def _account_page(language_form: LanguageForm | None = None, mail_form: MailPreferenceForm | None = None,
                  absence_form: AbsenceForm | None = None) -> str:
    language_form = language_form or LanguageForm(
        formdata=None, data={"language": current_user.language or BROWSER_LANGUAGE})
    mail_form = mail_form or MailPreferenceForm(formdata=None, data={"mail_preference": current_user.mail_preference})
    return render_template("account/index.html", tz=_time_zone(), language_form=language_form, mail_form=mail_form,
                           absence_form=_absence_form(absence_form), absence=absences.absence_of(current_user),
                           standing_in=absences.standing_in(current_user))


@rule(SIGNED_IN)  # only ever the signed-in person's own account
def index():
    return _account_page()


@rule(SIGNED_IN)
def language():
    """The language of this person's pages: English, Russian, or whatever their browser asks for (None)."""
    form = LanguageForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.language = form.language.data if form.language.data in LANGUAGES else None
        session.pop("language", None)  # the account's choice rules from now on
        db.session.commit()
        refresh()  # this answer's message already in the new language
        flash(gettext("Language saved."), "success")
        return redirect(url_for("account.index"))
    return _account_page(language_form=form), 422


@rule(SIGNED_IN)
def mail_preference():
    """When this person is e-mailed about their tasks and requests: immediately, in a daily digest, or never."""
    form = MailPreferenceForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        before = audit_trail.snapshot(user)
        user.mail_preference = form.mail_preference.data
        audit_trail.record_change(user, user, before, action="change_mail_preference")
        db.session.commit()
        flash(gettext("E-mail preference saved."), "success")
        return redirect(url_for("account.index"))
    return _account_page(mail_form=form), 422


def _absence_problem(field: str, message: str) -> str:
    """A refusal of models/absences.py, in the page's language."""
    if field == "delegate_id":
        roles = ", ".join(Role.label(role, page_language()) for role in sorted(absences.acting_roles(current_user)))
        return gettext("Choose another active colleague who holds the role(s) %(roles)s.", roles=roles or "—")
    return {"must not be before the first day": gettext("The last day comes before the first."),
            "must not be in the past": gettext("The last day has passed already.")}.get(message, domain_text(message))


@rule(SIGNED_IN)
def absence():
    """Days this person is away, and the colleague with their roles who takes their tasks meanwhile."""
    form = _absence_form(AbsenceForm())
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            saved = absences.set_absence(user, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                         delegate_id=form.delegate_id.data)
        except DomainError as error:
            db.session.rollback()
            for name, message in error.fields.items():
                getattr(form, name).errors.append(_absence_problem(name, message))
        else:
            db.session.commit()
            flash(gettext("Absence saved: %(name)s takes your tasks from %(start)s to %(end)s.",
                          name=saved.delegate.name, start=short_date(saved.starts_on), end=short_date(saved.ends_on)),
                  "success")
            return redirect(url_for("account.index", _anchor="absence"))
    return _account_page(absence_form=form), 422


@rule(SIGNED_IN)
def clear_absence():
    if absences.clear_absence(current_user._get_current_object()):
        db.session.commit()
        flash(gettext("Absence cleared: your tasks are yours alone again."), "success")
    return redirect(url_for("account.index", _anchor="absence"))


@rule(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        address = request.remote_addr or ""
        # The current password is a sign-in secret too: guessing it here counts against the same limits.
        remaining = lock_remaining(user.email, address)
        if remaining is not None:
            form.current_password.errors.append(wait_text(remaining))
        elif not user.check_password(form.current_password.data):
            record_attempt(user.email, address, succeeded=False)
            db.session.commit()
            form.current_password.errors.append(gettext("Wrong password."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(gettext("Choose a password other than the current one."))
        else:
            user.set_password(form.new_password.data)  # ends every other session (see User.get_id)
            user.must_change_password = False
            audit_trail.record(user, "change_password", audit_trail.subject_of(user))  # never the password
            db.session.commit()
            # This session, and its remember-me cookie if it has one, carry the new version and go on.
            remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(user, remember=remember_cookie in request.cookies)
            flash(gettext("Password changed. Every other session with the old password has ended."), "success")
            return redirect(url_for("requests.tasks"))
    return render_template("account/password.html", form=form)


def _own_tokens() -> list[ApiToken]:
    return db.session.scalars(db.select(ApiToken).filter_by(user_id=current_user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


@rule(SIGNED_IN)
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            new_token = current_user.issue_token(form.name.data, form.days.data)
        except DomainError as error:
            db.session.rollback()
            for name, message in error.fields.items():
                getattr(form, name, form.name).errors.append(domain_text(message))
        else:
            db.session.flush()
            created = current_user.tokens[-1]
            audit_trail.record(current_user, "create_token", audit_trail.subject_of(created),
                               {"name": created.name, "expires_at": created.expires_at.isoformat()})
            db.session.commit()
            form = TokenForm(formdata=None)
    # The new token is shown in this answer only (never in a flash message, which the session cookie would
    # carry), and the answer is not to be kept by any cache.
    response = make_response(render_template("account/tokens.html", form=form, tokens=_own_tokens(),
                                             new_token=new_token, now=utcnow(), tz=_time_zone()))
    response.headers["Cache-Control"] = "no-store"
    return response


@rule(SIGNED_IN)
def revoke_token(token_id: int):
    token = db.session.scalar(db.select(ApiToken).filter_by(id=token_id, user_id=current_user.id))
    if token is None:
        abort(404, description=gettext("You have no such token."))
    token.revoke()
    audit_trail.record(current_user, "revoke_token", audit_trail.subject_of(token), {"name": token.name})
    db.session.commit()
    flash(gettext("Token “%(name)s” revoked: it no longer opens the API.", name=token.name), "success")
    return redirect(url_for("account.tokens"))
