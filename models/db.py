"""The database handle, its settings and the column types the domain shares."""
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Base(DeclarativeBase):
    # Named constraints keep Alembic's batch migrations on SQLite reproducible.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)


def instance_dir() -> Path:
    return Path(os.environ.get("NUMBERDESK_INSTANCE", PROJECT_ROOT / "instance")).resolve()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{instance_dir() / 'numberdesk.db'}"


def configure_database(app: Flask) -> None:
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url())
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # The web app and the workflow runs write to the same file at once.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    db.init_app(app)


def standalone_app() -> Flask:
    """A bare Flask app that only carries the database: what workflow runs need."""
    app = Flask("numberdesk-worker", instance_path=str(instance_dir()))
    configure_database(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


class Money(TypeDecorator):
    """A Decimal stored exactly as an integer count of 1/10000 units.

    Four places hold per-minute rates such as 0.0125; integers keep SUM() exact
    on every database, SQLite included.
    """

    impl = BigInteger
    cache_ok = True
    SCALE = Decimal("10000")

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return money_units(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / self.SCALE).quantize(Decimal("0.0001"))


def money_units(value) -> int:
    """An amount as the integer count of 1/10000 units that Money stores."""
    return int((Decimal(value) * Money.SCALE).to_integral_value())


# Bulk imports hand rows straight to the database driver, with values already in the form a column stores:
# Money as units, and times and days as the text SQLAlchemy writes for DateTime and Date columns in SQLite,
# which PostgreSQL also reads as a timestamp or a date.
def stored_datetime(value: datetime) -> str:
    """A naive datetime as a DateTime column keeps it."""
    return value.isoformat(" ", "microseconds")


def stored_date(value: date) -> str:
    return value.isoformat()
