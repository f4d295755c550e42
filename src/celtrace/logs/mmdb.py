"""A user's MaxMind databases, City (or Country) and ASN, read per distinct address with ``maxminddb``.

From a City record: ``country`` (ISO 3166-1), ``region`` (the first subdivision, as ISO 3166-2 such as
``CN-LN``), ``city`` (English name), and ``latitude``, ``longitude`` and ``accuracy_km`` (MaxMind's
``location.accuracy_radius``). From an ASN record: ``asn`` and ``as_name``. A Country database gives the
country only. Databases written by :mod:`celtrace.demo.city_database` have the same layout.

IPv6 text is looked up in its usual form, and an IPv4-mapped address (``::ffff:a.b.c.d``) as its IPv4
address, so that it finds the same record in any database, IPv4-only ones included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple, Protocol

import duckdb
import numpy as np

from celtrace.errors import InputError
from celtrace.logs.address_keys import address_key, address_text

COLUMNS: dict[str, str] = {
    "country": "VARCHAR",
    "region": "VARCHAR",
    "city": "VARCHAR",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "accuracy_km": "INTEGER",
    "asn": "BIGINT",
    "as_name": "VARCHAR",
}
"""Columns of the table :meth:`MaxMind.write_table` writes besides ``ip``, and their DuckDB types."""

_TEXT = ("country", "region", "city", "as_name")


class Record(NamedTuple):
    """What the databases say of one address; None where they say nothing."""

    country: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_km: int | None = None
    asn: int | None = None
    as_name: str | None = None


class Reader(Protocol):
    """What celtrace uses of ``maxminddb.Reader``."""

    def get(self, ip_address: str, /) -> Any: ...


def open_reader(path: Path) -> Reader:
    """Open an mmdb file; one that is missing or not a MaxMind database is an :class:`InputError`."""
    import maxminddb  # only when the user gives an mmdb

    try:
        reader: Reader = maxminddb.open_database(str(path))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
        raise InputError(f"not a MaxMind database: {error}", file=str(path)) from error
    return reader


def record(city: Any, asn: Any) -> Record:
    """The fields of a City record and an ASN record (each a dict, or None when the database has none)."""
    country = region = city_name = as_name = None
    latitude = longitude = None
    accuracy = number = None
    if isinstance(city, dict):
        country = (city.get("country") or {}).get("iso_code")
        subdivisions = city.get("subdivisions") or [{}]
        code = subdivisions[0].get("iso_code")
        region = f"{country}-{code}" if country and code else None
        city_name = ((city.get("city") or {}).get("names") or {}).get("en")
        location = city.get("location") or {}
        if location.get("latitude") is not None and location.get("longitude") is not None:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
            radius = location.get("accuracy_radius")
            accuracy = None if radius is None else int(radius)
    if isinstance(asn, dict):
        number = asn.get("autonomous_system_number")
        as_name = asn.get("autonomous_system_organization")
    return Record(country, region, city_name, latitude, longitude, accuracy, number, as_name)


class MaxMind:
    """A City (or Country) database and an ASN database, either of which may be absent."""

    def __init__(self, city: Reader | None, asn: Reader | None) -> None:
        self._city = city
        self._asn = asn

    def __bool__(self) -> bool:
        return self._city is not None or self._asn is not None

    def get(self, ip: str) -> Record:
        """The record of one public address (IPv4 or IPv6 text)."""
        if ":" in ip:
            key = address_key(ip)
            if key is None:
                return Record()
            ip = address_text(key)  # few in practice: IPv4 text, the bulk, is asked as it is
        return record(_get(self._city, ip), _get(self._asn, ip))

    def write_table(self, con: duckdb.DuckDBPyConnection, name: str, ips: str) -> None:
        """Create temp table ``name`` of ``ip`` and ``COLUMNS`` for the addresses in table ``ips`` (``n``, ``ip``).

        ``ips`` numbers its rows 1 to N in ``n``. One C lookup per address; strings go back as codes into one
        small table, because NumPy arrays of numbers cross into DuckDB without a copy and arrays of Python
        strings do not.
        """
        rows = con.execute(f"SELECT ip FROM {ips} ORDER BY n").fetchall()
        strings: dict[str | None, int] = {None: -1}
        texts: list[list[int]] = [[], [], [], []]
        latitudes: list[float] = []
        longitudes: list[float] = []
        accuracies: list[int] = []
        asns: list[int] = []
        nan = float("nan")
        for (ip,) in rows:
            found = self.get(ip)
            for column, value in zip(texts, (found.country, found.region, found.city, found.as_name), strict=True):
                column.append(strings.setdefault(value, len(strings) - 1))
            latitudes.append(nan if found.latitude is None else found.latitude)
            longitudes.append(nan if found.longitude is None else found.longitude)
            accuracies.append(-1 if found.accuracy_km is None else found.accuracy_km)
            asns.append(-1 if found.asn is None else int(found.asn))
        codes = {f"{column}_code": np.array(col, dtype=np.int64) for column, col in zip(_TEXT, texts, strict=True)}
        numbers = {
            "lat": np.array(latitudes, dtype=np.float64),
            "lon": np.array(longitudes, dtype=np.float64),
            "acc": np.array(accuracies, dtype=np.int64),
            "asn": np.array(asns, dtype=np.int64),
        }
        con.register(f"{name}_codes", {"n": np.arange(1, len(rows) + 1, dtype=np.int64)} | codes | numbers)
        words = [text for text in strings if text is not None]
        con.register(
            f"{name}_text", {"code": np.arange(len(words), dtype=np.int64), "text": np.array(words, dtype=object)}
        )
        text_joins = " ".join(f"LEFT JOIN {name}_text t_{c} ON x.{c}_code = t_{c}.code" for c in _TEXT)
        con.execute(f"""
            CREATE TEMP TABLE {name} AS
            SELECT i.ip, t_country.text AS country, t_region.text AS region, t_city.text AS city,
                CASE WHEN NOT isnan(x.lat) THEN x.lat END AS latitude,
                CASE WHEN NOT isnan(x.lon) THEN x.lon END AS longitude,
                nullif(x.acc, -1)::INTEGER AS accuracy_km, nullif(x.asn, -1) AS asn, t_as_name.text AS as_name
            FROM {ips} i JOIN {name}_codes x USING (n) {text_joins}
        """)
        con.unregister(f"{name}_codes")
        con.unregister(f"{name}_text")


def empty_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create temp view ``name`` with the columns of :meth:`MaxMind.write_table` and no rows."""
    columns = ", ".join(f"NULL::{kind} AS {column}" for column, kind in COLUMNS.items())
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT NULL::VARCHAR AS ip, {columns} WHERE false")


def _get(reader: Reader | None, ip: str) -> Any:
    if reader is None:
        return None
    try:
        return reader.get(ip)
    except ValueError:  # an IPv6 address asked of an IPv4-only database
        return None
