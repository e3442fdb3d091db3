"""WTForms forms for people's pages. Domain rules stay in models/; these only parse input."""
import re

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, FieldList, Form, FormField, HiddenField, IntegerField,
                     PasswordField, RadioField, SelectField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from models import ApiToken
from models.choices import NumberType, TrunkType
from models.payloads import ITEM_FIELDS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in", description="For 14 days on this device.")
    submit = SubmitField("Sign in")


PASSWORD_MIN_LENGTH = 8  # as `numberdesk users create` asks


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[
        DataRequired(), Length(PASSWORD_MIN_LENGTH, 200, message=f"Use {PASSWORD_MIN_LENGTH} to 200 characters.")],
        description=f"At least {PASSWORD_MIN_LENGTH} characters.")
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new_password", message="The two new passwords differ.")])
    submit = SubmitField("Change password")


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)],
                       description="What uses it, e.g. the branch reporting script.")
    days = IntegerField("Valid for (days)", default=ApiToken.DEFAULT_DAYS,
                        validators=[InputRequired(), NumberRange(1, ApiToken.MAX_DAYS)])
    submit = SubmitField("Create token")


class RequestForm(FlaskForm):
    department_id = SelectField("Branch", coerce=int, validators=[DataRequired()])
    number_type = SelectField("Number type", choices=NumberType.CHOICES, default=NumberType.LOCAL)
    quantity = IntegerField("How many numbers", default=1, validators=[DataRequired(), NumberRange(1, 100)])
    purpose = TextAreaField("Purpose", validators=[DataRequired(), Length(max=500)],
                            description="What the numbers are for, e.g. the showroom's main line.")
    carrier_id = SelectField("Carrier", coerce=int, validators=[DataRequired()])
    pbx_id = SelectField("PBX", coerce=int, validators=[DataRequired()])
    submit = SubmitField("Create draft")

    def payload(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("department_id", "number_type", "quantity", "purpose", "carrier_id", "pbx_id")}


class ActionForm(FlaskForm):
    """A decision on a request: a comment, and the version the person saw."""

    version = HiddenField()
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    submit = SubmitField()
    # Domain error keys that belong to a differently named field here.
    FIELD_NAMES: dict[str, str] = {}

    def payload(self) -> dict:
        return {"comment": self.comment.data or ""}

    def expected_version(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None

    def show_errors(self, fields: dict[str, str]) -> None:
        for key, message in fields.items():
            field = getattr(self, self.FIELD_NAMES.get(key, key.replace(".", "_")), None) or self.comment
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


class CarrierResponseForm(ActionForm):
    accepted = RadioField("The carrier's answer to the protocol of disagreements",
                          choices=[("yes", "Accepted: redraft the contracts"), ("no", "Refused: reject the request")],
                          validators=[DataRequired()])

    def payload(self) -> dict:
        return {**super().payload(), "accepted": {"yes": True, "no": False}.get(self.accepted.data)}


class ClauseForm(Form):
    clause = StringField("Clause", validators=[Optional(), Length(max=40)], description="e.g. 4.2")
    carrier_wording = TextAreaField("The carrier's wording", validators=[Optional(), Length(max=5000)])
    our_wording = TextAreaField("Our wording", validators=[Optional(), Length(max=5000)])


class ChangeRequestForm(ActionForm):
    """The lawyer's reason and the clauses that go into the protocol of disagreements."""

    items = FieldList(FormField(ClauseForm), min_entries=3, max_entries=20,
                      description="Leave rows empty that you do not need.")

    def _filled(self) -> list:
        return [entry for entry in self.items if any((entry.data.get(name) or "").strip() for name in ITEM_FIELDS)]

    def payload(self) -> dict:
        return {**super().payload(), "items": [entry.data for entry in self._filled()]}

    def show_errors(self, fields: dict[str, str]) -> None:
        filled = self._filled()
        rest = {}
        for key, message in fields.items():
            found = re.fullmatch(r"items\[(\d+)\]\.(\w+)", key)
            if found and int(found.group(1)) < len(filled):
                filled[int(found.group(1))][found.group(2)].errors = [message]
            else:
                rest[key] = message
        super().show_errors(rest)


class SignatureForm(ActionForm):
    signed_on = DateField("Signed on", validators=[DataRequired()])

    def payload(self) -> dict:
        signed = self.signed_on.data
        return {**super().payload(), "signed_on": signed.isoformat() if signed else None}


class OrderConfirmationForm(ActionForm):
    numbers = TextAreaField("Assigned numbers", description="One E.164 number per line, e.g. +78432000001.",
                            validators=[DataRequired()])
    trunk_type = SelectField("Trunk type", choices=TrunkType.CHOICES)
    trunk_registrar = StringField("Registrar", validators=[Optional(), Length(max=200)])
    trunk_username = StringField("Username", validators=[Optional(), Length(max=200)])
    trunk_password = PasswordField("Password", validators=[Optional(), Length(max=200)])
    trunk_addresses = TextAreaField("Carrier SBC addresses", description="For an IP trunk: one address per line.")

    def payload(self) -> dict:
        lines = lambda text: [line.strip() for line in (text or "").splitlines() if line.strip()]  # noqa: E731
        trunk = {"type": self.trunk_type.data}
        if self.trunk_type.data == TrunkType.REGISTRATION:
            trunk.update(registrar=self.trunk_registrar.data, username=self.trunk_username.data,
                         password=self.trunk_password.data)
        else:
            trunk["addresses"] = lines(self.trunk_addresses.data)
        return {**super().payload(), "numbers": lines(self.numbers.data), "trunk": trunk}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "request_changes": ChangeRequestForm,
    "carrier_response": CarrierResponseForm,
    "record_signature": SignatureForm,
    "confirm_order": OrderConfirmationForm,
}


def action_form(action: str, label: str, **kwargs) -> ActionForm:
    form = ACTION_FORMS.get(action, ActionForm)(prefix=action, **kwargs)
    form.submit.label.text = label
    return form
