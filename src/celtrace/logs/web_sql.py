"""The SQL the web readers share: lines as text, field conversions, and binding a parse to a file's lines.

Each web format (``clf``, ``nginx``, ``s3``, ``w3c``) is a SQL query over the lines that ``arrow_lines`` splits:
:func:`lines_sql` turns their bytes into text, the format cuts fields with ``string_split`` and converts them with
the helpers here, and :func:`finish` decides which lines parsed and puts the result in ``events.COLUMNS`` order.
DuckDB runs it on all its threads; no Python code runs per line.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from celtrace.errors import InputError
from celtrace.logs import events
from celtrace.logs.arrow_lines import LineStream
from celtrace.logs.formats import is_gzip

_BS, _QT = "chr(57344)", "chr(57345)"  # private-use stand-ins for \\ and \" while splitting on quotes


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def lines_sql(skip: str = "false") -> str:
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


def finish(con: duckdb.DuckDBPyConnection, path: Path, parsed: str, *, need_ts: bool = True) -> duckdb.DuckDBPyRelation:
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
    return con.from_arrow(LineStream(path)).query("src", f"SELECT {events.SELECT_LIST} FROM ({sql})")


def dash(expr: str) -> str:
    """NULL for the logs' "no value" dash."""
    return f"nullif({expr}, '-')"


def hide_escapes(expr: str) -> str:
    """``expr`` with Apache's ``\\\\`` and ``\\"`` swapped for stand-ins where ``esc``, so ``"`` splits at real quotes.

    :func:`unescape` puts them back in each field.
    """
    return f"CASE WHEN esc THEN replace(replace({expr}, '\\\\', {_BS}), '\\\"', {_QT}) ELSE {expr} END"


def unescape(expr: str) -> str:
    """Undo Apache's ``\\"`` and ``\\\\`` (kept as stand-ins while splitting) and nginx's ``\\x22``/``\\x5C``."""
    replaced = f"replace(replace(replace(replace({expr}, '\\x22', '\"'), '\\x5C', '\\'), {_QT}, '\"'), {_BS}, '\\')"
    return f"CASE WHEN esc THEN {replaced} ELSE {expr} END"


def utc(local: str, zone: str) -> str:
    """A local TIMESTAMP and its ``+hhmm``/``-hhmm`` offset (trailing text ignored) to UTC; NULL if malformed.

    The offset is applied by arithmetic rather than ``%z`` so the result never depends on the session's
    TimeZone setting.
    """
    minutes = f"(try_cast(substr({zone}, 2, 2) AS INTEGER) * 60 + try_cast(substr({zone}, 4, 2) AS INTEGER))"
    sign = f"(CASE left({zone}, 1) WHEN '+' THEN 1 WHEN '-' THEN -1 END)"
    return f"({local} - to_minutes({sign} * {minutes}))"


def clf_time(stamp: str, zone: str, bracket: str = "[") -> str:
    """``[10/Oct/2000:13:55:36`` and ``-0700]`` (or without brackets) to a UTC TIMESTAMP; NULL if malformed."""
    return utc(f"try_strptime({stamp}, '{bracket}%d/%b/%Y:%H:%M:%S')", zone)


def method_and_target(parts: str = "rq") -> tuple[str, str]:
    """Method and target from ``parts``, a request line split on spaces (targets may hold spaces).

    ``parts`` names a column computed in an earlier subquery, so the split runs once per line.
    """
    method = f"nullif({dash(f'{parts}[1]')}, '')"
    target = (
        f"CASE WHEN len({parts}) < 2 THEN NULL "
        f"WHEN len({parts}) >= 3 AND {parts}[-1] LIKE 'HTTP/%' THEN array_to_string({parts}[2:-2], ' ') "
        f"ELSE array_to_string({parts}[2:], ' ') END"
    )
    return method, target
