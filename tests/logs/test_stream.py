"""Rows parsed in Python, streamed into DuckDB (celtrace.logs.stream): shape, laziness, re-scans, odd text, exit."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import duckdb

from celtrace.logs import events, stream
from celtrace.logs.stream import Row


def accepted(number: int, ip: str | None = "192.0.2.1") -> Row:
    return (number, datetime(2024, 1, 1), ip, "ann", "login", None, 200, 5, None, True, None)


def test_schema_matches_the_event_columns() -> None:
    assert stream.SCHEMA.names == list(events.COLUMNS)


def test_rows_come_back_in_event_columns_with_rejects_kept() -> None:
    def rows() -> Iterator[Row]:
        yield accepted(1)
        yield stream.rejected(3, "not a log line")

    relation = stream.relation(duckdb.connect(), rows)
    assert relation.columns == list(events.COLUMNS)
    assert relation.types == [duckdb.sqltype(kind) for kind in events.COLUMNS.values()]
    assert relation.order("line").fetchall() == [
        accepted(1),
        (3, None, None, None, None, None, None, None, None, False, "not a log line"),
    ]


def test_rows_are_generated_afresh_for_each_scan() -> None:
    reads = 0

    def rows() -> Iterator[Row]:
        nonlocal reads
        reads += 1  # runs when a scan pulls the first row, not when DuckDB only asks for the schema
        yield from (accepted(number) for number in range(1, 3 * stream.BATCH_ROWS + 2))

    relation = stream.relation(duckdb.connect(), rows)
    assert relation.count("*").fetchone() == relation.count("*").fetchone() == (3 * stream.BATCH_ROWS + 1,)
    assert reads == 2


def test_a_query_that_stops_early_reads_only_a_few_batches() -> None:
    made = 0

    def endless() -> Iterator[Row]:
        nonlocal made
        for number in itertools.count(1):
            made += 1
            yield accepted(number)

    assert stream.relation(duckdb.connect(), endless).limit(3).fetchall() == [accepted(1), accepted(2), accepted(3)]
    assert made <= 8 * stream.BATCH_ROWS  # streamed in batches, not drained


def test_a_lone_surrogate_is_replaced_not_fatal() -> None:
    # json.loads("\"\\ud800\"") makes such a string; it is no UTF-8.
    def rows() -> Iterator[Row]:
        yield accepted(1)
        yield (2, None, None, "a\ud800b", None, None, None, None, "\udfff", True, None)

    got = stream.relation(duckdb.connect(), rows).order("line").fetchall()
    assert [row[3] for row in got] == ["ann", "a?b"]
    assert got[1][8] == "?"


def test_process_exits_cleanly_after_a_query_stops_early() -> None:
    # DuckDB drops a half-read Python stream on its own thread after the query; exiting at once used to abort.
    script = (
        "import itertools, duckdb\n"
        "from celtrace.logs import stream\n"
        "rows = lambda: ((n, None, None, None, None, None, None, None, None, True, None) for n in itertools.count(1))\n"
        "relation = stream.relation(duckdb.connect(), rows)\n"
        "print(relation.limit(3).aggregate('count(*)').fetchall())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "[(3,)]"), done.stderr[-2000:]
