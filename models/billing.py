"""What carriers bill: imported files, their call detail records and invoice lines, and the rows refused."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, bindparam, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .carrier_files import NumberRef
from .carriers import Carrier, Tariff
from .choices import ImportKind, ImportStatus
from .db import Money, db
from .numbers import PhoneNumber
from .organisation import User, utcnow
from .rating import TariffSchedule, TariffTerms
from .time_zones import day_of, start_of_day


class BillingImport(db.Model):
    """One carrier file being imported, or imported: who sent it, how far it got, what it found."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=ImportKind.CALL_RECORDS)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    filename: Mapped[str] = mapped_column(String(255))  # as the person named it
    path: Mapped[str] = mapped_column(String(1000))  # where the file is read from
    size_bytes: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the command line
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.PENDING)
    # Set when the import is due to be handed to Prefect; cleared when the dispatcher hands it over.
    dispatch_pending: Mapped[bool] = mapped_column(default=False)
    dispatch_attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    progress_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    bytes_read: Mapped[int] = mapped_column(default=0)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_duplicate: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    carrier: Mapped[Carrier] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    def latest_month(self) -> date | None:
        """The last month this import brought calls or invoice lines for: the report to open after it."""
        if self.kind == ImportKind.CALL_RECORDS:
            latest = db.session.scalar(db.select(db.func.max(CallRecord.started_at)).filter_by(import_id=self.id))
            return None if latest is None else day_of(latest, self.carrier.billing_time_zone).replace(day=1)
        return db.session.scalar(db.select(db.func.max(InvoiceLine.month)).filter_by(import_id=self.id))

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(99, self.bytes_read * 100 // self.size_bytes) if self.size_bytes else 0


class RejectedRow(db.Model):
    """A row of an imported file that was not imported, with its line number and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("billing_import.id"), index=True)
    line: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300))
    raw: Mapped[str] = mapped_column(Text)


class CallRecord(db.Model):
    """One call as the carrier billed it, and what it costs under the contract."""

    __table_args__ = (
        # A carrier's call id is unique: importing the same call again changes nothing.
        UniqueConstraint("carrier_id", "call_id"),
        # Covers the monthly report's GROUP BY, so it never reads the table itself; carrier_id tells which
        # carrier's billing time zone, and so which month, a call falls in.
        Index("ix_call_record_month_totals", "started_at", "department_id", "destination_class", "billed_cost",
              "carrier_id"),
        Index("ix_call_record_carrier_started_at", "carrier_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    call_id: Mapped[str] = mapped_column(String(100))
    phone_number_id: Mapped[int] = mapped_column(ForeignKey("phone_number.id"))
    # Copied from the number when imported: reports group by it without a join.
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    started_at: Mapped[datetime]  # UTC
    duration_s: Mapped[int]
    direction: Mapped[str] = mapped_column(String(3))
    destination: Mapped[str] = mapped_column(String(64))
    destination_class: Mapped[str] = mapped_column(String(16))
    billed_cost: Mapped[Decimal] = mapped_column(Money)
    rated_cost: Mapped[Decimal | None] = mapped_column(Money)  # None: no tariff was in force
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariff.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("billing_import.id"))

    phone_number: Mapped[PhoneNumber] = relationship()


class InvoiceLine(db.Model):
    """What a carrier's invoice charges for one number, month and item (rental or a one-time fee)."""

    __table_args__ = (UniqueConstraint("carrier_id", "invoice", "phone_number_id", "month", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carrier.id"))
    invoice: Mapped[str] = mapped_column(String(64))
    phone_number_id: Mapped[int] = mapped_column(ForeignKey("phone_number.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    month: Mapped[date]  # the first day of the month billed
    item: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)  # negative for a credit
    import_id: Mapped[int] = mapped_column(ForeignKey("billing_import.id"))


def number_directory() -> dict[str, NumberRef]:
    """Every number the company holds, by E.164, as the importers look them up."""
    rows = db.session.execute(db.select(PhoneNumber.e164, PhoneNumber.id, PhoneNumber.department_id,
                                        PhoneNumber.carrier_id))
    return {e164: NumberRef(id=id_, department_id=department_id, carrier_id=carrier_id)
            for e164, id_, department_id, carrier_id in rows}


def tariff_schedules() -> dict[int, TariffSchedule]:
    """Every carrier's tariffs, by carrier id."""
    by_carrier: dict[int, list[TariffTerms]] = {carrier_id: [] for carrier_id in db.session.scalars(
        db.select(Carrier.id))}
    for tariff in db.session.scalars(db.select(Tariff)):
        by_carrier[tariff.carrier_id].append(TariffTerms.of(tariff))
    return {carrier_id: TariffSchedule(terms) for carrier_id, terms in by_carrier.items()}


def rerate_for_time_zone(connection: Connection, carrier_id: int, schedule: TariffSchedule, old_zone: str,
                         new_zone: str) -> int:
    """Re-rate a carrier's calls that its new billing time zone puts on another day, when that day has another
    tariff; returns how many changed. Only calls started between the two zones' midnights of a day on which
    the tariff changes can be affected, so this reads those hours only. Core statements on `connection`, so
    the migrations use it too."""
    calls = CallRecord.__table__
    changed = []
    for day in schedule.change_days():
        first, after = sorted((start_of_day(day, old_zone), start_of_day(day, new_zone)))
        rows = connection.execute(
            db.select(calls.c.id, calls.c.started_at, calls.c.duration_s, calls.c.direction,
                      calls.c.destination_class, calls.c.rated_cost, calls.c.tariff_id)
            .where(calls.c.carrier_id == carrier_id, calls.c.started_at >= first, calls.c.started_at < after))
        for call_id, started_at, duration_s, direction, destination_class, rated_cost, tariff_id in rows:
            terms = schedule.on(day_of(started_at, new_zone))
            rated = None if terms is None else terms.charge(direction, destination_class, duration_s)
            if (rated, None if terms is None else terms.id) != (rated_cost, tariff_id):
                changed.append({"call": call_id, "rated": rated, "tariff": None if terms is None else terms.id})
    if changed:
        connection.execute(
            db.update(calls).where(calls.c.id == bindparam("call"))
            .values(rated_cost=bindparam("rated", type_=calls.c.rated_cost.type), tariff_id=bindparam("tariff")),
            changed)
    return len(changed)


@event.listens_for(Session, "before_flush")
def _rerate_when_a_billing_time_zone_changes(session: Session, _flush_context, _instances) -> None:
    """Whatever code changes a carrier's billing time zone, its calls' rating follows in the same transaction:
    the database still holds the old zone until this flush writes the new one."""
    carriers = Carrier.__table__
    for carrier in session.dirty:
        if not isinstance(carrier, Carrier) or carrier.id is None:
            continue
        if not inspect(carrier).attrs.billing_time_zone.history.added:
            continue
        connection = session.connection()
        old_zone = connection.scalar(db.select(carriers.c.billing_time_zone).where(carriers.c.id == carrier.id))
        if old_zone and old_zone != carrier.billing_time_zone:
            schedule = TariffSchedule([TariffTerms.of(tariff) for tariff in carrier.tariffs])
            rerate_for_time_zone(connection, carrier.id, schedule, old_zone, carrier.billing_time_zone)
