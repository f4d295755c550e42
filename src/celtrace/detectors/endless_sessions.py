"""NET.ENDLESS_SESSION: an account busy without a break for a day or more.

The May 2022 US advisory on DPRK IT workers names "accounts logged in continuously for a day or more" as a red
flag: several workers in shifts behind one login, or a remote-control set-up that keeps a session alive. A
portal log has no log-out to read, so a session here is activity without a gap longer than MAX_GAP_MINUTES.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from celtrace.config import Settings
from celtrace.detectors.event_sql import ACCOUNT_USED
from celtrace.detectors.finding import Finding, Severity
from celtrace.detectors.log_accounts import account_subject
from celtrace.detectors.view import StoreView

#: A quiet spell longer than this ends a session.
MAX_GAP_MINUTES = 30
#: Sessions at least this long are reported.
MIN_HOURS = 24
#: Sessions this long or longer are medium rather than low.
LONG_HOURS = 72
#: Sessions listed in a finding's evidence at most; the count covers them all.
MAX_SESSIONS = 10

# Gaps and islands: an event starts a session when the account's previous event on the source is more than
# the gap before it; the running count of starts numbers the sessions.
_SESSIONS = """
WITH marked AS (
    SELECT source, account, ts, ip, file, line,
           CASE WHEN lag(ts) OVER w IS NULL OR epoch(ts) - epoch(lag(ts) OVER w) > {gap_s}
                THEN 1 ELSE 0 END AS starts
    FROM events
    WHERE {used}
    WINDOW w AS (PARTITION BY source, account ORDER BY ts, file, line)
), numbered AS (
    SELECT *, sum(starts) OVER (PARTITION BY source, account ORDER BY ts, file, line
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session
    FROM marked
)
SELECT source, account, session, count(*) AS events, count(DISTINCT ip) AS addresses,
       min(ts) AS first, max(ts) AS last, (epoch(max(ts)) - epoch(min(ts))) / 3600 AS hours,
       min_by(file, (ts, file, line)) AS first_file, min_by(line, (ts, file, line)) AS first_line,
       max_by(file, (ts, file, line)) AS last_file, max_by(line, (ts, file, line)) AS last_line
FROM numbered
GROUP BY source, account, session
HAVING epoch(max(ts)) - epoch(min(ts)) >= {min_s}
ORDER BY source, account, first
"""


def endless_sessions(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """An account was active for 24 hours or more without a 30-minute break.

    Nobody works a day and a night without a pause; a login that does is shared by people in shifts or kept
    open by a remote-control set-up, both named by the US advisories on DPRK IT workers. A scripted sync
    client looks the same, which is why this alone is low; medium from three days on.
    """
    sessions: dict[tuple[str, str], list[dict[str, Any]]] = {}
    query = _SESSIONS.format(used=ACCOUNT_USED, gap_s=MAX_GAP_MINUTES * 60, min_s=MIN_HOURS * 3600)
    for row in view.event_rows(query):
        sessions.setdefault((str(row["source"]), str(row["account"])), []).append(row)
    for (source, account), rows in sorted(sessions.items()):
        longest = max(rows, key=lambda row: float(row["hours"]))
        hours = float(longest["hours"])
        yield Finding(
            rule="NET.ENDLESS_SESSION",
            severity=Severity.MEDIUM if hours >= LONG_HOURS else Severity.LOW,
            subject=account_subject(view, source, account),
            title=f"Account {account!r} on {source} was active for {hours:.0f} hours without a break",
            explanation=f"{len(rows)} session(s) of account {account!r} on {source} lasted {MIN_HOURS} hours or "
            f"more with no pause longer than {MAX_GAP_MINUTES} minutes; the longest ran {hours:.0f} hours from "
            f"{longest['first']}. People in shifts behind one login, or a remote-control set-up, work like this.",
            evidence={
                "source": source,
                "account": account,
                "first": str(rows[0]["first"]),
                "last": str(max(row["last"] for row in rows)),
                "sessions": [
                    {
                        "hours": round(float(row["hours"]), 1),
                        "events": row["events"],
                        "addresses": row["addresses"],
                        "first": {"time": str(row["first"]), "file": row["first_file"], "line": row["first_line"]},
                        "last": {"time": str(row["last"]), "file": row["last_file"], "line": row["last_line"]},
                    }
                    for row in rows[:MAX_SESSIONS]
                ],
                "session_count": len(rows),
            },
            key=source,
        )
