"""WTForms forms for the admin pages: one form per entity.

Every form knows the record it edits (`item`), copies that record's values into
its fields (`load`) and, once valid, copies its fields back onto the record
(`apply`). Uniqueness is checked here so that a clash shows next to the field;
the view still rolls back if the database refuses the row anyway.

Labels and messages are in the admin's language; the choices of a select are labelled in it too (`CHOICE_SETS`).
Names and addresses that documents print are kept in English and in Russian: a Russian one left empty makes
Russian documents use the English.
"""
import re
from decimal import Decimal

from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (BooleanField, DateField, DecimalField, EmailField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import (Email, InputRequired, Length, NumberRange, Optional, Regexp, StopValidation,
                                ValidationError)
from wtforms.widgets import CheckboxInput

from models import Carrier, Department, InvalidInput, PbxSystem, User, db, deadlines
from models.choices import BillingIncrement, CarrierAdapter, Language, PbxKind, RingStrategy, Role
from models.pbx import check_call_distribution
from models.time_zones import accounting_time_zone, check_time_zone

from ..core.helpers import branch_text, localised
from ..core.i18n import page_language
from ..core.labels import domain_text

# The Money column keeps four decimal places in a 64-bit integer; stay far below its limit.
MAX_MONEY = Decimal("1000000000")
MAX_DAYS = 3650


# --- small helpers -------------------------------------------------------------------------------

def strip(value):
    return value.strip() if isinstance(value, str) else value


def strip_lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def strip_upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def is_taken(model, column, value, item) -> bool:
    """Whether another row of `model` already has `value` in `column` (ignoring case)."""
    if not value:
        return False
    query = db.select(model.id).where(db.func.lower(column) == value.lower())
    if item.id is not None:
        query = query.where(model.id != item.id)
    return db.session.scalar(query.limit(1)) is not None


def finite_decimal(form, field):
    """DecimalField accepts 'NaN' and 'Infinity'; money never is. Stops the chain: NaN breaks NumberRange."""
    if field.data is None:
        raise StopValidation()  # not a number at all: DecimalField has said so already
    if not field.data.is_finite():
        raise StopValidation(gettext("Enter a number."))


def max_places(places: int):
    def check(form, field):
        if field.data is not None and field.data.is_finite() and field.data.as_tuple().exponent < -places:
            raise ValidationError(gettext("Use at most %(places)s decimal places.", places=places))
    return check


class PlainDecimalField(DecimalField):
    """A DecimalField that also accepts a decimal comma and spaces between thousands ('1 500,50')."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(" ", "").replace("\u00a0", "").replace(",", ".")]
        super().process_formdata(valuelist)


def money_field(label: str, required: bool = True, description: str = "") -> PlainDecimalField:
    presence = InputRequired() if required else Optional()
    return PlainDecimalField(label, places=4, description=description, validators=[
        presence, finite_decimal, max_places(4), NumberRange(min=0, max=MAX_MONEY)])


class CheckboxListWidget:
    """Draws a multiple choice as Bootstrap checkboxes, one per line."""

    def __call__(self, field, **kwargs):
        # Bootstrap-Flask passes input classes (form-control) meant for one input; they do not apply here.
        lines = [Markup('<div class="form-check">{} {}</div>').format(
            option(class_="form-check-input"), option.label(class_="form-check-label")) for option in field]
        return Markup('<div id="{}">{}</div>').format(field.id, Markup("").join(lines))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes instead of a multi-select box."""

    widget = CheckboxListWidget()
    option_widget = CheckboxInput()


class AdminForm(FlaskForm):
    """What every admin form offers the views. Each subclass defines `load(item)`, which fills the
    fields from an existing record for the edit page, and `apply(item)`, which copies the validated
    fields onto the record."""

    # Select fields whose choices come from a choice set of models/choices.py: field name -> choice set.
    CHOICE_SETS: dict[str, type] = {}

    def __init__(self, *, item, **kwargs):
        super().__init__(**kwargs)
        self.item = item
        for name, choice_set in self.CHOICE_SETS.items():
            self[name].choices = choice_set.choices(page_language())


def russian(label, longest: int, description=None) -> StringField:
    """The Russian form of a name or address that documents print; optional."""
    return StringField(label, filters=[strip], validators=[Optional(), Length(max=longest)], description=description)


RUSSIAN_FALLBACK = lazy_gettext("Used in Russian documents; when empty, they use the English.")


# --- departments ---------------------------------------------------------------------------------

NO_FALLBACK_BRANCH = 0


def call_distribution(name: str, value, message: str):
    """The value of a call distribution field as the branch keeps it (models.pbx checks it as the PBX would), or a
    ValidationError: `message` in the page's language, given the domain's reason as %(reason)s."""
    try:
        return check_call_distribution(name, value)
    except InvalidInput as refused:
        raise ValidationError(message % {"reason": domain_text(refused.fields.get(name, refused.message))}) from None


class DepartmentForm(AdminForm):
    CHOICE_SETS = {"ring_strategy": RingStrategy}

    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[InputRequired(), Length(max=120)])
    name_ru = russian(lazy_gettext("Name in Russian"), 120, RUSSIAN_FALLBACK)
    city = StringField(lazy_gettext("City"), filters=[strip], validators=[InputRequired(), Length(max=80)])
    city_ru = russian(lazy_gettext("City in Russian"), 80)
    address = StringField(lazy_gettext("Address"), filters=[strip], validators=[Optional(), Length(max=250)])
    address_ru = russian(lazy_gettext("Address in Russian"), 250)
    time_zone = StringField(lazy_gettext("Time zone"), default="Europe/Moscow", filters=[strip],
                            validators=[InputRequired(), Length(max=64)],
                            description=lazy_gettext("An IANA name such as Europe/Moscow or Asia/Yekaterinburg."))
    country = StringField(lazy_gettext("Country"), default=deadlines.DEFAULT_COUNTRY, filters=[strip_upper],
                          validators=[Optional(), Length(max=2)],
                          description=lazy_gettext("Its two-letter code (RU): whose calendar of working days and "
                                                   "holidays counts the branch's deadlines."))
    cost_centre = StringField(lazy_gettext("Cost centre"), filters=[strip],
                              validators=[InputRequired(), Length(max=32)])
    monthly_call_load = IntegerField(lazy_gettext("Monthly call load"), default=0,
                                     validators=[InputRequired(), NumberRange(min=0, max=100_000_000)],
                                     description=lazy_gettext("Calls a month; used to pick a tariff."))
    ring_group = StringField(lazy_gettext("Ring group"), filters=[strip], validators=[Optional(), Length(max=64)],
                             description=lazy_gettext("Where the PBX routes incoming calls for this branch."))
    # The call distribution a PBX numberdesk provisions gives the branch's numbers.
    extensions = StringField(
        lazy_gettext("Phones of the ring group"), filters=[strip], validators=[Optional(), Length(max=500)],
        description=lazy_gettext("The PBX's extensions that ring for the branch (PJSIP endpoint names), separated "
                                 "by commas, such as 101, 102."))
    ring_strategy = SelectField(lazy_gettext("How the phones ring"), choices=RingStrategy.CHOICES,
                                default=RingStrategy.RING_ALL)
    ring_seconds = IntegerField(
        lazy_gettext("Ring time (seconds)"), default=20, validators=[Optional(), NumberRange(min=5, max=300)],
        description=lazy_gettext("How long the group rings (each phone in turn, when they ring in turn) before "
                                 "the call goes to the fallback."))
    fallback_voicemail = StringField(
        lazy_gettext("Fallback voicemail box"), filters=[strip], validators=[Optional(), Length(max=81)],
        description=lazy_gettext("Where calls nobody answers go: a mailbox such as 1001 or 1001@default. Or "
                                 "choose a fallback branch; with neither, the call ends."))
    fallback_department_id = SelectField(lazy_gettext("Fallback branch"), coerce=int, default=NO_FALLBACK_BRANCH,
                                         description=lazy_gettext("Another branch whose ring group takes the "
                                                                  "calls nobody answers here."))
    open_hours = StringField(
        lazy_gettext("Open hours"), filters=[strip], validators=[Optional(), Length(max=500)],
        description=lazy_gettext("When the branch takes calls, in its time zone: days, then opening and closing "
                                 "times; several separated by semicolons, such as mon-fri 09:00-13:00, "
                                 "14:00-18:00; sat 10:00-16:00 (days: mon tue wed thu fri sat sun). Outside them "
                                 "calls go to the fallback. Empty: always open."))
    submit = SubmitField(lazy_gettext("Save"))

    def __init__(self, *, item, **kwargs):
        super().__init__(item=item, **kwargs)
        others = db.select(Department).order_by(Department.name)
        if item.id is not None:
            others = others.where(Department.id != item.id)
        self.fallback_department_id.choices = [(NO_FALLBACK_BRANCH, gettext("None"))] + [
            (department.id, branch_text(department)) for department in db.session.scalars(others)]

    def validate_name(self, field):
        if is_taken(Department, Department.name, field.data, self.item):
            raise ValidationError(gettext("A department with this name already exists."))

    def validate_extensions(self, field):
        field.data = call_distribution("extensions", field.data, gettext(
            "Use the PBX's endpoint names (letters, digits, - or _), separated by commas, each once."))

    def validate_fallback_voicemail(self, field):
        field.data = call_distribution("fallback_voicemail", field.data, gettext(
            "Use a mailbox such as 1001 or 1001@default."))

    def validate_open_hours(self, field):
        # The reason names the part that cannot be read.
        field.data = call_distribution("open_hours", field.data, gettext(
            "Write days and times such as mon-fri 09:00-18:00; sat 10:00-16:00 (%(reason)s)."))

    def validate_fallback_department_id(self, field):
        if field.data == NO_FALLBACK_BRANCH:
            return
        if self.fallback_voicemail.data:
            raise ValidationError(gettext("Choose either a voicemail box or a branch to fall back to, not both."))
        seen = {self.item.id}
        fallback = db.session.get(Department, field.data)
        while fallback is not None:
            if fallback.id in seen:
                raise ValidationError(gettext("That branch falls back to this one, directly or through others: "
                                              "calls would go round in a circle."))
            seen.add(fallback.id)
            fallback = fallback.fallback_department

    def validate_cost_centre(self, field):
        if is_taken(Department, Department.cost_centre, field.data, self.item):
            raise ValidationError(gettext("Another department already uses this cost centre."))

    def validate_time_zone(self, field):
        try:
            field.data = check_time_zone(field.data)
        except ValueError:
            raise ValidationError(gettext("Unknown time zone; use an IANA name such as Europe/Moscow.")) from None

    def validate_country(self, field):
        field.data = field.data or deadlines.DEFAULT_COUNTRY
        if field.data not in deadlines.supported_countries():
            raise ValidationError(gettext("No calendar is known for this country; use a code such as RU."))

    def load(self, item: Department) -> None:
        self.name.data = item.name
        self.name_ru.data = item.name_ru
        self.city.data = item.city
        self.city_ru.data = item.city_ru
        self.address.data = item.address
        self.address_ru.data = item.address_ru
        self.time_zone.data = item.time_zone
        self.country.data = item.country
        self.cost_centre.data = item.cost_centre
        self.monthly_call_load.data = item.monthly_call_load
        self.ring_group.data = item.ring_group
        self.extensions.data = item.extensions
        self.ring_strategy.data = item.ring_strategy
        self.ring_seconds.data = item.ring_seconds
        self.fallback_voicemail.data = item.fallback_voicemail
        self.fallback_department_id.data = item.fallback_department_id or NO_FALLBACK_BRANCH
        self.open_hours.data = item.open_hours

    def apply(self, item: Department) -> None:
        item.name = self.name.data
        item.name_ru = self.name_ru.data or ""
        item.city = self.city.data
        item.city_ru = self.city_ru.data or ""
        item.address = self.address.data or ""
        item.address_ru = self.address_ru.data or ""
        item.time_zone = self.time_zone.data
        item.country = self.country.data or deadlines.DEFAULT_COUNTRY
        item.cost_centre = self.cost_centre.data
        item.monthly_call_load = self.monthly_call_load.data
        item.ring_group = self.ring_group.data or ""
        item.extensions = self.extensions.data or ""
        item.ring_strategy = self.ring_strategy.data
        if self.ring_seconds.data is not None:  # left empty: as it was
            item.ring_seconds = self.ring_seconds.data
        item.fallback_voicemail = self.fallback_voicemail.data or ""
        item.fallback_department_id = self.fallback_department_id.data or None
        item.open_hours = self.open_hours.data or ""


# --- carriers ------------------------------------------------------------------------------------

def split_cities(text: str | None) -> list[str]:
    return [city.strip() for city in (text or "").split(",") if city.strip()]


class CarrierForm(AdminForm):
    CHOICE_SETS = {"language": Language, "adapter": CarrierAdapter}

    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[InputRequired(), Length(max=120)],
                       description=lazy_gettext("The short name people know the carrier by."))
    name_ru = russian(lazy_gettext("Name in Russian"), 120, RUSSIAN_FALLBACK)
    legal_name = StringField(lazy_gettext("Legal name"), filters=[strip],
                             validators=[InputRequired(), Length(max=250)])
    legal_name_ru = russian(lazy_gettext("Legal name in Russian"), 250,
                            lazy_gettext("As in the carrier's charter, e.g. ООО «Связь»."))
    tax_id = StringField(lazy_gettext("Tax ID (INN)"), filters=[strip], validators=[InputRequired(), Length(max=32)])
    address = StringField(lazy_gettext("Legal address"), filters=[strip],
                          validators=[InputRequired(), Length(max=250)])
    address_ru = russian(lazy_gettext("Legal address in Russian"), 250)
    signatory = StringField(lazy_gettext("Signatory"), filters=[strip], validators=[Optional(), Length(max=120)],
                            description=lazy_gettext("Who signs contracts for the carrier."))
    signatory_ru = russian(lazy_gettext("Signatory in Russian"), 120,
                           lazy_gettext("Position and name, e.g. генеральный директор Иванов И. И."))
    cities = StringField(lazy_gettext("Cities served"), filters=[strip], validators=[Optional()],
                         description=lazy_gettext("Comma-separated, e.g. Moscow, Kazan."))
    language = SelectField(lazy_gettext("Contract language"), choices=Language.CHOICES, default=Language.EN)
    currency = StringField(lazy_gettext("Currency"), default="RUB", filters=[strip_upper], validators=[
        InputRequired(), Regexp(r"^[A-Z]{3}$", message=lazy_gettext("Use a 3-letter code such as RUB."))])
    billing_time_zone = StringField(
        lazy_gettext("Billing time zone"), default=accounting_time_zone, filters=[strip],
        validators=[Optional(), Length(max=64)],
        description=lazy_gettext("The time zone of the calendar the carrier bills by (Russian carriers: "
                                 "Europe/Moscow): a call belongs to the day and month its start has there. "
                                 "Changing it re-rates the calls whose day changes. Empty: the company's "
                                 "accounting time zone."))
    adapter = SelectField(lazy_gettext("Ordering"), choices=CarrierAdapter.CHOICES, default=CarrierAdapter.MANUAL)
    price_change_notice_days = IntegerField(
        lazy_gettext("Price change notice (days)"), validators=[Optional(), NumberRange(min=0, max=MAX_DAYS)],
        description=lazy_gettext("Leave empty if the carrier may change prices without notice."))
    invoice_dispute_days = IntegerField(lazy_gettext("Days to dispute an invoice"), default=0,
                                        validators=[InputRequired(), NumberRange(min=0, max=MAX_DAYS)])
    daily_penalty_percent = PlainDecimalField(
        lazy_gettext("Daily penalty (%)"), places=3, default=Decimal(0),
        validators=[InputRequired(), finite_decimal, max_places(3), NumberRange(min=0, max=100)])
    penalty_cap = money_field(lazy_gettext("Penalty cap"), required=False,
                              description=lazy_gettext("Leave empty if fines and liability are uncapped."))
    accepts_disagreement_protocol = BooleanField(lazy_gettext("Accepts a protocol of disagreements"), default=True)
    order_email = EmailField(lazy_gettext("Order address"), filters=[strip_lower],
                             validators=[Optional(), Email(), Length(max=254)],
                             description=lazy_gettext("Where carrier orders are e-mailed, the order letter attached as "
                                                      "PDF; empty: orders go by hand."))
    submit = SubmitField(lazy_gettext("Save"))

    def validate_name(self, field):
        if is_taken(Carrier, Carrier.name, field.data, self.item):
            raise ValidationError(gettext("A carrier with this name already exists."))

    def validate_cities(self, field):
        if len(", ".join(split_cities(field.data))) > 500:
            raise ValidationError(gettext("Too many cities: at most 500 characters."))

    def validate_billing_time_zone(self, field):
        if not field.data:
            return
        try:
            field.data = check_time_zone(field.data)
        except ValueError:
            raise ValidationError(gettext("Unknown time zone; use an IANA name such as Europe/Moscow.")) from None

    def load(self, item: Carrier) -> None:
        self.name.data = item.name
        self.name_ru.data = item.name_ru
        self.legal_name.data = item.legal_name
        self.legal_name_ru.data = item.legal_name_ru
        self.tax_id.data = item.tax_id
        self.address.data = item.address
        self.address_ru.data = item.address_ru
        self.signatory.data = item.signatory
        self.signatory_ru.data = item.signatory_ru
        self.cities.data = ", ".join(item.cities)
        self.language.data = item.language
        self.currency.data = item.currency
        self.billing_time_zone.data = item.billing_time_zone
        self.adapter.data = item.adapter
        self.price_change_notice_days.data = item.price_change_notice_days
        self.invoice_dispute_days.data = item.invoice_dispute_days
        self.daily_penalty_percent.data = item.daily_penalty_percent
        self.penalty_cap.data = item.penalty_cap
        self.accepts_disagreement_protocol.data = item.accepts_disagreement_protocol
        self.order_email.data = item.order_email

    def apply(self, item: Carrier) -> None:
        item.name = self.name.data
        item.name_ru = self.name_ru.data or ""
        item.legal_name = self.legal_name.data
        item.legal_name_ru = self.legal_name_ru.data or ""
        item.tax_id = self.tax_id.data
        item.address = self.address.data
        item.address_ru = self.address_ru.data or ""
        item.signatory = self.signatory.data or ""
        item.signatory_ru = self.signatory_ru.data or ""
        item.cities = split_cities(self.cities.data)
        item.language = self.language.data
        item.currency = self.currency.data
        item.billing_time_zone = self.billing_time_zone.data or accounting_time_zone()
        item.adapter = self.adapter.data
        item.price_change_notice_days = self.price_change_notice_days.data
        item.invoice_dispute_days = self.invoice_dispute_days.data
        item.daily_penalty_percent = self.daily_penalty_percent.data
        item.penalty_cap = self.penalty_cap.data
        item.accepts_disagreement_protocol = self.accepts_disagreement_protocol.data
        item.order_email = self.order_email.data or ""


# --- tariffs -------------------------------------------------------------------------------------

class TariffForm(AdminForm):
    CHOICE_SETS = {"billing_increment": BillingIncrement}

    carrier_id = SelectField(lazy_gettext("Carrier"), coerce=int, validators=[InputRequired()])
    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[InputRequired(), Length(max=120)])
    valid_from = DateField(lazy_gettext("Valid from"), validators=[InputRequired()])
    valid_to = DateField(lazy_gettext("Valid to"), validators=[Optional()],
                         description=lazy_gettext("Leave empty while the tariff is current."))
    monthly_fee = money_field(lazy_gettext("Monthly fee"))
    one_time_fee = money_field(lazy_gettext("One-time fee"))
    rate_local = money_field(lazy_gettext("Rate: local (per minute)"))
    rate_long_distance = money_field(lazy_gettext("Rate: long distance (per minute)"))
    rate_mobile = money_field(lazy_gettext("Rate: mobile (per minute)"))
    rate_international = money_field(lazy_gettext("Rate: international (per minute)"))
    rate_toll_free_inbound = money_field(lazy_gettext("Rate: toll-free inbound (per minute)"))
    billing_increment = SelectField(lazy_gettext("Billing increment"), choices=BillingIncrement.CHOICES,
                                    default=BillingIncrement.PER_SECOND)
    submit = SubmitField(lazy_gettext("Save"))

    MONEY_FIELDS = ("monthly_fee", "one_time_fee", "rate_local", "rate_long_distance", "rate_mobile",
                    "rate_international", "rate_toll_free_inbound")

    def __init__(self, *, item, **kwargs):
        super().__init__(item=item, **kwargs)
        carriers = db.session.scalars(db.select(Carrier).order_by(Carrier.name)).all()
        self.carrier_id.choices = [(carrier.id, localised(carrier)) for carrier in carriers]
        if not carriers:
            self.carrier_id.description = gettext("Add a carrier first.")

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(gettext("The tariff cannot end before it starts."))

    def load(self, item) -> None:
        self.carrier_id.data = item.carrier_id
        self.name.data = item.name
        self.valid_from.data = item.valid_from
        self.valid_to.data = item.valid_to
        for name in self.MONEY_FIELDS:
            self[name].data = getattr(item, name)
        self.billing_increment.data = item.billing_increment

    def apply(self, item) -> None:
        item.carrier_id = self.carrier_id.data
        item.name = self.name.data
        item.valid_from = self.valid_from.data
        item.valid_to = self.valid_to.data
        for name in self.MONEY_FIELDS:
            setattr(item, name, self[name].data)  # a Decimal, as parsed by DecimalField
        item.billing_increment = self.billing_increment.data


# --- PBX systems ---------------------------------------------------------------------------------

DEFAULT_HOST = "127.0.0.1"
DEFAULT_AMI_PORT = 5038
DEFAULT_SIP_PORT = 5060
HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


def host_name(form, field):
    if field.data and not HOST_NAME.fullmatch(field.data):
        raise ValidationError(gettext("Enter a host name or an IPv4 address, such as 127.0.0.1."))


class PbxSystemForm(AdminForm):
    CHOICE_SETS = {"kind": PbxKind}

    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[InputRequired(), Length(max=120)])
    name_ru = russian(lazy_gettext("Name in Russian"), 120, RUSSIAN_FALLBACK)
    kind = SelectField(lazy_gettext("Kind"), choices=PbxKind.CHOICES, default=PbxKind.MANUAL)
    vendor = StringField(lazy_gettext("Vendor"), filters=[strip], validators=[Optional(), Length(max=120)])
    vendor_ru = russian(lazy_gettext("Vendor in Russian"), 120)
    resells_numbers = BooleanField(
        lazy_gettext("The vendor resells numbers"),
        description=lazy_gettext("Tick if numbers bought through this vendor are held by the vendor, not by us: "
                                 "that is lock-in, we cannot take them along when we leave."))
    notes = TextAreaField(lazy_gettext("Notes"), filters=[strip], validators=[Optional(), Length(max=500)])
    # What numberdesk needs to provision an Asterisk PBX itself; a PBX configured by hand needs none of it.
    ami_host = StringField(lazy_gettext("Manager interface (AMI) host"), default=DEFAULT_HOST, filters=[strip],
                           validators=[Optional(), Length(max=253), host_name],
                           description=lazy_gettext("Asterisk only: where its manager interface listens."))
    ami_port = IntegerField(lazy_gettext("Manager interface (AMI) port"), default=DEFAULT_AMI_PORT,
                            validators=[Optional(), NumberRange(min=1, max=65535)])
    # Not Optional(): it would skip the checks that an Asterisk PBX has them.
    ami_username = StringField(lazy_gettext("Manager (AMI) user"), filters=[strip], validators=[Length(max=80)],
                               description=lazy_gettext("Asterisk only: a user of its manager.conf allowed to "
                                                        "reload the configuration and run commands."))
    ami_secret = PasswordField(lazy_gettext("Manager (AMI) secret"), validators=[Length(max=200)])
    config_dir = StringField(lazy_gettext("Configuration folder"), filters=[strip], validators=[Length(max=500)],
                             description=lazy_gettext("Asterisk only: the folder on this server that holds its "
                                                      "pjsip.conf and extensions.conf, such as /etc/asterisk. "
                                                      "numberdesk writes its own files beside them."))
    sip_host = StringField(lazy_gettext("SIP host"), default=DEFAULT_HOST, filters=[strip],
                           validators=[Optional(), Length(max=253), host_name],
                           description=lazy_gettext("Asterisk only: where it takes calls, for the test calls."))
    sip_port = IntegerField(lazy_gettext("SIP port"), default=DEFAULT_SIP_PORT,
                            validators=[Optional(), NumberRange(min=1, max=65535)])
    submit = SubmitField(lazy_gettext("Save"))

    def __init__(self, *, item, **kwargs):
        super().__init__(item=item, **kwargs)
        # The secret is never shown back.
        if item.ami_secret:
            self.ami_secret.description = gettext("Asterisk only. A secret is kept; leave empty to keep it.")
        else:
            self.ami_secret.description = gettext("Asterisk only: the manager user's secret. It is kept "
                                                  "encrypted.")

    def validate_name(self, field):
        if is_taken(PbxSystem, PbxSystem.name, field.data, self.item):
            raise ValidationError(gettext("A PBX system with this name already exists."))

    def _provisioned(self) -> bool:
        return self.kind.data == PbxKind.ASTERISK

    def validate_ami_username(self, field):
        if self._provisioned() and not field.data:
            raise ValidationError(gettext("numberdesk needs the manager user to provision an Asterisk PBX."))

    def validate_ami_secret(self, field):
        if self._provisioned() and not field.data and not self.item.ami_secret:
            raise ValidationError(gettext("numberdesk needs the manager user's secret to provision an Asterisk "
                                          "PBX."))
        if field.data and (field.data != field.data.strip() or any(c in field.data for c in "\r\n\0")):
            raise ValidationError(gettext("The secret may not start or end with spaces, nor hold line breaks."))

    def validate_config_dir(self, field):
        if self._provisioned() and not field.data:
            raise ValidationError(gettext("numberdesk needs the folder of the PBX's configuration to provision "
                                          "an Asterisk PBX."))
        if field.data and not field.data.startswith("/"):
            raise ValidationError(gettext("Give the full path, starting with /."))

    def load(self, item: PbxSystem) -> None:
        self.name.data = item.name
        self.name_ru.data = item.name_ru
        self.kind.data = item.kind
        self.vendor.data = item.vendor
        self.vendor_ru.data = item.vendor_ru
        self.resells_numbers.data = item.resells_numbers
        self.notes.data = item.notes
        self.ami_host.data = item.ami_host
        self.ami_port.data = item.ami_port
        self.ami_username.data = item.ami_username
        self.config_dir.data = item.config_dir
        self.sip_host.data = item.sip_host
        self.sip_port.data = item.sip_port

    def apply(self, item: PbxSystem) -> None:
        item.name = self.name.data
        item.name_ru = self.name_ru.data or ""
        item.kind = self.kind.data
        item.vendor = self.vendor.data or ""
        item.vendor_ru = self.vendor_ru.data or ""
        item.resells_numbers = self.resells_numbers.data
        item.notes = self.notes.data or ""
        item.ami_host = self.ami_host.data or DEFAULT_HOST
        item.ami_port = self.ami_port.data or DEFAULT_AMI_PORT
        item.ami_username = self.ami_username.data or ""
        if self.ami_secret.data:  # empty keeps the current secret
            item.set_ami_secret(self.ami_secret.data)
        item.config_dir = self.config_dir.data or ""
        item.sip_host = self.sip_host.data or DEFAULT_HOST
        item.sip_port = self.sip_port.data or DEFAULT_SIP_PORT


# --- users ---------------------------------------------------------------------------------------

def at_least_one(form, field):
    if not field.data:
        raise ValidationError(gettext("Pick at least one role."))


class UserForm(AdminForm):
    CHOICE_SETS = {"roles": Role}

    email = EmailField(lazy_gettext("Email"), filters=[strip_lower],
                       validators=[InputRequired(), Email(), Length(max=254)])
    name = StringField(lazy_gettext("Name"), filters=[strip], validators=[InputRequired(), Length(max=120)])
    roles = MultiCheckboxField(lazy_gettext("Roles"), choices=Role.CHOICES, validators=[at_least_one])
    departments = MultiCheckboxField(
        lazy_gettext("Branches"), coerce=int,
        description=lazy_gettext("Requesters work for these branches and need at least one. For company-wide "
                                 "roles (approver, lawyer, sysadmin, accountant, admin) branches limit what they "
                                 "see to those branches' requests, documents, numbers and costs; with none ticked "
                                 "they see every branch."))
    active = BooleanField(lazy_gettext("Account active"), default=True,
                          description=lazy_gettext("Inactive users cannot sign in."))
    # Checked in validate_password: required on create, optional on edit.
    password = PasswordField(lazy_gettext("Password"))
    submit = SubmitField(lazy_gettext("Save"))

    def __init__(self, *, item, **kwargs):
        super().__init__(item=item, **kwargs)
        departments = db.session.scalars(db.select(Department).order_by(Department.name)).all()
        self.departments.choices = [(d.id, branch_text(d)) for d in departments]
        if item.id is None:
            self.password.description = gettext("At least 8 characters.")
        else:
            self.password.description = gettext("Leave empty to keep the current password.")

    def validate_email(self, field):
        if is_taken(User, User.email, field.data, self.item):
            raise ValidationError(gettext("A user with this email already exists."))

    def validate_password(self, field):
        if not field.data:
            if self.item.id is None:
                raise ValidationError(gettext("A new user needs a password."))
            return  # editing: keep the current password
        if not 8 <= len(field.data) <= 200:
            raise ValidationError(gettext("Use 8 to 200 characters."))

    def validate_roles(self, field):
        if self._is_me() and Role.ADMIN not in (field.data or []):
            raise ValidationError(gettext("You cannot take the admin role from yourself."))

    def validate_departments(self, field):
        if Role.REQUESTER in (self.roles.data or []) and not field.data:
            raise ValidationError(gettext("A requester works for at least one branch: tick it."))

    def validate_active(self, field):
        if self._is_me() and not field.data:
            raise ValidationError(gettext("You cannot deactivate yourself."))

    def _is_me(self) -> bool:
        return self.item.id is not None and current_user.is_authenticated and current_user.id == self.item.id

    def load(self, item: User) -> None:
        self.email.data = item.email
        self.name.data = item.name
        self.roles.data = sorted(item.roles)
        self.departments.data = sorted(item.department_ids)
        self.active.data = item.is_active_user

    def apply(self, item: User) -> None:
        item.email = self.email.data
        item.name = self.name.data
        item.roles = set(self.roles.data)
        item.departments = db.session.scalars(db.select(Department)
                                              .where(Department.id.in_(self.departments.data or []))).all()
        item.is_active_user = self.active.data
        if self.password.data:
            item.set_password(self.password.data)


# --- deadlines -----------------------------------------------------------------------------------

STAGE_LABELS = {
    deadlines.APPROVAL: lazy_gettext("Approval (and a project lead's acceptance of the carrier's terms)"),
    deadlines.LEGAL_REVIEW: lazy_gettext("Legal review (and the lawyer's answers to the carrier)"),
    deadlines.SIGNATURE: lazy_gettext("Signature"),
    deadlines.CARRIER_ORDER: lazy_gettext("Carrier order (until the carrier assigns the numbers)"),
    deadlines.ATTACHMENT: lazy_gettext("PBX attachment"),
    deadlines.VERIFICATION: lazy_gettext("Verification (the test call)"),
}


def stage_days(stage: str) -> IntegerField:
    return IntegerField(STAGE_LABELS[stage], validators=[InputRequired(), NumberRange(min=deadlines.MIN_DAYS,
                                                                                      max=deadlines.MAX_DAYS)],
                        description=lazy_gettext("Business days; %(days)s by default.",
                                                 days=deadlines.STAGES[stage].default_days))


class DeadlinesForm(FlaskForm):
    """Each stage's business days, one field per stage, named after it."""

    approval = stage_days(deadlines.APPROVAL)
    legal_review = stage_days(deadlines.LEGAL_REVIEW)
    signature = stage_days(deadlines.SIGNATURE)
    carrier_order = stage_days(deadlines.CARRIER_ORDER)
    attachment = stage_days(deadlines.ATTACHMENT)
    verification = stage_days(deadlines.VERIFICATION)
    submit = SubmitField(lazy_gettext("Save"))

    def load(self, days: dict[str, int]) -> None:
        for name, value in days.items():
            self[name].data = value

    def days(self) -> dict[str, int]:
        return {name: self[name].data for name in deadlines.STAGES}
