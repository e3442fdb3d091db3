"""The forms of the request pages: a new request and the decisions on one.

Domain rules stay in models/; these only parse input."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField, PasswordField,
                     RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models.choices import NumberType, TrunkType
from models.limits import (MAX_CLAUSE, MAX_CLAUSES, MAX_COMMENT, MAX_PURPOSE, MAX_QUANTITY, MAX_TRUNK_SETTING,
                           MAX_WORDING, MIN_QUANTITY)
from models.payloads import ITEM_FIELDS
from models.protocol import other_carriers
from models.renewals import (MAX_NOTICE_DAYS, MAX_RENEWS_FOR_MONTHS, MAX_TERM_MONTHS, MIN_TERM_MONTHS, TERM_FIELDS,
                             default_terms)

from ..core.i18n import page_language
from ..core.labels import CHECKLIST_LABELS, domain_text


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

    def prepare(self, request) -> None:
        """Fills in what depends on the request: its protocol's items, the carriers to choose from."""

    def payload(self) -> dict:
        return {"comment": self.comment.data or ""}

    def expected_version(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None

    def show_errors(self, fields: dict[str, str]) -> None:
        for key, message in fields.items():
            field = getattr(self, self.FIELD_NAMES.get(key, key.replace(".", "_")), None) or self.comment
            message = domain_text(message)  # models/ speaks English; the page may not
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


class SubForm(Form):
    class Meta:
        # A subform is a plain WTForms form: its own messages come from WTForms' catalogs, as a FlaskForm's do.
        def get_translations(self, form):
            return translations


def _item_heading(item) -> str:
    return _l("Clause %(clause)s", clause=item.clause) if item.clause else ""


def _prepare_items(field_list, items, describe) -> None:
    """One entry per protocol item: fresh on a page, the submitted ones (in order) after a post."""
    if not field_list.data or all(not entry.get("item_id") for entry in field_list.data):
        while field_list.entries:
            field_list.pop_entry()
        for item in items:
            field_list.append_entry({"item_id": str(item.id)})
    by_id = {str(item.id): item for item in items}
    for entry in field_list:
        item = by_id.get(str(entry.item_id.data))
        entry.label.text = describe(item) if item else ""


class ItemAnswerForm(SubForm):
    item_id = HiddenField()
    answer = RadioField(_l("The carrier's answer"), choices=[("accepted", _l("Accepted our wording")),
                                                             ("rejected", _l("Rejected: keeps its own wording")),
                                                             ("counter", _l("Proposed its own wording"))],
                        validators=[Optional()])
    wording = TextAreaField(_l("The carrier's wording"), validators=[Optional(), Length(max=MAX_WORDING)],
                            description=_l("Only for a wording of its own."))


class CarrierResponseForm(ActionForm):
    """The carrier's answer to each item of the protocol, or its refusal of the whole protocol."""

    refused = BooleanField(_l("The carrier refuses the whole protocol"))
    answers = FieldList(FormField(ItemAnswerForm), label=_l("Each clause of the protocol"), max_entries=MAX_CLAUSES)
    FIELD_NAMES = {"accepted": "refused"}

    def prepare(self, request) -> None:
        def describe(item):
            return f"{_item_heading(item)}: {item.our_wording}"
        _prepare_items(self.answers, request.protocol_round(), describe)

    def payload(self) -> dict:
        if self.refused.data:
            return {**super().payload(), "refused": True}
        answers = []
        for entry in self.answers:
            item_id = entry.item_id.data or ""
            answer = {"item_id": int(item_id) if item_id.isdigit() else None, "answer": entry.answer.data}
            if entry.answer.data == "counter":
                answer["wording"] = entry.wording.data or ""
            answers.append(answer)
        return {**super().payload(), "answers": answers}

    def show_errors(self, fields: dict[str, str]) -> None:
        super().show_errors(_entry_errors(self.answers, fields, "answers"))


class CounterAnswerForm(SubForm):
    item_id = HiddenField()
    decision = RadioField(_l("Your answer"), choices=[("accept", _l("Accept the carrier's wording")),
                                                      ("propose", _l("Propose this wording in the next round"))],
                          validators=[Optional()])
    wording = TextAreaField(_l("Our wording"), validators=[Optional(), Length(max=MAX_WORDING)])


class CounterAnswersForm(ActionForm):
    answers = FieldList(FormField(CounterAnswerForm), label=_l("The carrier's wordings"), max_entries=MAX_CLAUSES)

    def prepare(self, request) -> None:
        def describe(item):
            return f"{_item_heading(item)}: {item.counter_wording}"
        _prepare_items(self.answers, [item for item in request.protocol_round()
                                      if item.answer == "counter" and not item.settled], describe)

    def payload(self) -> dict:
        answers = []
        for entry in self.answers:
            item_id = entry.item_id.data or ""
            answer = {"item_id": int(item_id) if item_id.isdigit() else None, "decision": entry.decision.data}
            if entry.decision.data == "propose":
                answer["wording"] = entry.wording.data or ""
            answers.append(answer)
        return {**super().payload(), "answers": answers}

    def show_errors(self, fields: dict[str, str]) -> None:
        super().show_errors(_entry_errors(self.answers, fields, "answers"))


class CarrierChoiceForm(ActionForm):
    carrier_id = SelectField(_l("Another carrier that serves the branch's city"), coerce=int,
                             validators=[DataRequired()])

    def prepare(self, request) -> None:
        self.carrier_id.choices = [(carrier.id, carrier.name) for carrier in other_carriers(request)]

    def payload(self) -> dict:
        return {**super().payload(), "carrier_id": self.carrier_id.data}


def _entry_errors(field_list, fields: dict[str, str], name: str) -> dict[str, str]:
    """Puts `name[i].field` errors on the entries' fields; returns the others."""
    rest = {}
    for key, message in fields.items():
        found = re.fullmatch(rf"{name}\[(\d+)\]\.(\w+)", key)
        entries = list(field_list)
        field = None
        if found and int(found.group(1)) < len(entries):
            field = entries[int(found.group(1))].form._fields.get(found.group(2))
        if field is not None:
            field.errors = [domain_text(message)]
        else:
            rest[key] = message
    return rest


class ClauseForm(SubForm):
    clause = StringField(_l("Clause"), validators=[Optional(), Length(max=MAX_CLAUSE)], description=_l("e.g. 4.2"))
    carrier_wording = TextAreaField(_l("The carrier's wording"), validators=[Optional(), Length(max=MAX_WORDING)])
    our_wording = TextAreaField(_l("Our wording"), validators=[Optional(), Length(max=MAX_WORDING)])


class ChangeRequestForm(ActionForm):
    """The lawyer's reason and the clauses that go into the protocol of disagreements."""

    items = FieldList(FormField(ClauseForm), label=_l("Clauses for the protocol of disagreements"), min_entries=3,
                      max_entries=20,
                      description=_l("Leave rows empty that you do not need."))

    def _filled(self) -> list:
        return [entry for entry in self.items if any((entry.data.get(name) or "").strip() for name in ITEM_FIELDS)]

    def payload(self) -> dict:
        return {**super().payload(), "items": [entry.data for entry in self._filled()]}

    def show_errors(self, fields: dict[str, str]) -> None:
        super().show_errors(_entry_errors(self._filled(), fields, "items"))


class AttachmentForm(ActionForm):
    """A PBX configured by hand: the sysadmin ticks every item of the checklist."""

    checklist = SelectMultipleField(_l("Checklist"), choices=lambda: list(CHECKLIST_LABELS.items()),
                                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                    description=_l("Tick every item: the numbers are attached once all are done."))
    FIELD_NAMES = {"checklist": "checklist"}

    def payload(self) -> dict:
        return {**super().payload(), "checklist": list(self.checklist.data or [])}


class SignatureForm(ActionForm):
    """The signature and how the contract runs, prefilled with what the carrier's contract states."""

    signed_on = DateField(_l("Signed on"), validators=[DataRequired()])
    term_months = IntegerField(_l("Initial term, months"),
                               validators=[Optional(), NumberRange(MIN_TERM_MONTHS, MAX_TERM_MONTHS)])
    renews_for_months = IntegerField(_l("Renews automatically for, months"),
                                     validators=[Optional(), NumberRange(0, MAX_RENEWS_FOR_MONTHS)],
                                     description=_l("0: the contract does not renew by itself."))
    notice_days = IntegerField(_l("Notice period, days"), validators=[Optional(), NumberRange(0, MAX_NOTICE_DAYS)],
                               description=_l("How long before the end of a term notice must be given to stop "
                                              "its renewal."))

    def prepare(self, request) -> None:
        defaults = default_terms(request)
        for name in TERM_FIELDS:
            field = getattr(self, name)
            if field.data is None and not field.raw_data:
                field.data = defaults[name]

    def payload(self) -> dict:
        signed = self.signed_on.data
        return {**super().payload(), "signed_on": signed.isoformat() if signed else None,
                **{name: getattr(self, name).data for name in TERM_FIELDS}}


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
    "answer_counter_proposals": CounterAnswersForm,
    "switch_carrier": CarrierChoiceForm,
    "record_signature": SignatureForm,
    "confirm_attachment": AttachmentForm,
    "confirm_order": OrderConfirmationForm,
}


def action_form(action: str, label: str, **kwargs) -> ActionForm:
    form = ACTION_FORMS.get(action, ActionForm)(prefix=action, **kwargs)
    form.submit.label.text = label
    return form


class RetryForm(FlaskForm):
    """An admin's "retry now" for a step that needs attention: its CSRF token and nothing else."""
