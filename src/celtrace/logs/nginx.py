"""nginx access logs in the user's own ``log_format``, compiled into SQL that cuts each line at its literals."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from celtrace.errors import InputError
from celtrace.logs.formats import ReaderOptions
from celtrace.logs.web_sql import clf_time, dash, finish, lines_sql, method_and_target, quote, unescape, utc

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
        f"SELECT line, raw, l, esc, starts_with(l, {quote(prefix)}) AS fits, "
        f"substr(l, {len(prefix) + 1}) AS rest FROM ({lines})"
    )
    kept: list[str] = []
    for index, (_, variable) in enumerate(pairs[:-1]):
        literal = pairs[index + 1][0]
        column = f"v_{variable}" if variable not in kept else f"v{index}_{variable}"
        if literal:
            at = f"strpos(rest, {quote(literal)})"
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


def read_nginx(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """nginx lines in the ``log_format`` the user gives in ``options.log_format``."""
    if not options.log_format:
        raise InputError("nginx logs need the server's log_format (give --log-format)", file=str(path))
    pairs = compile_nginx(options.log_format)
    names = {variable for _, variable in pairs if variable}

    def pick(*candidates: str) -> str | None:
        return next((f"v_{name}" for name in candidates if name in names), None)

    ts_sql = "NULL"
    if "time_local" in names:
        ts_sql = clf_time("split_part(v_time_local, ' ', 1)", "split_part(v_time_local, ' ', 2)", "")
    elif "time_iso8601" in names:  # 2000-10-10T13:55:36-07:00 or ...+00:00
        local = "try_strptime(left(v_time_iso8601, 19), '%Y-%m-%dT%H:%M:%S')"
        ts_sql = utc(local, "replace(substr(v_time_iso8601, 20), ':', '')")
    elif "msec" in names:  # seconds since the epoch with milliseconds
        ts_sql = "epoch_ms(try_cast(try_cast(v_msec AS DECIMAL(18, 3)) * 1000 AS BIGINT))"
    request = unescape("v_request") if "request" in names else "NULL"
    method, target = method_and_target()
    action = dash(unescape(v)) if (v := pick("request_method")) else method
    obj = dash(unescape(v)) if (v := pick("request_uri", "uri")) else target
    ip, user, agent = pick("remote_addr"), pick("remote_user"), pick("http_user_agent")
    status, body = pick("status"), pick("body_bytes_sent", "bytes_sent")
    parsed = f"""SELECT line, raw, l, fits, {ts_sql} AS ts, {dash(ip) if ip else "NULL"} AS ip,
        {dash(unescape(user)) if user else "NULL"} AS account, {action} AS action, {obj} AS object,
        {status or "NULL"} AS status_text, try_cast(status_text AS INTEGER) AS status,
        {dash(body) if body else "NULL"} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes,
        {dash(unescape(agent)) if agent else "NULL"} AS user_agent
        FROM (SELECT *, string_split({request}, ' ') AS rq FROM ({_nginx_fields(pairs, lines_sql())}))"""
    return finish(con, path, parsed, need_ts=ts_sql != "NULL")


def sniff_never(lines: list[str]) -> bool:
    """A custom log_format cannot be recognised without the format itself: the user names it."""
    return False
