"""``logs stats``: what was read from each file, and the imported events by country, network and account.

:func:`access_profile` is the report's view of the same events: totals, then each country and each UTC day
split into the categories of :data:`CATEGORIES`, in one grouped scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.logs import engine
from celtrace.workspace import Workspace
from celtrace.workspace.schema import LogFile

TOP = 20
"""Rows in each breakdown."""

CATEGORIES: tuple[str, ...] = ("ordinary", "anonymizer", "high_risk_region", "dprk")
"""Where an event came from, least to most alarming. Each event counts in one: the last of these that applies
(``dprk``: DPRK address space, high or low confidence; ``high_risk_region``: a region or city of
:func:`celtrace.logs.networks.high_risk_regions`, which only a City database gives; ``anonymizer``: a VPN or
hosting network). A VPN exit in Dandong counts as anonymizer, not region: the exit says nothing of the person."""

DPRK_WATCH = ("dprk", "dprk-low-confidence")
ANONYMIZER_WATCH = ("vpn", "hosting")

# One scan, three groupings: per country, per day, and all events. GROUPING SETS, GROUPING(), CASE and
# CAST(... AS DATE) are standard SQL that Spark SQL reads as DuckDB does; ``ts`` is UTC without a zone, so
# the date is the UTC day.
_PROFILE = """
SELECT country, day, GROUPING(country) AS all_countries, GROUPING(day) AS all_days,
       count(*) AS events, count(DISTINCT ip) AS addresses, count(DISTINCT account) AS accounts,
       sum(CASE WHEN region IS NOT NULL OR city IS NOT NULL THEN 1 ELSE 0 END) AS located,
       min(ts) AS first, max(ts) AS last,
       {sums}
FROM (
    SELECT country, CAST(ts AS DATE) AS day, ip, account, region, city, ts,
           CASE WHEN watch IN ({dprk}) THEN 'dprk'
                WHEN watch IN ({anonymizer}) THEN 'anonymizer'
                WHEN region IN ({regions}) OR city IN ({cities}) THEN 'high_risk_region'
                ELSE 'ordinary' END AS category
    FROM events
    WHERE ok
) categorised
GROUP BY GROUPING SETS ((country), (day), ())
"""


def log_stats(workspace: Workspace, top: int = TOP) -> dict[str, Any]:
    """Per file: lines read, parsed and rejected with samples; over all events: the largest countries, ASNs
    and accounts, each with its event and address counts."""
    with workspace.session() as session:
        files = _files(session)
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
            [top],
        )
        result["by_asn"] = _rows(
            con,
            "SELECT asn, any_value(as_name) AS as_name, count(*) AS events, count(DISTINCT ip) AS addresses "
            "FROM events WHERE ok GROUP BY asn ORDER BY events DESC, asn NULLS LAST LIMIT ?",
            [top],
        )
        result["by_account"] = _rows(
            con,
            "SELECT account, count(*) AS events, count(DISTINCT ip) AS addresses, "
            "count(DISTINCT country) AS countries FROM events WHERE ok AND account IS NOT NULL "
            "GROUP BY account ORDER BY events DESC, account LIMIT ?",
            [top],
        )
    finally:
        con.close()
    return result


def access_profile(workspace: Workspace) -> dict[str, Any] | None:
    """The imported events in aggregate, or None when no log has been imported.

    ``totals``: events (parsed lines), rejected lines, sources, distinct addresses and accounts, events whose
    region or city is known (``located``), first and last time. ``countries``: per ISO country code (None for
    addresses without one: private, reserved or unknown), most events first, with events, addresses, accounts
    and one count per category. ``days``: per UTC day with events, in order, with events and one count per
    category. Only aggregates leave the engine, whatever the number of lines.
    """
    from celtrace.logs.networks import high_risk_regions

    with workspace.session() as session:
        files = _files(session)
        con = engine.connect(session, workspace.files)
    if con is None:
        return None
    regions = high_risk_regions()
    sql = _PROFILE.format(
        sums=",\n       ".join(
            f"sum(CASE WHEN category = '{name}' THEN 1 ELSE 0 END) AS {name}" for name in CATEGORIES
        ),
        dprk=_sql_list(DPRK_WATCH),
        anonymizer=_sql_list(ANONYMIZER_WATCH),
        regions=_sql_list(region.code for region in regions),
        cities=_sql_list(city for region in regions for city in region.cities),
    )
    try:
        rows = _rows(con, sql, [])
    finally:
        con.close()
    overall = next((row for row in rows if row["all_countries"] and row["all_days"]), None)
    events = int(overall["events"]) if overall else 0
    totals = {
        "events": events,
        "rejected": sum(f.rejected for f in files),
        "sources": len({f.source for f in files}),
        "addresses": int(overall["addresses"]) if overall else 0,
        "accounts": int(overall["accounts"]) if overall else 0,
        "located": int(overall["located"] or 0) if overall else 0,
        "first": overall["first"] if overall else None,
        "last": overall["last"] if overall else None,
    }
    countries = [
        {
            "country": row["country"],
            "events": int(row["events"]),
            "addresses": int(row["addresses"]),
            "accounts": int(row["accounts"]),
            **_split(row),
        }
        for row in rows
        if not row["all_countries"] and row["all_days"] and events
    ]
    countries.sort(key=lambda row: (-row["events"], row["country"] is None, row["country"] or ""))
    days = [
        {"day": row["day"], "events": int(row["events"]), **_split(row)}
        for row in rows
        if row["all_countries"] and not row["all_days"] and row["day"] is not None
    ]
    days.sort(key=lambda row: row["day"])
    return {"totals": totals, "countries": countries, "days": days}


def _split(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row[name] or 0) for name in CATEGORIES}


def _files(session: Session) -> Sequence[LogFile]:
    return session.scalars(select(LogFile).order_by(LogFile.id)).all()


def _sql_list(values: Iterable[str]) -> str:
    """Quoted SQL literals; ``NULL`` for none, so that ``x IN (NULL)`` is simply never true."""
    quoted = ["'" + value.replace("'", "''") + "'" for value in sorted(set(values))]
    return ", ".join(quoted) or "NULL"


def _rows(con: Any, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
