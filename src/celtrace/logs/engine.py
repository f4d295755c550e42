"""The query engines over imported events: one small interface, a DuckDB and a Spark backend behind it.

Queries are plain SQL over ``events`` (the reader columns of ``events.COLUMNS``, the enrichment columns, and
``source`` and ``file``), written once in DuckDB's dialect and kept to what Spark SQL can also run once SQLGlot
has transpiled it (``celtrace.spark.events``), so that the same statements serve a laptop and a cluster
(DESIGN.md, Scale). Each backend only says how to open the stored Parquet files as ``stored_events`` and
``addresses`` and how to run a statement; the ``events`` view itself is :data:`EVENTS_VIEW`, for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.errors import InputError
from celtrace.logs.enrich import ENRICHED
from celtrace.logs.importer import addresses_of
from celtrace.workspace.schema import LogFile

if TYPE_CHECKING:
    from celtrace.config import Settings

ENGINES = ("duckdb", "spark")
"""The engines ``--engine`` accepts; DuckDB, in process, is the default."""

EVENTS_VIEW = (
    f"SELECT e.*, {', '.join(f'a.{name}' for name in ENRICHED)} "
    "FROM stored_events e LEFT JOIN addresses a ON e.batch = a.batch AND e.ip = a.ip"
)
"""The ``events`` view over ``stored_events`` and ``addresses``, on either engine.

Each event joins the addresses enriched with its own file (imports may differ: a city database given to one
and not another); the join's small side is the addresses, whatever the number of events.
"""


class EventEngine(Protocol):
    """What the detectors and statistics need of an engine: the rows of a query over ``events``."""

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql`` (DuckDB dialect) as dicts of Python values, in the query's order."""
        ...

    def close(self) -> None:
        """Release what the engine holds (a connection; a Spark session stays for the process)."""
        ...


class DuckDBEvents:
    """The DuckDB backend: in process, reading the workspace's Parquet files in place."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts."""
        cursor = self.con.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


def open_events(
    session: Session, files: Path, engine: str = "duckdb", settings: Settings | None = None
) -> EventEngine | None:
    """The chosen engine with the ``events`` view over every imported log, or None when no log has been imported."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: choose {' or '.join(ENGINES)}")
    stored = stored_files(session, files)
    if not stored:
        return None
    if engine == "spark":
        from celtrace.config import Settings
        from celtrace.spark.events import SparkEvents

        return SparkEvents.open(stored, settings or Settings())
    con = connect(session, files)
    assert con is not None
    return DuckDBEvents(con)


def engine_label(engine: str, settings: Settings) -> str:
    """What runs the work, as the store records it: ``duckdb``, or ``spark`` and its master (``spark yarn``)."""
    if engine != "spark":
        return engine
    from celtrace.spark.session import label, spark_session

    return label(spark_session(settings.spark_master))


def stored_files(session: Session, files: Path) -> list[tuple[Path, Path]]:
    """Each imported log's events and addresses Parquet (a file, or a folder of parts when Spark wrote it)."""
    names = session.scalars(select(LogFile.parquet).order_by(LogFile.id)).all()
    return [(files / name, addresses_of(files / name)) for name in names]


def connect(session: Session, files: Path) -> duckdb.DuckDBPyConnection | None:
    """A DuckDB connection with the ``events`` view, or None when no log has been imported.

    ``files`` is the workspace's files folder, which the store's Parquet paths are relative to.
    """
    stored = stored_files(session, files)
    if not stored:
        return None
    con = duckdb.connect()
    events = _listed(events for events, _ in stored)
    addresses = _listed(addresses for _, addresses in stored)
    stored_addresses = f"read_parquet([{addresses}], union_by_name = true)"
    # Files imported before a column joined ENRICHED lack it: union_by_name reads it as NULL in those, and
    # when no file has it yet, it is NULL here. Only the files' schemas are read to know.
    present = set(con.sql(f"SELECT * FROM {stored_addresses}").columns)
    columns = [name if name in present else f"NULL::{kind} AS {name}" for name, kind in ENRICHED.items()]
    con.execute(f"CREATE VIEW addresses AS SELECT batch, ip, {', '.join(columns)} FROM {stored_addresses}")
    con.execute(f"CREATE VIEW stored_events AS SELECT * FROM read_parquet([{events}], union_by_name = true)")
    con.execute(f"CREATE VIEW events AS {EVENTS_VIEW}")
    return con


def _listed(paths: Iterable[Path]) -> str:
    # Spark writes a folder of part files where DuckDB writes one file; both are read the same way.
    named = (path / "*.parquet" if path.is_dir() else path for path in paths)
    return ", ".join("'" + str(path).replace("'", "''") + "'" for path in named)
