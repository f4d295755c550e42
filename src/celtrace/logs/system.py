"""Readers for system logs: OpenSSH auth logs, vsftpd and xferlog, and generic Linux syslog.

These logs carry irregular free-text messages, so each line is parsed in Python, streamed in batches of
Arrow record batches that DuckDB pulls as it scans; no file is ever held in memory whole. A line that does
not parse becomes a row with ``ok`` false and the line in ``raw``; line numbers are the file's own (1-based,
blank lines counted but not emitted).

Classic syslog timestamps (``Dec 10 06:55:46``) have neither year nor zone. The reader takes the year from
``ReaderOptions.year`` (the year of the file's first line) and the zone from ``ReaderOptions.timezone`` (an
IANA name; the default is UTC); every timestamp is converted to UTC. When no year is given, the file's
modification year is taken as the year of its *last* line, since the file was last written then, and the
years before each year wrap in the file count backwards from it. A wrap is the month going back by two or
more (Dec then Jan); a step back of one month is lines logged slightly out of order, not a new year.

Actions in ``action``: ``login``, ``login-failed`` (sshd's "Failed password ..."), ``auth-failure`` (PAM's
"authentication failure", logged beside sshd's own line for the same attempt, so kept apart to avoid
counting one attempt twice), ``invalid-user``, ``login-denied``, ``disconnect``, ``connect``, ``probe`` (no
SSH identification string), ``reverse-dns-failed``, ``session-open``, ``session-close``, and for FTP
``download``, ``upload``, ``delete``, ``mkdir``, ``rmdir``, ``rename``, ``chmod``. Other messages keep a
NULL action but still yield the address they mention.
"""

from __future__ import annotations

import atexit
import functools
import gzip
import ipaddress
import itertools
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from io import BufferedReader
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs; pyproject may list it later

from celtrace.errors import InputError
from celtrace.logs import events
from celtrace.logs.formats import Format, ReaderOptions, is_gzip

# ---------------------------------------------------------------------------------------------------------------
# Streaming lines into DuckDB (shared with ``structured``).

SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("ts", pa.timestamp("us")),
        ("ip", pa.string()),
        ("account", pa.string()),
        ("action", pa.string()),
        ("object", pa.string()),
        ("status", pa.int32()),
        ("bytes", pa.int64()),
        ("user_agent", pa.string()),
        ("ok", pa.bool_()),
        ("raw", pa.string()),
    ]
)
"""The Arrow shape of ``events.COLUMNS``, in the same order."""

Row = tuple[
    int,
    datetime | None,
    str | None,
    str | None,
    str | None,
    str | None,
    int | None,
    int | None,
    str | None,
    bool,
    str | None,
]
"""One event in ``events.COLUMNS`` order."""

BATCH_ROWS = 8192
"""Rows per Arrow batch: large enough to amortise the hand-over to DuckDB, small enough to keep memory flat."""

_INT32 = 2**31
_INT64 = 2**63


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


def rejected(number: int, text: str) -> Row:
    """The row for a line that does not parse."""
    return (number, None, None, None, None, None, None, None, None, False, text)


def _valid_text(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _batches(rows: Iterator[Row]) -> Iterator[pa.RecordBatch]:
    while chunk := list(itertools.islice(rows, BATCH_ROWS)):
        columns = [list(column) for column in zip(*chunk, strict=True)]
        try:
            yield pa.record_batch(columns, schema=SCHEMA)
        except UnicodeEncodeError:
            # A lone surrogate (JSON's "\ud800") is no UTF-8; checking every string up front would cost more
            # than redoing the rare batch that holds one.
            yield pa.record_batch([[_valid_text(value) for value in column] for column in columns], schema=SCHEMA)


class _OpenStreams:
    """Counts the Arrow streams DuckDB has started and not yet let go of.

    DuckDB lets go of a stream it stopped reading early (a LIMIT, an error) on one of its own threads, a moment
    after the query ends. If the interpreter is already shutting down by then, dropping the Python generator
    aborts the process (duckdb/duckdb#20715). Waiting at exit, briefly, until every stream is released avoids
    that; the count is process-wide because the hazard is.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def track(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The same batches, counted as open from the first one until the generator is closed."""
        with self._lock:
            self._count += 1
        try:
            yield from batches
        finally:
            with self._lock:
                self._count -= 1

    def wait(self, seconds: float) -> None:
        """Return once every stream is released, or after ``seconds``."""
        deadline = time.monotonic() + seconds
        while self._count and time.monotonic() < deadline:
            time.sleep(0.01)


_OPEN_STREAMS = _OpenStreams()
atexit.register(_OPEN_STREAMS.wait, 5.0)


class EventStream:
    """An Arrow stream source that parses the file afresh each time DuckDB scans it.

    A ``RecordBatchReader`` can be read once only, so a relation built on one would come back empty the second
    time it is queried. DuckDB asks this object for a new stream (the Arrow PyCapsule interface) on every scan.
    """

    def __init__(self, rows: Callable[[], Iterator[Row]]) -> None:
        self._rows = rows

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """A fresh Arrow C stream over the rows."""
        reader = pa.RecordBatchReader.from_batches(SCHEMA, _OPEN_STREAMS.track(_batches(self._rows())))
        return reader.__arrow_c_stream__(requested_schema)


def relation(con: duckdb.DuckDBPyConnection, rows: Callable[[], Iterator[Row]]) -> duckdb.DuckDBPyRelation:
    """A lazy relation with ``events.COLUMNS`` over rows that ``rows()`` generates anew for each scan."""
    return con.from_arrow(EventStream(rows)).select(events.SELECT_LIST)


def zone_of(options: ReaderOptions, path: Path) -> ZoneInfo:
    """The zone a reader assumes for timestamps without one; an unknown name is the user's error."""
    try:
        return ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InputError(f"unknown time zone {options.timezone!r}", file=str(path), field="timezone") from error


def to_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive UTC datetime from one that is aware, or naive and local to ``zone``."""
    if moment.tzinfo is None:
        if zone.key == "UTC":
            return moment
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def clean_ip(text: str | None) -> str | None:
    """The address in ``text`` in canonical form (IPv4-mapped IPv6 unwrapped), or None when it is not one."""
    return _clean_ip(text.strip().strip("[]")) if text else None


@functools.lru_cache(maxsize=1 << 16)  # a log repeats its addresses, and ipaddress is slow next to a lookup
def _clean_ip(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


# ---------------------------------------------------------------------------------------------------------------
# Messages: what sshd, PAM and FTP daemons say, turned into (ip, account, action, object, status, bytes).

Fields = tuple[str | None, str | None, str | None, str | None, int | None, int | None]

_IP = r"(?P<ip>[0-9A-Fa-f:.]+)"
_PORT = r"(?: port \d+)?"
_SSH: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(rf"^Accepted \S+ for (?P<user>.*?) from {_IP}{_PORT}"), "login"),
    (re.compile(rf"^Failed \S+ for (?:invalid user )?(?P<user>.*?) from {_IP}{_PORT}"), "login-failed"),
    (re.compile(rf"^Invalid user (?P<user>.*?) from {_IP}{_PORT}$"), "invalid-user"),
    (re.compile(rf"^User (?P<user>.*?) from {_IP} not allowed because"), "login-denied"),
    (
        re.compile(rf"^Connection closed by (?:(?:authenticating|invalid) user (?P<user>.*?) )?{_IP}{_PORT}"),
        "disconnect",
    ),
    (re.compile(rf"^Received disconnect from {_IP}{_PORT}:"), "disconnect"),
    (
        re.compile(rf"^Disconnected from (?:(?:authenticating |invalid )?user (?P<user>.*?) )?{_IP}{_PORT}"),
        "disconnect",
    ),
    (
        re.compile(r"^Disconnecting: Too many authentication failures(?: for (?:invalid user )?(?P<user>.*))?"),
        "disconnect",
    ),
    (
        re.compile(rf"^maximum authentication attempts exceeded for (?:invalid user )?(?P<user>.*?) from {_IP}{_PORT}"),
        "disconnect",
    ),
    (re.compile(rf"^Did not receive identification string from {_IP}"), "probe"),
    (re.compile(rf"^reverse mapping checking getaddrinfo for \S+ \[{_IP}\] failed"), "reverse-dns-failed"),
    (re.compile(rf"^Connection from {_IP} port \d+"), "connect"),
    (re.compile(r"^input_userauth_request: invalid user (?P<user>.*)$"), None),
]
# The first word of a message picks the few patterns worth trying: most lines then cost one match.
_SSH_BY_WORD: dict[str, list[tuple[re.Pattern[str], str | None]]] = {}
for _pattern, _action in _SSH:
    _SSH_BY_WORD.setdefault(_pattern.pattern[1:].split(" ")[0], []).append((_pattern, _action))
_PAM_FAILURE = re.compile(r"authentication failures?;")
_PAM_SESSION = re.compile(r"session (?P<what>opened|closed) for user (?P<user>\S+)")
_RHOST = re.compile(r"\brhost=(?P<ip>\S+)")
_PAM_USER = re.compile(r"\buser=(?P<user>\S+)")
_REPEATED = re.compile(r"^message repeated \d+ times: \[ ?(?P<msg>.*)\]$")
_MENTIONS = [
    re.compile(rf"\bfrom {_IP}"),
    re.compile(r"\[(?P<ip>[0-9A-Fa-f:.]+)\]"),
    re.compile(r'\bClient "(?P<ip>[^"]+)"'),
]

_VSFTPD = re.compile(
    r'^(?:\[(?P<user>[^\]]*)\] )?(?:(?P<result>OK|FAIL) )?(?P<verb>[A-Z]+): Client "(?P<ip>[^"]*)"'
    r'(?:, "(?P<object>(?:[^"]|"(?!,|$))*)")?(?:, (?P<bytes>\d+) bytes)?'
)
_VSFTPD_ACTIONS = {"LOGIN": "login", "DOWNLOAD": "download", "UPLOAD": "upload", "CONNECT": "connect"}
_FTP_CONNECT = re.compile(rf"^connection from {_IP}")


def _message_ip(message: str) -> str | None:
    rhost = _RHOST.search(message)
    if rhost:
        return clean_ip(rhost["ip"])
    for pattern in _MENTIONS:
        for found in pattern.finditer(message):
            ip = clean_ip(found["ip"])
            if ip:
                return ip
    return None


def _ssh_fields(message: str) -> Fields | None:
    body = message.removeprefix("error: ").removesuffix(" [preauth]")
    for pattern, action in _SSH_BY_WORD.get(body.partition(" ")[0], ()):
        found = pattern.match(body)
        if found:
            names = found.groupdict()
            return (clean_ip(names.get("ip")), names.get("user") or None, action, None, None, None)
    return None


def _vsftpd_fields(message: str) -> Fields | None:
    found = _VSFTPD.match(message)
    if not found:
        return None
    verb, result = found["verb"], found["result"]
    action = _VSFTPD_ACTIONS.get(verb, verb.lower())
    if verb == "LOGIN" and result == "FAIL":
        action = "login-failed"
    # vsftpd says only OK or FAIL; these are the FTP reply codes that mean the same for each kind of command.
    status = None
    if result:
        success = result == "OK"
        if verb == "LOGIN":
            status = 230 if success else 530
        elif verb in ("DOWNLOAD", "UPLOAD"):
            status = 226 if success else 426
        else:
            status = 250 if success else 550
    size = int(found["bytes"]) if found["bytes"] else None
    return (clean_ip(found["ip"]), found["user"] or None, action, found["object"], status, size)


def message_fields(program: str | None, message: str) -> Fields:
    """What a syslog message from ``program`` says about who did what from where."""
    repeated = _REPEATED.match(message)
    if repeated:
        message = repeated["msg"]
    name = (program or "").lower()
    if "pam_unix" in message or "pam_unix" in name or message.startswith("PAM "):
        if _PAM_FAILURE.search(message):
            user = _PAM_USER.search(message)
            return (_message_ip(message), user["user"] if user else None, "auth-failure", None, None, None)
        session = _PAM_SESSION.search(message)
        if session:
            action = "session-open" if session["what"] == "opened" else "session-close"
            return (None, session["user"], action, None, None, None)
    if name.startswith("sshd"):
        fields = _ssh_fields(message)
        if fields:
            return fields
    elif name.startswith("vsftpd"):
        fields = _vsftpd_fields(message)
        if fields:
            return fields
    elif name.startswith("ftpd") and _FTP_CONNECT.match(message):
        return (_message_ip(message), None, "connect", None, None, None)
    return (_message_ip(message), None, None, None, None, None)


# ---------------------------------------------------------------------------------------------------------------
# Syslog lines.

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
    """Events from a syslog file (RFC 3164, RFC 5424, or ISO-stamped), with sshd, PAM and FTP messages read.

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


def _most(lines: list[str], test: Callable[[str], bool], share: float = 0.8) -> bool:
    return bool(lines) and sum(1 for line in lines if test(line)) >= share * len(lines)


def sniff_syslog(lines: list[str]) -> bool:
    """Most lines start with a syslog header (RFC 3164, RFC 5424, or an ISO timestamp, host and tag)."""
    return _most(lines, lambda line: _syslog_program(line) is not None)


def sniff_sshd(lines: list[str]) -> bool:
    """A syslog file in which at least half the lines come from sshd: an SSH auth log."""
    return sniff_syslog(lines) and _most(lines, lambda line: (_syslog_program(line) or "").startswith("sshd"), 0.5)


# ---------------------------------------------------------------------------------------------------------------
# vsftpd's own log and the standard xferlog.

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
        size if size < _INT64 else None,
        None,
        True,
        None,
    )


def _vsftpd_row(number: int, text: str, zone: ZoneInfo) -> Row:
    found = _VSFTPD_LINE.match(text)
    ts = _ctime(found, zone) if found else None
    if found is None or ts is None:
        return rejected(number, text)
    fields = _vsftpd_fields(found["msg"])
    if fields is None:  # a vsftpd line, but not one of its CLIENT records (e.g. a debug line)
        fields = (_message_ip(found["msg"]), None, None, None, None, None)
    ip, account, action, obj, status, size = fields
    return (
        number,
        ts,
        ip,
        account,
        action,
        obj,
        status,
        size if size is None or size < _INT64 else None,
        None,
        True,
        None,
    )


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


FORMATS: list[Format] = [
    Format(
        "xferlog",
        "FTP transfer log in the standard xferlog format (wu-ftpd, vsftpd, ProFTPD)",
        lambda lines: _most(lines, lambda line: _XFERLOG.match(line) is not None),
        read_xferlog,
    ),
    Format(
        "vsftpd",
        "vsftpd's own log (vsftpd.log): logins, uploads and downloads",
        lambda lines: _most(lines, lambda line: _VSFTPD_LINE.match(line) is not None),
        read_vsftpd,
    ),
    Format("sshd", "OpenSSH auth log (syslog lines from sshd)", sniff_sshd, read_syslog),
    Format(
        "syslog", "Linux syslog (RFC 3164 or RFC 5424), with sshd, PAM and FTP messages read", sniff_syslog, read_syslog
    ),
]
"""The system log formats, most specific first."""
