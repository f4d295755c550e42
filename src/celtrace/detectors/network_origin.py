"""NET.DPRK, NET.HIGH_RISK_REGION and NET.ANONYMIZER: where imported access came from.

Both read the ``events`` view (``logs.engine``) already enriched at import (``logs.enrich``): country, AS and
the watch label of each address from ``data/networks.json``. Events are aggregated in SQL per source, account
(or address, when the log names no account) and address, so a thousand lines from one address are one row;
findings gather the rows of one account or address, with counts, first and last times and the file and line
of the first and last event as evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from celtrace.config import Settings
from celtrace.detectors.event_sql import ACCOUNT_USED, sql_list
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.log_accounts import account_subject
from celtrace.detectors.view import StoreView

#: Addresses listed in a finding's evidence at most; the count covers them all.
MAX_ADDRESSES = 20

# One scan of the events serves the three rules: each keeps the rows its condition (in Python) picks. Grouping
# by every enrichment column keeps a row's values exact when two imports enriched an address differently.
_GROUPED = """
SELECT source, account, ip, country, region, city, asn, as_name, watch, watch_confidence AS confidence,
       count(*) AS events, bool_or({used}) AS used, min(ts) AS first, max(ts) AS last,
       min_by(file, (ts, file, line)) AS first_file, min_by(line, (ts, file, line)) AS first_line,
       max_by(file, (ts, file, line)) AS last_file, max_by(line, (ts, file, line)) AS last_line
FROM events
WHERE ok AND (watch IN ('dprk', 'dprk-low-confidence', 'vpn', 'hosting') OR region IN ({regions})
              OR city IN ({cities}) OR country IN ({countries}))
GROUP BY source, account, ip, country, region, city, asn, as_name, watch, watch_confidence
ORDER BY source, account NULLS LAST, ip
"""
# Every aggregate above exists in Spark SQL too (min_by and max_by since Spark 3.0).

Row = dict[str, Any]


@dataclass
class Group:
    """The events of one account (or one address without an account) that a rule picked, per source."""

    source: str
    account: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def used(self) -> bool:
        """Whether the account was really used, not only tried (``event_sql.ACCOUNT_USED``)."""
        return self.account is not None and any(row["used"] for row in self.rows)

    @property
    def events(self) -> int:
        """Events in the group."""
        return sum(int(row["events"]) for row in self.rows)

    def evidence(self) -> dict[str, Any]:
        """Counts, time span and the addresses with their own counts and first and last lines."""
        return {
            "source": self.source,
            "account": self.account,
            "account_used": self.used,
            "events": self.events,
            "first": str(min(row["first"] for row in self.rows)),
            "last": str(max(row["last"] for row in self.rows)),
            "addresses": [
                {
                    "ip": row["ip"],
                    "country": row["country"],
                    "region": row.get("region"),
                    "city": row.get("city"),
                    "asn": row["asn"],
                    "as_name": row["as_name"],
                    "watch": row["watch"],
                    "confidence": row["confidence"],
                    "events": row["events"],
                    "first": {"time": str(row["first"]), "file": row["first_file"], "line": row["first_line"]},
                    "last": {"time": str(row["last"]), "file": row["last_file"], "line": row["last_line"]},
                }
                for row in sorted(self.rows, key=lambda row: -int(row["events"]))[:MAX_ADDRESSES]
            ],
            "address_count": len(self.rows),
        }


def dprk_access(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """Access from North Korea's own address space or networks.

    175.45.176.0/22, announced by AS131279 (Star Joint Venture, Pyongyang), is the DPRK's own address space:
    access from it is critical. Ranges that public sources call DPRK-related without an authoritative
    attribution are reported at low severity and never scored high. Traffic from the DPRK's upstream
    providers (China Unicom, TransTeleCom) is not a signal by itself and is not reported. Source: the
    networks table of celtrace's reference facts (data/networks.json cites each entry).
    """
    for group in _groups(view, lambda row: row["watch"] in ("dprk", "dprk-low-confidence")):
        high = any(row["watch"] == "dprk" for row in group.rows)
        who = _who(group)
        addresses = sorted({str(row["ip"]) for row in group.rows})
        yield _finding(
            view,
            "NET.DPRK",
            Severity.CRITICAL if high else Severity.LOW,
            group,
            title=f"{who} reached {group.source} from North Korean address space"
            if high
            else f"{who} reached {group.source} from addresses some sources call DPRK-related",
            explanation=f"{group.events} events in {group.source} from {len(addresses)} address(es) "
            f"({', '.join(addresses[:5])}{', ...' if len(addresses) > 5 else ''}) "
            + (
                "in 175.45.176.0/22 or AS131279, the DPRK's own address space."
                if high
                else "in ranges that public sources list as DPRK-related without an authoritative attribution: "
                "worth a look, not proof."
            ),
        )


def high_risk_region_access(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """Access from regions tied to DPRK front operations: Liaoning (Shenyang, Dandong, Dalian), Jilin (Yanji
    and Yanbian, Changchun) and Primorsky Krai (Vladivostok).

    In the 2024 case the connections that did not come through VPNs came from three cities of Liaoning,
    known hubs of North Korean IT workers (reference facts, data/networks.json). Regions are only known with
    a MaxMind City database (``logs import --mmdb``): then access from them is high for a named account that was
    used (not only tried: a failed login names whatever the scanner guessed) and medium otherwise. Without
    one, only the country of an address is known, and access from China or Russia is reported at info level,
    saying so, so that nobody reads silence as a clean bill.
    """
    from celtrace.logs.networks import high_risk_regions

    regions = high_risk_regions()
    cities = {city for region in regions for city in region.cities}
    names = {region.code: region.name for region in regions}
    for group in _groups(view, lambda row: row["region"] in names or row["city"] in cities):
        where = sorted({str(row["city"] or names.get(str(row["region"]), row["region"])) for row in group.rows})
        yield _finding(
            view,
            "NET.HIGH_RISK_REGION",
            Severity.HIGH if group.used else Severity.MEDIUM,
            group,
            title=f"{_who(group)} reached {group.source} from {', '.join(where)}",
            explanation=f"{group.events} events in {group.source} came from {', '.join(where)}, where North "
            "Korean IT workers are known to operate for front companies.",
        )
    countries = {region.country for region in regions}
    unknown = _groups(view, lambda row: row["region"] is None and row["city"] is None and row["country"] in countries)
    for group in unknown:
        found = sorted({str(row["country"]) for row in group.rows})
        yield _finding(
            view,
            "NET.HIGH_RISK_REGION",
            Severity.INFO,
            group,
            title=f"{_who(group)} reached {group.source} from {', '.join(found)}; the region is not known",
            explanation=f"{group.events} events in {group.source} came from {', '.join(found)}. Without a city "
            "database (logs import --mmdb) celtrace cannot tell whether they came from the regions tied to DPRK "
            "front operations.",
        )


def anonymizer_access(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """Access through VPN or hosting networks where a person at a workstation is expected.

    A studio's portal is used by artists at their desks; a login from a commercial VPN or from a data
    centre hides where the person really is. The 2024 case's logs showed most connections coming through
    VPNs, and the May 2022 US advisory on DPRK IT workers names VPN and VPS hops. Hosting and VPN networks
    come from data/networks.json (by AS). Medium for a named account that was used (not only tried) on a
    network the data marks with high confidence; low otherwise (traffic without an account, a failed login,
    or a network that also carries ordinary users).
    """
    for group in _groups(view, lambda row: row["watch"] in ("vpn", "hosting")):
        confident = any(row["confidence"] == "high" for row in group.rows)
        kinds = sorted({str(row["watch"]) for row in group.rows})
        networks = sorted({str(row["as_name"] or row["asn"]) for row in group.rows})
        who = _who(group)
        yield _finding(
            view,
            "NET.ANONYMIZER",
            Severity.MEDIUM if group.used and confident else Severity.LOW,
            group,
            title=f"{who} reached {group.source} through {' and '.join(kinds)} networks",
            explanation=f"{group.events} events in {group.source} came through {', '.join(networks[:5])}"
            f"{' and others' if len(networks) > 5 else ''} ({' and '.join(kinds)} networks), which hide where "
            "the person using the account is.",
        )


def _groups(view: StoreView, keep: Callable[[Row], bool]) -> Iterator[Group]:
    """The rows ``keep`` picks, gathered per source and account; lines without an account per source and
    network, so that a scan from a thousand addresses of one hosting provider is one finding, not a thousand."""
    groups: dict[tuple[str, str], Group] = {}
    for row in view.shared("network origin rows", lambda: _rows(view)):
        if not keep(row):
            continue
        network = str(row["as_name"] or row["country"] or row["ip"])
        key = (row["source"], f"account:{row['account']}" if row["account"] is not None else f"network:{network}")
        group = groups.setdefault(key, Group(row["source"], row["account"]))
        group.rows.append(row)
    yield from groups.values()


def _rows(view: StoreView) -> list[Row]:
    from celtrace.logs.networks import high_risk_regions

    regions = high_risk_regions()
    return view.event_rows(
        _GROUPED.format(
            used=ACCOUNT_USED,
            regions=sql_list(region.code for region in regions),
            cities=sql_list(city for region in regions for city in region.cities),
            countries=sql_list({region.country for region in regions}),
        )
    )


def _who(group: Group) -> str:
    if group.account:
        return f"Account {group.account!r}"
    if len(group.rows) == 1:
        return f"Address {group.rows[0]['ip']}"
    return f"{len(group.rows)} addresses of {group.rows[0]['as_name'] or group.rows[0]['country']}"


def _finding(view: StoreView, rule: str, severity: Severity, group: Group, title: str, explanation: str) -> Finding:
    if group.account:
        subject = account_subject(view, group.source, group.account)
    elif len(group.rows) == 1:
        ip = str(group.rows[0]["ip"])
        subject = Subject("address", ip, ip)
    else:
        network = str(group.rows[0]["as_name"] or group.rows[0]["country"])
        subject = Subject("address", f"network:{network}", _who(group))
    return Finding(
        rule=rule,
        severity=severity,
        subject=subject,
        title=title,
        explanation=explanation,
        evidence=group.evidence(),
        key=f"{group.source}:{subject.id}",
    )
