"""The report's access section: where imported access came from (per country) and when (per UTC day).

The counts come from one grouped scan of the events (:func:`celtrace.logs.stats.access_profile`); here they
gain country names and the times of the NET.* findings, which the timeline marks. Everything is plain JSON,
so the JSON report holds what the HTML charts draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import pycountry
from sqlalchemy import select

from celtrace.detectors.finding import Finding
from celtrace.logs.stats import CATEGORIES, access_profile
from celtrace.workspace import Workspace
from celtrace.workspace.schema import LogFile

#: Rule codes whose findings the timeline marks.
NETWORK_RULES = "NET."
#: What a country without a code stands for: private, reserved or unknown addresses.
NO_COUNTRY = "Unknown or private address"


def build_access(workspace: Workspace, findings: Iterable[Finding]) -> dict[str, Any] | None:
    """The access section, or None when the workspace holds no imported log."""
    from celtrace.logs.networks import high_risk_regions

    profile = access_profile(workspace)
    if profile is None:
        return None
    totals = profile["totals"]
    return {
        "categories": list(CATEGORIES),
        "regions": [{"code": region.code, "name": region.name} for region in high_risk_regions()],
        "totals": {
            **{key: totals[key] for key in ("events", "rejected", "sources", "addresses", "accounts", "located")},
            "countries": sum(1 for row in profile["countries"] if row["country"]),
            "first": _iso(totals["first"]),
            "last": _iso(totals["last"]),
        },
        "countries": [{**row, "name": country_name(row["country"])} for row in profile["countries"]],
        "days": [{**row, "day": _day(row["day"])} for row in profile["days"]],
        "markers": markers(findings),
        "files": log_files(workspace),
    }


def log_files(workspace: Workspace) -> list[dict[str, Any]]:
    """Every imported log file, in import order: where it was read from, its digest, and what read it."""
    with workspace.session() as session:
        rows = session.scalars(select(LogFile).order_by(LogFile.id)).all()
    return [
        {
            "source": row.source,
            "path": row.path,
            "sha256": row.sha256,
            "format": row.format,
            "lines": row.lines,
            "events": row.events,
            "rejected": row.rejected,
            "engine": row.engine,
        }
        for row in rows
    ]


def country_name(code: str | None) -> str:
    """The name a reader knows (``KP`` → ``North Korea``); the code itself when pycountry does not know it."""
    if not code:
        return NO_COUNTRY
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def markers(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The first and last event times of each NET.* finding that gives them, earliest first."""
    result = []
    for finding in findings:
        if not finding.rule.startswith(NETWORK_RULES):
            continue
        first, last = _iso(finding.evidence.get("first")), _iso(finding.evidence.get("last"))
        if first is None:
            continue
        result.append(
            {
                "finding": finding.id,
                "rule": finding.rule,
                "severity": finding.severity.label,
                "subject": finding.subject.name,
                "first": first,
                "last": last if last is not None and last >= first else first,
            }
        )
    result.sort(key=lambda marker: (marker["first"], marker["rule"], marker["finding"]))
    return result


def _iso(value: object) -> str | None:
    """A time as ISO 8601 in UTC (naive times are UTC, as the events store them); None if it is not one."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
