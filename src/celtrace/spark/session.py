"""The one SparkSession of a process, started from the settings, with every failure to start as one clear error.

``--engine spark`` runs where ``Settings.spark_master`` says (``CELTRACE_SPARK_MASTER``): ``local[*]`` by
default, else a standalone, YARN or Kubernetes master (docs/scaling.md). PySpark is an optional extra
(``pip install 'celtrace[spark]'``) and needs Java 17 or later; without either, the command stops with one line
saying so, not a Py4J traceback.

Sessions are shared: Spark allows one per JVM and starting one takes seconds, so a second call (another import in
the same process, or a test) gets the running session back, whatever master it asks for.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from celtrace.errors import EngineError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = "install the Spark extra: pip install 'celtrace[spark]'"

#: Spark settings every celtrace session gets: times stay naive UTC end to end (events' ``ts`` is UTC with no
#: zone, as DuckDB reads it), Arrow carries the batches to and from the Python workers, and Parquet keeps its
#: timestamps without zone so that DuckDB reads what Spark wrote as the same TIMESTAMP.
BASE_CONFIG: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.ui.showConsoleProgress": "false",
}

#: On one machine: a handful of shuffle partitions rather than Spark's 200, whose task start-up dominated the
#: small queries of a run (the event queries' groups are few); no web UI to bind a port for.
LOCAL_CONFIG: dict[str, str] = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
}


LOG4J = Path(__file__).with_name("log4j2.properties")
"""The driver's log settings: errors only (Spark's default profile prints warnings a user cannot act on)."""


def spark_session(master: str, config: dict[str, str] | None = None) -> SparkSession:
    """The process's SparkSession, started on ``master`` if none runs yet; :class:`EngineError` if it cannot start."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(f"--engine spark needs PySpark: {INSTALL_HINT}") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if master.startswith("local"):
        # Local workers are this interpreter's children: without this they start whatever ``python3`` the PATH
        # finds, which lacks celtrace's packages outside a system-wide install. Cluster workers keep their own.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise EngineError("--engine spark needs Java 17 or later: no java on PATH and JAVA_HOME is not set")
    builder = SparkSession.builder.master(master).appName("celtrace")
    quiet = {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG4J.as_uri()}"}
    settings = {**BASE_CONFIG, **quiet, **(LOCAL_CONFIG if master.startswith("local") else {}), **(config or {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Py4J and PySpark raise many types here; the user needs the first line of one
        raise EngineError(f"cannot start Spark on {master}: {first_line(error)}") from error
    session.sparkContext.setLogLevel("ERROR")
    return session


def label(session: SparkSession) -> str:
    """The engine as the store records it: ``spark`` and the master it runs on (``spark local[*]``)."""
    return f"spark {session.sparkContext.master}"


def read_path(path: object) -> str:
    """A local path as Spark's readers take it: they expand Hadoop globs, so ``[``, ``{``, ``*``, ``?`` are escaped.

    Writers take paths literally; only reads go through this.
    """
    return re.sub(r"([\\\[\]{}*?])", r"\\\1", str(path))


def first_line(error: BaseException) -> str:
    """What a Spark error says, in one line: a Python task's own exception when a task raised one.

    PySpark reports a failed Python task as "An exception was thrown from the Python worker", then the worker's
    traceback, then the JVM's stack: the line a user needs is the traceback's last, the exception itself.
    """
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    for number, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            raised = next((later for later in lines[number + 1 :] if not later[0].isspace()), None)
            if raised is not None:
                return raised
    return lines[0]
