"""NET.IMPOSSIBLE_TRAVEL and NET.MANY_COUNTRIES: one account seen in places one person cannot be in.

Both read named accounts' events per source. A shared account, a handed-over password or a chain of VPN hops
all look the same from the portal: the same name, far apart, close in time. The May 2022 US advisory on DPRK
IT workers names "logins to one account from several IP addresses, often in different countries, within a
short time" as a red flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from celtrace.config import Settings
from celtrace.detectors.event_sql import ACCOUNT_USED
from celtrace.detectors.finding import Finding, Severity
from celtrace.detectors.log_accounts import account_subject
from celtrace.detectors.view import StoreView
from celtrace.logs import places

#: Faster than this between two places is not travel: airliners cruise at about 900 km/h, door to door far less.
MAX_KMH = 1000.0
#: Places closer than this at least are never called impossible: city-level geolocation is often off by this much.
MIN_GAP_KM = 500.0
#: Hops farther apart in time than this cannot be impossible (half the earth's circumference at MAX_KMH).
MAX_HOP_S = 20 * 3600
#: Countries in one UTC day from which one account is reported.
MANY_COUNTRIES = 3
#: Hops and days listed in a finding's evidence at most; the counts cover them all.
MAX_LISTED = 10

ANONYMIZERS = ("vpn", "hosting")

# Each event against the account's previous one on the same source; a hop is a change of place (country, or
# coordinates when a city database gave them). Hops are grouped per pair of places, keeping the fastest one,
# so a thousand alternations between two places are one row.
_HOPS = """
WITH located AS (
    SELECT source, account, ts, file, line, ip, country, city, latitude, longitude, accuracy_km, watch
    FROM events
    WHERE {used} AND ip IS NOT NULL AND country IS NOT NULL AND NOT coalesce(private, false)
), hops AS (
    SELECT *, lag(ts) OVER w AS from_ts, lag(ip) OVER w AS from_ip, lag(country) OVER w AS from_country,
           lag(city) OVER w AS from_city, lag(latitude) OVER w AS from_latitude,
           lag(longitude) OVER w AS from_longitude, lag(accuracy_km) OVER w AS from_accuracy_km,
           lag(watch) OVER w AS from_watch, lag(file) OVER w AS from_file, lag(line) OVER w AS from_line
    FROM located
    WINDOW w AS (PARTITION BY source, account ORDER BY ts, file, line)
), moved AS (
    SELECT *, epoch(ts) - epoch(from_ts) AS seconds
    FROM hops
    WHERE from_ts IS NOT NULL AND (from_country <> country OR from_latitude IS DISTINCT FROM latitude
                                   OR from_longitude IS DISTINCT FROM longitude)
)
SELECT source, account, from_country, from_latitude, from_longitude, from_accuracy_km,
       country, latitude, longitude, accuracy_km, count(*) AS hops, min(seconds) AS seconds,
       min_by(from_ts, (seconds, ts, file, line)) AS from_ts, min_by(from_ip, (seconds, ts, file, line)) AS from_ip,
       min_by(from_city, (seconds, ts, file, line)) AS from_city,
       min_by(from_watch, (seconds, ts, file, line)) AS from_watch,
       min_by(from_file, (seconds, ts, file, line)) AS from_file,
       min_by(from_line, (seconds, ts, file, line)) AS from_line,
       min_by(ts, (seconds, ts, file, line)) AS ts,
       min_by(ip, (seconds, ts, file, line)) AS ip,
       min_by(city, (seconds, ts, file, line)) AS city,
       min_by(watch, (seconds, ts, file, line)) AS watch,
       min_by(file, (seconds, ts, file, line)) AS file,
       min_by(line, (seconds, ts, file, line)) AS line
FROM moved
WHERE seconds <= {max_hop_s}
GROUP BY source, account, from_country, from_latitude, from_longitude, from_accuracy_km,
         country, latitude, longitude, accuracy_km
"""

_DAYS = """
SELECT source, account, CAST(ts AS DATE) AS day, country,
       count(*) AS events, count(DISTINCT ip) AS addresses, min(ts) AS first, max(ts) AS last,
       min_by(file, (ts, file, line)) AS file, min_by(line, (ts, file, line)) AS line,
       count(*) FILTER (WHERE watch IN ('vpn', 'hosting')) AS anonymized
FROM events
WHERE {used} AND country IS NOT NULL AND NOT coalesce(private, false)
GROUP BY source, account, CAST(ts AS DATE), country
"""


@dataclass(frozen=True)
class Hop:
    """The fastest move of one account between two places, and how far apart the places are at least."""

    row: dict[str, Any]
    gap_km: float

    @property
    def kmh(self) -> float | None:
        """The speed the hop needs; None when both events have the same second."""
        seconds = float(self.row["seconds"])
        return None if seconds <= 0 else self.gap_km / (seconds / 3600)

    @property
    def anonymized(self) -> bool:
        """Whether either end is a VPN or hosting network, which explains a jump without a second person."""
        return self.row["watch"] in ANONYMIZERS or self.row["from_watch"] in ANONYMIZERS

    def to_json(self) -> dict[str, Any]:
        """The hop as a finding's evidence lists it."""
        row = self.row
        return {
            "from": _end(row, "from_"),
            "to": _end(row, ""),
            "minutes": round(float(row["seconds"]) / 60, 1),
            "distance_km_at_least": round(self.gap_km),
            "kmh_needed": None if self.kmh is None else round(self.kmh),
            "through_anonymizer": self.anonymized,
            "times": int(row["hops"]),
        }


def impossible_travel(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """One account in two places farther apart than anyone can travel in the time between.

    For each account and source, every change of place between consecutive events is measured: with a city
    database, from the coordinates and their accuracy radius; without one, between the inhabited parts of the
    two countries (GeoNames places, data/countries.json), so the distance used is the least it can be. A move
    of more than 500 km at more than 1,000 km/h is impossible for one person. It means two people share the
    account, or the traffic hops through a VPN: both hide who does the work. Medium; low when a VPN or hosting
    network is at either end of every such move (NET.ANONYMIZER reports those networks).
    """
    gaps: dict[tuple[Any, ...], float] = {}
    accounts: dict[tuple[str, str], list[Hop]] = {}
    for row in view.event_rows(_HOPS.format(used=ACCOUNT_USED, max_hop_s=MAX_HOP_S)):
        key = (
            row["from_country"], row["from_latitude"], row["from_longitude"], row["from_accuracy_km"],
            row["country"], row["latitude"], row["longitude"], row["accuracy_km"],
        )  # fmt: skip
        if key not in gaps:
            gaps[key] = _gap(row)
        hop = Hop(row, gaps[key])
        if hop.gap_km >= MIN_GAP_KM and (hop.kmh is None or hop.kmh > MAX_KMH):
            accounts.setdefault((row["source"], row["account"]), []).append(hop)
    for (source, account), hops in sorted(accounts.items()):
        hops.sort(key=lambda hop: (-(hop.kmh or float("inf")), -hop.gap_km))
        worst = hops[0]
        wherever = all(hop.anonymized for hop in hops)
        apart = _duration(float(worst.row["seconds"]))
        yield Finding(
            rule="NET.IMPOSSIBLE_TRAVEL",
            severity=Severity.LOW if wherever else Severity.MEDIUM,
            subject=account_subject(view, source, account),
            title=f"Account {account!r} on {source} was in {_where(worst.row, 'from_')} and {_where(worst.row, '')} "
            f"{apart} apart",
            explanation=f"{len(hops)} move(s) of account {account!r} between places at least "
            f"{MIN_GAP_KM:.0f} km apart came faster than {MAX_KMH:.0f} km/h; the fastest covered at least "
            f"{worst.gap_km:,.0f} km in {apart}. One person cannot do that: the account is shared "
            + ("or reached through VPN or hosting hops." if wherever else "or its password was handed over."),
            evidence={
                "source": source,
                "account": account,
                "first": str(min(hop.row["from_ts"] for hop in hops)),
                "last": str(max(hop.row["ts"] for hop in hops)),
                "moves": len(hops),
                "hops": [hop.to_json() for hop in hops[:MAX_LISTED]],
            },
            key=source,
        )


def many_countries(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """One account reached the same source from three or more countries in one day (UTC).

    The May 2022 US advisory on DPRK IT workers: "logins to one account from several IP addresses, often in
    different countries, within a short time". Unlike NET.IMPOSSIBLE_TRAVEL this needs no distances: Seoul,
    Beijing and Tokyo in one day is possible for a traveller, but day after day it is a shared account or a
    VPN rota; the evidence lists every such day. Medium when three countries remain without VPN and hosting
    networks; low otherwise.
    """
    days: dict[tuple[str, str], dict[Any, list[dict[str, Any]]]] = {}
    for row in view.event_rows(_DAYS.format(used=ACCOUNT_USED)):
        days.setdefault((row["source"], row["account"]), {}).setdefault(row["day"], []).append(row)
    for (source, account), by_day in sorted(days.items()):
        busy = {day: rows for day, rows in by_day.items() if len(rows) >= MANY_COUNTRIES}
        if not busy:
            continue
        plain = any(
            sum(1 for row in rows if row["anonymized"] < row["events"]) >= MANY_COUNTRIES for rows in busy.values()
        )
        most = max(busy.items(), key=lambda item: (len(item[1]), item[0]))
        countries = sorted(str(row["country"]) for row in most[1])
        yield Finding(
            rule="NET.MANY_COUNTRIES",
            severity=Severity.MEDIUM if plain else Severity.LOW,
            subject=account_subject(view, source, account),
            title=f"Account {account!r} reached {source} from {len(countries)} countries on {most[0]}",
            explanation=f"On {len(busy)} day(s) account {account!r} reached {source} from {MANY_COUNTRIES} or more "
            f"countries; on {most[0]} from {', '.join(countries)}. US advisories on North Korean IT workers name "
            "one account used from several countries within a short time as a red flag"
            + ("." if plain else "; here VPN or hosting networks account for some of the countries."),
            evidence={
                "source": source,
                "account": account,
                "first": str(min(row["first"] for rows in busy.values() for row in rows)),
                "last": str(max(row["last"] for rows in busy.values() for row in rows)),
                "days": len(busy),
                "by_day": [
                    {
                        "day": str(day),
                        "countries": [
                            {
                                "country": row["country"],
                                "events": row["events"],
                                "addresses": row["addresses"],
                                "through_anonymizer": row["anonymized"] == row["events"],
                                "first": {"time": str(row["first"]), "file": row["file"], "line": row["line"]},
                            }
                            for row in sorted(rows, key=lambda row: row["first"])
                        ],
                    }
                    for day, rows in sorted(busy.items(), reverse=True)[:MAX_LISTED]
                ],
            },
            key=source,
        )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _gap(row: dict[str, Any]) -> float:
    one, other = _place(row, "from_"), _place(row, "")
    return 0.0 if one is None or other is None else places.gap_km(one, other)


def _place(row: dict[str, Any], prefix: str) -> places.Place | None:
    latitude, longitude = row[f"{prefix}latitude"], row[f"{prefix}longitude"]
    if latitude is not None and longitude is not None:
        return places.point(latitude, longitude, float(row[f"{prefix}accuracy_km"] or 0), _where(row, prefix))
    return places.country(row[f"{prefix}country"])


def _where(row: dict[str, Any], prefix: str) -> str:
    city = row[f"{prefix}city"]
    return f"{city} ({row[f'{prefix}country']})" if city else str(row[f"{prefix}country"])


def _end(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        "ip": row[f"{prefix}ip"],
        "country": row[f"{prefix}country"],
        "city": row[f"{prefix}city"],
        "watch": row[f"{prefix}watch"],
        "time": str(row[f"{prefix}ts"]),
        "file": row[f"{prefix}file"],
        "line": row[f"{prefix}line"],
    }
