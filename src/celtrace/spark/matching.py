"""Matching images against the registry on Spark's executors, with the local engine's results.

The matcher's steps (:mod:`celtrace.assets.matcher`) are placed like this:

1. The driver builds both indexes once, as the local engine does (:class:`~celtrace.assets.matcher.AssetMatcher`),
   and broadcasts them: the PDQ codes with their asset ids, and the ORB candidate index serialised by FAISS
   rather than rebuilt on each executor, whose inverted file's k-means need not find the same cells twice
   (about 40 KB a registered page in all, nearly all of it the candidate index).
2. A first Arrow UDF over Spark's ``binaryFile`` source fingerprints each image with
   :func:`~celtrace.assets.prints.prints_of_bytes`, the function ``assets add --engine spark`` runs, and runs
   :func:`~celtrace.assets.matcher.search_pages` on it: the global search of every page, then the candidate
   search of each page the global stage did not place. Such pages keep their query keypoints, at full
   precision, for the next step.
3. The candidates' registered pages are read from the store on the driver with their full features (about 16 KB
   a page) and go to Spark as a DataFrame, not a broadcast, joined to the candidates on the page's key; a second
   UDF runs ``verify`` on each pair. When every page was a near-duplicate, nothing is read or verified.
4. The driver collects each image's global hits and passing verifications, a few rows an image, and ranks them
   with :func:`~celtrace.assets.matcher.assemble`, the function the local engine ends with.

Broadcasting the indexes is the one path. ``benchmarks/spark_matching.py`` matched 32 images (half of them
crops, for the local stage) against registries of 50, 200 and 600 drawings in local mode on 2 cores shared with
other work, twice: the indexes pickle to 1.8, 8.6 and 26 MB, and the Spark job took 2.5 to 4.1 s with them in a
broadcast and 2.1 to 3.7 s with them inside the UDF, with no consistent order between the two, because PySpark
broadcasts any pickled UDF over 1 MB by itself. The explicit broadcast is kept so that the indexes travel once
per executor whatever that threshold, and are released when the job ends. At these sizes Spark's fixed cost per
job is most of the time (the local engine took 1.0 to 5.0 s); a registry sharded over partitions would add a
shuffle and pays only once the indexes outgrow an executor's memory.

The candidates' features pass through the driver on their way from the store: a catalogue-sized registry wants
them kept as Parquet beside the store, for the executors to read (docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs
from pyspark.sql.pandas.types import from_arrow_schema
from sqlalchemy import select, tuple_

from celtrace.assets.feature_index import FeatureIndex
from celtrace.assets.hash_index import HashIndex
from celtrace.assets.local_features import LocalFeatures, Verification, verify
from celtrace.assets.matcher import AssetMatch, AssetMatcher, PageHits, assemble, search_pages
from celtrace.assets.prints import ImagePrints, prints_of_bytes
from celtrace.errors import EngineError, InputError
from celtrace.spark.hadoop import HadoopFiles, hadoop_reads, spark_key
from celtrace.spark.prints import SCHEMA, row_prints, to_arrow_row  # the same rows as fingerprinting
from celtrace.spark.session import first_line, read_path, spark_session
from celtrace.workspace.schema import AssetFeatures

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_QUERY = [
    ("page", pa.int32()),
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("points", pa.binary()),
    ("descriptors", pa.binary()),
]

_SEARCHED = pa.schema(
    [
        ("order", pa.int32()),
        ("error", pa.string()),
        (
            "pages",
            pa.list_(
                pa.struct(
                    [
                        ("page", pa.int32()),
                        ("near", pa.list_(pa.struct([("asset_id", pa.int64()), ("distance", pa.int32())]))),
                    ]
                )
            ),
        ),
        ("queries", pa.list_(pa.struct([*_QUERY, ("keys", pa.list_(pa.int32()))]))),
    ]
)
"""What the first UDF returns per image: each page's global hits, and the pages left to verify."""

_REGISTERED = pa.schema(
    [
        ("key", pa.int32()),
        ("asset_id", pa.int64()),
        ("r_page", pa.int32()),
        ("r_width", pa.int32()),
        ("r_height", pa.int32()),
        ("r_points", pa.binary()),
        ("r_descriptors", pa.binary()),
    ]
)
"""Registered pages' full features, under the candidate index's key."""

_VERIFIED = pa.schema(
    [
        ("order", pa.int32()),
        ("page", pa.int32()),
        ("rank", pa.int32()),
        ("asset_id", pa.int64()),
        ("inliers", pa.int32()),
        ("share", pa.float64()),
        ("scale", pa.float64()),
        ("rotation", pa.float64()),
    ]
)
"""What the second UDF returns: the candidates that verify as matches, by their place in the candidate list."""

_READ = 500  # registered pages read from the store per query


def match_on_spark(
    matcher: AssetMatcher, files: Sequence[Path | str], master: str, limit: int = 10
) -> Iterator[tuple[Path | str, list[AssetMatch] | str]]:
    """Each file's matches (or the message of the error that kept it from being read), in ``files`` order.

    ``files`` are local paths, or URIs of images on one of Spark's Hadoop file systems. ``matcher`` is the
    driver's, over the registry; its session must stay open while this runs. Local files that are missing, or
    whose names Hadoop misreads, are matched here by the local engine, as ``trove scan --engine spark`` hashes
    them: Spark fails a whole job on a path it cannot read.
    """
    spark = spark_session(master)
    hadoop = HadoopFiles(spark)
    keys: dict[Path | str, str] = {}
    failed: dict[Path | str, str] = {}
    for path in files:
        if isinstance(path, str):
            try:
                keys[path] = spark_key(_image_uri(hadoop, path))
            except InputError as error:
                failed[path] = error.message
        elif path.is_file() and hadoop_reads(path):
            keys[path] = spark_key(path)
    remote = list(dict.fromkeys(keys.values()))  # a file named twice is read once
    found: Iterator[tuple[int, list[AssetMatch] | str]] = iter(())
    if remote:
        order = {key: number for number, key in enumerate(remote)}
        images = spark.read.format("binaryFile").load([read_path(key) for key in remote])
        found = _matched(matcher, images.select("path", "content"), _ImageSearcher(order), limit)
    done: dict[str, list[AssetMatch] | str] = {}
    for path in files:
        if path in failed:
            yield path, failed[path]
        elif path in keys:
            while keys[path] not in done:
                number, result = next(found)
                done[remote[number]] = result
            yield path, done[keys[path]]
        else:
            assert isinstance(path, Path)
            try:
                yield path, matcher.match(path, limit)
            except InputError as error:
                yield path, error.message


def _image_uri(hadoop: HadoopFiles, uri: str) -> str:
    """The image file ``uri`` as Hadoop names it (``file:///x`` is ``file:/x``), what ``binaryFile`` reports."""
    if not hadoop.is_file(uri):
        raise InputError("is a folder: match takes image files (trove scan takes folders)")
    (listed,) = hadoop.list(uri)
    return listed.uri


def match_prints_on_spark(
    matcher: AssetMatcher, prints: list[ImagePrints], master: str, limit: int = 10
) -> Iterator[list[AssetMatch]]:
    """The matches of images fingerprinted earlier (a trove's stored prints), in ``prints`` order."""
    if not prints:
        return
    spark = spark_session(master)
    rows = [
        {"order": number, "path": "", "sha256": "", "size": 0, "head": b"", "error": None, **to_arrow_row(image)}
        for number, image in enumerate(prints)
    ]
    stored = spark.createDataFrame(rows, schema=from_arrow_schema(SCHEMA)).select("order", "error", "global", "local")
    for _number, found in _matched(matcher, stored, _PrintsSearcher(), limit):
        assert not isinstance(found, str)  # stored prints decode: no error to report
        yield found


def _matched(
    matcher: AssetMatcher, inputs: DataFrame, searcher: _Searcher, limit: int
) -> Iterator[tuple[int, list[AssetMatch] | str]]:
    """Each input's number and matches (or error message), in order: the steps after the prints are made."""
    spark = inputs.sparkSession
    indexes = spark.sparkContext.broadcast((matcher.index, matcher.features))
    try:
        task = _Search(searcher, indexes, limit)
        # Checkpointed so that both readers below (the driver's, and the join) take the UDF's output once.
        searched = inputs.mapInArrow(task, from_arrow_schema(_SEARCHED)).localCheckpoint()
        verified = _verified(searched, matcher)
        for row in searched.select("order", "error", "pages").orderBy("order").toLocalIterator():
            if row["error"] is not None:
                yield row["order"], str(row["error"])
                continue
            pages = [
                PageHits(
                    page["page"],
                    [(hit["asset_id"], hit["distance"]) for hit in page["near"]],
                    verified.get((row["order"], page["page"]), []),
                )
                for page in row["pages"]
            ]
            yield row["order"], assemble(pages, matcher.assets, limit)
    except Exception as error:  # a task's failure reaches here wrapped in Spark's types
        if isinstance(error, InputError | EngineError):
            raise
        first = first_line(error)
        raise EngineError(f"matching on Spark failed: {first}") from error
    finally:
        indexes.unpersist()


def _registered(spark: SparkSession, matcher: AssetMatcher, keys: list[int]) -> DataFrame:
    """The full features of the registered pages under ``keys`` (candidate index keys) as a DataFrame."""
    wanted = {matcher.pages[key]: key for key in keys}
    columns: dict[str, list[Any]] = {name: [] for name in _REGISTERED.names}
    pairs = list(wanted)
    table = AssetFeatures
    for start in range(0, len(pairs), _READ):
        # Plain rows, not ORM objects: the session's identity map would keep every blob for the whole run.
        rows = matcher.session.execute(
            select(table.asset_id, table.page, table.width, table.height, table.points, table.descriptors).where(
                tuple_(table.asset_id, table.page).in_(pairs[start : start + _READ])
            )
        )
        for asset_id, number, *features in rows:
            values = (wanted[(asset_id, number)], asset_id, number, *features)
            for name, value in zip(columns, values, strict=True):
                columns[name].append(value)
    return spark.createDataFrame(pa.table(columns, schema=_REGISTERED), schema=from_arrow_schema(_REGISTERED))


def _verified(searched: DataFrame, matcher: AssetMatcher) -> dict[tuple[int, int], list[tuple[int, Verification]]]:
    """The candidates that verify, by (image, page), in the order the candidate search listed them."""
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    queries = searched.select("order", F.explode("queries").alias("q"))
    candidates = queries.select(
        "order", *(F.col(f"q.{name}").alias(name) for name, _ in _QUERY), F.posexplode("q.keys").alias("rank", "key")
    )
    # Only the candidates' pages go to Spark: none when every page was a near-duplicate, not the whole registry.
    keys = sorted(int(row["key"]) for row in candidates.select("key").distinct().collect())
    if not keys:
        return {}
    pairs = candidates.join(_registered(searched.sparkSession, matcher, keys), "key")
    found: dict[tuple[int, int], list[tuple[int, int, Verification]]] = {}
    for row in pairs.mapInArrow(_Verifier(), from_arrow_schema(_VERIFIED)).collect():
        result = Verification(row["inliers"], row["share"], row["scale"], row["rotation"])
        found.setdefault((row["order"], row["page"]), []).append((row["rank"], row["asset_id"], result))
    return {where: [(asset, result) for _, asset, result in sorted(hits)] for where, hits in found.items()}


class _Searcher(Protocol):
    """What turns one input row into an image's number and prints (or the message of why it has none)."""

    def __call__(self, row: dict[str, Any]) -> tuple[int, ImagePrints | str]: ...


@dataclass(frozen=True)
class _ImageSearcher:
    """Prints of a ``binaryFile`` row (``path``, ``content``), made as ``assets add --engine spark`` makes them."""

    order: dict[str, int]

    def __call__(self, row: dict[str, Any]) -> tuple[int, ImagePrints | str]:
        key = spark_key(row["path"])
        try:
            return self.order[key], prints_of_bytes(row["content"], key)
        except InputError as error:
            return self.order[key], error.message


@dataclass(frozen=True)
class _PrintsSearcher:
    """Prints stored earlier, as ``fingerprint_on_spark`` hands them over."""

    def __call__(self, row: dict[str, Any]) -> tuple[int, ImagePrints | str]:
        prints = row_prints(row)
        assert isinstance(prints, ImagePrints)  # made from stored prints, never an error or a known digest
        return row["order"], prints


@dataclass(frozen=True)
class _Search:
    """The first UDF: each image's prints, its pages' global hits, and the candidates of the pages left."""

    searcher: _Searcher
    indexes: Any  # a Broadcast of (HashIndex, FeatureIndex)
    limit: int

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        index: HashIndex
        features: FeatureIndex
        index, features = self.indexes.value
        for batch in batches:
            rows = []
            for source in batch.to_pylist():
                number, prints = self.searcher(source)
                row: dict[str, Any] = {"order": number, "error": None, "pages": [], "queries": []}
                if isinstance(prints, str):
                    row["error"] = prints
                    rows.append(row)
                    continue
                for found in search_pages(prints, index, features, self.limit):
                    near = [{"asset_id": asset_id, "distance": distance} for asset_id, distance in found.near]
                    row["pages"].append({"page": found.page, "near": near})
                    if found.query is not None and found.candidates:
                        row["queries"].append({**_query_columns(found.query), "keys": found.candidates})
                rows.append(row)
            yield pa.RecordBatch.from_pylist(rows, schema=_SEARCHED)


def _query_columns(query: LocalFeatures) -> dict[str, Any]:
    # Points at full precision: the local engine verifies the query as extracted, not as the store keeps pages.
    return {
        "page": query.page,
        "width": query.width,
        "height": query.height,
        "points": np.ascontiguousarray(query.points, dtype=np.float32).tobytes(),
        "descriptors": np.ascontiguousarray(query.descriptors, dtype=np.uint8).tobytes(),
    }


def _query(row: dict[str, Any]) -> LocalFeatures:
    points = np.frombuffer(row["points"], dtype=np.float32).reshape(-1, 2)
    descriptors = np.frombuffer(row["descriptors"], dtype=np.uint8).reshape(-1, 32)
    return LocalFeatures(points, descriptors, row["width"], row["height"], row["page"])


@dataclass(frozen=True)
class _Verifier:
    """The second UDF: ``verify`` of each (query page, candidate registered page) pair; only matches come back."""

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = []
            for pair in batch.to_pylist():
                reference = LocalFeatures.from_blobs(
                    pair["r_points"], pair["r_descriptors"], pair["r_width"], pair["r_height"], pair["r_page"]
                )
                result = verify(_query(pair), reference)
                if result is None or not result.is_match:
                    continue
                rows.append(
                    {
                        "order": pair["order"],
                        "page": pair["page"],
                        "rank": pair["rank"],
                        "asset_id": pair["asset_id"],
                        "inliers": result.inliers,
                        "share": result.share,
                        "scale": result.scale,
                        "rotation": result.rotation,
                    }
                )
            yield pa.RecordBatch.from_pylist(rows, schema=_VERIFIED)
