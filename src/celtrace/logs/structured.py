"""Readers for structured access logs: JSON Lines and CSV, with a field map from event columns to fields.

``ReaderOptions.field_map`` maps an event column (``ts``, ``ip``, ``account``, ``action``, ``object``,
``status``, ``bytes``, ``user_agent``) to a CSV header name or to a JSON key or dotted path (``client.ip``);
a JSON key that itself holds a dot is found too. Columns the map leaves out are looked up among common names
(``DEFAULT_FIELDS``), matched without regard to case, ``_``, ``-`` or spaces. For CSV the header decides once;
for JSON the names found in the first lines are tried in order of preference on each record, since records of
one file need not agree (``"user": "lee"`` here, ``"user": {"name": "kim"}`` there).

Timestamps may be ISO 8601 (with an offset, or local to ``ReaderOptions.timezone``), epoch seconds,
milliseconds or microseconds (told apart by magnitude), or Apache's ``10/Oct/2000:13:55:36 -0700``; they come
out in UTC. A JSON line that is not an object, and a CSV record whose field count differs from the header's, is
a rejected row (``ok`` false, the text in ``raw``). A field that is present but unusable (a status that is not
a number, an address that is not one) is NULL in an accepted row.

Lines are parsed in Python and handed to DuckDB in Arrow batches as it scans (``stream``): memory stays flat.
DuckDB's own ``read_json`` and ``read_csv`` are faster, but they cannot report a line number per record and skip
bad lines rather than return them, which an evidence trail cannot afford.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from celtrace.errors import InputError
from celtrace.logs.addresses import clean_ip
from celtrace.logs.formats import SNIFF_LINES, Format, ReaderOptions, head_lines, mostly
from celtrace.logs.stream import BYTES_LIMIT, STATUS_LIMIT, Row, rejected, relation
from celtrace.logs.text_lines import check_readable, numbered_lines, open_binary
from celtrace.logs.zones import to_utc, zone_of

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "ts": ("timestamp", "time", "@timestamp", "date", "datetime", "ts", "event_time", "eventTime", "time_local"),
    "ip": (
        "ip",
        "client_ip",
        "remote_addr",
        "clientIp",
        "src_ip",
        "source_ip",
        "sourceIPAddress",
        "c-ip",
        "client.ip",
        "source.ip",
        "remote_ip",
    ),
    "account": ("user", "username", "account", "user_id", "userName", "login", "user.name", "remote_user"),
    "action": ("method", "action", "event", "operation", "eventName", "http.request.method", "request_method"),
    "object": ("path", "url", "uri", "object", "key", "request_uri", "url.path", "file", "filename"),
    "status": ("status", "status_code", "statusCode", "http.response.status_code", "sc-status", "response_code"),
    "bytes": ("bytes", "size", "bytes_sent", "body_bytes_sent", "sc-bytes", "http.response.body.bytes"),
    "user_agent": ("user_agent", "ua", "userAgent", "http_user_agent", "user_agent.original", "cs(User-Agent)"),
}
"""Field names recognised for each event column when the field map does not name one, preferred first."""

_EPOCH = datetime(1970, 1, 1)
_APACHE_TIME = "%d/%b/%Y:%H:%M:%S %z"
_DIGITS = re.compile(r"^-?\d+(?:\.\d+)?$")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def _check_field_map(field_map: Mapping[str, str], path: Path) -> None:
    for column in field_map:
        if column not in DEFAULT_FIELDS:
            known = ", ".join(DEFAULT_FIELDS)
            raise InputError(f"field map names {column!r}, which is no event column (known: {known})", file=str(path))


# ---------------------------------------------------------------------------------------------------------------
# Values.


def parse_time(value: object, zone: ZoneInfo) -> datetime | None:
    """A naive UTC datetime from an ISO 8601 string, an Apache time, or epoch seconds/ms/µs; None if none of them."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if _DIGITS.match(text):
            value = float(text)
        else:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                try:
                    moment = datetime.strptime(text, _APACHE_TIME)
                except ValueError:
                    return None
            return to_utc(moment, zone)
    if isinstance(value, int | float):
        number = float(value)
        # Seconds until the year 5138, then milliseconds, microseconds: no log is that far in the future.
        for scale in (1.0, 1e3, 1e6, 1e9):
            if abs(number) < 1e11 * scale:
                try:
                    return datetime.fromtimestamp(number / scale, UTC).replace(tzinfo=None)
                except (OverflowError, OSError, ValueError):
                    return None
    return None


def _integer(value: object, limit: int) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and -limit <= value < limit else None


def _text(value: object) -> str | None:
    if value is None or value in ("", "-"):  # "-" is how access logs write "none"
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _address(value: object) -> str | None:
    """The client in a field that may hold ``addr:port``, ``[v6]:port`` or an X-Forwarded-For list."""
    text = _text(value)
    if text is None:
        return None
    first = text.split(",")[0].strip()
    if first.startswith("["):
        return clean_ip(first[1:].split("]")[0])
    if first.count(":") == 1:
        first = first.split(":")[0]
    return clean_ip(first)


def _event(number: int, values: list[object], zone: ZoneInfo) -> Row:
    ts, ip, account, action, obj, status, size, agent = values
    return (
        number,
        parse_time(ts, zone),
        _address(ip),
        _text(account),
        _text(action),
        _text(obj),
        _integer(status, STATUS_LIMIT),
        _integer(size, BYTES_LIMIT),
        _text(agent),
        True,
        None,
    )


# ---------------------------------------------------------------------------------------------------------------
# JSON Lines.

_MISSING = object()


# json.loads makes plain dicts; ``type(x) is dict`` below is several times faster than an ABC isinstance check.


def _lookup(record: dict[str, Any], name: str) -> object:
    """The value at key ``name``, else at dotted path ``name``; ``_MISSING`` when neither is there."""
    value: object = record.get(name, _MISSING)
    if value is not _MISSING or "." not in name:
        return value
    value = record
    for part in name.split("."):
        if type(value) is not dict or part not in value:
            return _MISSING
        value = value[part]
    return value


def _paths(record: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """The key paths that lead to values rather than to nested objects."""
    for key, value in record.items():
        if type(value) is dict:
            yield from _paths(value, f"{prefix}{key}.")
        else:
            yield prefix + key


def _candidates(seen: set[str], field_map: Mapping[str, str]) -> dict[str, list[str]]:
    """For each event column, the fields to try in order: the user's, else the defaults present in the sample.

    A default is matched exactly, else ignoring case, ``_``, ``-`` and spaces (``Client IP`` is ``client_ip``).
    """
    by_norm: dict[str, str] = {}
    for name in sorted(seen):
        by_norm.setdefault(_norm(name), name)
    chosen: dict[str, list[str]] = {}
    for column, defaults in DEFAULT_FIELDS.items():
        if column in field_map:
            chosen[column] = [field_map[column]]
            continue
        names = [name if name in seen else by_norm.get(_norm(name)) for name in defaults]
        chosen[column] = list(dict.fromkeys(name for name in names if name is not None))
    return chosen


def _first_value(record: dict[str, Any], names: list[str]) -> object:
    # Records of one file need not agree: one names the user "user", the next nests it as "user.name".
    for name in names:
        value = _lookup(record, name)
        if value is not _MISSING and type(value) is not dict:
            return value
    return None


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def read_jsonl(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Events from JSON Lines: one object a line, fields picked by ``options.field_map`` or by common names."""
    check_readable(path)
    _check_field_map(options.field_map, path)
    zone = zone_of(options, path)
    seen: set[str] = set()
    for line in head_lines(path):
        record = _json_object(line.removeprefix("\ufeff"))
        if record is not None:
            seen.update(_paths(record))
    fields = list(_candidates(seen, options.field_map).values())

    def rows() -> Iterator[Row]:
        for number, text in numbered_lines(path):
            record = _json_object(text)
            if record is None:
                yield rejected(number, text)
                continue
            yield _event(number, [_first_value(record, names) for names in fields], zone)

    return relation(con, rows)


def sniff_jsonl(lines: list[str]) -> bool:
    """Most lines are JSON objects."""
    lines = [line.removeprefix("\ufeff") for line in lines[:SNIFF_LINES]]
    return mostly(lines, lambda line: line.lstrip().startswith("{") and _json_object(line) is not None)


# ---------------------------------------------------------------------------------------------------------------
# CSV.


class _LineTap:
    """Feeds lines to ``csv.reader`` while keeping the text and first line number of the record being read."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines
        self.number = 0  # the last physical line handed out
        self.start = 0  # the first line of the current record
        self.taken: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for chunk in self._lines:
            self.number += 1
            text = chunk.decode("utf-8", "replace")
            if self.number == 1:
                text = text.removeprefix("\ufeff")  # spreadsheets start their CSV with a byte order mark
            if not self.taken:
                self.start = self.number
            self.taken.append(text)
            yield text

    def record_text(self) -> str:
        """The lines of the record just read, line endings dropped, and a fresh start for the next."""
        text = "\n".join(line.rstrip("\r\n") for line in self.taken)
        self.taken = []
        return text


def _csv_records(path: Path) -> Iterator[tuple[int, list[str] | None, str]]:
    """Each non-blank record: its first line number, its fields (None when csv cannot read it) and its text."""
    with open_binary(path) as handle:
        tap = _LineTap(iter(handle))
        reader = csv.reader(tap)
        while True:
            try:
                fields: list[str] | None = next(reader)
            except StopIteration:
                break
            except csv.Error:
                fields = None  # a bad quote or an over-long field: the record's lines become one rejected row
            text = tap.record_text()
            if fields == [] or (fields is not None and not text.strip()):
                continue
            yield tap.start, fields, text


def _csv_header(path: Path) -> list[str]:
    for _, fields, _ in _csv_records(path):
        return fields or []
    return []


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Events from a CSV access log with a header row; columns picked by ``options.field_map`` or common names."""
    check_readable(path)
    _check_field_map(options.field_map, path)
    zone = zone_of(options, path)
    header = _csv_header(path)
    missing = [name for name in options.field_map.values() if name not in header]
    if missing:
        raise InputError(f"the CSV header has no column {missing[0]!r} named in the field map", file=str(path))
    chosen = [names[0] if names else None for names in _candidates(set(header), options.field_map).values()]
    positions = [None if name is None else header.index(name) for name in chosen]

    def rows() -> Iterator[Row]:
        records = _csv_records(path)
        next(records, None)  # the header
        for number, fields, text in records:
            if fields is None or len(fields) != len(header):
                yield rejected(number, text)
                continue
            yield _event(number, [None if at is None else fields[at] for at in positions], zone)

    return relation(con, rows)


def sniff_csv(lines: list[str]) -> bool:
    """A header row naming a timestamp or address column and one more known column, and rows of its width."""
    if len(lines) < 2:
        return False
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines[:SNIFF_LINES]).removeprefix("\ufeff"))))
    except csv.Error:
        return False
    header, body = rows[0], [row for row in rows[1:] if row]
    if len(header) < 2 or not body:
        return False
    chosen = {column for column, names in _candidates(set(header), {}).items() if names}
    if len(chosen) < 2 or not ({"ts", "ip"} & chosen):
        return False
    return sum(1 for row in body if len(row) == len(header)) >= 0.8 * len(body)


FORMATS: list[Format] = [
    Format("jsonl", "JSON Lines access log, one object a line, with a field map", sniff_jsonl, read_jsonl),
    Format("csv", "CSV access log with a header row, with a field map", sniff_csv, read_csv),
]
"""The structured formats; JSON first, as a CSV sniff is the looser test."""
