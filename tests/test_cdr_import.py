"""Importing carriers' files: rating, dedup, bad rows, carrier layouts, invoice lines, the second reading
process, the command line, and handing imports to Prefect."""
import csv
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from prefect.settings import PREFECT_API_URL, temporary_settings

from models import BillingImport, CallRecord, InvoiceLine, RejectedRow, db
from models.carrier_files import CALL_FIELDS
from models.choices import ImportKind, ImportStatus
from models.organisation import utcnow
from cli import cli
from workflows import costs, dispatch

MOSCOW_NUMBER = "+74956400101"  # TransTelecom Direct, local calls at 0.80 a minute, per second
KRASNODAR_NUMBER = "+78616400901"


def calls(first: int, count: int, number: str = MOSCOW_NUMBER) -> list[list[str]]:
    """`count` local calls of 90 s, one a minute from 2026-10-05 09:00 Moscow time, ids c{first}..."""
    start = datetime(2026, 10, 5, 9, 0)
    return [[f"c{n}", number, (start + timedelta(minutes=n)).isoformat() + "+03:00", "90", "out", "+74951112233",
             "local", "1.20"] for n in range(first, first + count)]


def write(path: Path, rows: list[list[str]], header=CALL_FIELDS, **options) -> Path:
    with open(path, "w", newline="", encoding=options.pop("encoding", "utf-8")) as file:
        writer = csv.writer(file, **options)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(path: Path, carrier, kind=ImportKind.CALL_RECORDS) -> BillingImport:
    billing_import = BillingImport(kind=kind, carrier=carrier, filename=path.name, path=str(path),
                                   size_bytes=path.stat().st_size)
    db.session.add(billing_import)
    db.session.commit()
    dispatch.dispatch_import(billing_import)
    return billing_import


def counts(billing_import: BillingImport) -> tuple:
    return (billing_import.status, billing_import.rows_read, billing_import.rows_imported,
            billing_import.rows_duplicate, billing_import.rows_rejected)


def test_calls_are_imported_rated_and_never_counted_twice(app, catalog, tmp_path):
    carrier = catalog["carrier"]("TransTelecom Direct")
    first = run_import(write(tmp_path / "october.csv", calls(0, 30)), carrier)
    assert counts(first) == ("done", 30, 30, 0, 0) and first.progress_percent == 100
    record = db.session.scalar(db.select(CallRecord).filter_by(carrier_id=carrier.id, call_id="c0"))
    assert record.started_at == datetime(2026, 10, 5, 6, 0)  # stored in UTC
    assert record.billed_cost == Decimal("1.2000") and record.rated_cost == Decimal("1.2000")  # 1.5 min at 0.80
    assert record.phone_number.e164 == MOSCOW_NUMBER and record.department_id == record.phone_number.department_id

    again = run_import(write(tmp_path / "october-again.csv", calls(0, 30)), carrier)
    assert counts(again) == ("done", 30, 0, 30, 0)
    overlapping = run_import(write(tmp_path / "overlap.csv", calls(20, 30)), carrier)
    assert counts(overlapping) == ("done", 30, 20, 10, 0)
    assert db.session.scalar(db.select(db.func.count()).select_from(CallRecord).where(
        CallRecord.carrier_id == carrier.id, CallRecord.call_id.like("c%"))) == 50


def test_bad_rows_are_kept_with_their_line_and_reason_and_the_good_ones_imported(app, catalog, tmp_path):
    rows = calls(0, 3)
    rows[1][1] = "+70000000000"
    rows.insert(2, ["c-late", MOSCOW_NUMBER, "yesterday", "60", "out", "+7495", "local", "1"])
    rows.append(["c-neg", MOSCOW_NUMBER, "2026-10-05T10:00:00+03:00", "-3", "out", "+7495", "local", "1"])
    rows.append([])  # a blank line is no row
    billing_import = run_import(write(tmp_path / "bad.csv", rows), catalog["carrier"]("TransTelecom Direct"))
    assert counts(billing_import) == ("done", 5, 2, 0, 3)
    rejected = db.session.scalars(db.select(RejectedRow).filter_by(import_id=billing_import.id)
                                  .order_by(RejectedRow.line)).all()
    assert [(r.line, r.reason) for r in rejected] == [
        (3, "unknown number '+70000000000'"), (4, "unparsable start time 'yesterday'"), (6, "negative duration -3")]
    assert rejected[1].raw == f"c-late,{MOSCOW_NUMBER},yesterday,60,out,+7495,local,1"


def test_a_carriers_own_export_is_imported_as_it_comes(app, catalog, tmp_path):
    volgalink = catalog["carrier"]("VolgaLink")  # the demo sets up its layout: cp1251, ';', decimal comma
    header = ["ID звонка", "Номер", "Дата и время", "Длительность, с", "Направление", "Абонент Б", "Тип вызова",
              "Стоимость, руб."]
    path = write(tmp_path / "volga.csv", [
        ["v1", "+78436400301", "05.10.2026 12:00:00", "60", "исходящий", "+78432000000", "местный", "0,65"],
        ["v2", "+78436400301", "05.10.2026 12:05:00", "30", "входящий", "+79161234567", "местный", "0,00"],
    ], header=header, delimiter=";", encoding="cp1251")
    assert counts(run_import(path, volgalink)) == ("done", 2, 2, 0, 0)
    record = db.session.scalar(db.select(CallRecord).filter_by(carrier_id=volgalink.id, call_id="v1"))
    assert record.started_at == datetime(2026, 10, 5, 9, 0) and record.billed_cost == Decimal("0.65")
    assert record.rated_cost == Decimal("0.6500")


def test_a_file_that_cannot_be_read_fails_with_the_reason(app, catalog, tmp_path):
    carrier = catalog["carrier"]("TransTelecom Direct")
    missing = run_import(write(tmp_path / "short.csv", [["c1", MOSCOW_NUMBER]], header=["call_id", "number"]),
                         carrier)
    assert missing.status == ImportStatus.FAILED and "the header has no column 'started_at'" in missing.error
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(",".join(CALL_FIELDS).encode() + b"\nc1,\xff\xfe,x,1,out,x,local,1\n")
    broken = run_import(latin, carrier)
    assert broken.status == ImportStatus.FAILED and "is not utf-8-sig text" in broken.error
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert run_import(empty, carrier).error == "the file is empty"


def test_invoice_lines_are_imported_once(app, catalog, tmp_path):
    carrier = catalog["carrier"]("TransTelecom Direct")
    path = write(tmp_path / "invoice.csv", [
        ["INV-7", MOSCOW_NUMBER, "2026-10", "rental", "450.00"],
        ["INV-7", KRASNODAR_NUMBER, "2026-10", "rental", "450.00"],
        ["INV-7", KRASNODAR_NUMBER, "2026-10", "roaming", "1.00"],
    ], header=["invoice", "number", "month", "item", "amount"])
    assert counts(run_import(path, carrier, ImportKind.INVOICE_LINES)) == ("done", 3, 2, 0, 1)
    assert counts(run_import(path, carrier, ImportKind.INVOICE_LINES)) == ("done", 3, 0, 2, 1)
    assert db.session.scalar(db.select(db.func.count()).select_from(InvoiceLine).filter_by(invoice="INV-7")) == 2


def test_a_second_process_reads_large_files_with_the_same_result(app, catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(costs, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr("workflows.billing_files.BATCH_ROWS", 70)
    carrier = catalog["carrier"]("TransTelecom Direct")
    rows = calls(0, 250)
    rows[100][3] = "-1"
    billing_import = run_import(write(tmp_path / "big.csv", rows), carrier)
    assert counts(billing_import) == ("done", 250, 249, 0, 1)
    assert db.session.scalar(db.select(RejectedRow.line).filter_by(import_id=billing_import.id)) == 102
    unreadable = run_import(write(tmp_path / "no-cost.csv", [], header=CALL_FIELDS[:-1]), carrier)
    assert unreadable.status == ImportStatus.FAILED and "billed_cost" in unreadable.error


def test_a_finished_import_is_not_run_again(app, catalog, tmp_path):
    billing_import = run_import(write(tmp_path / "once.csv", calls(300, 2)), catalog["carrier"]("Nordtel"))
    assert billing_import.rows_rejected == 2  # Nordtel does not rent these numbers
    assert "nothing to do" in costs.import_billing_file(billing_import.id)


def test_an_upload_waits_marked_for_the_dispatcher_and_the_sweeper_redrives_a_lost_one(
        app, catalog, tmp_path, monkeypatch):
    carrier = catalog["carrier"]("TransTelecom Direct")
    path = write(tmp_path / "later.csv", calls(400, 3))
    billing_import = BillingImport(carrier=carrier, filename=path.name, path=str(path), size_bytes=1)
    db.session.add(billing_import)
    db.session.commit()
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "prefect")
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # not called: nothing fails
        dispatch.dispatch_import(billing_import)
    db.session.refresh(billing_import)
    assert billing_import.status == ImportStatus.PENDING and billing_import.dispatch_pending
    billing_import.created_at -= timedelta(minutes=5)  # the hand-over never came
    db.session.commit()
    monkeypatch.setenv("NUMBERDESK_DISPATCH", "inline")
    assert dispatch.sweep_billing_imports() == [billing_import.id]
    db.session.refresh(billing_import)
    assert billing_import.status == ImportStatus.DONE and billing_import.rows_imported == 3
    assert billing_import.dispatch_attempts == 1 and not billing_import.dispatch_pending


def test_the_sweeper_fails_an_import_a_crash_left_running(app, catalog):
    stalled = BillingImport(carrier=catalog["carrier"]("Nordtel"), filename="x.csv", path="/nowhere",
                            status=ImportStatus.RUNNING, progress_at=utcnow() - timedelta(hours=1))
    db.session.add(stalled)
    db.session.commit()
    assert dispatch.sweep_billing_imports() == []
    assert stalled.status == ImportStatus.FAILED and "import the file again" in stalled.error


def test_the_command_line_imports_with_a_progress_bar(app, catalog, tmp_path):
    carrier = catalog["carrier"]("TransTelecom Direct")
    rows = calls(500, 4) + [["c-bad", "+70000000000", "2026-10-05T09:00:00+03:00", "1", "out", "x", "local", "1"]]
    path = write(tmp_path / "cli.csv", rows)
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["import", "cdrs", str(path), "--carrier", str(carrier.id)])
    assert result.exit_code == 0, result.output
    assert "5 rows read: 4 imported, 0 already imported before, 1 rejected" in result.output
    assert "line 6: unknown number '+70000000000'" in result.output
    assert runner.invoke(cli, ["import", "cdrs", str(path), "--carrier", "999"]).exit_code == 2
    invoices = write(tmp_path / "inv.csv", [["I-1", MOSCOW_NUMBER, "2026-10", "rental", "450"]],
                     header=["invoice", "number", "month", "item", "amount"])
    result = runner.invoke(cli, ["import", "invoices", str(invoices), "--carrier", str(carrier.id)])
    assert result.exit_code == 0 and "1 imported" in result.output
    failed = runner.invoke(cli, ["import", "cdrs", str(invoices), "--carrier", str(carrier.id)])
    assert failed.exit_code == 1 and "the import failed: the header has no column" in failed.output
