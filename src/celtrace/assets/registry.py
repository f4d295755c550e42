"""The asset registry: drawings a studio sends out, with their fingerprints (``matcher`` searches it).

``add_assets`` is idempotent (an asset is known by its SHA-256) and commits in batches, so an interrupted
registration keeps what it did. Each page gets a PDQ fingerprint and its local features, made exactly as
a query's are (``prints``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from sqlalchemy import select

from celtrace.assets.images import SUFFIXES
from celtrace.assets.matcher import GLOBAL_METHOD
from celtrace.assets.prints import ImagePrints, prints_of_file
from celtrace.errors import InputError
from celtrace.spark.hadoop import is_uri, local_path
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Asset, AssetFeatures, FingerprintRow

if TYPE_CHECKING:
    from celtrace.spark.hadoop import HadoopFiles

BATCH = 200
_EPISODE = re.compile(r"(?i)(?<![a-z0-9])(s\d{1,2}e\d{1,3}|ep?\d{2,4})(?![a-z0-9])")
_SCENE = re.compile(r"(?i)(?<![a-z])(?:sc|scene)[_-]?(\d{1,4})(?!\d)")
_CUT = re.compile(r"(?i)(?<![a-z])(?:cut|c)[_-]?(\d{1,4})(?!\d)")


@dataclass
class AddSummary:
    """What one ``assets add`` did."""

    registered: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def add_assets(
    workspace: Workspace,
    paths: Iterable[Path | str],
    production: str,
    episode: str | None = None,
    on_file: Callable[[Path | str], None] | None = None,
    engine: str = "duckdb",
) -> AddSummary:
    """Register the images under ``paths`` for ``production``; a file that cannot be read is reported, not fatal.

    ``engine`` fingerprints them: ``duckdb`` (the local engine) in this process, or ``spark``
    (``celtrace.spark.prints``), which runs the same fingerprint code on the cluster's executors; what is
    stored, and in which order, is the same. On ``spark`` a path may also be a URI on one of Spark's Hadoop file
    systems (``s3a://bucket/frames/``), listed through them and read by the executors alone.
    """
    if not production.strip():
        raise InputError("--production must name the production")
    if engine not in ("duckdb", "spark"):
        raise InputError(f"unknown engine {engine!r}: choose duckdb or spark")
    summary = AddSummary()
    with workspace.session() as session:
        known = set(session.scalars(select(Asset.sha256)))
    if engine == "spark":
        from celtrace.spark.hadoop import HadoopFiles
        from celtrace.spark.prints import fingerprint_on_spark
        from celtrace.spark.session import spark_session

        hadoop = HadoopFiles(spark_session(workspace.settings.spark_master))
        printed = fingerprint_on_spark(workspace.settings.spark_master, list(_spark_images(paths, hadoop)), known)
    else:
        printed = _fingerprinted(list(image_files(local_path(path) for path in paths)), known)
    batch: list[tuple[Path | str, str, int, ImagePrints]] = []
    for path, digest, size, prints in printed:
        if on_file:
            on_file(path)
        if digest in known or prints is None:
            summary.already += 1
            continue
        if isinstance(prints, str):
            summary.failed.append((str(path), prints))
            continue
        known.add(digest)
        batch.append((path, digest, size, prints))
        if len(batch) >= BATCH:
            summary.registered += _store(workspace, batch, production, episode)
            batch = []
    summary.registered += _store(workspace, batch, production, episode)
    return summary


Printed = tuple[Path | str, str, int, ImagePrints | str | None]
"""A file (a local path or a URI), its SHA-256 and size, and its prints: an error message when it cannot be
read, None when known."""


def _fingerprinted(files: Iterable[Path], known: set[str]) -> Iterator[Printed]:
    """Each file's digest and prints, in this process; files already registered are not fingerprinted.

    ``known`` is read as each file comes, so that a copy of a file registered earlier in this run is skipped.
    """
    for path in files:
        digest, size = file_digest(path)
        if digest in known:
            yield path, digest, size, None
            continue
        try:
            yield path, digest, size, prints_of_file(path)
        except InputError as error:
            yield path, digest, size, error.message


def _store(
    workspace: Workspace, batch: list[tuple[Path | str, str, int, ImagePrints]], production: str, episode: str | None
) -> int:
    if not batch:
        return 0
    with workspace.change("assets add", production=production, files=len(batch)) as change:
        for path, digest, size, prints in batch:
            asset = Asset(
                sha256=digest,
                path=str(path),
                production=production,
                episode=episode or _find(_EPISODE, path),
                scene=_scene(path),
                size=size,
                pages=prints.pages,
                registered_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            change.session.add(asset)
            change.session.flush()
            change.session.add_all(
                FingerprintRow(asset_id=asset.id, page=fp.page, method=GLOBAL_METHOD, code=fp.hex(), quality=fp.quality)
                for fp in prints.global_prints
            )
            change.session.add_all(
                AssetFeatures(asset_id=asset.id, page=f.page, width=f.width, height=f.height, points=p, descriptors=d)
                for f in prints.local
                for p, d in [f.to_blobs()]
            )
    return len(batch)


def file_digest(path: Path) -> tuple[str, int]:
    """Digest and size, streamed: a multi-page TIFF can be hundreds of megabytes."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _find(pattern: re.Pattern[str], path: Path | str) -> str | None:
    """The last match of ``pattern`` in the path (the file name wins over its folders)."""
    found = pattern.findall(str(path))
    return found[-1].upper() if found else None


def _scene(path: Path | str) -> str | None:
    """Scene and cut as the file name gives them: ``sc012_cut003.png`` → ``SC012 CUT003``."""
    name = str(path).rsplit("/", 1)[-1]
    scene, cut = _find(_SCENE, name), _find(_CUT, name)
    return " ".join(part for part in (scene and f"SC{scene}", cut and f"CUT{cut}") if part) or None


def image_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and the image files under the folders named, in order; a missing path is an error."""
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", file=str(path))
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def _spark_images(paths: Iterable[Path | str], hadoop: HadoopFiles) -> Iterator[Path | str]:
    """As :func:`image_files`, and a URI's images listed through Spark's Hadoop file systems, kept as URIs."""
    for path in paths:
        if not is_uri(path):
            yield from image_files([Path(path)])
        elif hadoop.is_file(str(path)):  # a file named is read whatever its suffix, as a local one is
            yield from (file.uri for file in hadoop.list(str(path)))
        else:
            yield from (
                file.uri for file in hadoop.list(str(path)) if PurePosixPath(file.name).suffix.lower() in SUFFIXES
            )
