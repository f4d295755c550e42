"""W3C extended logs, as IIS writes them, and CloudFront standard logs: fields named by a ``#Fields:`` directive."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import duckdb

from celtrace.errors import InputError
from celtrace.logs.formats import ReaderOptions, is_gzip, mostly
from celtrace.logs.web_sql import dash, finish, lines_sql, quote

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
        return "NULL" if index is None else dash(f"f[{index + 1}]")

    header = quote("#Fields: " + " ".join(fields))
    # Directive lines are skipped, except a #Fields line that differs from the one in force.
    directive = f"starts_with(l, '#') AND NOT (starts_with(l, '#Fields:') AND {_norm_ws('l')} <> {header})"
    lines = lines_sql(skip=directive)
    stamp = f"try_strptime({col('date')} || ' ' || {col('time')}, '%Y-%m-%d %H:%M:%S')"
    parsed = f"""SELECT line, raw, l, {stamp} AS ts, {col("c-ip")} AS ip, {col("cs-username")} AS account,
        {col("cs-method")} AS action, {col("cs-uri-stem")} AS object,
        {col("sc-status")} AS status_text, try_cast(status_text AS INTEGER) AS status,
        {col("sc-bytes")} AS bytes_text, try_cast(bytes_text AS BIGINT) AS bytes,
        {decode_agent.format(agent=col("cs(user-agent)"))} AS user_agent,
        NOT starts_with(l, '#') AND len(f) = {len(fields)} AS fits
        FROM (SELECT line, raw, l, string_split(l, {quote(sep)}) AS f FROM ({lines}))"""
    return finish(con, path, parsed)


def read_w3c(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """W3C extended log format as IIS writes it: space-separated fields named by ``#Fields:``, UTC times."""
    fields = w3c_fields(path)
    if fields is None:
        raise InputError("W3C log without a #Fields: directive", file=str(path))
    # IIS writes spaces inside a field (the user agent) as '+'.
    return _read_w3c_like(con, path, fields, " ", "replace({agent}, '+', ' ')")


def read_cloudfront(con: duckdb.DuckDBPyConnection, path: Path, options: ReaderOptions) -> duckdb.DuckDBPyRelation:
    """CloudFront standard logs: tab-separated W3C fields, the user agent URL-encoded (twice for some bytes)."""
    fields = w3c_fields(path) or CLOUDFRONT_FIELDS
    return _read_w3c_like(con, path, fields, "\t", "url_decode({agent})")


def _fields_line(lines: list[str]) -> str:
    return next((x for x in lines if x.startswith("#Fields:")), "")


def sniff_cloudfront(lines: list[str]) -> bool:
    """A ``#Fields:`` line naming CloudFront's ``x-edge-`` fields, or, without one, CloudFront's line shape."""
    fields = _fields_line(lines)
    if fields:
        return "x-edge-" in fields
    # A header-less file: tab-separated lines starting with a date and time, then an edge location.
    return mostly(lines, lambda x: bool(re.match(r"^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[A-Z]{3}\d", x)), 0.5)


def sniff_w3c(lines: list[str]) -> bool:
    """A space-separated ``#Fields:`` line that is not CloudFront's."""
    fields = _fields_line(lines)
    return bool(fields) and "x-edge-" not in fields and "\t" not in fields
