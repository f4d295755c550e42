"""Amazon S3 server access logs: ``account`` is the requester, ``action`` the operation, ``object`` the key."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from celtrace.logs.formats import ReaderOptions, mostly
from celtrace.logs.web_sql import clf_time, dash, finish, lines_sql


def read_s3(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """S3 server access log lines: owner bucket [time] ip requester id operation key "uri" status ... "ua" ..."""
    split = f"SELECT line, raw, l, string_split(l, '\"') AS p FROM ({lines_sql()})"
    cut = f"""SELECT line, raw, l, p, len(p) AS n, string_split(p[1], ' ') AS h,
        string_split(p[3], ' ') AS m FROM ({split})"""
    parsed = f"""SELECT line, raw, l, {clf_time("h[3]", "h[4]")} AS ts, {dash("h[5]")} AS ip,
        {dash("h[6]")} AS account, h[8] AS action, url_decode({dash("h[9]")}) AS object,
        m[2] AS status_text, try_cast(status_text AS INTEGER) AS status,
        {dash("m[4]")} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes, {dash("p[6]")} AS user_agent,
        n >= 7 AND p[5] = ' ' AND len(h) = 10 AND h[10] = '' AND len(m) >= 7 AND strlen(h[4]) = 6
            AND status_text <> '' AS fits
        FROM ({cut})"""
    return finish(con, path, parsed)


_S3_RE = re.compile(
    r"^\S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ "
    r"(?:REST|WEBSITE|BATCH|S3|SOAP)\.[A-Z_]+(?:\.[A-Z_]+)* \S+ \"[^\"]*\" (?:\d{3}|-) "
)


def sniff_s3(lines: list[str]) -> bool:
    """At least half the lines are S3 server access log lines."""
    return mostly(lines, lambda x: bool(_S3_RE.match(x)), 0.5)
