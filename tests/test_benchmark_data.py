"""The cost benchmark's data and its hand-written SQL, at a small size: the import takes every generated
row, and the expense report equals the independent SQL query for every month of the year."""
import importlib.util
from datetime import date

from models import CallRecord, db
from models.db import PROJECT_ROOT
from models.expenses import expense_figures


def load_benchmark():
    spec = importlib.util.spec_from_file_location("cost_benchmark", PROJECT_ROOT / "benchmarks" / "costs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_report_equals_the_benchmarks_sql_for_every_month(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBERDESK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")  # restored afterwards; the benchmark sets its own
    benchmark = load_benchmark()
    database = benchmark.build_database(tmp_path, numbers=80)
    calls = tmp_path / "calls.csv"
    benchmark.write_calls(calls, rows=6000, numbers=80)

    imported = benchmark.child_import(database, calls)
    again = benchmark.child_import(database, calls)

    assert (imported["imported"], imported["rejected"], imported["status"]) == (6000, 0, "done")
    assert (again["imported"], again["status"]) == (0, "done")  # the same file again adds nothing
    with benchmark._app(database).app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CallRecord)) == 6000
        rated = db.select(db.func.count()).select_from(CallRecord).where(CallRecord.rated_cost.is_not(None))
        assert db.session.scalar(rated) == 6000
        june = expense_figures(date(2025, 6, 1)).total()
        assert june.numbers > 60 and june.rental > 0 and june.calls_total > 0 and june.one_time > 0
        # Calls in the last three hours of UTC months, which are the first hours of Moscow months: the SQL below
        # counts them in the carrier's month as numberdesk does, or the figures would differ.
        first_hours = db.select(db.func.count()).select_from(CallRecord).where(
            db.func.strftime("%d %H", CallRecord.started_at).in_(["31 21", "31 22", "31 23"]))  # the 31st is a last day
        assert db.session.scalar(first_hours) > 0
    report = benchmark.compare_reports(database)
    assert report["differences"] == []
