"""Reading a carrier's billing file: streamed with the csv module, parsed, checked and rated in batches.

Reading needs no database: everything it looks up travels in a `ReadPlan`. That lets a large file be read
by a second process (`python -m workflows.billing_files`) while the importing process writes the batches
it sends back (see workflows.billing_inserts).
"""
import csv
import gc
import io
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass

from models.carrier_files import (INVOICE_FIELDS, BadFile, BadRow, CallRowParser, CsvLayout, InvoiceRowParser,
                                  NumberRef, RowParser)
from models.choices import ImportKind
from models.rating import TariffSchedule

from .billing_inserts import InsertPlan, dialect_for

BATCH_ROWS = 25_000


@dataclass(frozen=True)
class ReadPlan:
    path: str
    kind: str
    layout: CsvLayout
    carrier_id: int
    import_id: int
    numbers: dict[str, NumberRef]
    schedule: TariffSchedule
    database_driver: str  # e.g. "sqlite": rows are prepared as this database takes them

    def parser(self, header: list[str]) -> RowParser:
        if self.kind == ImportKind.CALL_RECORDS:
            return CallRowParser(self.layout, header, self.carrier_id, self.import_id, self.numbers, self.schedule)
        return InvoiceRowParser(CsvLayout.standard(INVOICE_FIELDS), header, self.carrier_id, self.import_id,
                                self.numbers)


@dataclass
class Batch:
    rows: list[list]  # each row's parameters, from InsertPlan.parameters
    rejected: list[tuple[int, str, str]]  # line number, reason, the row as CSV text
    rows_read: int
    bytes_read: int  # how far into the file this batch ends


def _as_csv(fields: list[str], delimiter: str) -> str:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="").writerow(fields)
    return text.getvalue()


def read_batches(plan: ReadPlan) -> Iterator[Batch]:
    """The file's rows, BATCH_ROWS at a time: each one parsed into insert parameters, or rejected with its
    line number and the reason. Raises BadFile if the file cannot be read at all."""
    insert = InsertPlan(plan.kind, dialect_for(plan.database_driver))
    delimiter = plan.layout.delimiter
    with open(plan.path, "rb") as binary:
        text = io.TextIOWrapper(binary, encoding=plan.layout.encoding, newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next(reader, None)
            if header is None:
                raise BadFile("the file is empty")
            parse, prepare = plan.parser(header).parse, insert.parameters
            rows, rejected, read = [], [], 0
            for fields in reader:
                if not fields:  # a blank line holds no row
                    continue
                read += 1
                try:
                    rows.append(prepare(parse(fields)))
                except BadRow as problem:
                    rejected.append((reader.line_num, str(problem), _as_csv(fields, delimiter)))
                if read == BATCH_ROWS:
                    yield Batch(rows, rejected, read, binary.tell())
                    rows, rejected, read = [], [], 0
            yield Batch(rows, rejected, read, binary.tell())
        except UnicodeDecodeError as error:
            raise BadFile(f"after line {reader.line_num} the file is not {plan.layout.encoding} text "
                          f"({error.reason}); set the carrier's encoding") from None
        except csv.Error as error:
            raise BadFile(f"line {reader.line_num}: {error}") from None


def read_in_child(plan: ReadPlan) -> Iterator[Batch]:
    """read_batches(plan) run by a second Python process, so reading and writing use two cores."""
    child = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # A thread takes each batch off the pipe as soon as it is written, so the reading process never waits
    # for this one to finish writing the batch before; a few batches may wait here.
    arrived: queue.Queue = queue.Queue(maxsize=2)

    def receive() -> None:
        try:
            while True:
                arrived.put(pickle.load(child.stdout))
        except Exception:  # the end of the pipe, or a pipe cut short: the reader's exit status tells which
            arrived.put(None)

    receiver = threading.Thread(target=receive, daemon=True)
    try:
        pickle.dump(plan, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.close()
        receiver.start()
        while (item := arrived.get()) is not None:
            if isinstance(item, BadFile):
                raise item
            yield item
    finally:
        if child.poll() is None:  # writing stopped early
            child.kill()
        child.wait()
        while receiver.is_alive():  # let the thread reach the end of the pipe
            with suppress(queue.Empty):
                arrived.get(timeout=0.1)
        child.stdout.close()
    if child.returncode:
        raise RuntimeError(f"the process reading {plan.path} failed (exit status {child.returncode})")


def serve_reader() -> None:
    """The second process: a ReadPlan comes in on stdin, pickled batches go out on stdout."""
    # Batches of fresh rows hold no reference cycle, yet would make the cyclic collector scan them over and
    # over; this short-lived process does without it.
    gc.disable()
    plan = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    try:
        for batch in read_batches(plan):
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    except BadFile as problem:
        pickle.dump(problem, out)
    out.flush()


if __name__ == "__main__":
    # Run from the imported module, not from __main__, so the batches unpickle as workflows.billing_files.Batch.
    from workflows.billing_files import serve_reader as serve

    serve()
