"""Syslog files: RFC 3164 (classic), RFC 5424, and ISO-stamped lines, read in Python a line at a time.

This module reads the frame of each line (time, host, program); what the message says is read by
``syslog_messages`` (sshd, PAM, FTP daemons, and the kernel's firewall lines). Lines stream into DuckDB through
``stream``; no file is ever held in memory whole. A line that does not parse becomes a row with ``ok`` false and
the line in ``raw``; line numbers are the file's own (1-based, blank lines counted but not emitted).

Classic syslog timestamps (``Dec 10 06:55:46``) have neither year nor zone. The reader takes the year from
``ReaderOptions.year`` (the year of the file's first line) and the zone from ``ReaderOptions.timezone`` (an
IANA name; the default is UTC); every timestamp is converted to UTC. When no year is given, the file's
modification year is taken as the year of its *last* line, since the file was last written then, and the
years before each year wrap in the file count backwards from it. A wrap is the month going back by two or
more (Dec then Jan); a step back of one month is lines logged slightly out of order, not a new year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from celtrace.logs.formats import ReaderOptions, mostly
from celtrace.logs.stream import Row, rejected, relation
from celtrace.logs.syslog_messages import message_fields
from celtrace.logs.text_lines import check_readable, numbered_lines
from celtrace.logs.zones import to_utc, zone_of

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_MONTH = f"(?P<mon>{'|'.join(_MONTH_NAMES)})"
_RFC3164 = re.compile(
    rf"^(?:<\d{{1,3}}>)?{_MONTH} {{1,2}}(?P<day>\d{{1,2}}) (?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)(?:\.\d+)?"
    r" +(?P<host>\S+) +(?P<rest>.*)$"
)
# rsyslog's high-precision file format and journalctl -o short-iso: an ISO timestamp, usually with its zone.
_ISO_SYSLOG = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) +(?P<host>\S+) +(?P<rest>.*)$"
)
_RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<version>\d{1,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    r'(?P<sd>-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (?P<msg>.*))?$'
)
_TAG = re.compile(r"^(?P<prog>[^\s\[:]+(?:\([^)\s]*\))?)(?:\[(?P<pid>[^\]\s]*)\])?: ?(?P<msg>.*)$")


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        return None


def _month_of(text: str) -> int | None:
    found = _RFC3164.match(text)
    return _MONTHS[found["mon"]] if found else None


def _wraps(previous: int | None, month: int) -> bool:
    return previous is not None and month <= previous - 2


def _first_year(path: Path, zone: ZoneInfo) -> int:
    """The year of the first dated line when the user gave none: the modification year less the wraps."""
    year = datetime.fromtimestamp(path.stat().st_mtime, zone).year
    previous: int | None = None
    for _, text in numbered_lines(path):
        month = _month_of(text)
        if month is None:
            continue
        if _wraps(previous, month):
            year -= 1
        previous = month
    return year


class _SyslogParser:
    """Parses one file's syslog lines in order, carrying the year across wraps."""

    def __init__(self, year: int, zone: ZoneInfo) -> None:
        self.year = year
        self.zone = zone
        self.previous_month: int | None = None
        self._stamps: dict[tuple[int, str], datetime | None] = {}

    def _classic_time(self, found: re.Match[str]) -> datetime | None:
        month = _MONTHS[found["mon"]]
        if _wraps(self.previous_month, month):
            self.year += 1
        self.previous_month = month
        key = (self.year, found.group(0)[: found.end("s")])
        if key not in self._stamps:
            if len(self._stamps) > 4096:  # consecutive lines share seconds; an old stamp is rarely seen again
                self._stamps.clear()
            try:
                local = datetime(self.year, month, int(found["day"]), int(found["h"]), int(found["m"]), int(found["s"]))
                self._stamps[key] = to_utc(local, self.zone)
            except ValueError:  # Feb 30, 25:00: the line is not what it claims to be
                self._stamps[key] = None
        return self._stamps[key]

    def __call__(self, number: int, text: str) -> Row:
        ts: datetime | None
        found = _RFC3164.match(text)
        if found:
            ts = self._classic_time(found)
            if ts is None:
                return rejected(number, text)
            tag = _TAG.match(found["rest"])
            program, message = (tag["prog"], tag["msg"]) if tag else (None, found["rest"])
        elif text.startswith("<") and (modern := _RFC5424.match(text)):
            ts = None if modern["ts"] == "-" else _parse_iso(modern["ts"])
            if modern["ts"] != "-" and ts is None:
                return rejected(number, text)
            ts = to_utc(ts, self.zone) if ts else None
            program = None if modern["app"] == "-" else modern["app"]
            message = (modern["msg"] or "").removeprefix("\ufeff")
        elif (iso := _ISO_SYSLOG.match(text)) and (tag := _TAG.match(iso["rest"])):
            parsed = _parse_iso(iso["ts"])
            if parsed is None:
                return rejected(number, text)
            ts = to_utc(parsed, self.zone)
            program, message = tag["prog"], tag["msg"]
        else:
            return rejected(number, text)
        ip, account, action, obj, status, size = message_fields(program, message)
        return (number, ts, ip, account, action, obj, status, size, None, True, None)


def read_syslog(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Events from a syslog file (RFC 3164, RFC 5424, or ISO-stamped), with sshd, PAM, FTP and firewall lines read.

    Classic timestamps take ``options.year`` as the year of the first line; without it, the file's modification
    year is the year of its last line. ``options.timezone`` (default UTC) is the zone of timestamps that carry
    none. Times are returned in UTC.
    """
    check_readable(path)
    zone = zone_of(options, path)

    def rows() -> Iterator[Row]:
        parse = _SyslogParser(options.year if options.year is not None else _first_year(path, zone), zone)
        for number, text in numbered_lines(path):
            yield parse(number, text)

    return relation(con, rows)


def _syslog_program(text: str) -> str | None:
    found = _RFC3164.match(text) or _ISO_SYSLOG.match(text)
    if found:
        tag = _TAG.match(found["rest"])
        return tag["prog"] if tag else ""
    modern = _RFC5424.match(text)
    return modern["app"] if modern else None


def sniff_syslog(lines: list[str]) -> bool:
    """Most lines start with a syslog header (RFC 3164, RFC 5424, or an ISO timestamp, host and tag)."""
    return mostly(lines, lambda line: _syslog_program(line) is not None)


def sniff_sshd(lines: list[str]) -> bool:
    """A syslog file in which at least half the lines come from sshd: an SSH auth log."""
    return sniff_syslog(lines) and mostly(lines, lambda line: (_syslog_program(line) or "").startswith("sshd"), 0.5)
