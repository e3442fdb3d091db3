"""Costs: numberdesk's call record import and monthly expense report against plain SQLite baselines.

Run from the repository root:

    .venv/bin/python benchmarks/costs.py [--rows 1000000] [--numbers 2000]

It builds a temporary SQLite database with the migrations (the same schema, indexes and connection settings
the app uses), 60 branches in 12 cities, one carrier whose tariff changes on 1 July, and NUMBERS numbers
(most in service all year, some activated or disconnected mid-month), then writes ROWS call records spread
over the 12 months of 2025 as one CSV file in numberdesk's layout.

(a) Import. numberdesk imports the file the way the worker does (`workflows.costs.import_billing_file`:
    streaming, validation, number lookup, rating, ON CONFLICT dedup, batched commits with progress). The
    baseline inserts the very same rows, already prepared in memory, into a copy of the same database with
    one `executemany` in one transaction. Target: numberdesk imports at least 0.7x the baseline's rows per
    second. Both run in fresh processes; numberdesk's peak memory (its process and the reader process it
    starts for large files, added up) must stay under 300 MB.
(b) Report. For each month of 2025, `models.expenses.expense_figures(month)` against one hand-written SQL
    query with GROUP BY that computes the same per-branch rental, calls, one-time fees, total and previous
    month's total, with the same rule for months: a call is in the month its start falls in, in the carrier's
    billing time zone (Europe/Moscow), given to the query as UTC instants. Target: numberdesk takes at most
    1.5x the query's time; every figure must be equal.

Exits with status 1 when a target is missed or a figure differs.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MIN_IMPORT_RATIO = 0.7
MAX_REPORT_RATIO = 1.5
MAX_IMPORT_RSS_MB = 300
ROUNDS = 5
YEAR = 2025
CITIES = ["Moscow", "St Petersburg", "Kazan", "Ufa", "Yekaterinburg", "Novosibirsk", "Nizhny Novgorod", "Samara",
          "Krasnodar", "Omsk", "Perm", "Voronezh"]
BRANCHES_PER_CITY = 5
MOSCOW_TIME = timezone(timedelta(hours=3))
CLASSES = [("local", 50), ("mobile", 25), ("long_distance", 15), ("international", 3), ("toll_free", 7)]


def _app(database: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from models import standalone_app

    return standalone_app()


def build_database(folder: Path, numbers: int) -> Path:
    """The schema from the migrations, and the branches, carrier, tariffs and numbers."""
    from flask_migrate import Migrate, upgrade

    from models import Carrier, Department, PhoneNumber, Tariff, db
    from models.choices import BillingIncrement, NumberStatus
    from models.db import PROJECT_ROOT

    database = folder / "template.db"
    app = _app(database)
    Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    rng = random.Random(1)
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        departments = [Department(name=f"{city} branch {n}", city=city, cost_centre=f"B-{c:02d}-{n}")
                       for c, city in enumerate(CITIES) for n in range(1, BRANCHES_PER_CITY + 1)]
        rates = dict(rate_local=Decimal("0.80"), rate_long_distance=Decimal("2.10"), rate_mobile=Decimal("1.90"),
                     rate_international=Decimal("18.00"), rate_toll_free_inbound=Decimal("1.20"))
        carrier = Carrier(name="Benchmark Telecom", legal_name="Benchmark Telecom JSC", tax_id="7700000000",
                          address="Moscow", tariffs=[
                              Tariff(name="2025 H1", valid_from=date(YEAR - 1, 1, 1), valid_to=date(YEAR, 6, 30),
                                     monthly_fee=Decimal("450"), one_time_fee=Decimal("1500"), **rates),
                              Tariff(name="2025 H2", valid_from=date(YEAR, 7, 1), monthly_fee=Decimal("450"),
                                     one_time_fee=Decimal("1500"), billing_increment=BillingIncrement.PER_MINUTE,
                                     **{**rates, "rate_local": Decimal("0.85")})])
        db.session.add_all([*departments, carrier])
        for index in range(numbers):
            activated = date(YEAR - 1, 6, 1) if index % 4 else date(YEAR, 1, 1) + timedelta(days=rng.randrange(330))
            disconnected = activated + timedelta(days=rng.randrange(30, 400)) if index % 10 == 0 else None
            db.session.add(PhoneNumber(e164=f"+7495{index:07d}", department=departments[index % len(departments)],
                                       carrier=carrier, status=NumberStatus.ACTIVE, activated_on=activated,
                                       disconnected_on=disconnected))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return database


def write_calls(path: Path, rows: int, numbers: int) -> None:
    """ROWS calls over the year, in time order, each on a random number."""
    rng = random.Random(2)
    classes, weights = zip(*CLASSES)
    start = datetime(YEAR, 1, 1, tzinfo=timezone.utc).timestamp()
    gap = (datetime(YEAR + 1, 1, 1, tzinfo=timezone.utc).timestamp() - start) / rows
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["call_id", "number", "started_at", "duration_s", "direction", "destination",
                         "destination_class", "billed_cost"])
        for index in range(rows):
            started = datetime.fromtimestamp(start + index * gap, MOSCOW_TIME).replace(microsecond=0)
            destination_class = rng.choices(classes, weights)[0]
            direction = "in" if destination_class == "toll_free" or rng.random() < 0.3 else "out"
            duration = rng.randrange(0, 900)
            writer.writerow([f"C{index:010d}", f"+7495{rng.randrange(numbers):07d}", started.isoformat(), duration,
                             direction, f"+7916{rng.randrange(10 ** 7):07d}", destination_class,
                             f"{duration * rng.randrange(0, 300) / 6000:.2f}"])


def _peak_rss_mb() -> tuple[float, float]:
    """This process's peak RSS and its largest finished child's, in MB (Linux reports kB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def child_import(database: Path, calls: Path) -> dict:
    """numberdesk's import, as the worker runs it."""
    from models import BillingImport, Carrier, db
    from workflows.costs import import_billing_file

    with _app(database).app_context():
        carrier = db.session.scalar(db.select(Carrier))
        billing_import = BillingImport(carrier=carrier, filename=calls.name, path=str(calls),
                                       size_bytes=calls.stat().st_size)
        db.session.add(billing_import)
        db.session.commit()
        started = time.perf_counter()
        import_billing_file(billing_import.id)
        seconds = time.perf_counter() - started
        db.session.refresh(billing_import)
        own, reader = _peak_rss_mb()
        return {"seconds": seconds, "imported": billing_import.rows_imported,
                "rejected": billing_import.rows_rejected, "status": billing_import.status,
                "rss_mb": own, "reader_rss_mb": reader}


def child_baseline(database: Path, calls: Path) -> dict:
    """The same rows, prepared beforehand, inserted with one executemany in one transaction."""
    from models import BillingImport, Carrier, db
    from models.billing import number_directory, tariff_schedules
    from models.carrier_files import CsvLayout
    from models.choices import ImportKind
    from workflows.billing_files import ReadPlan, read_batches
    from workflows.billing_inserts import InsertPlan

    with _app(database).app_context():
        carrier = db.session.scalar(db.select(Carrier))
        billing_import = BillingImport(carrier=carrier, filename=calls.name, path=str(calls), status="done")
        db.session.add(billing_import)
        db.session.commit()
        plan = ReadPlan(path=str(calls), kind=ImportKind.CALL_RECORDS, layout=CsvLayout.standard(),
                        carrier_id=carrier.id, import_id=billing_import.id, numbers=number_directory(),
                        schedule=tariff_schedules()[carrier.id], billing_time_zone=carrier.billing_time_zone)
        rows = [tuple(row) for batch in read_batches(plan) for row in batch.rows]
        columns = InsertPlan(ImportKind.CALL_RECORDS, db.engine.dialect).columns
        sql = f"INSERT INTO call_record ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        connection = db.engine.raw_connection()
        cursor = connection.cursor()
        started = time.perf_counter()
        cursor.executemany(sql, rows)
        connection.commit()
        seconds = time.perf_counter() - started
        connection.close()
        return {"seconds": seconds, "imported": len(rows)}


# Per branch for month :m (previous :p, next :n): what models.expenses computes, in Money's 1/10000 units.
# Calls are summed per branch and class and rounded to 0.01, a month's calls being those started from the
# first moment of the month in the carrier's billing time zone (:p, :m, :n are those moments in UTC, as the
# times are stored); rental is the monthly fee (the same in both of the benchmark's tariffs) times the days in
# service over the days in the month, rounded to 0.01 per number (days are dates: :pd, :md, :nd).
REPORT_SQL = """
WITH calls AS (
    SELECT department_id, started_at >= :m AS this_month, (SUM(billed_cost) + 50) / 100 * 100 AS amount
    FROM call_record WHERE started_at >= :p AND started_at < :n
    GROUP BY department_id, destination_class, started_at >= :m
), numbers AS (
    SELECT n.department_id, n.activated_on, n.disconnected_on,
           (SELECT monthly_fee FROM tariff WHERE carrier_id = n.carrier_id ORDER BY valid_from LIMIT 1) AS fee,
           (SELECT one_time_fee FROM tariff WHERE carrier_id = n.carrier_id ORDER BY valid_from LIMIT 1) AS one_time
    FROM phone_number n WHERE n.activated_on IS NOT NULL
), months(this_month, first, after) AS (VALUES (1, :md, :nd), (0, :pd, :md)
), fees AS (
    SELECT department_id, this_month, fee, one_time, activated_on, first, after,
           CAST(julianday(MIN(COALESCE(disconnected_on, after), after)) - julianday(MAX(activated_on, first))
                AS INTEGER) AS days,
           CAST(julianday(after) - julianday(first) AS INTEGER) AS month_days
    FROM numbers, months
)
SELECT department_id,
       SUM(CASE WHEN this_month THEN numbers ELSE 0 END),
       SUM(CASE WHEN this_month THEN rental ELSE 0 END),
       SUM(CASE WHEN this_month THEN calls ELSE 0 END),
       SUM(CASE WHEN this_month THEN one_time ELSE 0 END),
       SUM(CASE WHEN this_month THEN 0 ELSE rental + calls + one_time END)
FROM (
    SELECT department_id, this_month, 0 AS numbers, 0 AS rental, amount AS calls, 0 AS one_time FROM calls
    UNION ALL
    SELECT department_id, this_month, 1, (2 * fee * days + 100 * month_days) / (200 * month_days) * 100, 0,
           CASE WHEN activated_on >= first AND activated_on < after THEN one_time ELSE 0 END
    FROM fees WHERE days > 0
)
GROUP BY department_id
"""


def compare_reports(database: Path) -> dict:
    """Both reports for every month of the year: the time each took, and any figure that differs."""
    from models import Carrier, db
    from models.db import stored_datetime
    from models.expenses import expense_figures
    from models.rating import next_month, previous_month
    from models.time_zones import start_of_day

    unit = Decimal("0.0001")
    ours = sql = 0.0
    differences = []
    with _app(database).app_context():
        zone = db.session.scalar(db.select(Carrier.billing_time_zone))  # the benchmark's one carrier

        def first_moment(day: date) -> str:
            return stored_datetime(start_of_day(day, zone))

        connection = db.engine.raw_connection()
        for month_number in range(1, 13):
            month = date(YEAR, month_number, 1)
            previous, following = previous_month(month), next_month(month)
            times = {"ours": [], "sql": []}
            for _ in range(3):  # the best of three: both read the same pages from the same warm cache
                started = time.perf_counter()
                figures = expense_figures(month)
                times["ours"].append(time.perf_counter() - started)
                started = time.perf_counter()
                rows = connection.execute(REPORT_SQL, {
                    "m": first_moment(month), "p": first_moment(previous), "n": first_moment(following),
                    "md": str(month), "pd": str(previous), "nd": str(following)}).fetchall()
                times["sql"].append(time.perf_counter() - started)
            ours += min(times["ours"])
            sql += min(times["sql"])
            expected = {row[0]: (row[1], *(Decimal(value) * unit for value in row[2:])) for row in rows}
            for department in figures.departments:
                costs = department.costs
                got = (costs.numbers, costs.rental, costs.calls_total, costs.one_time, costs.previous_total)
                want = expected.get(department.department_id, (0, 0, 0, 0, 0))
                if tuple(Decimal(v) for v in got) != tuple(Decimal(v) for v in want):
                    differences.append(f"{month:%Y-%m} {department.name}: numberdesk {got}, SQL {want}")
        connection.close()
    return {"ours": ours, "sql": sql, "differences": differences}


def _in_child(command: str, database: Path, calls: Path) -> dict:
    """Run `command` in a fresh process, so its memory and time are its own."""
    result = subprocess.run([sys.executable, __file__, "--child", command, str(database), str(calls)],
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"the {command} process failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--numbers", type=int, default=2000)
    parser.add_argument("--child", nargs=3, metavar=("COMMAND", "DATABASE", "CALLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        command, database, calls = args.child
        work = {"import": child_import, "baseline": child_baseline}[command]
        print(json.dumps(work(Path(database), Path(calls))))
        return 0

    with tempfile.TemporaryDirectory(prefix="numberdesk-costs-") as temporary:
        folder = Path(temporary)
        os.environ["NUMBERDESK_INSTANCE"] = str(folder / "instance")
        started = time.perf_counter()
        template = build_database(folder, args.numbers)
        calls = folder / "calls.csv"
        write_calls(calls, args.rows, args.numbers)
        print(f"data: {args.rows:,} call records for {args.numbers:,} numbers, "
              f"{calls.stat().st_size / 2 ** 20:.0f} MB of CSV, made in {time.perf_counter() - started:.1f} s")

        # This machine's speed drifts from minute to minute: both imports run ROUNDS times, alternately, each
        # into a fresh copy of the database, and the fastest run of each counts.
        ours_runs, baseline_runs = [], []
        for round_number in range(ROUNDS):
            ours_db, baseline_db = folder / f"numberdesk-{round_number}.db", folder / f"baseline-{round_number}.db"
            shutil.copy(template, ours_db)
            shutil.copy(template, baseline_db)
            ours_runs.append(_in_child("import", ours_db, calls))
            baseline_runs.append(_in_child("baseline", baseline_db, calls))
            baseline_db.unlink()
            print(f"    round {round_number + 1}: numberdesk {ours_runs[-1]['seconds']:.1f} s, "
                  f"baseline {baseline_runs[-1]['seconds']:.1f} s")
        ours = min(ours_runs, key=lambda run: run["seconds"])
        baseline = min(baseline_runs, key=lambda run: run["seconds"])
        ours_rate, baseline_rate = ours["imported"] / ours["seconds"], baseline["imported"] / baseline["seconds"]
        import_ratio = ours_rate / baseline_rate
        peak = max(run["rss_mb"] + run["reader_rss_mb"] for run in ours_runs)
        print(f"(a) import: numberdesk {ours['imported']:,} rows in {ours['seconds']:.1f} s = {ours_rate:,.0f} rows/s "
              f"({ours['rejected']} rejected, {ours['status']}); baseline executemany {baseline['imported']:,} rows "
              f"in {baseline['seconds']:.1f} s = {baseline_rate:,.0f} rows/s; "
              f"ratio {import_ratio:.2f} (target >= {MIN_IMPORT_RATIO})")
        print(f"    peak memory: importing process {ours['rss_mb']:.0f} MB + reader process "
              f"{ours['reader_rss_mb']:.0f} MB = {peak:.0f} MB at most (target < {MAX_IMPORT_RSS_MB} MB)")

        reports = compare_reports(ours_db)
        report_ratio = reports["ours"] / reports["sql"]
        print(f"(b) report, 12 months: numberdesk {reports['ours'] * 1000:.0f} ms, hand-written SQL "
              f"{reports['sql'] * 1000:.0f} ms; ratio {report_ratio:.2f} (target <= {MAX_REPORT_RATIO}); "
              f"figures {'equal' if not reports['differences'] else 'DIFFER'}")
        for difference in reports["differences"][:10]:
            print("    " + difference)

    missed = []
    if any(run["imported"] != args.rows for run in ours_runs + baseline_runs):
        missed.append("not every row was imported")
    if import_ratio < MIN_IMPORT_RATIO:
        missed.append("import rate")
    if peak >= MAX_IMPORT_RSS_MB:
        missed.append("import memory")
    if report_ratio > MAX_REPORT_RATIO:
        missed.append("report time")
    if reports["differences"]:
        missed.append("report figures")
    print("all targets met" if not missed else f"missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
