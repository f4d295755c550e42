"""The query engine over imported events: DuckDB with one ``events`` view over every file's Parquet.

Queries are plain SQL over ``events`` (the reader columns of ``events.COLUMNS``, the enrichment columns, and
``source`` and ``file``), kept to what DuckDB and Spark SQL both understand, so that the same statements can
run on Spark when a catalogue's logs outgrow one machine (DESIGN.md, Scale).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.logs.enrich import ENRICHED
from celtrace.logs.importer import addresses_of
from celtrace.workspace.schema import LogFile


def connect(session: Session, files: Path) -> duckdb.DuckDBPyConnection | None:
    """A DuckDB connection with the ``events`` view, or None when no log has been imported.

    ``files`` is the workspace's files folder, which the store's Parquet paths are relative to.
    """
    names = session.scalars(select(LogFile.parquet).order_by(LogFile.id)).all()
    if not names:
        return None
    con = duckdb.connect()
    events = _listed(files / name for name in names)
    addresses = _listed(addresses_of(files / name) for name in names)
    # Each event joins the addresses enriched with its own file (imports may differ: a city database given
    # to one and not another); the join's small side is the addresses, whatever the number of events.
    stored = f"read_parquet([{addresses}], union_by_name = true)"
    # Files imported before a column joined ENRICHED lack it: union_by_name reads it as NULL in those, and
    # when no file has it yet, it is NULL here. Only the files' schemas are read to know.
    present = set(con.sql(f"SELECT * FROM {stored}").columns)
    columns = [name if name in present else f"NULL::{kind} AS {name}" for name, kind in ENRICHED.items()]
    con.execute(f"CREATE VIEW addresses AS SELECT batch, ip, {', '.join(columns)} FROM {stored}")
    con.execute(
        f"CREATE VIEW events AS SELECT e.*, {', '.join(f'a.{name}' for name in ENRICHED)} "
        f"FROM read_parquet([{events}], union_by_name = true) e "
        "LEFT JOIN addresses a ON e.batch = a.batch AND e.ip = a.ip"
    )
    return con


def _listed(paths: Iterable[Path]) -> str:
    return ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths)
