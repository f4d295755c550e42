"""Fingerprinting images on Spark: the ``binaryFile`` source, and an Arrow UDF that calls the local fingerprint code.

Each task reads its images' bytes from Spark's ``binaryFile`` source and runs
:func:`~celtrace.assets.prints.prints_of_bytes` on them, the function a trove scan uses on the local engine,
which decodes along the same path as a file on disk (a test checks that the stored fingerprints and features
are byte for byte those of ``assets add`` without Spark). The SHA-256 is computed beside it, from the same
bytes, and images already registered (their digests broadcast) are not fingerprinted again.

Rows come back to the driver in the order the files were listed, so that assets get their ids in the same
order as on the local engine; ``toLocalIterator`` brings one partition at a time, not the whole result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs

from celtrace.assets.fingerprint import Fingerprint
from celtrace.assets.local_features import LocalFeatures
from celtrace.assets.prints import ImagePrints, prints_of_bytes
from celtrace.errors import EngineError, InputError
from celtrace.spark.hadoop import spark_key
from celtrace.spark.session import first_line, read_path, spark_session
from celtrace.trove.items import HEAD_BYTES

if TYPE_CHECKING:
    from celtrace.assets.registry import Printed

SCHEMA = pa.schema(
    [
        ("order", pa.int32()),
        ("path", pa.string()),
        ("sha256", pa.string()),
        ("size", pa.int64()),
        ("head", pa.binary()),
        ("error", pa.string()),
        (
            "global",
            pa.list_(pa.struct([("page", pa.int32()), ("quality", pa.int32()), ("variants", pa.list_(pa.binary()))])),
        ),
        (
            "local",
            pa.list_(
                pa.struct(
                    [
                        ("page", pa.int32()),
                        ("width", pa.int32()),
                        ("height", pa.int32()),
                        ("points", pa.binary()),
                        ("descriptors", pa.binary()),
                    ]
                )
            ),
        ),
    ]
)
"""What the UDF returns per image: the prints as plain columns, so that Spark can also match them. Declared once,
in Arrow; Spark is given ``from_arrow_schema`` of it."""


def fingerprint_on_spark(
    master: str, files: Sequence[Path | str], known: set[str], *, any_error: bool = False
) -> Iterator[Printed]:
    """Each file's path, digest, size and prints (or error message, or None when ``known``), in ``files`` order.

    ``files`` are local paths or URIs as :class:`~celtrace.spark.hadoop.HadoopFiles` lists them. ``any_error``
    makes whatever a decoder raises an error message, not only :class:`InputError`: a trove's hostile bytes must
    not fail the whole job.
    """
    for read in read_on_spark(master, files, known, any_error=any_error):
        yield read.file, read.sha256, read.size, read.prints


@dataclass(frozen=True)
class SparkRead:
    """What the executors made of one file: digest, size, first bytes (for sniffing its type), prints."""

    file: Path | str
    sha256: str
    size: int
    head: bytes
    prints: ImagePrints | str | None


def read_on_spark(
    master: str, files: Sequence[Path | str], known: set[str], *, any_error: bool = False
) -> Iterator[SparkRead]:
    """As :func:`fingerprint_on_spark`, with each file's first :data:`HEAD_BYTES` bytes."""
    from pyspark.sql.pandas.types import from_arrow_schema

    if not files:
        return
    spark = spark_session(master)
    order = {spark_key(path): number for number, path in enumerate(files)}
    known_digests = spark.sparkContext.broadcast(frozenset(known))
    images = spark.read.format("binaryFile").load([read_path(path) for path in files])
    printed = images.select("path", "content").mapInArrow(
        _Fingerprinter(order, known_digests, any_error), from_arrow_schema(SCHEMA)
    )
    try:
        # Sorting samples its input first, which would run the UDF twice: the prints are kept on the executors
        # (memory, then disk) once made, and the sort reads them there.
        for row in printed.localCheckpoint().orderBy("order").toLocalIterator():
            yield SparkRead(files[row["order"]], row["sha256"], row["size"], bytes(row["head"]), row_prints(row))
    except Exception as error:  # a task's failure reaches here wrapped in Spark's types
        if isinstance(error, InputError | EngineError):
            raise
        first = first_line(error)
        raise EngineError(f"fingerprinting on Spark failed: {first}") from error


def to_arrow_row(prints: ImagePrints) -> dict[str, Any]:
    """The ``global`` and ``local`` columns of one image's prints."""
    return {
        "global": [
            {"page": fp.page, "quality": fp.quality, "variants": list(fp.variants)} for fp in prints.global_prints
        ],
        "local": [
            {"page": f.page, "width": f.width, "height": f.height, "points": p, "descriptors": d}
            for f in prints.local
            for p, d in [f.to_blobs()]
        ],
    }


def row_prints(row: Any) -> ImagePrints | str | None:
    if row["error"] is not None:
        return str(row["error"])
    if row["global"] is None:
        return None  # registered already: not fingerprinted
    return ImagePrints(
        [Fingerprint(tuple(bytes(v) for v in fp["variants"]), fp["quality"], fp["page"]) for fp in row["global"]],
        [
            LocalFeatures.from_blobs(bytes(f["points"]), bytes(f["descriptors"]), f["width"], f["height"], f["page"])
            for f in row["local"]
        ],
    )


@dataclass(frozen=True)
class _Fingerprinter:
    """The Arrow UDF: digest and prints of each image of a batch, with the same code as the local engine."""

    order: dict[str, int]
    known: Any  # a Broadcast of the registered digests
    any_error: bool = False

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = []
            for path, content in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
                key = spark_key(path)
                digest = hashlib.sha256(content).hexdigest()
                row: dict[str, Any] = {
                    "order": self.order[key],
                    "path": key,
                    "sha256": digest,
                    "size": len(content),
                    "head": content[:HEAD_BYTES],
                    "error": None,
                    "global": None,
                    "local": None,
                }
                if digest not in self.known.value:
                    try:
                        row.update(to_arrow_row(prints_of_bytes(content, key)))
                    except InputError as error:
                        row["error"] = error.message
                    except Exception as error:
                        if not self.any_error:
                            raise
                        row["error"] = str(error) or type(error).__name__
                rows.append(row)
            yield pa.RecordBatch.from_pylist(rows, schema=SCHEMA)
