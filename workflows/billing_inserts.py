"""Writing parsed billing rows into the database, fast enough for files of millions of rows.

Each batch goes in through INSERT ... ON CONFLICT DO NOTHING, so a row already imported (the same carrier
and call id, say) is skipped by the database, and the count of rows inserted tells the duplicates apart.
The statement is compiled once by SQLAlchemy Core, with ROWS_PER_STATEMENT rows of VALUES, and run with the
driver's executemany: per row, SQLAlchemy's statement machinery would cost more than the insert itself, and
one statement per row costs the database about half as much again as one per hundred rows.
"""
from itertools import chain

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

from models import CallRecord, InvoiceLine
from models.carrier_files import CallRowParser, InvoiceRowParser
from models.choices import ImportKind

ROWS_PER_STATEMENT = 100
# What each kind of record goes into, the unique key that makes importing a row again a no-op, and the parser
# whose values go in.
TARGETS = {
    ImportKind.CALL_RECORDS: (CallRecord.__table__, ("carrier_id", "call_id"), CallRowParser),
    ImportKind.INVOICE_LINES: (InvoiceLine.__table__, ("carrier_id", "invoice", "phone_number_id", "month", "item"),
                               InvoiceRowParser),
}
INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class InsertPlan:
    """How one kind of record is inserted into one database."""

    def __init__(self, kind: str, dialect: Dialect):
        table, unique_key, parser = TARGETS[kind]
        self.columns = parser.columns
        if list(self.columns) != [column.key for column in table.columns if not column.primary_key]:
            raise ValueError(f"{parser.__name__}.columns must list the columns of {table.name} in order")
        self.sql_many, self.names_many = self._compile(table, unique_key, dialect, ROWS_PER_STATEMENT)
        self.sql_one, self.names_one = self._compile(table, unique_key, dialect, 1)
        self.named = not dialect.positional

    def _compile(self, table, unique_key, dialect: Dialect, rows: int) -> tuple[str, list[str]]:
        names = [f"{column}_{row}" for row in range(rows) for column in self.columns]
        values = [{column: bindparam(f"{column}_{row}") for column in self.columns} for row in range(rows)]
        compiled = (INSERTS[dialect.name](table).values(values).on_conflict_do_nothing(index_elements=unique_key)
                    .compile(dialect=dialect))
        if compiled.positional and list(compiled.positiontup) != names:
            raise ValueError(f"unexpected order of parameters in {compiled}")
        return str(compiled), names

    def _bind(self, values, names: list[str]) -> tuple | dict:
        # Positional drivers (sqlite3) take a tuple; named ones (psycopg) a dict.
        return dict(zip(names, values)) if self.named else tuple(values)

    def execute(self, connection: Connection, prepared: list[tuple]) -> int:
        """Insert rows as the parser returns them; returns how many were new (the others were already there)."""
        whole = len(prepared) - len(prepared) % ROWS_PER_STATEMENT
        inserted = 0
        if whole:
            inserted += connection.exec_driver_sql(self.sql_many, [
                self._bind(chain.from_iterable(prepared[start:start + ROWS_PER_STATEMENT]), self.names_many)
                for start in range(0, whole, ROWS_PER_STATEMENT)]).rowcount
        if whole < len(prepared):
            inserted += connection.exec_driver_sql(self.sql_one, [
                self._bind(row, self.names_one) for row in prepared[whole:]]).rowcount
        return inserted
