"""The Spark backend of ``logs.engine``: the same ``events`` view and the same statements, run by Spark SQL.

Statements are written once, in DuckDB's dialect, and transpiled here with SQLGlot. Two of DuckDB's
functions need more than a rename, so that a query's rows come back with the same values and Python types:

- ``epoch(ts)`` is seconds as a DOUBLE in DuckDB, with the microseconds; SQLGlot's ``UNIX_TIMESTAMP`` is
  whole seconds as a BIGINT, so it becomes ``unix_micros(ts) / 1e6`` (events' ``ts`` is UTC, and the session's
  zone is UTC, so reading it as a zoned timestamp changes nothing);
- rows come back as dicts of plain Python values, as DuckDB's do (``Row.asDict``).

A statement Spark refuses is an :class:`EngineError` carrying the transpiled SQL, as splink re-raises its
backends' errors with the failing statement.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import expressions as exp

from celtrace.errors import EngineError
from celtrace.logs.engine import EVENTS_VIEW
from celtrace.logs.enrich import ENRICHED
from celtrace.spark.session import first_line, read_path, spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from celtrace.config import Settings


def to_spark(sql: str) -> str:
    """A statement in DuckDB's dialect as Spark SQL."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = tree.transform(_epoch_seconds)
    return tree.sql(dialect="spark")


def _epoch_seconds(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(this="unix_micros", expressions=[exp.cast(node.this, "TIMESTAMP")])
        return exp.Div(this=micros, expression=exp.Literal.number("1000000.0"))
    return node


class SparkEvents:
    """The ``events`` view as Spark temp views over the workspace's Parquet files (files or folders of parts)."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    @classmethod
    def open(cls, stored: list[tuple[Path, Path]], settings: Settings) -> SparkEvents:
        """Register ``stored_events``, ``addresses`` and ``events`` over the stored (events, addresses) pairs."""
        spark = spark_session(settings.spark_master)
        events = _parquet(spark, [str(path) for path, _ in stored])
        addresses = _parquet(spark, [str(path) for _, path in stored])
        events.createOrReplaceTempView("stored_events")
        present = set(addresses.columns)
        # Files imported before a column joined ENRICHED lack it: as on DuckDB, it reads as NULL.
        columns = [
            name if name in present else f"CAST(NULL AS {_spark_type(kind)}) AS {name}"
            for name, kind in ENRICHED.items()
        ]
        addresses.selectExpr("batch", "ip", *columns).createOrReplaceTempView("addresses")
        spark.sql(to_spark(EVENTS_VIEW)).createOrReplaceTempView("events")
        return cls(spark)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql`` (DuckDB dialect), run by Spark, as dicts of Python values."""
        statement = to_spark(sql)
        try:
            return [row.asDict(recursive=True) for row in self.spark.sql(statement).collect()]
        except Exception as error:  # Spark's analysis and execution errors share no useful base class
            first = first_line(error)
            raise EngineError(f"Spark could not run a query: {first}\n{statement}") from error

    def close(self) -> None:
        """Drop the views; the session stays for the process (starting one takes seconds)."""
        for view in ("events", "addresses", "stored_events"):
            self.spark.catalog.dropTempView(view)


def _parquet(spark: SparkSession, paths: list[str]) -> DataFrame:
    # mergeSchema is DuckDB's union_by_name: files written before a column existed read it as NULL.
    return spark.read.option("mergeSchema", "true").parquet(*(read_path(path) for path in paths))


def _spark_type(kind: str) -> str:
    return {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN"}[kind]
