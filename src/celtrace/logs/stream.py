"""Rows parsed in Python, streamed into DuckDB as Arrow record batches: the one way the Python-side readers do it.

A reader that parses lines in Python (``syslog``, ``ftp``, ``structured``) gives :func:`relation` a function
that generates its rows, as tuples in ``events.COLUMNS`` order. The relation is lazy: each time DuckDB scans
it, the rows are generated afresh and handed over ``BATCH_ROWS`` at a time, so memory stays flat whatever the
size of the file, and the relation can be queried more than once.

DuckDB releases a stream it stopped reading early on one of its own threads; a process that exits just then
used to abort (duckdb/duckdb#20715). Every stream made here is counted, and the process waits for them at exit:
see :class:`_OpenStreams`.
"""

from __future__ import annotations

import atexit
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs; pyproject may list it later

from celtrace.logs import events

SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("ts", pa.timestamp("us")),
        ("ip", pa.string()),
        ("account", pa.string()),
        ("action", pa.string()),
        ("object", pa.string()),
        ("status", pa.int32()),
        ("bytes", pa.int64()),
        ("user_agent", pa.string()),
        ("ok", pa.bool_()),
        ("raw", pa.string()),
    ]
)
"""The Arrow shape of ``events.COLUMNS``, in the same order."""

Row = tuple[
    int,
    datetime | None,
    str | None,
    str | None,
    str | None,
    str | None,
    int | None,
    int | None,
    str | None,
    bool,
    str | None,
]
"""One event in ``events.COLUMNS`` order."""

STATUS_LIMIT = 2**31
"""``status`` is a 32-bit integer: a reader keeps a value only within ``-STATUS_LIMIT <= value < STATUS_LIMIT``."""

BYTES_LIMIT = 2**63
"""``bytes`` is a 64-bit integer: a reader keeps a value only within ``-BYTES_LIMIT <= value < BYTES_LIMIT``."""

BATCH_ROWS = 8192
"""Rows per Arrow batch: large enough to amortise the hand-over to DuckDB, small enough to keep memory flat."""


def rejected(number: int, text: str) -> Row:
    """The row for a line (or record) that does not parse: only its number, ``ok`` false, and its text."""
    return (number, None, None, None, None, None, None, None, None, False, text)


def relation(con: duckdb.DuckDBPyConnection, rows: Callable[[], Iterator[Row]]) -> duckdb.DuckDBPyRelation:
    """A lazy relation with ``events.COLUMNS`` over rows that ``rows()`` generates anew for each scan."""
    return con.from_arrow(_EventStream(rows)).select(events.SELECT_LIST)


def _valid_text(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _batches(rows: Iterator[Row]) -> Iterator[pa.RecordBatch]:
    while chunk := list(itertools.islice(rows, BATCH_ROWS)):
        columns = [list(column) for column in zip(*chunk, strict=True)]
        try:
            yield pa.record_batch(columns, schema=SCHEMA)
        except UnicodeEncodeError:
            # A lone surrogate (JSON's "\ud800") is no UTF-8; checking every string up front would cost more
            # than redoing the rare batch that holds one.
            yield pa.record_batch([[_valid_text(value) for value in column] for column in columns], schema=SCHEMA)


class _OpenStreams:
    """Counts the Arrow streams DuckDB has started and not yet let go of.

    DuckDB lets go of a stream it stopped reading early (a LIMIT, an error) on one of its own threads, a moment
    after the query ends. If the interpreter is already shutting down by then, dropping the Python generator
    aborts the process (duckdb/duckdb#20715). Waiting at exit, briefly, until every stream is released avoids
    that; the count is process-wide because the hazard is.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def track(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The same batches, counted as open from the first one until the generator is closed."""
        with self._lock:
            self._count += 1
        try:
            yield from batches
        finally:
            with self._lock:
                self._count -= 1

    def wait(self, seconds: float) -> None:
        """Return once every stream is released, or after ``seconds``."""
        deadline = time.monotonic() + seconds
        while self._count and time.monotonic() < deadline:
            time.sleep(0.01)


_OPEN_STREAMS = _OpenStreams()
atexit.register(_OPEN_STREAMS.wait, 5.0)


class _EventStream:
    """An Arrow stream source that generates the rows afresh each time DuckDB scans it.

    A ``RecordBatchReader`` can be read once only, so a relation built on one would come back empty the second
    time it is queried. DuckDB asks this object for a new stream (the Arrow PyCapsule interface) on every scan.
    """

    def __init__(self, rows: Callable[[], Iterator[Row]]) -> None:
        self._rows = rows

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """A fresh Arrow C stream over the rows."""
        reader = pa.RecordBatchReader.from_batches(SCHEMA, _OPEN_STREAMS.track(_batches(self._rows())))
        return reader.__arrow_c_stream__(requested_schema)
