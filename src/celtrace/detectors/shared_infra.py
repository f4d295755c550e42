"""NET.SHARED_INFRA: accounts of vendors that should be separate, on the same address within a day.

Two vendors are two companies with two offices. When their accounts reach the studio from the same address
within hours of each other, the same people, or the same room, may be working for both: the pattern of a
front company and the workers behind it. Accounts are tied to vendors by the chain's accounts
(``log_accounts``); log names the chain does not know are left out, since nothing says whose they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from celtrace.config import Settings
from celtrace.detectors.event_sql import ACCOUNT_USED, sql_text
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.log_accounts import vendor_of
from celtrace.detectors.view import StoreView

#: Two vendors' uses of an address count as shared when they fall within this many hours of each other.
WINDOW_HOURS = 24
#: Uses of shared addresses (an address and a pair of accounts) listed in a finding's evidence at most.
MAX_USES = 20

_ACCOUNTS = f"SELECT DISTINCT source, account FROM events WHERE {ACCOUNT_USED}"

# Each vendor's use of each address per hour, then the pairs of hours of two vendors on one address that fall
# within the window, summed up per address and pair of accounts.
_SHARED = """
WITH vendors (source, account, vendor) AS (VALUES {values}),
used AS (
    SELECT e.ip, v.vendor, e.source, e.account, floor(epoch(e.ts) / 3600) AS hour,
           min(e.ts) AS first,
           min_by(e.file, (e.ts, e.file, e.line)) AS file,
           min_by(e.line, (e.ts, e.file, e.line)) AS line,
           max(e.country) AS country, max(e.as_name) AS as_name, max(e.watch) AS watch
    FROM (SELECT * FROM events WHERE {used}) e JOIN vendors v ON e.source = v.source AND e.account = v.account
    WHERE e.ip IS NOT NULL AND NOT coalesce(e.private, false)
    GROUP BY e.ip, v.vendor, e.source, e.account, floor(epoch(e.ts) / 3600)
), shared AS (
    SELECT ip FROM used GROUP BY ip HAVING count(DISTINCT vendor) > 1
)
SELECT a.ip, a.country, a.as_name, a.watch, a.vendor, a.source, a.account,
       b.vendor AS other_vendor, b.source AS other_source, b.account AS other_account,
       count(DISTINCT a.hour) AS hours, min(a.first) AS first, max(a.first) AS last,
       min_by(a.file, (a.first, a.file, a.line, b.first, b.file, b.line)) AS file,
       min_by(a.line, (a.first, a.file, a.line, b.first, b.file, b.line)) AS line,
       min_by(b.file, (a.first, a.file, a.line, b.first, b.file, b.line)) AS other_file,
       min_by(b.line, (a.first, a.file, a.line, b.first, b.file, b.line)) AS other_line,
       min_by(b.first, (a.first, a.file, a.line, b.first, b.file, b.line)) AS other_first
FROM used a JOIN used b ON a.ip = b.ip AND a.vendor <> b.vendor AND abs(a.hour - b.hour) <= {window}
WHERE a.ip IN (SELECT ip FROM shared)
GROUP BY a.ip, a.country, a.as_name, a.watch, a.vendor, a.source, a.account, b.vendor, b.source, b.account
"""


def shared_infrastructure(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """Accounts of two vendors reached the studio from the same address within a day.

    Separate companies work from separate networks. The same address serving two vendors' accounts within 24
    hours suggests the same people or premises behind both, as with a front company and the workers it
    fronts for (the US advisories on DPRK IT workers note one person using several accounts from one address).
    High when neither vendor declared the other as client or subcontractor; low when one did, or when every
    shared address is a VPN or hosting network, whose exits many strangers share. Each vendor gets its own
    finding naming the other.
    """
    mapped = _mapped(view)
    if len({vendor for _, _, vendor in mapped}) < 2:
        return
    values = ", ".join(f"({sql_text(s)}, {sql_text(a)}, {sql_text(v)})" for s, a, v in mapped)
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in view.event_rows(_SHARED.format(values=values, used=ACCOUNT_USED, window=WINDOW_HOURS)):
        pairs.setdefault((row["vendor"], row["other_vendor"]), []).append(row)
    chain = view.chain
    declared = {
        frozenset((link.source_id, link.target_id)) for link in chain.subcontracting() if link.status == "declared"
    }
    for (vendor_id, other_id), rows in sorted(pairs.items()):
        vendor, other = chain.vendors.get(vendor_id), chain.vendors.get(other_id)
        if vendor is None or other is None:
            continue
        related = frozenset((vendor_id, other_id)) in declared
        anonymous = all(row["watch"] in ("vpn", "hosting") for row in rows)
        addresses = sorted({str(row["ip"]) for row in rows})
        yield Finding(
            rule="NET.SHARED_INFRA",
            severity=Severity.LOW if related or anonymous else Severity.HIGH,
            subject=Subject("vendor", vendor_id, vendor.name),
            title=f"{vendor.name} and {other.name} used the same address(es) within a day",
            explanation=f"Accounts of {vendor.name} and of {other.name} reached the studio from "
            f"{len(addresses)} shared address(es) ({', '.join(addresses[:5])}{', ...' if len(addresses) > 5 else ''}) "
            f"within {WINDOW_HOURS} hours of each other. "
            + (
                "One of them declared the other in the chain, which may explain it."
                if related
                else "Every shared address is a VPN or hosting network, whose exits many people share."
                if anonymous
                else "Neither declared the other: the same people or premises may be working for both."
            ),
            evidence={
                "vendor": vendor_id,
                "other_vendor": other_id,
                "declared_relation": related,
                "first": str(min(row["first"] for row in rows)),
                "last": str(max(row["last"] for row in rows)),
                "address_count": len(addresses),
                "uses": [_use(row) for row in sorted(rows, key=_busiest)[:MAX_USES]],
            },
            key=other_id,
        )


def _busiest(row: dict[str, Any]) -> tuple[int, str, str, str, str]:
    # Hours first; ties by time, address and accounts, so that every engine lists the same uses in one order.
    return (-int(row["hours"]), str(row["first"]), str(row["ip"]), str(row["account"]), str(row["other_account"]))


def _mapped(view: StoreView) -> list[tuple[str, str, str]]:
    """Every (source, account) of the logs whose vendor the chain names, with that vendor."""
    mapped = []
    for row in view.event_rows(_ACCOUNTS):
        vendor = vendor_of(view, row["source"], row["account"])
        if vendor is not None:
            mapped.append((row["source"], row["account"], vendor))
    return sorted(mapped)


def _use(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "ip": row["ip"],
        "country": row["country"],
        "as_name": row["as_name"],
        "watch": row["watch"],
        "hours_together": row["hours"],
        "account": {"source": row["source"], "account": row["account"], "first": str(row["first"]),
                    "file": row["file"], "line": row["line"]},
        "other_account": {"source": row["other_source"], "account": row["other_account"],
                          "first": str(row["other_first"]), "file": row["other_file"], "line": row["other_line"]},
        "last": str(row["last"]),
    }  # fmt: skip
