"""Apache and nginx common and combined logs: ``%h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"]``."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from celtrace.logs.formats import ReaderOptions, mostly
from celtrace.logs.web_sql import clf_time, dash, finish, hide_escapes, lines_sql, method_and_target, unescape


def read_clf(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """Common or combined lines, mixed freely: ``%h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"]``.

    One reader serves both names because real files mix the two shapes (a vhost's LogFormat changed, or a
    proxy logs combined and its backends common) and telling them apart costs one length check per line.
    """
    hidden = hide_escapes("l")
    split = f"""SELECT line, raw, l, esc, string_split({hidden}, '"') AS p FROM ({lines_sql()})"""
    cut = f"""SELECT line, raw, l, esc, p, len(p) AS n, string_split(p[1], ' ') AS h,
        string_split(p[3], ' ') AS m, string_split({unescape("p[2]")}, ' ') AS rq FROM ({split})"""
    method, target = method_and_target()
    parsed = f"""SELECT line, raw, l, {clf_time("h[4]", "h[5]")} AS ts, {dash("h[1]")} AS ip,
        {dash(unescape("h[3]"))} AS account, {method} AS action, {target} AS object,
        m[2] AS status_text, try_cast(status_text AS INTEGER) AS status,
        {dash("m[3]")} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes,
        CASE WHEN n >= 7 THEN {dash(unescape("p[6]"))} END AS user_agent,
        (n = 3 OR (n >= 7 AND n % 2 = 1 AND p[5] = ' ')) AND len(h) = 6 AND h[6] = '' AND strlen(h[5]) = 6
            AND h[5][-1] = ']' AND m[1] = ''
            AND (len(m) = 3 OR (len(m) = 4 AND m[4] = '')) AND status_text <> '' AS fits
        FROM ({cut})"""
    return finish(con, path, parsed)


_CLF_HEAD = r'^\S+ \S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "(?:[^"\\]|\\.)*" \d{3} (?:\d+|-)'
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_COMMON_RE = re.compile(_CLF_HEAD + r"\s*$")
_COMBINED_RE = re.compile(_CLF_HEAD + rf" {_QUOTED} {_QUOTED}")


def sniff_combined(lines: list[str]) -> bool:
    """Some lines are combined, and at least half are combined or common."""
    return any(_COMBINED_RE.match(x) for x in lines) and mostly(
        lines, lambda x: bool(_COMBINED_RE.match(x) or _COMMON_RE.match(x)), 0.5
    )


def sniff_common(lines: list[str]) -> bool:
    """No line is combined, and at least half are common."""
    return not any(_COMBINED_RE.match(x) for x in lines) and mostly(lines, lambda x: bool(_COMMON_RE.match(x)), 0.5)
