"""A trove scan's costly part on Spark: the SHA-256 and fingerprints of a local folder's files.

The driver lists the regular files under the trove (no archive members: those stay with the local walk) up to
the size a scan decodes, and the executors read them through ``binaryFile`` and the same Arrow UDF as
``assets add`` (:mod:`celtrace.spark.prints`). The scan then walks as on the local engine, taking each file's
digest from here while its size and modification time are unchanged, and the prints of any image whose digest
was fingerprinted here, so the manifest and its hash chain are those of ``--engine duckdb``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from celtrace.assets.prints import ImagePrints
from celtrace.spark.prints import fingerprint_on_spark
from celtrace.trove.limits import Limits
from celtrace.trove.walk import Digest


@dataclass(frozen=True)
class Precomputed:
    """Digests by path, for the walk, and prints by digest, for the scan (only of images that decoded)."""

    digests: dict[Path, Digest] = field(default_factory=dict)
    prints: dict[str, ImagePrints] = field(default_factory=dict)


def precompute_on_spark(master: str, root: Path, limits: Limits, max_bytes: int) -> Precomputed:
    """Hash and fingerprint on Spark every regular file under ``root`` (a folder or a file) of ``max_bytes`` at most."""
    listed = dict(_regular_files(root, 0, limits, max_bytes))
    result = Precomputed()
    for path, digest, size, prints in fingerprint_on_spark(master, list(listed), set(), any_error=True):
        listed_size, mtime_ns = listed[path]
        if size != listed_size:
            continue  # changed while Spark read it: the walk hashes it again
        result.digests[path] = Digest(digest, size, mtime_ns)
        if isinstance(prints, ImagePrints):
            result.prints.setdefault(digest, prints)
    return result


def _regular_files(path: Path, depth: int, limits: Limits, max_bytes: int) -> list[tuple[Path, tuple[int, int]]]:
    """The regular files the walk would open, by the path it builds, with their size and modification time."""
    try:
        status = path.lstat()
    except OSError:
        return []
    if stat.S_ISREG(status.st_mode):
        # An unreadable file would fail the whole Spark job: the walk records it as the local engine does.
        fits = status.st_size <= max_bytes and _spark_reads(path) and os.access(path, os.R_OK)
        return [(path, (status.st_size, status.st_mtime_ns))] if fits else []
    if not stat.S_ISDIR(status.st_mode) or depth > limits.max_folder_depth:
        return []
    try:
        with os.scandir(path) as scan:
            names = sorted((entry.name for entry in scan), key=os.fsencode)
    except OSError:
        return []
    return [found for name in names for found in _regular_files(path / name, depth + 1, limits, max_bytes)]


def _spark_reads(path: Path) -> bool:
    """Whether Spark's Hadoop paths name this file faithfully; others are hashed on the driver.

    Hadoop takes ``:`` for a scheme, ``#`` for a fragment and ``%`` for an escape, and drops control characters;
    names not in UTF-8 have no string to give it.
    """
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(char in ":#%" or ord(char) < 32 or ord(char) == 127 for char in text)
