"""A log file's lines as text, for the readers that parse them in Python (syslog, FTP logs, JSON Lines, CSV).

Gzip is recognised by its magic bytes, whatever the file is called. Line numbers are the file's own: 1-based,
blank lines counted but not yielded. Bytes that are not UTF-8 are decoded leniently (U+FFFD), since a rejected
line is still worth showing.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from io import BufferedReader
from pathlib import Path

from celtrace.errors import InputError
from celtrace.logs.formats import is_gzip


def open_binary(path: Path) -> gzip.GzipFile | BufferedReader:
    """The file opened for reading bytes, decompressing gzip whatever the file's name."""
    try:
        return gzip.GzipFile(path, "rb") if is_gzip(path) else path.open("rb")
    except OSError as error:
        raise InputError(f"cannot read log file: {error}", file=str(path)) from error


def check_readable(path: Path) -> None:
    """Raise :class:`InputError` now, while the caller can still report it, if the file cannot be read to its end.

    Reading is lazy (DuckDB pulls batches when a query runs), and an error raised in the middle of a scan would
    reach the user as an engine error with our message buried inside. A corrupt or truncated gzip stream is the
    one failure that hides inside an otherwise readable file, so gzip files are decompressed once here (cheap
    next to parsing) and plain files are only opened.
    """
    if not path.is_file():
        raise InputError("no such log file", file=str(path))
    if not is_gzip(path):
        return
    try:
        with gzip.open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"damaged or truncated gzip data: {error}", file=str(path)) from error


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Each non-blank line with its 1-based line number, line ending removed, decoded as UTF-8 leniently."""
    with open_binary(path) as handle:
        for number, chunk in enumerate(handle, 1):
            text = chunk.rstrip(b"\r\n").decode("utf-8", "replace")
            if number == 1:
                text = text.removeprefix("\ufeff")  # a byte order mark is no part of the first record
            if text.strip():
                yield number, text
