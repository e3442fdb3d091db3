"""Reading a carrier's billing file: streamed with the csv module, parsed, checked and rated in batches.

Reading needs no database: everything it looks up travels in a `ReadPlan`. That lets a large file be read
by a second process (`python -m workflows.billing_files`) while the importing process writes the batches
it sends back (see workflows.billing_inserts).
"""
import csv
import gc
import io
import marshal
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass

from models.carrier_files import INVOICE_FIELDS, CallRowParser, CsvLayout, InvoiceRowParser, NumberRef, RowParser
from models.carrier_text import BadFile, BadRow
from models.choices import ImportKind
from models.rating import TariffSchedule

BATCH_ROWS = 25_000
_SIZE = struct.Struct("<Q")  # each message on the reader's pipe starts with its length


@dataclass(frozen=True)
class ReadPlan:
    path: str
    kind: str
    layout: CsvLayout
    carrier_id: int
    import_id: int
    numbers: dict[str, NumberRef]
    schedule: TariffSchedule
    billing_time_zone: str  # the carrier's: calls are rated by the tariff of their day there

    def parser(self, header: list[str]) -> RowParser:
        if self.kind == ImportKind.CALL_RECORDS:
            return CallRowParser(self.layout, header, self.carrier_id, self.import_id, self.numbers, self.schedule,
                                 self.billing_time_zone)
        return InvoiceRowParser(CsvLayout.standard(INVOICE_FIELDS), header, self.carrier_id, self.import_id,
                                self.numbers)


@dataclass
class Batch:
    rows: list[tuple]  # each row's values as stored, from the parser
    rejected: list[tuple[int, str, str]]  # line number, reason, the row as CSV text
    rows_read: int
    bytes_read: int  # how far into the file this batch ends


def _as_csv(fields: list[str], delimiter: str) -> str:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="").writerow(fields)
    return text.getvalue()


def read_batches(plan: ReadPlan) -> Iterator[Batch]:
    """The file's rows, BATCH_ROWS at a time: each one parsed into the values it is stored as, or rejected
    with its line number and the reason. Raises BadFile if the file cannot be read at all."""
    delimiter = plan.layout.delimiter
    with open(plan.path, "rb") as binary:
        text = io.TextIOWrapper(binary, encoding=plan.layout.encoding, newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next(reader, None)
            if header is None:
                raise BadFile("the file is empty")
            parse = plan.parser(header).parse
            rows, rejected, read = [], [], 0
            for fields in reader:
                if not fields:  # a blank line holds no row
                    continue
                read += 1
                try:
                    rows.append(parse(fields))
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
            while size := child.stdout.read(_SIZE.size):
                arrived.put(marshal.loads(child.stdout.read(_SIZE.unpack(size)[0])))
        except Exception:  # a pipe cut short: the reader's exit status tells why
            pass
        arrived.put(None)

    receiver = threading.Thread(target=receive, daemon=True)
    try:
        pickle.dump(plan, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.close()
        receiver.start()
        while (item := arrived.get()) is not None:
            if isinstance(item, str):
                raise BadFile(item)
            yield Batch(*item)
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
    """The second process: a pickled ReadPlan comes in on stdin; out on stdout go the batches, each as a tuple
    of its fields, or the reason the file cannot be read, as a string. Batches hold only strings, numbers and
    None, which marshal writes and reads in about half the time pickle takes."""
    # Batches of fresh rows hold no reference cycle, yet would make the cyclic collector scan them over and
    # over; this short-lived process does without it.
    gc.disable()
    plan = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    try:
        for batch in read_batches(plan):
            _send(out, (batch.rows, batch.rejected, batch.rows_read, batch.bytes_read))
    except BadFile as problem:
        _send(out, str(problem))
    out.flush()


def _send(out, message) -> None:
    # marshal.load() would read a file one value at a time; a message read whole is unmarshalled at C speed.
    data = marshal.dumps(message)
    out.write(_SIZE.pack(len(data)))
    out.write(data)


if __name__ == "__main__":
    serve_reader()
