"""Small MaxMind-format databases, City and ASN, written from a list of networks: for the demo and for tests.

The files have the layout of MaxMind's GeoIP2/GeoLite2 City and ASN databases, so that ``logs import --mmdb``
and ``--asn-mmdb`` read them as they read MaxMind's: a City record holds ``country.iso_code``,
``subdivisions[0].iso_code``, ``city.names.en`` and ``location`` (``latitude``, ``longitude``,
``accuracy_radius``); an ASN record ``autonomous_system_number`` and ``autonomous_system_organization``.
Like MaxMind's, each file is an IPv6 tree with IPv4 networks under ``::/96`` (where mmdb readers look IPv4
addresses up) and again under ``::ffff:0:0/96`` (so that an IPv4-mapped address finds the same record).

Where networks overlap, a later one wins over the addresses it shares with earlier ones.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmdb_writer import MmdbU16, MmdbU32, MMDBWriter
from netaddr import IPSet  # type: ignore[import-untyped]  # netaddr ships no type hints


@dataclass(frozen=True)
class CityNetwork:
    """A network of a City database and where its addresses are.

    ``region`` is ISO 3166-2 as enrichment reads it back (``CN-LN``: the code after the dash is MaxMind's
    subdivision code); ``accuracy_km`` is MaxMind's ``accuracy_radius``, kilometres around the coordinates.
    """

    cidr: str
    country: str
    region: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_km: int | None = None


@dataclass(frozen=True)
class AsnNetwork:
    """A network of an ASN database: the autonomous system that announces it."""

    cidr: str
    asn: int
    organization: str


def write_city_database(path: Path, networks: Iterable[CityNetwork]) -> Path:
    """Write a City mmdb of ``networks`` to ``path`` and return ``path``; a bad network is a ValueError."""
    return _write(path, "GeoLite2-City", ((n.cidr, city_record(n)) for n in networks))


def write_asn_database(path: Path, networks: Iterable[AsnNetwork]) -> Path:
    """Write an ASN mmdb of ``networks`` to ``path`` and return ``path``; a bad network is a ValueError."""
    return _write(path, "GeoLite2-ASN", ((n.cidr, asn_record(n)) for n in networks))


def city_record(network: CityNetwork) -> dict[str, Any]:
    """The City record of a network, in MaxMind's layout and value types."""
    record: dict[str, Any] = {"country": {"iso_code": network.country}}
    if network.region:
        country, dash, code = network.region.partition("-")
        if country != network.country or not dash or not code:
            raise ValueError(f"region {network.region!r} is not an ISO 3166-2 code of {network.country}")
        record["subdivisions"] = [{"iso_code": code}]
    if network.city:
        record["city"] = {"names": {"en": network.city}}
    if (network.latitude is None) != (network.longitude is None):
        raise ValueError(f"{network.cidr}: give both latitude and longitude, or neither")
    if network.latitude is not None and network.longitude is not None:
        # Plain floats: the writer stores them as doubles, as MaxMind does.
        location: dict[str, Any] = {"latitude": float(network.latitude), "longitude": float(network.longitude)}
        if network.accuracy_km is not None:
            location["accuracy_radius"] = MmdbU16(network.accuracy_km)
        record["location"] = location
    return record


def asn_record(network: AsnNetwork) -> dict[str, Any]:
    """The ASN record of a network, in MaxMind's layout and value types."""
    return {
        "autonomous_system_number": MmdbU32(network.asn),
        "autonomous_system_organization": network.organization,
    }


def _write(path: Path, database_type: str, records: Iterable[tuple[str, dict[str, Any]]]) -> Path:
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,  # IPv4 networks go under ::/96, where readers look IPv4 addresses up
        database_type=database_type,
        languages=["en"],
        description="written by celtrace.demo.city_database",
    )
    for cidr, record in records:
        network = ipaddress.ip_network(cidr)  # strict: host bits set in a CIDR are a mistake, not a network
        writer.insert_network(IPSet([str(network)]), record)
        if network.version == 4:
            # MaxMind's databases alias ::ffff:0:0/96 to the IPv4 tree; this writer has no aliases, so the
            # network is written there too (its record is stored once: the writer shares equal records).
            mapped = f"::ffff:{network.network_address}/{96 + network.prefixlen}"
            writer.insert_network(IPSet([mapped]), record)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.to_db_file(str(path))
    return path
