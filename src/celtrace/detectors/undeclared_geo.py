"""NET.UNDECLARED_GEO: a vendor's accounts reached the studio from countries its declared chain is not in.

A vendor declares where it is, and its declared subcontractors declare where they are: that is where the
studio's files should be opened. Access from anywhere else means work went somewhere nobody declared, which
is how the 2024 case's drawings travelled from Japan through China to North Korea. VPN and hosting networks
say nothing of where a person is and are left to NET.ANONYMIZER; private addresses are the studio's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from celtrace.config import Settings
from celtrace.detectors.event_sql import ACCOUNT_USED
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.log_accounts import vendor_of
from celtrace.detectors.view import StoreView

#: Fewer events than this from an undeclared country, and none from a high-risk one, read as a trip: low.
TRIP_EVENTS = 5
#: Countries listed in a finding's evidence per vendor at most.
MAX_COUNTRIES = 20

_BY_COUNTRY = """
SELECT source, account, country, count(*) AS events, count(DISTINCT ip) AS addresses,
       min(ts) AS first, max(ts) AS last, min_by(ip, (ts, file, line)) AS ip,
       min_by(file, (ts, file, line)) AS file, min_by(line, (ts, file, line)) AS line
FROM events
WHERE {used} AND country IS NOT NULL AND NOT coalesce(private, false)
      AND (watch IS NULL OR watch NOT IN ('vpn', 'hosting'))
GROUP BY source, account, country
"""


def undeclared_geography(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A vendor's accounts were used from a country that neither it nor its declared subcontractors declared.

    The countries a vendor may work from are its own and those of every vendor below it in the declared
    chain. Access from another country says the work went somewhere undeclared. High when that country is
    North Korea or one whose border regions host DPRK front operations (China, Russia: data/networks.json);
    medium otherwise; low for fewer than five events, which reads like a trip.
    """
    from celtrace.logs.networks import high_risk_regions

    risky = {"KP"} | {region.country for region in high_risk_regions()}
    chain = view.chain
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in view.event_rows(_BY_COUNTRY.format(used=ACCOUNT_USED)):
        vendor_id = vendor_of(view, row["source"], row["account"])
        if vendor_id is None or vendor_id not in chain.vendors:
            continue
        declared = _declared_countries(view, vendor_id)
        country = str(row["country"]).upper()
        if declared and country not in declared:
            found.setdefault(vendor_id, {}).setdefault(country, []).append(row)
    for vendor_id, countries in sorted(found.items()):
        vendor = chain.vendors[vendor_id]
        allowed = sorted(_declared_countries(view, vendor_id))
        events = {country: sum(int(row["events"]) for row in rows) for country, rows in countries.items()}
        high = sorted(set(countries) & risky)
        severity = Severity.HIGH if high else Severity.MEDIUM if max(events.values()) >= TRIP_EVENTS else Severity.LOW
        names = sorted(countries, key=lambda country: -events[country])
        yield Finding(
            rule="NET.UNDECLARED_GEO",
            severity=severity,
            subject=Subject("vendor", vendor_id, vendor.name),
            title=f"{vendor.name}'s accounts were used from {', '.join(names[:5])}, which its chain never declared",
            explanation=f"{sum(events.values())} events of {vendor.name}'s accounts came from "
            f"{', '.join(names)}; the vendor and its declared subcontractors declared only {', '.join(allowed)}. "
            "Work is being done where nobody said it would be"
            + (f", including {', '.join(high)}, where DPRK IT workers operate." if high else "."),
            evidence={
                "vendor": vendor_id,
                "declared_countries": allowed,
                "first": str(min(row["first"] for rows in countries.values() for row in rows)),
                "last": str(max(row["last"] for rows in countries.values() for row in rows)),
                "countries": [
                    {
                        "country": country,
                        "events": events[country],
                        "accounts": [
                            _account(row) for row in sorted(countries[country], key=lambda row: -int(row["events"]))
                        ],
                    }
                    for country in names[:MAX_COUNTRIES]
                ],
            },
            key=vendor_id,
        )


def _account(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": row["source"],
        "account": row["account"],
        "events": row["events"],
        "addresses": row["addresses"],
        "first": {"time": str(row["first"]), "ip": row["ip"], "file": row["file"], "line": row["line"]},
        "last": str(row["last"]),
    }


def _declared_countries(view: StoreView, vendor_id: str) -> frozenset[str]:
    """The countries of the vendor and of every vendor below it in the declared chain (once per run)."""
    return view.shared(f"declared countries of {vendor_id}", lambda: _walk_declared(view, vendor_id))


def _walk_declared(view: StoreView, vendor_id: str) -> frozenset[str]:
    chain = view.chain
    seen, todo, countries = {vendor_id}, [vendor_id], set[str]()
    while todo:
        current = chain.vendors.get(todo.pop())
        if current is None:
            continue
        if current.country:
            countries.add(current.country.upper())
        for link in chain.subcontractors.get(current.id, []):
            if link.status == "declared" and link.target_id not in seen:
                seen.add(link.target_id)
                todo.append(link.target_id)
    return frozenset(countries)
