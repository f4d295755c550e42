"""The query engine over imported events: DuckDB with one ``events`` view over every file's Parquet.

Queries are plain SQL over ``events`` (the reader columns of ``events.COLUMNS``, the enrichment columns, and
``source`` and ``file``), kept to what DuckDB and Spark SQL both understand, so that the same statements can
run on Spark when a catalogue's logs outgrow one machine (DESIGN.md, Scale).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.workspace.schema import LogFile


def connect(session: Session, files: Path) -> duckdb.DuckDBPyConnection | None:
    """A DuckDB connection with the ``events`` view, or None when no log has been imported.

    ``files`` is the workspace's files folder, which the store's Parquet paths are relative to.
    """
    names = session.scalars(select(LogFile.parquet).order_by(LogFile.id)).all()
    if not names:
        return None
    con = duckdb.connect()
    listed = ", ".join("'" + str(files / name).replace("'", "''") + "'" for name in names)
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet([{listed}], union_by_name = true)")
    return con
