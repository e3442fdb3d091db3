"""The forms of signing in and of a person's own account. Domain rules stay in models/; these only parse input."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, IntegerField, PasswordField, RadioField, SelectField,
                     StringField, SubmitField)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange

from models import ApiToken
from models.choices import MailPreference

from ..core.i18n import LANGUAGE_NAMES


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"), description=_l("For 14 days on this device."))
    submit = SubmitField(_l("Sign in"))


PASSWORD_MIN_LENGTH = 8  # as `numberdesk users create` asks


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(PASSWORD_MIN_LENGTH, 200, message=_l("Use %(min)d to %(max)d characters."))],
        description=_l("At least %(count)d characters.", count=PASSWORD_MIN_LENGTH))
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change password"))


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("What uses it, e.g. the branch reporting script."))
    days = IntegerField(_l("Valid for (days)"), default=ApiToken.DEFAULT_DAYS,
                        validators=[InputRequired(), NumberRange(1, ApiToken.MAX_DAYS)])
    submit = SubmitField(_l("Create token"))


# "" follows the browser's language; the languages name themselves, as language menus do.
BROWSER_LANGUAGE = ""


class LanguageForm(FlaskForm):
    language = RadioField(_l("Language of the pages"), default=BROWSER_LANGUAGE, choices=[
        (BROWSER_LANGUAGE, _l("As my browser asks")), *LANGUAGE_NAMES.items()])
    submit = SubmitField(_l("Save language"))


class MailPreferenceForm(FlaskForm):
    mail_preference = RadioField(
        _l("E-mails about my tasks and my requests"), default=MailPreference.IMMEDIATELY,
        choices=[(MailPreference.IMMEDIATELY, _l("Immediately, one e-mail per task or decision")),
                 (MailPreference.DIGEST, _l("Once a day, in a digest")), (MailPreference.OFF, _l("Never"))],
        description=_l("Those told immediately also get a digest on days something of theirs is overdue."))
    submit = SubmitField(_l("Save e-mail preference"))


class AbsenceForm(FlaskForm):
    starts_on = DateField(_l("First day away"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day away"), validators=[InputRequired()])
    delegate_id = SelectField(_l("Delegate"), coerce=int, validate_choice=False, validators=[InputRequired()],
                              description=_l("A colleague with your roles, who takes your tasks and their e-mails "
                                             "while you are away."))
    submit = SubmitField(_l("Save absence"))
