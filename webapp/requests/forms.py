"""The forms of the request pages: a new request and the decisions on one.

Domain rules stay in models/; these only parse input."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations
from wtforms import (DateField, FieldList, Form, FormField, HiddenField, IntegerField, PasswordField, RadioField,
                     SelectField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models.choices import NumberType, TrunkType
from models.limits import (MAX_CLAUSE, MAX_COMMENT, MAX_PURPOSE, MAX_QUANTITY, MAX_TRUNK_SETTING, MAX_WORDING,
                           MIN_QUANTITY)
from models.payloads import ITEM_FIELDS

from ..core.i18n import page_language
from ..core.labels import domain_text


class RequestForm(FlaskForm):
    department_id = SelectField(_l("Branch"), coerce=int, validators=[DataRequired()])
    # A callable: the labels are made in the language of the page the form is on.
    number_type = SelectField(_l("Number type"), choices=lambda: NumberType.choices(page_language()),
                              default=NumberType.LOCAL)
    quantity = IntegerField(_l("How many numbers"), default=1,
                            validators=[DataRequired(), NumberRange(MIN_QUANTITY, MAX_QUANTITY)])
    purpose = TextAreaField(_l("Purpose"), validators=[DataRequired(), Length(max=MAX_PURPOSE)],
                            description=_l("What the numbers are for, e.g. the showroom's main line."))
    carrier_id = SelectField(_l("Carrier"), coerce=int, validators=[DataRequired()])
    pbx_id = SelectField(_l("PBX"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Create draft"))

    def payload(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("department_id", "number_type", "quantity", "purpose", "carrier_id", "pbx_id")}


class ActionForm(FlaskForm):
    """A decision on a request: a comment, and the version the person saw."""

    version = HiddenField()
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT)])
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
            message = domain_text(message)  # models/ speaks English; the page may not
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


class CarrierResponseForm(ActionForm):
    accepted = RadioField(_l("The carrier's answer to the protocol of disagreements"),
                          choices=[("yes", _l("Accepted: redraft the contracts")),
                                   ("no", _l("Refused: reject the request"))],
                          validators=[DataRequired()])

    def payload(self) -> dict:
        return {**super().payload(), "accepted": {"yes": True, "no": False}.get(self.accepted.data)}


class ClauseForm(Form):
    class Meta:
        # A subform is a plain WTForms form: its own messages come from WTForms' catalogs, as a FlaskForm's do.
        def get_translations(self, form):
            return translations

    clause = StringField(_l("Clause"), validators=[Optional(), Length(max=MAX_CLAUSE)], description=_l("e.g. 4.2"))
    carrier_wording = TextAreaField(_l("The carrier's wording"), validators=[Optional(), Length(max=MAX_WORDING)])
    our_wording = TextAreaField(_l("Our wording"), validators=[Optional(), Length(max=MAX_WORDING)])


class ChangeRequestForm(ActionForm):
    """The lawyer's reason and the clauses that go into the protocol of disagreements."""

    items = FieldList(FormField(ClauseForm), min_entries=3, max_entries=20,
                      description=_l("Leave rows empty that you do not need."))

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
                filled[int(found.group(1))][found.group(2)].errors = [domain_text(message)]
            else:
                rest[key] = message
        super().show_errors(rest)


class SignatureForm(ActionForm):
    signed_on = DateField(_l("Signed on"), validators=[DataRequired()])

    def payload(self) -> dict:
        signed = self.signed_on.data
        return {**super().payload(), "signed_on": signed.isoformat() if signed else None}


class OrderConfirmationForm(ActionForm):
    numbers = TextAreaField(_l("Assigned numbers"), description=_l("One E.164 number per line, e.g. +78432000001."),
                            validators=[DataRequired()])
    trunk_type = SelectField(_l("Trunk type"), choices=lambda: TrunkType.choices(page_language()))
    trunk_registrar = StringField(_l("Registrar"), validators=[Optional(), Length(max=MAX_TRUNK_SETTING)])
    trunk_username = StringField(_l("Username"), validators=[Optional(), Length(max=MAX_TRUNK_SETTING)])
    trunk_password = PasswordField(_l("Password"), validators=[Optional(), Length(max=MAX_TRUNK_SETTING)])
    trunk_addresses = TextAreaField(_l("Carrier SBC addresses"),
                                    description=_l("For an IP trunk: one address per line."))

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
