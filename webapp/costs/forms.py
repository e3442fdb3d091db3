"""Forms of the costs pages: uploading a billing file, and a carrier's CSV layout. They only parse input;
what a valid layout is lives in models.carrier_files."""
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models.carrier_files import CALL_FIELDS, CsvLayout
from models.choices import ImportKind


class UploadForm(FlaskForm):
    # The views set the choices in the reader's language.
    kind = SelectField(lazy_gettext("The file holds"), choices=ImportKind.CHOICES, default=ImportKind.CALL_RECORDS)
    carrier_id = SelectField(lazy_gettext("Carrier"), coerce=int, validators=[DataRequired()])
    file = FileField(lazy_gettext("CSV file"), validators=[
        FileRequired(lazy_gettext("Choose the file to import.")),
        FileAllowed(["csv", "txt"], lazy_gettext("Upload a .csv file."))])
    submit = SubmitField(lazy_gettext("Upload and import"))


def _value_lines(text: str) -> dict[str, str]:
    """'their word = our value' lines as a dict; ValidationError names a line without '='."""
    values = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        theirs, equals, ours = line.partition("=")
        if not equals or not theirs.strip():
            raise ValidationError(gettext("Line %(number)s: write it as “their word = our value”.",
                                          number=number))
        values[theirs.strip()] = ours.strip()
    return values


def _as_lines(values: dict[str, str]) -> str:
    return "\n".join(f"{theirs} = {ours}" for theirs, ours in values.items())


COLUMN_LABELS = {
    "call_id": lazy_gettext("Call id column"), "number": lazy_gettext("Our number column"),
    "started_at": lazy_gettext("Start time column"), "duration_s": lazy_gettext("Duration (seconds) column"),
    "direction": lazy_gettext("Direction column"), "destination": lazy_gettext("Destination column"),
    "destination_class": lazy_gettext("Destination class column"), "billed_cost": lazy_gettext("Billed cost column"),
}


class CsvLayoutForm(FlaskForm):
    column_call_id = StringField(COLUMN_LABELS["call_id"], validators=[Optional(), Length(max=120)],
                                 description=lazy_gettext("Leave empty if the export has none: a call is then "
                                                          "known by its number, start time and destination."))
    column_number = StringField(COLUMN_LABELS["number"], validators=[Length(max=120)])
    column_started_at = StringField(COLUMN_LABELS["started_at"], validators=[Length(max=120)])
    column_duration_s = StringField(COLUMN_LABELS["duration_s"], validators=[Length(max=120)])
    column_direction = StringField(COLUMN_LABELS["direction"], validators=[Length(max=120)])
    column_destination = StringField(COLUMN_LABELS["destination"], validators=[Length(max=120)])
    column_destination_class = StringField(COLUMN_LABELS["destination_class"], validators=[Length(max=120)])
    column_billed_cost = StringField(COLUMN_LABELS["billed_cost"], validators=[Length(max=120)])
    date_format = StringField(
        lazy_gettext("Date format"), validators=[Optional(), Length(max=60)],
        description=lazy_gettext("A strptime format such as %(example)s. Empty: ISO 8601, e.g. "
                                 "2026-10-01T09:30:00+03:00. Formats that end in %(fast_end)s import large files "
                                 "fastest.", example="%d.%m.%Y %H:%M:%S", fast_end="%H:%M:%S"))
    time_zone = StringField(
        lazy_gettext("Time zone of times written without a UTC offset"), validators=[Optional(), Length(max=64)],
        description=lazy_gettext("e.g. Europe/Moscow. Empty: such times are refused."))
    decimal_comma = BooleanField(lazy_gettext("Amounts use a decimal comma (12,50)"))
    delimiter = StringField(lazy_gettext("Delimiter"), default=",", validators=[DataRequired(), Length(max=1)])
    encoding = StringField(
        lazy_gettext("Encoding"), default="utf-8-sig", validators=[DataRequired(), Length(max=32)],
        description=lazy_gettext("utf-8-sig for UTF-8 (with or without a BOM), cp1251 for Windows Cyrillic."))
    directions = TextAreaField(
        lazy_gettext("The carrier's words for directions"), render_kw={"rows": 3},
        description=lazy_gettext("One per line: their word = in or out. in and out are always understood."))
    destination_classes = TextAreaField(
        lazy_gettext("The carrier's words for destination classes"), render_kw={"rows": 6},
        description=lazy_gettext("One per line: their word = local, long_distance, mobile, international or "
                                 "toll_free."))
    submit = SubmitField(lazy_gettext("Save layout"))

    def validate_directions(self, field):
        _value_lines(field.data)

    def validate_destination_classes(self, field):
        _value_lines(field.data)

    def load(self, layout: CsvLayout) -> None:
        for name in CALL_FIELDS:
            getattr(self, f"column_{name}").data = layout.columns.get(name, "")
        self.date_format.data = layout.date_format
        self.time_zone.data = layout.time_zone
        self.decimal_comma.data = layout.decimal_comma
        self.delimiter.data = layout.delimiter
        self.encoding.data = layout.encoding
        self.directions.data = _as_lines(layout.directions)
        self.destination_classes.data = _as_lines(layout.destination_classes)

    def layout_data(self) -> dict:
        """What CsvLayout.from_data() reads."""
        return {"columns": {name: (getattr(self, f"column_{name}").data or "").strip() for name in CALL_FIELDS},
                "date_format": self.date_format.data or "", "time_zone": self.time_zone.data or "",
                "decimal_comma": self.decimal_comma.data, "delimiter": self.delimiter.data,
                "encoding": (self.encoding.data or "").strip(), "directions": _value_lines(self.directions.data),
                "destination_classes": _value_lines(self.destination_classes.data)}

    def show_errors(self, fields: dict[str, str]) -> None:
        """Put the domain's complaints ('columns.number', 'delimiter', ...) on the fields they are about."""
        for key, message in fields.items():
            field = getattr(self, key.replace("columns.", "column_"), None) or self.delimiter
            field.errors = [*field.errors, message]
