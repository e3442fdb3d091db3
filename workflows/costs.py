"""Machine steps for costs: importing a carrier's billing file, and keeping the monthly expense report.

An import claims its record (pending -> running, once), then writes the file batch by batch: the rows
(through INSERT ... ON CONFLICT DO NOTHING, which skips what an earlier import already holds), the
rejected rows and the counts, committed together so the import's page shows progress as it goes.
"""
import gc
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager

from models import BillingImport, RejectedRow, db
from models.billing import number_directory, tariff_schedules
from models.carrier_files import INVOICE_FIELDS, CsvLayout
from models.carrier_text import BadFile, parse_month
from models.choices import ImportKind, ImportStatus
from models.expenses import last_complete_month, store_expense_report
from models.organisation import utcnow

from .billing_files import Batch, ReadPlan, read_batches, read_in_child
from .billing_inserts import InsertPlan
from .runtime import database

# From this size on a second process reads the file while this one writes: on two cores the reading then
# costs (almost) no time. Below it, starting that process would cost more than it saves.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


@contextmanager
def cyclic_gc_paused():
    """Batches of fresh rows hold no reference cycle, yet would make the cyclic collector scan them over and
    over while they wait to be written."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _claim(session, import_id: int) -> bool:
    """Move the import from pending to running; False if another run got it first, or it already ran."""
    now = utcnow()
    claimed = session.execute(
        db.update(BillingImport)
        .where(BillingImport.id == import_id, BillingImport.status == ImportStatus.PENDING)
        .values(status=ImportStatus.RUNNING, started_at=now, progress_at=now, dispatch_pending=False))
    session.commit()
    return claimed.rowcount == 1


def _read_plan(billing_import: BillingImport) -> ReadPlan:
    carrier = billing_import.carrier
    layout = (CsvLayout.from_data(carrier.cdr_layout) if billing_import.kind == ImportKind.CALL_RECORDS
              else CsvLayout.standard(INVOICE_FIELDS))
    return ReadPlan(path=billing_import.path, kind=billing_import.kind, layout=layout, carrier_id=carrier.id,
                    import_id=billing_import.id, numbers=number_directory(),
                    schedule=tariff_schedules()[carrier.id], billing_time_zone=carrier.billing_time_zone)


def _write(session, billing_import: BillingImport, insert: InsertPlan, batch: Batch) -> None:
    inserted = insert.execute(session.connection(), batch.rows)
    if batch.rejected:
        session.execute(db.insert(RejectedRow), [
            {"import_id": billing_import.id, "line": line, "reason": reason[:300], "raw": raw}
            for line, reason, raw in batch.rejected])
    billing_import.rows_read += batch.rows_read
    billing_import.rows_imported += inserted
    billing_import.rows_duplicate += len(batch.rows) - inserted
    billing_import.rows_rejected += len(batch.rejected)
    billing_import.bytes_read = batch.bytes_read
    billing_import.progress_at = utcnow()
    session.commit()


def import_billing_file(import_id: int, on_progress: Callable[[BillingImport], None] | None = None) -> str:
    """Import a pending billing file; `on_progress` is called after every batch (the command line's bar)."""
    with database() as session:
        if not _claim(session, import_id):
            return f"import {import_id}: nothing to do"
        billing_import = session.get(BillingImport, import_id)
        try:
            plan = _read_plan(billing_import)
            reading: Iterator[Batch] = (read_in_child(plan) if billing_import.size_bytes >= PARALLEL_FROM_BYTES
                                        else read_batches(plan))
            insert = InsertPlan(billing_import.kind, session.get_bind().dialect)
            with closing(reading) as batches, cyclic_gc_paused():
                for batch in batches:
                    _write(session, billing_import, insert, batch)
                    if on_progress:
                        on_progress(billing_import)
            billing_import.status = ImportStatus.DONE
        except (BadFile, OSError) as problem:
            session.rollback()
            billing_import.status, billing_import.error = ImportStatus.FAILED, str(problem)
        except Exception as problem:
            session.rollback()
            billing_import.status = ImportStatus.FAILED
            billing_import.error = f"stopped by an unexpected error: {problem}"
            billing_import.finished_at = utcnow()
            session.commit()
            raise
        billing_import.finished_at = utcnow()
        session.commit()
        return (f"import {import_id}: {billing_import.status}, {billing_import.rows_imported} imported, "
                f"{billing_import.rows_duplicate} already there, {billing_import.rows_rejected} rejected")


def store_monthly_report(month: str | None = None) -> str:
    """Generate and keep the expense report of `month` ('YYYY-MM'); by default the month before this one in the
    company's accounting time zone."""
    with database() as session:
        first = parse_month(month) if month else last_complete_month()
        store_expense_report(first, generated_by="workflow:monthly-expense-report")
        session.commit()
        return f"expense report {first:%Y-%m} stored"
