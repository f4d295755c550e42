"""Importing a log file on Spark: Spark's own readers split it, the same reader code parses each piece.

The rows written are the ones the DuckDB importer writes (a test compares them), as a folder of Parquet parts
per file:

- Files of formats whose lines stand alone (combined/common, nginx, S3; :data:`SPLITTABLE`) that are larger
  than one of Spark's input splits are read with Spark's ``text`` source, split on ``\\n`` only as
  ``arrow_lines`` splits, so one large file spreads over every core.
  A first pass counts each split's lines (no Python runs: Spark counts rows per partition), so each line's
  number is its split's offset plus its place in the split. Each task writes its split's lines, as bytes
  (``CAST(value AS BINARY)`` gives back what the file held, invalid UTF-8 included), to a scratch file and
  parses it with the format's own reader on DuckDB, then shifts the numbers.
- Formats where a line needs earlier ones (W3C and CloudFront headers, syslog's year carried across wraps,
  CSV headers), gzip files (which no reader can split), and files that fit one split are read whole by one task
  each with the ``binaryFile`` source; the scratch copy keeps the file's name and modification time, which
  syslog's year is taken from. The importer hands such files over many at a time (:meth:`SparkWriter.write_many`):
  one job per format writes them all, partitioned by file, so that a CDN's thousands of small files do not each
  pay a job's fixed cost.

Addresses are enriched as on DuckDB, each distinct one once: the distinct addresses are spread over tasks and
each task runs :class:`~celtrace.logs.enrich.Enricher` on its share. The range tables are built on first use in
the cache folder; on a cluster it must be a path every executor can write (docs/scaling.md).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from celtrace.errors import EngineError, InputError
from celtrace.logs import events
from celtrace.logs.enrich import ENRICHED
from celtrace.logs.formats import GZIP_MAGIC, Format, ReaderOptions, formats, is_gzip
from celtrace.logs.importer import SAMPLES, Counts, Enrichment, Target
from celtrace.spark.hadoop import HadoopFiles, spark_key
from celtrace.spark.session import first_line, read_path, spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPLITTABLE = frozenset({"combined", "common", "nginx", "s3"})
"""Formats whose every line parses alone, so that Spark may cut a file anywhere between lines."""

_SPARK_TYPES = {
    "BIGINT": "BIGINT",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "VARCHAR": "STRING",
    "INTEGER": "INT",
    "BOOLEAN": "BOOLEAN",
    "DOUBLE": "DOUBLE",
}

EVENTS_SCHEMA = ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in events.COLUMNS.items())
"""``events.COLUMNS`` as a Spark DDL schema."""

ADDRESSES_SCHEMA = "ip STRING, " + ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in ENRICHED.items())
"""An address and ``ENRICHED`` as a Spark DDL schema."""

SMALL_FILE_BYTES = 8 * 1024 * 1024
"""A splittable log file up to this size is read whole, with others in one job: splitting it over cores would
gain less than its own job costs (measured: a 45 MB file read whole took 18 s on one core, split 11 s)."""

_ROWS = 65536  # rows per Arrow batch handed back to Spark


@dataclass
class SparkWriter:
    """The Spark :data:`~celtrace.logs.importer.Writer`, on the process's session: a large file of a format whose
    lines stand alone in a job of its own, split over every core; other files together (:meth:`write_many`)."""

    spark: SparkSession
    small_bytes: int  # splittable files up to this size are read whole (:meth:`reads_whole`)

    @classmethod
    def start(cls, master: str) -> SparkWriter:
        """A writer on the Spark session (started now, so that a Spark that cannot start stops the run at once)."""
        spark = spark_session(master)
        split = _bytes(spark.conf.get("spark.sql.files.maxPartitionBytes") or "128m")
        return cls(spark, min(SMALL_FILE_BYTES, split))

    def __call__(
        self, target: Target, fmt: Format, path: Path | str, options: ReaderOptions, enrichment: Enrichment, source: str
    ) -> Counts:
        """Write the events and enriched addresses of ``path`` (local, or a URI) to ``target``'s partial folders."""
        from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

        try:
            parsed = self._parsed(fmt, path, options)
            stamped = parsed.select(
                F.lit(target.batch).alias("batch"),
                F.lit(source).alias("source"),
                F.lit(str(path)).alias("file"),
                *events.COLUMNS,
            )
            stamped.write.mode("overwrite").parquet(str(target.events))
            written = self.spark.read.parquet(read_path(target.events))
            enrich = _AddressEnricher(enrichment)
            # As many enrichment tasks as cores: each builds its range tables (about half a second) once.
            distinct = written.where("ip IS NOT NULL").select("ip").distinct()
            distinct = distinct.coalesce(self.spark.sparkContext.defaultParallelism)
            addresses = distinct.mapInArrow(enrich, ADDRESSES_SCHEMA)
            addresses.select(F.lit(target.batch).alias("batch"), "ip", *ENRICHED).write.mode("overwrite").parquet(
                str(target.addresses)
            )
            totals = written.selectExpr(
                "count(*)", "count_if(ok)", "min(ts) FILTER (WHERE ok)", "max(ts) FILTER (WHERE ok)"
            ).first()
            rejected = written.where("NOT ok").orderBy("line").limit(SAMPLES).select("line", "raw").collect()
        except InputError:
            raise
        except Exception as error:  # Spark wraps a task's error in its own types; the first line says what failed
            raise InputError(f"cannot read as {fmt.name} on Spark: {first_line(error)}", file=str(path)) from error
        assert totals is not None
        lines, parsed_lines, first, last = totals
        samples = [{"line": row["line"], "text": row["raw"]} for row in rejected]
        return Counts(lines, parsed_lines, first, last, samples)

    def reads_whole(self, fmt: Format, size: int) -> bool:
        """Whether a file goes whole to one task, so that it may share a job with others (:meth:`write_many`).

        A file of a format whose lines need earlier ones always does; one whose lines stand alone does when it is
        small (:data:`SMALL_FILE_BYTES`, and no larger than one of Spark's input splits, as the session was set when
        the writer started): a larger one is split over every core in a job of its own.
        """
        return fmt.name not in SPLITTABLE or size <= self.small_bytes

    def write_many(
        self,
        files: list[tuple[Target, Path | str]],
        fmt: Format,
        options: ReaderOptions,
        enrichment: Enrichment,
        source: str,
        scratch: Path,
    ) -> list[Counts]:
        """Write many files of one format in one Spark job, each to its target's partial folders; counts in order.

        A year of CDN logs is hundreds of thousands of small files: a job per file would spend seconds on each
        (scheduling, a counting pass, enrichment, totals), one job spreads them over every core. The rows written
        are those :meth:`__call__` writes for each file alone, partitioned by file and moved to each target.
        """
        from pyspark.sql import Window
        from pyspark.sql import functions as F  # noqa: N812

        named = {spark_key(name): (str(name), target.batch, _part(target)) for target, name in files}
        whole = self.spark.read.format("binaryFile").load([read_path(name) for _, name in files])
        parsed = whole.select("path", "content", "modificationTime").mapInArrow(
            _WholeFiles(fmt.name, options, named), f"batch STRING, file STRING, part STRING, {EVENTS_SCHEMA}"
        )
        events_at, addresses_at = scratch / "events", scratch / "addresses"
        try:
            stamped = parsed.select("batch", F.lit(source).alias("source"), "file", *events.COLUMNS, "part")
            stamped.write.partitionBy("part").parquet(str(events_at))
            written = self.spark.read.parquet(read_path(events_at))
            distinct = written.where("ip IS NOT NULL").select("ip").distinct()
            enriched = distinct.coalesce(self.spark.sparkContext.defaultParallelism).mapInArrow(
                _AddressEnricher(enrichment), ADDRESSES_SCHEMA
            )
            used = written.where("ip IS NOT NULL").select("part", "batch", "ip").distinct()
            used.join(enriched, "ip").select("batch", "ip", *ENRICHED, "part").write.partitionBy("part").parquet(
                str(addresses_at)
            )
            totals = {
                row["part"]: row
                for row in written.groupBy("part")
                .agg(
                    F.expr("count(*)").alias("lines"),
                    F.expr("count_if(ok)").alias("parsed"),
                    F.expr("min(ts) FILTER (WHERE ok)").alias("first"),
                    F.expr("max(ts) FILTER (WHERE ok)").alias("last"),
                )
                .collect()
            }
            first_rejected = Window.partitionBy("part").orderBy("line")
            samples: dict[str, list[dict[str, Any]]] = {}
            for row in (
                written.where("NOT ok")
                .withColumn("n", F.row_number().over(first_rejected))
                .where(f"n <= {SAMPLES}")
                .select("part", "line", "raw")
                .orderBy("part", "line")
                .collect()
            ):
                samples.setdefault(row["part"], []).append({"line": row["line"], "text": row["raw"]})
        except Exception as error:  # Spark wraps a task's error in its own types; the first line says what failed
            raise InputError(f"cannot read as {fmt.name} on Spark: {first_line(error)}") from error
        counts = []
        for target, name in files:
            part = _part(target)
            events_part, addresses_part = events_at / f"part={part}", addresses_at / f"part={part}"
            for partial, written_part in ((target.events, events_part), (target.addresses, addresses_part)):
                shutil.rmtree(partial, ignore_errors=True)
                if written_part.is_dir():
                    written_part.rename(partial)
            if not target.events.is_dir():  # a file with no line at all: written alone, as it would be
                counts.append(self(target, fmt, name, options, enrichment, source))
                continue
            if not target.addresses.is_dir():  # no line with an address: an empty file of addresses
                empty = self.spark.createDataFrame([], f"batch STRING, {ADDRESSES_SCHEMA}")
                empty.coalesce(1).write.parquet(str(target.addresses))
            row = totals[part]
            counts.append(Counts(row["lines"], row["parsed"], row["first"], row["last"], samples.get(part, [])))
        return counts

    def _parsed(self, fmt: Format, path: Path | str, options: ReaderOptions) -> DataFrame:
        if fmt.name in SPLITTABLE and not self._is_gzip(path):
            return self._split(fmt, path, options)
        whole = self.spark.read.format("binaryFile").load(read_path(path))
        return whole.select("path", "content", "modificationTime").mapInArrow(
            _WholeFile(fmt.name, options), EVENTS_SCHEMA
        )

    def _is_gzip(self, path: Path | str) -> bool:
        if isinstance(path, Path):
            return is_gzip(path)
        with HadoopFiles(self.spark).open(path) as stream:
            return stream.read(2) == GZIP_MAGIC

    def _split(self, fmt: Format, path: Path | str, options: ReaderOptions) -> DataFrame:
        from pyspark.sql import functions as F  # noqa: N812

        lines = (
            self.spark.read.option("lineSep", "\n")
            .text(read_path(path))
            .select(F.col("value").cast("binary").alias("b"))
        )
        counted = lines.groupBy(F.spark_partition_id().alias("split")).count().collect()
        offsets, total = {}, 0
        for row in sorted(counted, key=lambda row: int(row["split"])):
            offsets[int(row["split"])] = total
            total += int(row["count"])
        return lines.mapInArrow(_Splits(fmt.name, options, offsets), EVENTS_SCHEMA)


def _parse(fmt_name: str, scratch: Path, options: ReaderOptions, first: int) -> Iterator[pa.RecordBatch]:
    """The format's own reader over a scratch file, line numbers shifted by ``first - 1``."""
    fmt = formats()[fmt_name]
    con = duckdb.connect(config={"threads": 1})  # Spark gives each task one core
    try:
        reader = fmt.read(con, scratch, options).fetch_record_batch(_ROWS)
        for batch in reader:
            if first != 1:
                line = pc.add(batch.column(0), pa.scalar(first - 1, pa.int64()))
                batch = batch.set_column(0, "line", line)
            yield batch
    finally:
        con.close()


@dataclass(frozen=True)
class _Splits:
    """Parses one split of a line-by-line format: its lines, numbered from the split's offset."""

    fmt_name: str
    options: ReaderOptions
    offsets: dict[int, int]

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        split = context.partitionId() if context is not None else 0
        with tempfile.TemporaryDirectory(prefix="celtrace-split-") as folder:
            scratch = Path(folder) / "lines.log"
            with scratch.open("wb") as out:
                for batch in batches:
                    out.write(b"\n".join(batch.column(0).to_pylist()) + b"\n")
            yield from _parse(self.fmt_name, scratch, self.options, self.offsets.get(split, 0) + 1)


@dataclass(frozen=True)
class _WholeFile:
    """Parses whole files (``binaryFile`` rows: path, content, mtime) with their reader, from a scratch copy with
    the file's own name (a reader's message about the file names it) and modification time (syslog's year)."""

    fmt_name: str
    options: ReaderOptions

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for path, content, modified in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
                with tempfile.TemporaryDirectory(prefix="celtrace-file-") as folder:
                    scratch = Path(folder) / (PurePosixPath(path).name or "file.log")
                    scratch.write_bytes(content)
                    stamp = modified.timestamp() if modified.tzinfo else _utc_seconds(modified)
                    os.utime(scratch, (stamp, stamp))
                    yield from _parse(self.fmt_name, scratch, self.options, 1)


@dataclass(frozen=True)
class _WholeFiles:
    """As :class:`_WholeFile`, for many files in one job: each row's events carry its file, batch and part."""

    fmt_name: str
    options: ReaderOptions
    named: dict[str, tuple[str, str, str]]  # binaryFile's path, made comparable -> (file, batch, part)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        one = _WholeFile(self.fmt_name, self.options)
        for batch in batches:
            for number in range(batch.num_rows):
                file, stamp, part = self.named[spark_key(batch.column(0)[number].as_py())]
                for parsed in one(iter([batch.slice(number, 1)])):
                    size = parsed.num_rows
                    labels = [pa.array([value] * size, pa.string()) for value in (stamp, file, part)]
                    yield pa.RecordBatch.from_arrays(
                        [*labels, *parsed.columns], names=["batch", "file", "part", *parsed.schema.names]
                    )


@dataclass(frozen=True)
class _AddressEnricher:
    """Enriches a task's share of the distinct addresses with the same :class:`Enricher` as DuckDB imports."""

    enrichment: Enrichment

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # One enrich call for the task's whole share: each call has a fixed cost (temp tables, a pass over the
        # ranges), and Spark hands batches of 10,000 rows. The share is addresses only: small next to the events.
        shared = pa.Table.from_batches(list(batches), schema=pa.schema([("ip", pa.string())]))
        con = duckdb.connect(config={"threads": 1})
        try:
            enricher = self.enrichment.enricher(con)
            result = enricher.enrich(con.from_arrow(shared)).select(f"ip, {', '.join(ENRICHED)}")
            yield from result.fetch_record_batch(_ROWS)
        finally:
            con.close()


def _utc_seconds(moment: Any) -> float:
    # Spark hands a TIMESTAMP_NTZ over as a naive datetime in UTC (the session's zone).
    from datetime import UTC

    return float(moment.replace(tzinfo=UTC).timestamp())


def _part(target: Target) -> str:
    """A file's partition in a shared job: its digest, led by a letter so that Spark never reads it as a number
    (partition values are typed by what they look like: ``12e4...`` would be a double)."""
    return f"f{target.final.stem}"


def _bytes(setting: str) -> int:
    """A Spark size setting (``134217728b``, ``128m``, ``196608``) in bytes."""
    match = re.fullmatch(r"(\d+)\s*([kmgt]?)b?", setting.strip().lower())
    if match is None:
        raise EngineError(f"spark.sql.files.maxPartitionBytes is not a size: {setting!r}")
    return int(match.group(1)) * int(1024 ** " kmgt".index(match.group(2) or " "))
