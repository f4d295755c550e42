"""Readers for HTTP server, CDN and storage access logs: Apache/nginx, nginx ``log_format``, S3, CloudFront, W3C.

Formats (``FORMATS``): ``combined`` and ``common`` (one reader: a file may mix both shapes), ``nginx`` (the
user's ``log_format``), ``s3`` (S3 server access logs), ``cloudfront`` (standard logs) and ``w3c`` (W3C
extended, as IIS writes it). Each ``read`` returns a lazy DuckDB relation with ``events.COLUMNS``.

How a file is read; no Python code runs per line:

1. Python splits the file into lines on ``\\n`` with Arrow (``split_pattern`` over 16 MB chunks, in C) and
   numbers them with NumPy, so ``line`` is the exact 1-based line number, ``wc -l`` style: blank and
   ``#`` lines count, a lone CR does not end a line, one CR before the LF is dropped. Gzip is inflated
   incrementally (recognised by its magic bytes, whatever the name).
2. DuckDB takes those batches (pyarrow feeds them, at most ~128 MB ahead) and does the rest in SQL, on all
   its threads: ``try(decode(b))``
   turns the bytes into text (NULL for invalid UTF-8, which is then a rejected row showing its bytes as
   ``\\xHH``); ``string_split`` on ``"`` then on spaces or tabs cuts fields, ``try_strptime`` and
   ``try_cast`` convert them. A line that does not fit (field count, date, status, size) is a row with
   ``ok`` false and ``raw`` = the line, at its number. Only blank lines and W3C directives are dropped.

Measured on 1,000,000 generated combined lines (198 MB; 2 cores shared with other work; DuckDB 1.5.6;
reading to the end with every column aggregated), against GoAccess's ~80,000 lines/s (the end-to-end
comparison is benchmarks/access_logs.py):

- this reader, every column computed: 0.65 s, about 1.5 M lines/s (8 M lines: 5.1 s); gzip: 0.95 s
  (inflation runs beside the parse; ``gzip.decompress`` of that file alone takes 1.1 s). Peak RSS 306,
  310 and 307 MB for 2, 4 and 8 M lines (gzip: 295 and 308 MB for 2 and 4 M).
- DuckDB's CSV reader splitting on ``' '`` with quotes: 0.63 s, but it cannot give line numbers, skips
  blank lines, drops rejects into a side table and lets an unterminated quote run over the next lines.
- ``regexp_extract`` with a 9-group struct: 2.7 s.
- the CSV reader with one VARCHAR column, ``row_number() OVER ()`` and the same SQL: 1.3 s, on one core,
  because the streaming window forces its pipeline onto one thread. It also stops at the first invalid
  UTF-8 byte (or, with ``ignore_errors``, drops the line and shifts every later number), its Latin-1 mode
  refuses bytes 0x80-0x9F, and it counts a lone CR as a line end.

The relation can be run more than once (each run reads the file again); see :class:`_LineStream` for how
memory is kept flat while pyarrow feeds DuckDB.

A gzip file that ends early or is corrupt gives its lines up to the damage, then one rejected row,
numbered after them, whose ``raw`` says so: the import records it instead of failing.
"""

from __future__ import annotations

import gzip
import re
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from celtrace.errors import InputError
from celtrace.logs import events
from celtrace.logs.formats import Format, ReaderOptions, is_gzip

_CHUNK = 16 * 1024 * 1024  # bytes read at a time: one Arrow batch of ~80,000 lines
_MAX_LINE = 64 * 1024 * 1024  # a longer "line" (a binary file without newlines) keeps only its start
_SCHEMA = pa.schema([("line", pa.int64()), ("b", pa.binary())])
_AHEAD = 128 * 1024 * 1024  # bytes of lines read but not yet consumed by DuckDB before the reader waits
_PATIENCE = 30.0  # seconds the reader waits for DuckDB before reading on anyway (never a deadlock)
# Every line buffer comes from this pool, so its count is what readers hold in memory. It lives as long as
# the process: a pool freed while DuckDB still held buffers from it crashed the interpreter.
_POOL = pa.proxy_memory_pool(pa.default_memory_pool())
_BS, _QT = "chr(57344)", "chr(57345)"  # private-use stand-ins for \\ and \" while splitting on quotes


def _quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class _LineStream:
    """A file's lines as Arrow batches of (line number, bytes), made afresh each time DuckDB scans it.

    DuckDB hands an object with ``__arrow_c_stream__`` to pyarrow's ``Scanner.from_batches``, which pulls
    batches as fast as they come: left alone it read a whole 800 MB file ahead of a slow query (Arrow memory
    grew by ~100 MB per million lines). So every buffer is allocated from ``_POOL``, and the reader waits
    while more than ``_AHEAD`` bytes of lines are still held downstream. A bare capsule would be pulled
    on demand but could be scanned only once, and the enricher scans a reader's relation twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __arrow_c_schema__(self) -> object:
        return _SCHEMA.__arrow_c_schema__()

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        batches = _throttled(_batches(self.path, _POOL), _POOL)
        return pa.RecordBatchReader.from_batches(_SCHEMA, batches).__arrow_c_stream__(requested_schema)


def _throttled(batches: Iterator[pa.RecordBatch], pool: pa.MemoryPool) -> Iterator[pa.RecordBatch]:
    """``batches``, held back while DuckDB has not yet released ``_AHEAD`` bytes of earlier ones."""
    for batch in batches:
        deadline = time.monotonic() + _PATIENCE
        while pool.bytes_allocated() > _AHEAD and time.monotonic() < deadline:
            time.sleep(0.002)
        yield batch


def _numbered(first: int, lines: pa.Array) -> pa.RecordBatch:
    """``lines`` as a batch, numbered from ``first``."""
    numbers = pa.array(np.arange(first, first + len(lines), dtype=np.int64))
    return pa.record_batch([numbers, lines], schema=_SCHEMA)


def _chunks(path: Path, pool: pa.MemoryPool) -> Iterator[pa.Buffer]:
    """The file's bytes, decompressed when they are gzip (by magic bytes, not name), in Arrow buffers.

    Plain files are read straight into Arrow memory, with no copy through Python ``bytes``. Incremental
    inflation, rather than ``gzip.open``, keeps every byte before a truncation (GzipFile loses the whole
    read that hits it), bounds memory (64 KB of input inflates to at most ~66 MB), and reads concatenated
    gzip members as ``zcat`` does. Damage raises ``EOFError`` or ``zlib.error``.
    """
    if not is_gzip(path):
        with pa.OSFile(str(path), memory_pool=pool) as source:
            while (chunk := source.read_buffer(_CHUNK)).size:
                yield chunk
        return
    piece = bytearray(64 * 1024)
    inflater, fed = zlib.decompressobj(wbits=31), False
    out, used = pa.allocate_buffer(_CHUNK, memory_pool=pool), 0
    with path.open("rb") as raw:
        while size := raw.readinto(piece):
            data: bytes | memoryview = memoryview(piece)[:size]
            while data:
                fed = True
                inflated = inflater.decompress(data)
                if used + len(inflated) > _CHUNK:
                    yield out.slice(0, used)
                    out, used = pa.allocate_buffer(max(_CHUNK, len(inflated)), memory_pool=pool), 0
                np.frombuffer(out, dtype=np.uint8)[used : used + len(inflated)] = np.frombuffer(inflated, np.uint8)
                used += len(inflated)
                data = b""
                if inflater.eof:  # one gzip member done; another may follow
                    data, inflater, fed = inflater.unused_data, zlib.decompressobj(wbits=31), False
    if used:
        yield out.slice(0, used)
    if fed and not inflater.eof:
        raise EOFError("compressed data ends before the end-of-stream marker")


def _batches(path: Path, pool: pa.MemoryPool) -> Iterator[pa.RecordBatch]:
    """Split the file into lines on ``\\n`` only, in C (Arrow), a chunk at a time.

    The line cut by a chunk's end is carried (as a small ``bytes``) into the next chunk's first line. A
    gzip stream that ends early or is corrupt does not raise: the lines before the damage are kept and one
    more row, numbered after them, says what happened, so an import shows it among its rejects.
    """
    number = 1
    pending: list[bytes] = []  # the start of a line that goes on in the next chunk
    pending_size = 0
    chunks = _chunks(path, pool)
    while True:
        try:
            chunk = next(chunks, None)
        except (EOFError, zlib.error) as error:
            if pending_size:
                yield _numbered(number, pa.array([b"".join(pending)], pa.binary(), memory_pool=pool))
                number += 1
            note = f"celtrace: the gzip data of {path.name} ends early or is corrupt ({error}); nothing after"
            yield _numbered(number, pa.array([note.encode()], pa.binary(), memory_pool=pool))
            return
        if chunk is None:
            break
        offsets = pa.py_buffer(np.array([0, chunk.size], dtype=np.int32))
        whole = pa.BinaryArray.from_buffers(pa.binary(), 1, [None, offsets, chunk])
        parts = pc.split_pattern(whole, b"\n", memory_pool=pool).flatten()
        if len(parts) == 1:  # no newline in the whole chunk: a very long line
            if pending_size < _MAX_LINE:
                pending.append(parts[0].as_py())
                pending_size += chunk.size
            continue
        head = parts[0].as_py() if pending_size < _MAX_LINE else b""  # an over-long line keeps its start
        yield _numbered(number, pa.array([b"".join([*pending, head])], pa.binary(), memory_pool=pool))
        yield _numbered(number + 1, parts.slice(1, len(parts) - 2))
        number += len(parts) - 1
        last = parts[len(parts) - 1].as_py()
        pending, pending_size = [last], len(last)
    if pending_size:
        yield _numbered(number, pa.array([b"".join(pending)], pa.binary(), memory_pool=pool))


def _lines_sql(skip: str = "false") -> str:
    """SQL for the file's non-blank lines, from the virtual table ``src``: ``line``, ``raw``, ``l``, ``esc``.

    ``l`` is the line as text, NULL where it is not valid UTF-8 (``raw`` then shows its bytes, the odd ones
    as ``\\xHH``, quotes as themselves). One trailing CR is dropped, so CRLF files read like LF ones.
    ``esc`` says the line holds a backslash, so that unescaping runs only on the few lines that need it.
    Lines matching ``skip`` (a predicate on ``raw``) are left out; the cheap test of the first character
    spares the blank-line regex on almost every line.
    """
    shown = "replace(replace(b::VARCHAR, '\\x22', '\"'), '\\x27', chr(39))"
    return (
        f"SELECT line, coalesce(l, {shown}) AS raw, l, contains(l, '\\') AS esc "
        "FROM (SELECT line, b, CASE WHEN ends_with(v, chr(13)) THEN left(v, length(v) - 1) ELSE v END AS l "
        "FROM (SELECT line, b, try(decode(b)) AS v FROM src)) "
        f"WHERE (ascii(raw) > 32 OR NOT regexp_full_match(raw, '[ \\t\\r]*')) AND NOT coalesce({skip}, false)"
    )


def _finish(
    con: duckdb.DuckDBPyConnection, path: Path, parsed: str, *, need_ts: bool = True
) -> duckdb.DuckDBPyRelation:
    """Decide ``ok``, put a parse into ``events.COLUMNS`` order, and bind it to the file's lines.

    ``parsed`` has ``line, raw, l, fits`` (the line's shape is right), the event fields, and ``status_text``
    and ``bytes_text`` (the fields before conversion, NULL for "-"), so that a value that does not convert
    rejects the line. A rejected line keeps only its number and text: a half-parsed event would mislead.
    """
    ok = (
        "coalesce(l IS NOT NULL AND fits AND (status_text IS NULL OR status BETWEEN 100 AND 999) "
        f"AND (bytes_text IS NULL OR bytes IS NOT NULL){' AND ts IS NOT NULL' if need_ts else ''}, false)"
    )
    fields = [
        f"CASE WHEN ok THEN {name}::{kind} END AS {name}"
        for name, kind in events.COLUMNS.items()
        if name not in ("line", "ok", "raw")
    ]
    sql = (
        f"SELECT line::BIGINT AS line, {', '.join(fields)}, ok, CASE WHEN ok THEN NULL ELSE raw END AS raw "
        f"FROM (SELECT *, {ok} AS ok FROM ({parsed}))"
    )
    try:
        is_gzip(path)  # fail here, not in the middle of an import, when the file cannot be opened
    except OSError as error:
        raise InputError(f"cannot read log file: {error}", file=str(path)) from error
    return con.from_arrow(_LineStream(path)).query("src", f"SELECT {events.SELECT_LIST} FROM ({sql})")


def _dash(expr: str) -> str:
    """NULL for the logs' "no value" dash."""
    return f"nullif({expr}, '-')"


def _unescape(expr: str) -> str:
    """Undo Apache's ``\\"`` and ``\\\\`` (kept as stand-ins while splitting) and nginx's ``\\x22``/``\\x5C``."""
    replaced = f"replace(replace(replace(replace({expr}, '\\x22', '\"'), '\\x5C', '\\'), {_QT}, '\"'), {_BS}, '\\')"
    return f"CASE WHEN esc THEN {replaced} ELSE {expr} END"


def _utc(local: str, zone: str) -> str:
    """A local TIMESTAMP and its ``+hhmm``/``-hhmm`` offset (trailing text ignored) to UTC; NULL if malformed.

    The offset is applied by arithmetic rather than ``%z`` so the result never depends on the session's
    TimeZone setting.
    """
    minutes = f"(try_cast(substr({zone}, 2, 2) AS INTEGER) * 60 + try_cast(substr({zone}, 4, 2) AS INTEGER))"
    sign = f"(CASE left({zone}, 1) WHEN '+' THEN 1 WHEN '-' THEN -1 END)"
    return f"({local} - to_minutes({sign} * {minutes}))"


def _clf_time(stamp: str, zone: str, bracket: str = "[") -> str:
    """``[10/Oct/2000:13:55:36`` and ``-0700]`` (or without brackets) to a UTC TIMESTAMP; NULL if malformed."""
    return _utc(f"try_strptime({stamp}, '{bracket}%d/%b/%Y:%H:%M:%S')", zone)


def _request(parts: str = "rq") -> tuple[str, str]:
    """Method and target from ``parts``, a request line split on spaces (targets may hold spaces).

    ``parts`` names a column computed in an earlier subquery, so the split runs once per line.
    """
    method = f"nullif({_dash(f'{parts}[1]')}, '')"
    target = (
        f"CASE WHEN len({parts}) < 2 THEN NULL "
        f"WHEN len({parts}) >= 3 AND {parts}[-1] LIKE 'HTTP/%' THEN array_to_string({parts}[2:-2], ' ') "
        f"ELSE array_to_string({parts}[2:], ' ') END"
    )
    return method, target


# --- Apache / nginx common and combined -------------------------------------------------------------------


def _read_clf(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Common or combined lines, mixed freely: ``%h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"]``.

    One reader serves both names because real files mix the two shapes (a vhost's LogFormat changed, or a
    proxy logs combined and its backends common) and telling them apart costs one length check per line.
    """
    hidden = f"CASE WHEN esc THEN replace(replace(l, '\\\\', {_BS}), '\\\"', {_QT}) ELSE l END"
    split = f"""SELECT line, raw, l, esc, string_split({hidden}, '"') AS p FROM ({_lines_sql()})"""
    cut = f"""SELECT line, raw, l, esc, p, len(p) AS n, string_split(p[1], ' ') AS h,
        string_split(p[3], ' ') AS m, string_split({_unescape("p[2]")}, ' ') AS rq FROM ({split})"""
    method, target = _request()
    parsed = f"""SELECT line, raw, l, {_clf_time("h[4]", "h[5]")} AS ts, {_dash("h[1]")} AS ip,
        {_dash(_unescape("h[3]"))} AS account, {method} AS action, {target} AS object,
        m[2] AS status_text, try_cast(status_text AS INTEGER) AS status,
        {_dash("m[3]")} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes,
        CASE WHEN n >= 7 THEN {_dash(_unescape("p[6]"))} END AS user_agent,
        (n = 3 OR (n >= 7 AND n % 2 = 1 AND p[5] = ' ')) AND len(h) = 6 AND h[6] = '' AND strlen(h[5]) = 6
            AND h[5][-1] = ']' AND m[1] = ''
            AND (len(m) = 3 OR (len(m) = 4 AND m[4] = '')) AND status_text <> '' AS fits
        FROM ({cut})"""
    return _finish(con, path, parsed)


_CLF_HEAD = r'^\S+ \S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "(?:[^"\\]|\\.)*" \d{3} (?:\d+|-)'
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_COMMON_RE = re.compile(_CLF_HEAD + r"\s*$")
_COMBINED_RE = re.compile(_CLF_HEAD + rf" {_QUOTED} {_QUOTED}")


def _most(lines: list[str], test: Callable[[str], bool]) -> bool:
    """True when at least half the sniffed lines (and at least one) pass ``test``; garbage lines may mix in."""
    hits = sum(1 for line in lines if test(line))
    return hits > 0 and hits * 2 >= len(lines)


def _sniff_combined(lines: list[str]) -> bool:
    return any(_COMBINED_RE.match(x) for x in lines) and _most(
        lines, lambda x: bool(_COMBINED_RE.match(x) or _COMMON_RE.match(x))
    )


def _sniff_common(lines: list[str]) -> bool:
    return not any(_COMBINED_RE.match(x) for x in lines) and _most(lines, lambda x: bool(_COMMON_RE.match(x)))


# --- nginx with a user's log_format ---------------------------------------------------------------------------

_NGINX_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def compile_nginx(log_format: str) -> list[tuple[str, str]]:
    """Split an nginx ``log_format`` into (literal before, variable) pairs; the last pair's variable is ''.

    Two variables with nothing between them cannot be told apart in a line, so they are an InputError.
    """
    pairs: list[tuple[str, str]] = []
    start = 0
    for match in _NGINX_VAR.finditer(log_format):
        literal = log_format[start : match.start()]
        if pairs and not literal:
            raise InputError(f"log_format: ${match.group(1) or match.group(2)} directly follows another variable")
        pairs.append((literal, match.group(1) or match.group(2)))
        start = match.end()
    if not pairs:
        raise InputError("log_format has no $variables", field="log_format")
    pairs.append((log_format[start:], ""))
    return pairs


def _nginx_fields(pairs: list[tuple[str, str]], lines: str) -> str:
    """SQL that cuts ``l`` into one column per variable by finding each following literal in turn.

    Each step is its own subquery so that ``rest`` is computed once per line, not re-inlined per use.
    """
    prefix = pairs[0][0]
    sql = (
        f"SELECT line, raw, l, esc, starts_with(l, {_quote(prefix)}) AS fits, "
        f"substr(l, {len(prefix) + 1}) AS rest FROM ({lines})"
    )
    kept: list[str] = []
    for index, (_, variable) in enumerate(pairs[:-1]):
        literal = pairs[index + 1][0]
        column = f"v_{variable}" if variable not in kept else f"v{index}_{variable}"
        if literal:
            at = f"strpos(rest, {_quote(literal)})"
            value, rest = f"substr(rest, 1, {at} - 1)", f"substr(rest, {at} + {len(literal)})"
            fits = f"fits AND {at} > 0"
        else:  # the last variable runs to the end of the line
            value, rest, fits = "rest", "''", "fits"
        carried = ", ".join(kept)
        sql = (
            f"SELECT line, raw, l, esc, {carried + ', ' if carried else ''}{fits} AS fits, {value} AS {column}, "
            f"{rest} AS rest FROM ({sql})"
        )
        kept.append(column)
    return sql


def _read_nginx(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """nginx lines in the ``log_format`` the user gives in ``options.log_format``."""
    if not options.log_format:
        raise InputError("nginx logs need the server's log_format (give --log-format)", file=str(path))
    pairs = compile_nginx(options.log_format)
    names = {variable for _, variable in pairs if variable}

    def pick(*candidates: str) -> str | None:
        return next((f"v_{name}" for name in candidates if name in names), None)

    ts_sql = "NULL"
    if "time_local" in names:
        ts_sql = _clf_time("split_part(v_time_local, ' ', 1)", "split_part(v_time_local, ' ', 2)", "")
    elif "time_iso8601" in names:  # 2000-10-10T13:55:36-07:00 or ...+00:00
        local = "try_strptime(left(v_time_iso8601, 19), '%Y-%m-%dT%H:%M:%S')"
        ts_sql = _utc(local, "replace(substr(v_time_iso8601, 20), ':', '')")
    elif "msec" in names:  # seconds since the epoch with milliseconds
        ts_sql = "epoch_ms(try_cast(try_cast(v_msec AS DECIMAL(18, 3)) * 1000 AS BIGINT))"
    request = _unescape("v_request") if "request" in names else "NULL"
    method, target = _request()
    action = _dash(_unescape(v)) if (v := pick("request_method")) else method
    obj = _dash(_unescape(v)) if (v := pick("request_uri", "uri")) else target
    ip, user, agent = pick("remote_addr"), pick("remote_user"), pick("http_user_agent")
    status, body = pick("status"), pick("body_bytes_sent", "bytes_sent")
    parsed = f"""SELECT line, raw, l, fits, {ts_sql} AS ts, {_dash(ip) if ip else "NULL"} AS ip,
        {_dash(_unescape(user)) if user else "NULL"} AS account, {action} AS action, {obj} AS object,
        {status or "NULL"} AS status_text, try_cast(status_text AS INTEGER) AS status,
        {_dash(body) if body else "NULL"} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes,
        {_dash(_unescape(agent)) if agent else "NULL"} AS user_agent
        FROM (SELECT *, string_split({request}, ' ') AS rq FROM ({_nginx_fields(pairs, _lines_sql())}))"""
    return _finish(con, path, parsed, need_ts=ts_sql != "NULL")


def _sniff_never(lines: list[str]) -> bool:
    """A custom log_format cannot be recognised without the format itself: the user names it."""
    return False


# --- Amazon S3 server access logs -------------------------------------------------------------------------


def _read_s3(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """S3 server access log lines: owner bucket [time] ip requester id operation key "uri" status ... "ua" ..."""
    split = f"SELECT line, raw, l, string_split(l, '\"') AS p FROM ({_lines_sql()})"
    cut = f"""SELECT line, raw, l, p, len(p) AS n, string_split(p[1], ' ') AS h,
        string_split(p[3], ' ') AS m FROM ({split})"""
    parsed = f"""SELECT line, raw, l, {_clf_time("h[3]", "h[4]")} AS ts, {_dash("h[5]")} AS ip,
        {_dash("h[6]")} AS account, h[8] AS action, url_decode({_dash("h[9]")}) AS object,
        m[2] AS status_text, try_cast(status_text AS INTEGER) AS status,
        {_dash("m[4]")} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes, {_dash("p[6]")} AS user_agent,
        n >= 7 AND p[5] = ' ' AND len(h) = 10 AND h[10] = '' AND len(m) >= 7 AND strlen(h[4]) = 6
            AND status_text <> '' AS fits
        FROM ({cut})"""
    return _finish(con, path, parsed)


_S3_RE = re.compile(
    r"^\S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ "
    r"(?:REST|WEBSITE|BATCH|S3|SOAP)\.[A-Z_]+(?:\.[A-Z_]+)* \S+ \"[^\"]*\" (?:\d{3}|-) "
)


def _sniff_s3(lines: list[str]) -> bool:
    return _most(lines, lambda x: bool(_S3_RE.match(x)))


# --- W3C extended (IIS) and CloudFront -------------------------------------------------------------------------

_FIELDS_SCAN_LINES = 10_000  # a #Fields directive further down than this is not a W3C log's header

# CloudFront's fields when a file has lost its header (AWS documents this order for standard logs).
CLOUDFRONT_FIELDS = (  # noqa: SIM905 - the documented header, readable as one text
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header "
    "cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
    "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
    "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
).split()


def w3c_fields(path: Path) -> list[str] | None:
    """The field names of the first ``#Fields:`` directive in the file's first lines, or None."""
    opener = gzip.open if is_gzip(path) else open
    try:
        with opener(path, "rb") as handle:
            for number, chunk in enumerate(handle):
                text = chunk.decode("utf-8", "replace").strip()
                if text.startswith("#Fields:"):
                    return text[len("#Fields:") :].split()
                if number >= _FIELDS_SCAN_LINES:
                    break
    except (OSError, EOFError) as error:
        raise InputError(f"cannot read log file: {error}", file=str(path)) from error
    return None


def _norm_ws(expr: str) -> str:
    """``expr`` trimmed, with each run of whitespace as one space."""
    return f"regexp_replace(trim({expr}), '\\s+', ' ', 'g')"


def _read_w3c_like(
    con: duckdb.DuckDBPyConnection, path: Path, fields: list[str], sep: str, decode_agent: str
) -> duckdb.DuckDBPyRelation:
    """Lines of ``sep``-separated fields named by ``fields``; '#' directive lines are skipped.

    A later ``#Fields:`` line that differs from the first is rejected rather than skipped, so that a
    change of layout mid-file shows up in the import's rejects instead of passing unnoticed.
    """
    lower = [name.lower() for name in fields]

    def col(*names: str) -> str:
        index = next((lower.index(name) for name in names if name in lower), None)
        return "NULL" if index is None else _dash(f"f[{index + 1}]")

    header = _quote("#Fields: " + " ".join(fields))
    # Directive lines are skipped, except a #Fields line that differs from the one in force.
    directive = f"starts_with(l, '#') AND NOT (starts_with(l, '#Fields:') AND {_norm_ws('l')} <> {header})"
    lines = _lines_sql(skip=directive)
    stamp = f"try_strptime({col('date')} || ' ' || {col('time')}, '%Y-%m-%d %H:%M:%S')"
    parsed = f"""SELECT line, raw, l, {stamp} AS ts, {col("c-ip")} AS ip, {col("cs-username")} AS account,
        {col("cs-method")} AS action, {col("cs-uri-stem")} AS object,
        {col("sc-status")} AS status_text, try_cast(status_text AS INTEGER) AS status,
        {col("sc-bytes")} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes,
        {decode_agent.format(agent=col("cs(user-agent)"))} AS user_agent,
        NOT starts_with(l, '#') AND len(f) = {len(fields)} AS fits
        FROM (SELECT line, raw, l, string_split(l, {_quote(sep)}) AS f FROM ({lines}))"""
    return _finish(con, path, parsed)


def _read_w3c(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """W3C extended log format as IIS writes it: space-separated fields named by ``#Fields:``, UTC times."""
    fields = w3c_fields(path)
    if fields is None:
        raise InputError("W3C log without a #Fields: directive", file=str(path))
    # IIS writes spaces inside a field (the user agent) as '+'.
    return _read_w3c_like(con, path, fields, " ", "replace({agent}, '+', ' ')")


def _read_cloudfront(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """CloudFront standard logs: tab-separated W3C fields, the user agent URL-encoded (twice for some bytes)."""
    fields = w3c_fields(path) or CLOUDFRONT_FIELDS
    return _read_w3c_like(con, path, fields, "\t", "url_decode({agent})")


def _fields_line(lines: list[str]) -> str:
    return next((x for x in lines if x.startswith("#Fields:")), "")


def _sniff_cloudfront(lines: list[str]) -> bool:
    fields = _fields_line(lines)
    if fields:
        return "x-edge-" in fields
    # A header-less file: tab-separated lines starting with a date and time, then an edge location.
    return _most(lines, lambda x: bool(re.match(r"^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[A-Z]{3}\d", x)))


def _sniff_w3c(lines: list[str]) -> bool:
    fields = _fields_line(lines)
    return bool(fields) and "x-edge-" not in fields and "\t" not in fields


FORMATS: list[Format] = [
    Format(
        "cloudfront",
        "Amazon CloudFront standard logs (tab-separated, #Fields header)",
        _sniff_cloudfront,
        _read_cloudfront,
    ),
    Format("w3c", "W3C extended log format, as IIS writes it (#Fields header)", _sniff_w3c, _read_w3c),
    Format("s3", "Amazon S3 server access logs", _sniff_s3, _read_s3),
    Format("combined", "Apache/nginx combined log format (common lines accepted too)", _sniff_combined, _read_clf),
    Format("common", "Apache/nginx common log format (combined lines accepted too)", _sniff_common, _read_clf),
    Format("nginx", "nginx with a custom log_format (give --log-format)", _sniff_never, _read_nginx),
]
"""The web formats, most specific first; "combined" and "common" share one reader (see ``_read_clf``)."""
