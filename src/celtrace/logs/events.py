"""The one shape every log reader produces: an access event, as columns of a DuckDB relation.

Readers return a lazy DuckDB relation (so a 10-million-line file streams through the engine rather than
through Python) with exactly ``COLUMNS``, in this order. A line that does not parse is still a row, with
``ok`` false and ``raw`` holding the line, so that the importer can count and sample it; parsed rows keep
``raw`` NULL.
"""

from __future__ import annotations

COLUMNS: dict[str, str] = {
    "line": "BIGINT",  # 1-based line number in the file (for JSON Lines and CSV too)
    "ts": "TIMESTAMP",  # UTC, no zone: readers convert offsets and assumed zones to UTC
    "ip": "VARCHAR",  # the client address as text, IPv4 or IPv6; NULL when the format has none
    "account": "VARCHAR",  # user name, login, requester, access key: who, when the log says
    "action": "VARCHAR",  # HTTP method, S3 operation, "login", "login-failed", "download", "upload"...
    "object": "VARCHAR",  # path, key or file acted on
    "status": "INTEGER",  # HTTP status or the format's own result code
    "bytes": "BIGINT",  # bytes sent to the client
    "user_agent": "VARCHAR",
    "ok": "BOOLEAN",  # false: the line did not parse
    "raw": "VARCHAR",  # the line itself when ok is false, else NULL
}
"""Event columns and their DuckDB types, in the order every reader's relation has them."""

SELECT_LIST = ", ".join(COLUMNS)
"""The columns as a SQL select list, to put a reader's relation in order."""
