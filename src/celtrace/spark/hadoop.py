"""Inputs on a Hadoop file system (``s3a://``, ``hdfs://``, ``gs://``, ``abfs://``, ``file://``), through Spark's JVM.

``--engine spark`` takes such URIs wherever a command takes a path: the files are listed, stat'ed and, where the
driver must see bytes (a log's first lines, an archive, a document), read through the same Hadoop file system
Spark's readers use, so whatever connector and credentials the session is configured with (docs/scaling.md)
serve both. Bulk reading (parsing, hashing, fingerprinting) stays on the executors: :func:`digests` hashes every
file with Spark's built-in ``sha2`` over the ``binaryFile`` source, in the JVM, and only files too large to hold
in a task's memory are hashed by the driver's JVM, still without their bytes crossing into Python.

A file is named by ``Path.toString()`` of Hadoop's listing: what the ``binaryFile`` source puts in its ``path``
column and what ``text`` and ``binaryFile`` read back, so the names match across the two without decoding.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celtrace.errors import InputError
from celtrace.spark.session import read_path

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")

EXECUTOR_HASH_BYTES = 512 * 1024 * 1024
"""Files up to this size are hashed on the executors, each held whole in a task's memory (``binaryFile``); larger
ones are streamed through the driver's JVM."""

_CHUNK = 1 << 20


def is_uri(text: str | Path) -> bool:
    """Whether an argument names a file system by scheme (``s3a://bucket/x``, ``file:///x``), not a local path."""
    return isinstance(text, str) and bool(_URI.match(text))


def as_input(text: str) -> Path | str:
    """A command-line argument as an input: a URI stays text, anything else is a local path."""
    return text if is_uri(text) else Path(text)


def local_path(path: Path | str) -> Path:
    """``path`` as a local path; a URI is an :class:`InputError`, since only Spark reads its file systems."""
    if is_uri(path):
        raise InputError("a URI is read through Spark's file systems: add --engine spark", file=str(path))
    return Path(path)


def spark_key(name: Path | str) -> str:
    """A file as ``binaryFile`` names it (``file:/a/b c.png``, ``s3a://bucket/k``) and as the driver does, made
    comparable: a local file by its absolute path. Hadoop's names are not percent-encoded, so nothing is decoded:
    a ``#`` or ``%`` in an object key stays what it is."""
    if isinstance(name, Path):
        # Hadoop drops ``..`` from the paths it reports, as abspath does; Path.absolute would keep them, and
        # Path.resolve would follow links, which Hadoop does not.
        return os.path.abspath(name)  # noqa: PTH100
    if name.startswith("file:"):
        return "/" + name.removeprefix("file:").lstrip("/")
    return name


def hadoop_reads(path: Path) -> bool:
    """Whether Spark's Hadoop paths name this local file faithfully; others are read on the driver.

    Hadoop takes ``:`` for a scheme, ``#`` for a fragment and ``%`` for an escape, and drops control characters;
    names not in UTF-8 have no string to give it.
    """
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(char in ":#%" or ord(char) < 32 or ord(char) == 127 for char in text)


@dataclass(frozen=True)
class RemoteFile:
    """A file as a Hadoop file system lists it: its name there, size, modification time and place below its root."""

    uri: str
    size: int
    mtime_ms: int
    segments: tuple[str, ...]

    @property
    def name(self) -> str:
        """The file's own name, the last segment of its path."""
        return self.segments[-1]

    def __str__(self) -> str:
        return self.uri


class HadoopFiles:
    """Listing, opening and copying files through the session's Hadoop file systems, with errors as InputError."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self._jvm: Any = spark._jvm  # PySpark has no public handle on the JVM
        self._conf = spark._jsc.hadoopConfiguration()

    def list(self, uri: str) -> list[RemoteFile]:
        """The files under ``uri`` (a folder, walked to any depth, or one file), sorted by name.

        A root that does not exist, or a scheme with no connector on the classpath, is an :class:`InputError`.
        """
        path, fs = self._resolve(uri)
        with _java_errors(uri, "cannot list"):
            status = fs.getFileStatus(path)
            root = status.getPath().toString()
            if status.isFile():
                return [RemoteFile(root, status.getLen(), status.getModificationTime(), (status.getPath().getName(),))]
            found = []
            listing = fs.listFiles(status.getPath(), True)
            while listing.hasNext():
                entry = listing.next()
                name = entry.getPath().toString()
                relative = name[len(root) :].lstrip("/")
                found.append(RemoteFile(name, entry.getLen(), entry.getModificationTime(), tuple(relative.split("/"))))
        # Sorted as the local walk sorts: by the bytes of each segment, folder by folder.
        return sorted(found, key=lambda file: [segment.encode("utf-8", "surrogateescape") for segment in file.segments])

    def is_file(self, uri: str) -> bool:
        """Whether ``uri`` names a file rather than a folder; :class:`InputError` if it names nothing."""
        path, fs = self._resolve(uri)
        with _java_errors(uri, "cannot open"):
            return bool(fs.getFileStatus(path).isFile())

    def open(self, uri: str) -> io.BufferedReader:
        """A buffered, read-only stream of the file's bytes (for heads and small files: bytes cross Py4J slowly)."""
        path, fs = self._resolve(uri)
        with _java_errors(uri, "cannot read"):
            return io.BufferedReader(_JavaStream(fs.open(path)), _CHUNK)

    def copy_to(self, uri: str, target: Path) -> None:
        """Copy the file to a local path, in the JVM (archives are walked from a local copy)."""
        path, fs = self._resolve(uri)
        with _java_errors(uri, "cannot copy"):
            # Raw local file system: no ``.crc`` file beside the copy.
            fs.copyToLocalFile(False, path, self._jvm.org.apache.hadoop.fs.Path(target.as_uri()), True)

    def sha256(self, uri: str) -> str:
        """The file's SHA-256, streamed through the driver's JVM (commons-codec ships with Spark)."""
        path, fs = self._resolve(uri)
        with _java_errors(uri, "cannot read"):
            stream = fs.open(path)
            try:
                return str(self._jvm.org.apache.commons.codec.digest.DigestUtils.sha256Hex(stream))
            finally:
                stream.close()

    def digests(self, files: Iterable[RemoteFile]) -> dict[str, str]:
        """SHA-256 of each file by URI: on the executors (Spark's ``sha2``), the largest on the driver's JVM."""
        from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

        files = list(files)
        small = [file.uri for file in files if file.size <= EXECUTOR_HASH_BYTES]
        found: dict[str, str] = {}
        if small:
            with _java_errors(None, "cannot hash on Spark"):
                rows = (
                    self.spark.read.format("binaryFile")
                    .load([read_path(uri) for uri in small])
                    .select("path", F.sha2("content", 256).alias("sha256"))
                    .collect()
                )
            found.update((row["path"], row["sha256"]) for row in rows)
        for file in files:
            if file.uri not in found:  # too large for a task, or changed into something Spark skipped
                found[file.uri] = self.sha256(file.uri)
        return found

    def _resolve(self, uri: str) -> tuple[Any, Any]:
        with _java_errors(uri, "cannot open"):
            path = self._jvm.org.apache.hadoop.fs.Path(uri)
            return path, path.getFileSystem(self._conf)


class _JavaStream(io.RawIOBase):
    """A Hadoop ``FSDataInputStream`` as a Python raw stream: each read is one Py4J call returning bytes."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = bytes(self._stream.readNBytes(min(len(view), _CHUNK)))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


@contextmanager
def _java_errors(uri: str | None, doing: str) -> Iterator[None]:
    """Turns a Java exception raised through Py4J into one :class:`InputError` naming the file and the cause.

    PySpark converts some Java exceptions to its own types on the way (``IllegalArgumentException`` for a host
    it cannot resolve); the others arrive as Py4J's.
    """
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
    from pyspark.errors.exceptions.captured import CapturedException

    try:
        yield
    except Py4JJavaError as error:
        java = error.java_exception
        raise InputError(_describe(str(java.getClass().getSimpleName()), java.getMessage(), doing), file=uri) from error
    except CapturedException as error:
        raise InputError(_describe(type(error).__name__, str(error), doing), file=uri) from error


def _describe(name: str, message: object, doing: str) -> str:
    lines = str(message or "").strip().splitlines()
    first = lines[0] if lines else name
    if name == "FileNotFoundException":
        return "no such file or folder"
    # No connector: Hadoop knows no file system for the scheme, or knows its class but the jar is missing.
    if name == "UnsupportedFileSystemException" or "ClassNotFoundException" in first:
        return f"{doing}: Spark has no connector for it ({first}): see docs/scaling.md, Object storage"
    return f"{doing}: {name}: {first}"
