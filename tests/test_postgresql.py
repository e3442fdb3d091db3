"""The same demo on PostgreSQL as on SQLite: the migrations, the imports (ON CONFLICT dedup, values handed to
the driver as stored), and the expense report and invoice audit, figure for figure.

A throw-away PostgreSQL server is started from Debian's packages (scripts/install-system-packages installs
them) on a Unix socket in a temporary folder.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask_migrate import upgrade

from conftest import installed, make_app
from models import BillingImport, CallRecord, Carrier, db
from models.audit import carrier_audit
from models.choices import ImportKind
from models.expenses import expense_figures, last_complete_month
from models.rating import previous_month
from webapp import create_app
from demo.data import load_demo_data
from workflows import costs

PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
pytestmark = installed(PG_BIN is not None, "PostgreSQL's server")
PORT = 54329


def _as_server_user(command: list, **options) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root; Debian's package makes the postgres user for it.
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **options)


@pytest.fixture(scope="module")
def postgresql_url():
    if PG_BIN is None:
        pytest.fail("PostgreSQL's server is not installed: `make test` installs it")
    folder = Path(tempfile.mkdtemp(prefix="numberdesk-pg-"))
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        os.chown(folder, server_user.pw_uid, server_user.pw_gid)
    data = folder / "data"
    _as_server_user([PG_BIN / "initdb", "-D", data, "-U", "numberdesk", "-A", "trust", "-E", "UTF8",
                     "--locale=C"])
    _as_server_user([PG_BIN / "pg_ctl", "-D", data, "-w", "-l", folder / "server.log", "-o",
                     f"-p {PORT} -k {folder} -c listen_addresses='' -c fsync=off", "start"])
    try:
        _as_server_user([PG_BIN / "createdb", "-h", folder, "-p", str(PORT), "-U", "numberdesk", "numberdesk"])
        yield f"postgresql+psycopg://numberdesk@/numberdesk?host={folder}&port={PORT}"
    finally:
        _as_server_user([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def demo_on_postgresql(postgresql_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("pg-instance")
    previous = os.environ.get("NUMBERDESK_INSTANCE")
    os.environ["NUMBERDESK_INSTANCE"] = str(instance)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgresql_url, "SECRET_KEY": "test"})
    try:
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            load_demo_data()
            db.session.remove()
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if previous is not None:
            os.environ["NUMBERDESK_INSTANCE"] = previous


def _figures(app) -> dict:
    """The expense report of the last two complete months, and each carrier's audit of the last one."""
    with app.app_context():
        last = last_complete_month()
        reports = {month: expense_figures(month).to_data() for month in (previous_month(last), last)}
        # Each database's Carrier object is its own: the audits are compared without it.
        audits = {carrier.name: replace(carrier_audit(carrier, last), carrier=None)
                  for carrier in db.session.scalars(db.select(Carrier).order_by(Carrier.name))}
        calls = db.session.scalar(db.select(db.func.count()).select_from(CallRecord))
        db.session.remove()
    return {"reports": reports, "audits": audits, "calls": calls}


def test_the_demo_reports_the_same_on_postgresql_as_on_sqlite(demo_on_postgresql, demo_database, tmp_path):
    on_sqlite = make_app(demo_database)
    expected = _figures(on_sqlite)
    with on_sqlite.app_context():
        db.engine.dispose()
    got = _figures(demo_on_postgresql)
    assert expected["calls"] > 1000
    assert got == expected
    assert any(audit.price_changes for audit in got["audits"].values())


def test_importing_a_file_again_on_postgresql_adds_nothing(demo_on_postgresql, monkeypatch):
    monkeypatch.setattr(costs, "PARALLEL_FROM_BYTES", 0)  # and through the second reading process
    with demo_on_postgresql.app_context():
        first = db.session.scalar(db.select(BillingImport).filter_by(kind=ImportKind.CALL_RECORDS)
                                  .order_by(BillingImport.id))
        again = BillingImport(carrier=first.carrier, kind=first.kind, filename=first.filename, path=first.path,
                              size_bytes=first.size_bytes)
        db.session.add(again)
        db.session.commit()
        costs.import_billing_file(again.id)
        db.session.refresh(again)
        assert (again.status, again.rows_imported, again.rows_rejected) == ("done", 0, first.rows_rejected)
        assert again.rows_duplicate == first.rows_imported > 0
        stored = db.session.scalar(db.select(CallRecord).filter_by(import_id=first.id).order_by(CallRecord.id))
        assert stored.started_at.tzinfo is None and stored.started_at.year >= date.today().year - 1
        assert isinstance(stored.billed_cost, Decimal) and isinstance(stored.rated_cost, Decimal)
        db.session.remove()


# Carriers in zones far apart: Honolulu's day starts ten hours after UTC's, so the demo's morning calls fall on
# the day before and on the month before on the 1st; Kiritimati's fourteen hours before; India's at half past.
ZONES = {"TransTelecom Direct": "Pacific/Honolulu", "VolgaLink": "Asia/Kolkata", "Nordtel": "Pacific/Kiritimati"}


def _set_zones(app) -> None:
    with app.app_context():
        for carrier in db.session.scalars(db.select(Carrier)):
            carrier.billing_time_zone = ZONES[carrier.name]  # re-rates the calls that change day
        db.session.commit()
        db.session.remove()


def test_carriers_in_several_time_zones_report_the_same_on_postgresql(demo_on_postgresql, demo_database, tmp_path):
    shutil.copy(demo_database, tmp_path / "zones.db")
    on_sqlite = make_app(tmp_path / "zones.db")
    moscow = _figures(on_sqlite)
    _set_zones(on_sqlite)
    _set_zones(demo_on_postgresql)
    expected = _figures(on_sqlite)
    with on_sqlite.app_context():
        db.engine.dispose()
    got = _figures(demo_on_postgresql)
    assert got == expected
    calls = {month: [row["calls"] for row in report["departments"]] for month, report in expected["reports"].items()}
    assert calls != {month: [row["calls"] for row in report["departments"]]
                     for month, report in moscow["reports"].items()}  # the zones moved calls between months
    assert all(report["time_zones"] == ZONES for report in got["reports"].values())
