"""NET.REMOTE_DESKTOP: access events that show a remote-desktop or remote-control set-up.

The patterns live in ``data/red_flags.json`` (``remote_access``): SQL LIKE patterns, case aside, over one event
column (the object, such as a firewall log's ``tcp/3389`` or a web path, or the user agent), with their
severity and public source, so a team can add the tools it sees without a release. LIKE rather than regular
expressions: DuckDB matches ILIKE about ten times faster over ten million user agents, and Spark has it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from celtrace.config import Settings
from celtrace.detectors import red_flags
from celtrace.detectors.event_sql import sql_text
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.log_accounts import account_subject
from celtrace.detectors.view import StoreView

#: The event columns a pattern may name.
FIELDS = ("object", "user_agent", "action")
#: Addresses listed in a finding's evidence at most; the count covers them all.
MAX_ADDRESSES = 20

# One pass: the patterns pick the few matching events, a CASE names the first pattern that fits each, and
# events are counted per source, account (or address without one) and pattern.
_MATCHES = """
WITH hits AS (
    SELECT source, account, ip, country, as_name, ts, file, line, CASE {cases} END AS pattern
    FROM events
    WHERE ok AND ({prefilter})
)
SELECT source, account, ip, country, as_name, pattern, count(*) AS events, min(ts) AS first, max(ts) AS last,
       min_by(file, (ts, file, line)) AS file, min_by(line, (ts, file, line)) AS line
FROM hits
WHERE pattern IS NOT NULL
GROUP BY source, account, ip, country, as_name, pattern
"""


def remote_desktop(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """Access logs show a remote-desktop or remote-control set-up.

    The May 2022 US advisory on DPRK IT workers names remote desktop set-ups (port 3389 forwarding and the
    like); later FBI and industry reporting adds remote-control tools such as AnyDesk and TeamViewer, used
    to work a laptop in one country from another. Seen here: connections to the RDP port in firewall logs,
    requests to remote-desktop web gateways, and remote-control tools' user agents, per account (or per
    address when the log names none). Severity per pattern, from the data file.
    """
    flags = red_flags.load().remote_access
    usable = [flag for flag in flags if flag.field in FIELDS]
    if not usable:
        return
    by_name = {flag.name: flag for flag in usable}
    cases = " ".join(f"WHEN {_matches(flag)} THEN {sql_text(flag.name)}" for flag in usable)
    prefilter = " OR ".join(_matches(flag) for flag in usable)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in view.event_rows(_MATCHES.format(cases=cases, prefilter=prefilter)):
        who = f"account:{row['account']}" if row["account"] is not None else f"address:{row['ip']}"
        groups.setdefault((row["source"], who), []).append(row)
    for (source, _), rows in sorted(groups.items()):
        account = rows[0]["account"]
        names = sorted({str(row["pattern"]) for row in rows})
        severity = max(by_name[name].flag.severity for name in names)
        events = sum(int(row["events"]) for row in rows)
        subject = (
            account_subject(view, source, account)
            if account is not None
            else Subject("address", str(rows[0]["ip"]), str(rows[0]["ip"]))
        )
        who = f"Account {account!r}" if account is not None else f"Address {rows[0]['ip']}"
        yield Finding(
            rule="NET.REMOTE_DESKTOP",
            severity=Severity(severity),
            subject=subject,
            title=f"{who} on {source} shows remote-desktop use: {', '.join(names)}",
            explanation=f"{events} events in {source} match {', '.join(names)}: "
            + "; ".join(by_name[name].flag.why for name in names)
            + ". Remote-desktop set-ups let a worker elsewhere operate a machine in the expected country.",
            evidence={
                "source": source,
                "account": account,
                "events": events,
                "first": str(min(row["first"] for row in rows)),
                "last": str(max(row["last"] for row in rows)),
                "patterns": names,
                "addresses": [
                    {
                        "ip": row["ip"],
                        "country": row["country"],
                        "as_name": row["as_name"],
                        "pattern": row["pattern"],
                        "events": row["events"],
                        "first": {"time": str(row["first"]), "file": row["file"], "line": row["line"]},
                        "last": str(row["last"]),
                    }
                    for row in sorted(rows, key=lambda row: -int(row["events"]))[:MAX_ADDRESSES]
                ],
                "address_count": len(rows),
            },
            key=f"{source}:{subject.id}",
        )


def _matches(flag: red_flags.RemoteAccessFlag) -> str:
    return "(" + " OR ".join(f"{flag.field} ILIKE {sql_text(like)}" for like in flag.like) + ")"
