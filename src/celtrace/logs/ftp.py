"""FTP servers' own logs: the standard xferlog (wu-ftpd, vsftpd, ProFTPD) and vsftpd's ``vsftpd.log``.

Both stamp each line with a ctime-style local time (``Thu Mar  4 08:12:30 2004``), converted to UTC from
``ReaderOptions.timezone``. Lines are parsed in Python and stream into DuckDB through ``stream``. vsftpd's
messages are read as in syslog (``syslog_messages.vsftpd_fields``), since vsftpd writes the same records to both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from celtrace.logs.addresses import clean_ip
from celtrace.logs.formats import ReaderOptions, mostly
from celtrace.logs.stream import BYTES_LIMIT, Row, rejected, relation
from celtrace.logs.syslog_messages import mentioned_ip, vsftpd_fields
from celtrace.logs.text_lines import check_readable, numbered_lines
from celtrace.logs.zones import to_utc, zone_of

_CTIME = r"(?P<wd>[A-Z][a-z]{2}) (?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<time>\d\d:\d\d:\d\d) (?P<year>\d{4})"
_VSFTPD_LINE = re.compile(rf"^{_CTIME} +\[pid \d+\] +(?P<msg>.*)$")
# xferlog(5): time, transfer-time, remote-host, file-size, filename, transfer-type, special-action-flag,
# direction, access-mode, username, service-name, authentication-method, authenticated-user-id, completion-status.
# The filename may hold spaces, so the fields after it are matched from the end of the line. Old wu-ftpd
# lines lack the completion status.
_XFERLOG = re.compile(
    rf"^{_CTIME} +(?P<secs>\d+) +(?P<host>\S+) +(?P<bytes>\d+) +(?P<file>.+?) +(?P<type>[ab]) +(?P<flag>[CUT_]+) +"
    r"(?P<dir>[oid]) +(?P<mode>[agr]) +(?P<user>\S+) +(?P<service>\S+) +(?P<auth>[01]) +(?P<authid>\S+)"
    r"(?: +(?P<status>[ci]))?\s*$"
)
_DIRECTIONS = {"o": "download", "i": "upload", "d": "delete"}


def _ctime(found: re.Match[str], zone: ZoneInfo) -> datetime | None:
    try:
        local = datetime.strptime(f"{found['mon']} {found['day']} {found['year']} {found['time']}", "%b %d %Y %H:%M:%S")
    except ValueError:
        return None
    return to_utc(local, zone)


def _read_ctime_lines(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: ReaderOptions,
    parse: Callable[[int, str, ZoneInfo], Row],
) -> duckdb.DuckDBPyRelation:
    check_readable(path)
    zone = zone_of(options, path)

    def rows() -> Iterator[Row]:
        for number, text in numbered_lines(path):
            yield parse(number, text, zone)

    return relation(con, rows)


def _xferlog_row(number: int, text: str, zone: ZoneInfo) -> Row:
    found = _XFERLOG.match(text)
    ts = _ctime(found, zone) if found else None
    if found is None or ts is None:
        return rejected(number, text)
    size = int(found["bytes"])
    # Completion status c/i, as the FTP reply codes for a finished and an aborted transfer.
    status = {"c": 226, "i": 426}.get(found["status"] or "")
    return (
        number,
        ts,
        clean_ip(found["host"]),
        found["user"],
        _DIRECTIONS[found["dir"]],
        found["file"],
        status,
        size if size < BYTES_LIMIT else None,
        None,
        True,
        None,
    )


def _vsftpd_row(number: int, text: str, zone: ZoneInfo) -> Row:
    found = _VSFTPD_LINE.match(text)
    ts = _ctime(found, zone) if found else None
    if found is None or ts is None:
        return rejected(number, text)
    fields = vsftpd_fields(found["msg"])
    if fields is None:  # a vsftpd line, but not one of its CLIENT records (e.g. a debug line)
        fields = (mentioned_ip(found["msg"]), None, None, None, None, None)
    ip, account, action, obj, status, size = fields
    return (number, ts, ip, account, action, obj, status, size, None, True, None)


def read_xferlog(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Transfers from a standard xferlog (wu-ftpd, vsftpd, ProFTPD): direction o/i/d is download/upload/delete.

    The times are local to the server: ``options.timezone`` (default UTC) names its zone. ``status`` is 226 for
    a complete transfer and 426 for an incomplete one.
    """
    return _read_ctime_lines(con, path, options, _xferlog_row)


def read_vsftpd(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Events from vsftpd's own log (``vsftpd.log``): logins, transfers and file operations, with their client.

    vsftpd says OK or FAIL; ``status`` holds the matching FTP reply code (230/530 for logins, 226/426 for
    transfers, 250/550 for other commands). ``options.timezone`` (default UTC) is the server's zone.
    """
    return _read_ctime_lines(con, path, options, _vsftpd_row)


def sniff_xferlog(lines: list[str]) -> bool:
    """Most lines are xferlog records."""
    return mostly(lines, lambda line: _XFERLOG.match(line) is not None)


def sniff_vsftpd(lines: list[str]) -> bool:
    """Most lines are vsftpd.log lines (a ctime stamp, then ``[pid N]``)."""
    return mostly(lines, lambda line: _VSFTPD_LINE.match(line) is not None)
