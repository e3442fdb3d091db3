"""The CSV files carriers send, and the rules every row must pass before it is imported.

numberdesk's own call record layout is a header row
`call_id,number,started_at,duration_s,direction,destination,destination_class,billed_cost`.
A carrier's own export is read through its `CsvLayout`: which of its columns holds each field, how it
writes times and decimals, and what it calls directions and destination classes. Invoice lines have one
layout: `invoice,number,month,item,amount`.

A parser turns a row into the values of the record to insert, in the form the database stores them
(see models.carrier_text), so millions of rows go to the database driver without another conversion.
"""
import codecs
from dataclasses import dataclass, field
from operator import itemgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .carrier_text import Amounts, BadFile, BadRow, StartTimes, parse_month
from .choices import DestinationClass, Direction, InvoiceItem
from .db import stored_date
from .errors import InvalidInput
from .rating import CallCharges, TariffSchedule

CALL_FIELDS = ("call_id", "number", "started_at", "duration_s", "direction", "destination", "destination_class",
               "billed_cost")
INVOICE_FIELDS = ("invoice", "number", "month", "item", "amount")
MAX_CALL_ID = 100
MAX_DESTINATION = 64
MAX_INVOICE = 64


@dataclass(frozen=True)
class NumberRef:
    """What a call record needs to know about one of the company's numbers."""

    id: int
    department_id: int
    carrier_id: int


@dataclass(frozen=True)
class CsvLayout:
    columns: dict[str, str]  # our field -> the carrier's column header; call_id may be "" (none)
    date_format: str = ""  # a strptime format; "" reads ISO 8601
    time_zone: str = ""  # applied to times written without a UTC offset; "" refuses such times
    decimal_comma: bool = False
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    # The carrier's own words for directions and destination classes, on top of numberdesk's.
    directions: dict[str, str] = field(default_factory=dict)
    destination_classes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def standard(cls, fields: tuple[str, ...] = CALL_FIELDS) -> "CsvLayout":
        return cls(columns={name: name for name in fields})

    @classmethod
    def from_data(cls, data: dict | None) -> "CsvLayout":
        """A carrier's saved layout (None: the standard one), checked; InvalidInput names each bad setting."""
        if not data:
            return cls.standard()
        layout = cls(columns={name: str(data.get("columns", {}).get(name, "")).strip() for name in CALL_FIELDS},
                     date_format=str(data.get("date_format", "")), time_zone=str(data.get("time_zone", "")).strip(),
                     decimal_comma=bool(data.get("decimal_comma", False)),
                     delimiter=str(data.get("delimiter", ",")), encoding=str(data.get("encoding", "utf-8-sig")),
                     directions=_value_map(data.get("directions")),
                     destination_classes=_value_map(data.get("destination_classes")))
        layout.check()
        return layout

    def to_data(self) -> dict:
        return {"columns": dict(self.columns), "date_format": self.date_format, "time_zone": self.time_zone,
                "decimal_comma": self.decimal_comma, "delimiter": self.delimiter, "encoding": self.encoding,
                "directions": dict(self.directions), "destination_classes": dict(self.destination_classes)}

    def check(self) -> None:
        problems = {f"columns.{name}": "name the column that holds this"
                    for name in CALL_FIELDS if name != "call_id" and not self.columns.get(name)}
        if len(self.delimiter) != 1 or self.delimiter in "\r\n\"":
            problems["delimiter"] = "must be one character, such as , or ;"
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            problems["encoding"] = "is not a known encoding (try utf-8-sig or cp1251)"
        if self.time_zone:
            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                problems["time_zone"] = "is not a known time zone, such as Europe/Moscow"
        if self.date_format and "%" not in self.date_format:
            problems["date_format"] = "must be a strptime format such as %d.%m.%Y %H:%M:%S"
        for ours, mapping, allowed in (("directions", self.directions, Direction.values()),
                                       ("destination_classes", self.destination_classes, DestinationClass.values())):
            wrong = sorted({value for value in mapping.values() if value not in allowed})
            if wrong:
                problems[ours] = f"{', '.join(wrong)} is not one of {', '.join(allowed)}"
        if problems:
            raise InvalidInput("the CSV layout has problems", problems)

    def column_indexes(self, header: list[str], fields: tuple[str, ...]) -> dict[str, int]:
        """Where each field is in the file; BadFile names the columns the header lacks."""
        positions = {name.strip(): index for index, name in enumerate(header)}
        wanted = {name: self.columns.get(name, "") for name in fields}
        missing = [column for name, column in wanted.items() if column and column not in positions]
        if missing:
            raise BadFile(f"the header has no column {', '.join(repr(c) for c in missing)} "
                          f"(it has {', '.join(repr(h) for h in header)})")
        return {name: positions[column] for name, column in wanted.items() if column}


def _value_map(data) -> dict[str, str]:
    return {str(theirs).strip().casefold(): str(ours).strip() for theirs, ours in (data or {}).items()}


def lookup_number(numbers: dict[str, NumberRef], text: str) -> NumberRef | None:
    """Find one of our numbers as the carrier wrote it: E.164, with or without the +, spaces or dashes."""
    found = numbers.get(text)
    if found is None:
        found = numbers.get("+" + "".join(c for c in text if c.isdigit()))
    return found


class RowParser:
    """What the row parsers share. A subclass's `parse(fields)` checks one row's fields and returns the values
    of the record to insert as stored, in `columns` order, or raises BadRow.

    `parse` runs for every row of files with millions of rows, so it takes the shortest path for a clean
    row: the fields are picked in one call and each value is looked up as written; only when that fails do
    the helpers clean the value up or explain what is wrong with it.
    """

    fields: tuple[str, ...] = ()  # what the file must hold, in the order `pick` returns them
    columns: tuple[str, ...] = ()

    def __init__(self, layout: CsvLayout, header: list[str], carrier_id: int, import_id: int,
                 numbers: dict[str, NumberRef]):
        self.width = len(header)
        at = layout.column_indexes(header, self.fields)
        self.pick = itemgetter(*(at[name] for name in self.fields))
        self.amount = Amounts(layout.decimal_comma)
        self.carrier_id = carrier_id
        self.import_id = import_id
        self.numbers = numbers

    def wrong_width(self, fields: list[str]) -> BadRow:
        return BadRow(f"has {len(fields)} fields; the header has {self.width}")

    def number(self, text: str) -> NumberRef:
        number = lookup_number(self.numbers, text.strip())
        if number is None:
            raise BadRow(f"unknown number {text.strip()!r}")
        return number

    def other_carrier(self, text: str) -> BadRow:
        return BadRow(f"number {text.strip()!r} is rented from another carrier")

    @staticmethod
    def word(words: dict[str, str], text: str, what: str) -> str:
        """Our value for the carrier's word, ignoring case and spaces around it."""
        found = words.get(text.strip().casefold())
        if found is None:
            raise BadRow(f"unknown {what} {text!r}")
        return found


class CallRowParser(RowParser):
    """One call detail record: checked, converted to UTC and rated against the tariff in force on its day in
    the carrier's billing time zone."""

    fields = ("number", "started_at", "duration_s", "direction", "destination", "destination_class", "billed_cost")
    columns = ("carrier_id", "call_id", "phone_number_id", "department_id", "started_at", "duration_s", "direction",
               "destination", "destination_class", "billed_cost", "rated_cost", "tariff_id", "import_id")

    def __init__(self, layout: CsvLayout, header: list[str], carrier_id: int, import_id: int,
                 numbers: dict[str, NumberRef], schedule: TariffSchedule, billing_time_zone: str):
        super().__init__(layout, header, carrier_id, import_id, numbers)
        at = layout.column_indexes(header, ("call_id",))
        self.pick_call_id = itemgetter(at["call_id"]) if at else None
        self.start_time = StartTimes(layout.date_format, layout.time_zone, day_zone=billing_time_zone)
        self.charge = CallCharges(schedule)
        self.directions = {d: d for d in Direction.values()} | layout.directions
        self.classes = {c: c for c in DestinationClass.values()} | layout.destination_classes

    def parse(self, fields: list[str]) -> tuple:
        if len(fields) != self.width:
            raise self.wrong_width(fields)
        number_text, started_text, duration_text, direction_text, destination, class_text, billed_text = \
            self.pick(fields)
        number = self.numbers.get(number_text) or self.number(number_text)
        if number.carrier_id != self.carrier_id:
            raise self.other_carrier(number_text)
        started_at, day = self.start_time(started_text)
        duration_s = int(duration_text) if duration_text.isdigit() else self.duration(duration_text)
        direction = self.directions.get(direction_text) or self.word(self.directions, direction_text, "direction")
        destination_class = (self.classes.get(class_text)
                             or self.word(self.classes, class_text, "destination class"))
        destination = destination.strip()
        if len(destination) > MAX_DESTINATION:
            raise BadRow(f"destination longer than {MAX_DESTINATION} characters")
        billed_cost = self.amount(billed_text)
        if billed_cost < 0:
            raise BadRow(f"negative billed cost {billed_text!r}")
        if self.pick_call_id is None:  # the carrier's export has no call id: the call is known by these
            call_id = f"{number.id}|{started_at}|{destination}"
        else:
            call_id = self.pick_call_id(fields).strip()
            if not call_id or len(call_id) > MAX_CALL_ID:
                raise BadRow(f"the call id must have 1 to {MAX_CALL_ID} characters")
        rated_cost, tariff_id = self.charge(day, direction, destination_class, duration_s)
        return (self.carrier_id, call_id, number.id, number.department_id, started_at, duration_s, direction,
                destination, destination_class, billed_cost, rated_cost, tariff_id, self.import_id)

    @staticmethod
    def duration(text: str) -> int:
        try:
            seconds = int(text)
        except ValueError:
            raise BadRow(f"duration {text!r} is not a whole number of seconds") from None
        if seconds < 0:
            raise BadRow(f"negative duration {seconds}")
        return seconds


class InvoiceRowParser(RowParser):
    """One invoice line: what the carrier billed for one number, month and item."""

    fields = INVOICE_FIELDS
    columns = ("carrier_id", "invoice", "phone_number_id", "department_id", "month", "item", "amount", "import_id")
    items = {item: item for item in InvoiceItem.values()}

    def parse(self, fields: list[str]) -> tuple:
        if len(fields) != self.width:
            raise self.wrong_width(fields)
        invoice, number_text, month_text, item_text, amount_text = self.pick(fields)
        number = self.numbers.get(number_text) or self.number(number_text)
        if number.carrier_id != self.carrier_id:
            raise self.other_carrier(number_text)
        invoice = invoice.strip()
        if not invoice or len(invoice) > MAX_INVOICE:
            raise BadRow(f"the invoice number must have 1 to {MAX_INVOICE} characters")
        try:
            month = parse_month(month_text)
        except ValueError as error:
            raise BadRow(str(error)) from None
        item = self.items.get(item_text) or self.word(self.items, item_text, "item")
        return (self.carrier_id, invoice, number.id, number.department_id, stored_date(month), item,
                self.amount(amount_text), self.import_id)
