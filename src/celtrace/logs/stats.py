"""``logs stats``: what was read from each file, and the imported events by country, network and account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from celtrace.logs import engine
from celtrace.workspace import Workspace
from celtrace.workspace.schema import LogFile

TOP = 20
"""Rows in each breakdown."""


def log_stats(workspace: Workspace, top: int = TOP) -> dict[str, Any]:
    """Per file: lines read, parsed and rejected with samples; over all events: the largest countries, ASNs
    and accounts, each with its event and address counts."""
    with workspace.session() as session:
        files = session.scalars(select(LogFile).order_by(LogFile.id)).all()
        con = engine.connect(session, workspace.files)
    result: dict[str, Any] = {
        "files": [
            {
                "source": f.source,
                "path": f.path,
                "format": f.format,
                "sha256": f.sha256,
                "lines": f.lines,
                "parsed": f.events,
                "rejected": f.rejected,
                "first": f.first_ts,
                "last": f.last_ts,
                "rejected_samples": f.samples,
            }
            for f in files
        ],
        "lines": sum(f.lines for f in files),
        "parsed": sum(f.events for f in files),
        "rejected": sum(f.rejected for f in files),
        "by_country": [],
        "by_asn": [],
        "by_account": [],
    }
    if con is None:
        return result
    try:
        result["by_country"] = _rows(
            con,
            "SELECT country, count(*) AS events, count(DISTINCT ip) AS addresses FROM events WHERE ok "
            "GROUP BY country ORDER BY events DESC, country NULLS LAST LIMIT ?",
            top,
        )
        result["by_asn"] = _rows(
            con,
            "SELECT asn, any_value(as_name) AS as_name, count(*) AS events, count(DISTINCT ip) AS addresses "
            "FROM events WHERE ok GROUP BY asn ORDER BY events DESC, asn NULLS LAST LIMIT ?",
            top,
        )
        result["by_account"] = _rows(
            con,
            "SELECT account, count(*) AS events, count(DISTINCT ip) AS addresses, "
            "count(DISTINCT country) AS countries FROM events WHERE ok AND account IS NOT NULL "
            "GROUP BY account ORDER BY events DESC, account LIMIT ?",
            top,
        )
    finally:
        con.close()
    return result


def _rows(con: Any, sql: str, top: int) -> list[dict[str, Any]]:
    cursor = con.execute(sql, [top])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
