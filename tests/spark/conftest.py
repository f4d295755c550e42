"""One local SparkSession for the whole test session: starting the JVM takes seconds, so every Spark test shares it.

Two cores and two shuffle partitions: the inputs are small, and task start-up is what costs. celtrace's own
``spark_session`` finds this session active and uses it, as a second command in one process would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="the Spark tests need the spark extra (pip install -e '.[dev]' has it)")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The shared local session, stopped at the end of the test session."""
    from celtrace.spark.session import spark_session

    session = spark_session("local[2]", {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"})
    yield session
    session.stop()


@pytest.fixture
def backend() -> str:
    """Spark tests run on SQLite only: the store is written by the same code whatever the engine, and each
    Spark test costs seconds."""
    return "sqlite"
