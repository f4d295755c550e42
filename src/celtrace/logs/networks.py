"""Watched networks and high-risk regions: the contents of ``data/networks.json``, or of a user's file like it.

The file (pass another to :func:`load_networks` to replace the package's) is an object with:

``sources``
    name -> citation, for the ``source`` fields below.
``networks``
    a list of entries, each with ``label`` (``dprk``, ``dprk-low-confidence``, ``dprk-upstream``, ``vpn``,
    ``hosting`` or a label of the user's), ``confidence`` (``high``, ``low`` or ``context``), ``what`` and
    ``source``, and at least one of: ``cidr`` (IPv4 or IPv6), ``asn`` (number), ``as_names`` (exact AS names
    as the AS data spells them). An address takes the label of the *first* entry in file order that matches,
    so list the strongest first.
``high_risk_regions``
    a list of ``{code, name, country, cities, what, source}``: ISO 3166-2 code, English names as MaxMind
    writes them, for the region detector (see :func:`high_risk_regions`).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from celtrace.errors import InputError


@dataclass(frozen=True)
class WatchEntry:
    """One watched network from networks.json."""

    label: str
    confidence: str
    what: str
    source: str
    cidr: str | None = None
    asn: int | None = None
    as_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Region:
    """A region tied to DPRK front operations, for region-level data from a user's City mmdb."""

    code: str  # ISO 3166-2, as ``region`` holds it
    name: str
    country: str
    cities: tuple[str, ...]
    what: str
    source: str


@dataclass(frozen=True)
class Networks:
    """The contents of a networks.json file."""

    sources: Mapping[str, str]
    entries: tuple[WatchEntry, ...]
    regions: tuple[Region, ...]

    def asn_by_name(self) -> dict[str, int]:
        """AS name -> number, for the entries that give both (geoip2fast's data has names only)."""
        numbers: dict[str, int] = {}
        for entry in self.entries:
            if entry.asn is not None:
                for name in entry.as_names:
                    numbers.setdefault(name, entry.asn)
        return numbers


def load_networks(path: Path | None = None) -> Networks:
    """Read a networks file (default: the one in the package); a bad file is an :class:`InputError`."""
    where = str(path) if path else "celtrace/data/networks.json"
    try:
        text = (
            path.read_text("utf-8")
            if path
            else resources.files("celtrace.data").joinpath("networks.json").read_text("utf-8")
        )
        doc = json.loads(text)
        entries = tuple(
            WatchEntry(
                label=e["label"], confidence=e["confidence"], what=e.get("what", ""), source=e["source"],
                cidr=str(ipaddress.ip_network(e["cidr"])) if e.get("cidr") else None,
                asn=int(e["asn"]) if e.get("asn") is not None else None,
                as_names=tuple(e.get("as_names", ())),
            )
            for e in doc["networks"]
        )  # fmt: skip
        regions = tuple(
            Region(r["code"], r["name"], r["country"], tuple(r["cities"]), r.get("what", ""), r["source"])
            for r in doc.get("high_risk_regions", ())
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"not a usable networks file: {error}", file=where) from error
    for entry in entries:
        if not (entry.cidr or entry.asn is not None or entry.as_names):
            raise InputError(f"entry {entry.label!r} needs a cidr, an asn or as_names", file=where)
    return Networks(dict(doc.get("sources", {})), entries, regions)


@cache
def high_risk_regions() -> tuple[Region, ...]:
    """Regions tied to DPRK front operations (Liaoning, Jilin, Primorsky Krai), from the package's networks.json.

    Source: shared/reference/dprk-indicators.md, section Networks. Compare with ``region`` (ISO 3166-2).
    """
    return load_networks().regions
