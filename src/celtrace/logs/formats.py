"""The log formats celtrace reads, and sniffing which one a file is in.

Each format is a :class:`Format`: a name, a test on the first lines of a file, and a reader that turns the
file into a DuckDB relation of events (``events.COLUMNS``). Each family lists its formats in its own module
(``web`` for HTTP server, CDN and storage logs, ``system`` for syslog, SSH, firewall and FTP logs,
``structured`` for JSON Lines and CSV with a user's field map); this module only gathers them, and holds what
every family's sniffing and reading needs.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from celtrace.errors import InputError

SNIFF_LINES = 20
"""Lines read from the top of a file to recognise its format."""

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ReaderOptions:
    """What a user can tell a reader that the file does not say."""

    log_format: str | None = None  # nginx ``log_format`` string, for nginx logs with a custom format
    field_map: Mapping[str, str] = field(default_factory=dict)  # event column -> field name (JSON Lines, CSV)
    year: int | None = None  # for formats whose timestamps omit the year (syslog)
    timezone: str = "UTC"  # for formats whose timestamps carry no zone (syslog, xferlog)


Reader = Callable[[duckdb.DuckDBPyConnection, Path, ReaderOptions], duckdb.DuckDBPyRelation]


@dataclass(frozen=True)
class Format:
    """One log format: how to recognise it and how to read it."""

    name: str
    description: str
    sniff: Callable[[list[str]], bool]
    read: Reader


def formats() -> dict[str, Format]:
    """Every known format by name, in the order sniffing tries them (most specific first)."""
    from celtrace.logs import structured, system, web

    ordered = [*web.FORMATS, *system.FORMATS, *structured.FORMATS]
    return {fmt.name: fmt for fmt in ordered}


def head_lines(path: Path, count: int = SNIFF_LINES) -> list[str]:
    """The first non-empty lines of a log file, gzip or not, decoded leniently."""
    try:
        with path.open("rb") as raw:
            return read_head_lines(raw, str(path), count)
    except OSError as error:
        raise InputError(f"cannot read log file: {error}", file=str(path)) from error


def read_head_lines(raw: io.BufferedReader, name: str, count: int = SNIFF_LINES) -> list[str]:
    """The first non-empty lines of an open log stream (a local file, or one on a Hadoop file system)."""
    try:
        handle: io.BufferedIOBase = gzip.GzipFile(fileobj=raw) if raw.peek(2)[:2] == GZIP_MAGIC else raw
        lines: list[str] = []
        for chunk in handle:
            text = chunk.decode("utf-8", "replace").rstrip("\r\n")
            if text.strip():
                lines.append(text)
            if len(lines) >= count:
                break
        return lines
    except (OSError, EOFError) as error:
        raise InputError(f"cannot read log file: {error}", file=name) from error


def sniff(path: Path) -> Format:
    """The format of the log file at ``path``; a file no format recognises is an :class:`InputError`."""
    return sniff_lines(head_lines(path), str(path))


def sniff_lines(lines: list[str], name: str) -> Format:
    """The format of the log file ``name`` whose first lines are ``lines``."""
    if not lines:
        raise InputError("empty file: no log lines", file=name)
    for fmt in formats().values():
        if fmt.sniff(lines):
            return fmt
    known = ", ".join(formats())
    raise InputError(f"not a log format celtrace reads (known: {known}); use --format to force one", file=name)


def mostly(lines: list[str], test: Callable[[str], bool], share: float = 0.8) -> bool:
    """True when there are sniffed lines and at least ``share`` of them pass ``test``: other lines may mix in."""
    return bool(lines) and sum(1 for line in lines if test(line)) >= share * len(lines)


def is_gzip(path: Path) -> bool:
    """True when the file starts with gzip's magic bytes, whatever its name says."""
    with path.open("rb") as raw:
        return raw.read(2) == GZIP_MAGIC
