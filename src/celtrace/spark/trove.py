"""A trove scan's costly part on Spark: the SHA-256 and fingerprints of a trove's files, on the executors.

A local folder: the driver lists the regular files under the trove (no archive members: those stay with the
local walk) up to the size a scan decodes, and the executors read them through ``binaryFile`` and the same Arrow
UDF as ``assets add`` (:mod:`celtrace.spark.prints`). The scan then walks as on the local engine, taking each
file's digest from here while its size and modification time are unchanged, and the prints of any image whose
digest was fingerprinted here, so the manifest and its hash chain are those of ``--engine duckdb``.

A trove on a Hadoop file system (``s3a://bucket/dump/``): :func:`walk_on_spark` lists it there and yields the
items the local walk would for the same files, from what the executors read (digest, size, first bytes,
prints): a plain file's bytes never reach the driver unless a document reader, OCR or a watermark needs them.
Archives, and files larger than a scan decodes, are copied to the driver's spool folder (in the JVM) and walked
there as local files, members and all.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from celtrace.assets.prints import ImagePrints
from celtrace.errors import InputError
from celtrace.spark.hadoop import HadoopFiles, RemoteFile, hadoop_reads
from celtrace.spark.prints import SparkRead, fingerprint_on_spark, read_on_spark
from celtrace.spark.session import spark_session
from celtrace.trove.items import ARCHIVE_KINDS, Status, TroveItem, extension_lies, sniff
from celtrace.trove.limits import Limits
from celtrace.trove.walk import Digest, walk_stream


@dataclass(frozen=True)
class Precomputed:
    """Digests by path, for the walk, and prints by digest, for the scan (None: the file would not decode)."""

    digests: dict[Path, Digest] = field(default_factory=dict)
    prints: dict[str, ImagePrints | None] = field(default_factory=dict)


def precompute_on_spark(master: str, root: Path, limits: Limits, max_bytes: int) -> Precomputed:
    """Hash and fingerprint on Spark every regular file under ``root`` (a folder or a file) of ``max_bytes`` at most."""
    listed = dict(_regular_files(root, 0, limits, max_bytes))
    result = Precomputed()
    for path, digest, size, prints in fingerprint_on_spark(master, list(listed), set(), any_error=True):
        assert isinstance(path, Path)  # local files in, local files out
        listed_size, mtime_ns = listed[path]
        if size != listed_size:
            continue  # changed while Spark read it: the walk hashes it again
        result.digests[path] = Digest(digest, size, mtime_ns)
        if prints is not None:
            result.prints.setdefault(digest, _decoded(prints))
    return result


def walk_on_spark(
    master: str, root: str, limits: Limits, max_bytes: int, spool: Path
) -> tuple[Iterator[TroveItem], dict[str, ImagePrints | None]]:
    """The items under ``root`` (a URI), in the local walk's order, and the prints of its files by digest (None
    for a file that would not decode: the scan does not try it again).

    The executors read every file of ``max_bytes`` at most before this returns; the items come as the scan
    asks for them. A ``root`` that names nothing is an :class:`InputError`.
    """
    hadoop = HadoopFiles(spark_session(master))
    listed = hadoop.list(root)
    read = [file.uri for file in listed if file.size <= max_bytes and _depth(file) <= limits.max_folder_depth]
    reads = {found.file: found for found in read_on_spark(master, read, set(), any_error=True)}
    prints = {found.sha256: _decoded(found.prints) for found in reads.values() if found.prints is not None}
    return _remote_items(hadoop, listed, reads, limits, spool), prints


def _remote_items(
    hadoop: HadoopFiles, listed: list[RemoteFile], reads: dict[Path | str, SparkRead], limits: Limits, spool: Path
) -> Iterator[TroveItem]:
    too_deep: set[tuple[str, ...]] = set()
    for file in listed:
        folders = tuple(name + "/" for name in file.segments[:-1])
        if _depth(file) > limits.max_folder_depth:
            # As the local walk: one item for the first folder too deep, nothing below it.
            prefix = folders[: limits.max_folder_depth + 1]
            if prefix not in too_deep:
                too_deep.add(prefix)
                yield TroveItem(prefix, Status.TOO_DEEP, f"folder nesting deeper than {limits.max_folder_depth}")
            continue
        segments = (*folders, file.name)
        found = reads.get(file.uri)
        if found is not None and found.size == file.size:
            kind = sniff(found.head)
            if kind not in ARCHIVE_KINDS:
                yield TroveItem(
                    segments,
                    size=found.size,
                    sha256=found.sha256,
                    kind=kind,
                    extension_lies=extension_lies(file.name, kind),
                    opener=partial(hadoop.open, file.uri),
                )
                continue
        yield from _spooled(hadoop, file.uri, segments, limits, spool)


def _spooled(
    hadoop: HadoopFiles, uri: str, segments: tuple[str, ...], limits: Limits, spool: Path
) -> Iterator[TroveItem]:
    """Walk a local copy of the file: an archive's members, or a file the executors did not read."""
    spool.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="remote-", dir=spool)
    os.close(handle)
    copy = Path(name)
    try:
        try:
            hadoop.copy_to(uri, copy)
        except InputError as error:
            yield TroveItem(segments, Status.UNREADABLE, error.message)
            return
        # The copy lives until the walk moves past this file: the items' openers read it while it stands here.
        yield from walk_stream(segments, lambda: copy.open("rb"), None, None, 0, limits)
    finally:
        copy.unlink(missing_ok=True)


def _decoded(prints: ImagePrints | str) -> ImagePrints | None:
    # Every file is fingerprinted on the executors; what is not an image gives an error message, as hostile bytes
    # do, and the scan fingerprints neither again.
    return prints if isinstance(prints, ImagePrints) else None


def _depth(file: RemoteFile) -> int:
    return len(file.segments) - 1


def _regular_files(path: Path, depth: int, limits: Limits, max_bytes: int) -> list[tuple[Path, tuple[int, int]]]:
    """The regular files the walk would open, by the path it builds, with their size and modification time."""
    try:
        status = path.lstat()
    except OSError:
        return []
    if stat.S_ISREG(status.st_mode):
        # An unreadable file would fail the whole Spark job: the walk records it as the local engine does.
        fits = status.st_size <= max_bytes and hadoop_reads(path) and os.access(path, os.R_OK)
        return [(path, (status.st_size, status.st_mtime_ns))] if fits else []
    if not stat.S_ISDIR(status.st_mode) or depth > limits.max_folder_depth:
        return []
    try:
        with os.scandir(path) as scan:
            names = sorted((entry.name for entry in scan), key=os.fsencode)
    except OSError:
        return []
    return [found for name in names for found in _regular_files(path / name, depth + 1, limits, max_bytes)]
