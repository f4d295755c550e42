"""Country, AS, place and watch labels for the addresses in access events: offline, in DuckDB, each address once.

:class:`Enricher` adds to a relation with an ``ip`` column (``events.COLUMNS``) the columns of ``ENRICHED``:
``country`` (ISO 3166-1 alpha-2), ``asn``, ``as_name``, ``region`` (ISO 3166-2, such as ``CN-LN``), ``city``,
``latitude``, ``longitude``, ``accuracy_km``, ``watch``, ``watch_confidence`` and ``private``. Sources, in
order of precedence:

- a MaxMind City mmdb and an ASN mmdb, when the user gives them (:mod:`celtrace.logs.mmdb`, read per distinct
  public address); region, city and coordinates come only from there;
- the country and AS-name ranges that ``geoip2fast`` ships (:mod:`celtrace.logs.geo_ranges`), loaded into
  DuckDB temp tables and joined with an ASOF JOIN on the numeric address;
- ``data/networks.json`` (:mod:`celtrace.logs.networks`) for watch labels, and the special-purpose ranges of
  :mod:`celtrace.logs.address_keys` for ``private``.

geoip2fast's data carries AS *names* only, no numbers: without an ASN mmdb, ``asn`` is filled only for AS
names that ``networks.json`` lists with their number, and is NULL otherwise.

Addresses are keyed in one 128-bit space, IPv4 as ``::ffff:a.b.c.d`` (:mod:`celtrace.logs.address_keys`), as
UHUGEINT in DuckDB. IPv4 text is parsed in SQL; IPv6 text in one Python pass over the distinct addresses that
contain ``:`` (few in practice). Anything that is not an address (``999.1.1.1``, ``1.2.3``, ``abc``, ``''``,
NULL, leading zeros, spaces) gets NULL everywhere and ``private`` NULL; it is never an error.
:meth:`Enricher.lookup` gives the same answer for one address, in Python.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from celtrace.logs.address_keys import (
    MAPPED_V4,
    PRIVATE,
    V4_PATTERN,
    address_key,
    is_private,
    network_range,
    split_keys,
)
from celtrace.logs.geo_ranges import KINDS, Ranges, range_tables
from celtrace.logs.mmdb import MaxMind, Record, empty_table, open_reader
from celtrace.logs.networks import load_networks

ENRICHED: dict[str, str] = {
    "country": "VARCHAR",
    "asn": "INTEGER",
    "as_name": "VARCHAR",
    "region": "VARCHAR",
    "city": "VARCHAR",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "accuracy_km": "INTEGER",
    "watch": "VARCHAR",
    "watch_confidence": "VARCHAR",
    "private": "BOOLEAN",
}
"""Columns :meth:`Enricher.enrich` adds, and their DuckDB types."""


class Enricher:
    """Enriches the ``ip`` column of event relations on one DuckDB connection.

    ``cache_dir`` holds the Parquet range tables (built on first use, about a second; later runs read them in
    milliseconds); ``mmdb`` is a MaxMind GeoIP2/GeoLite2 City (or Country) database and ``asn_mmdb`` an ASN one,
    both optional; ``networks`` replaces the package's networks.json. The range tables become temp tables on
    ``con``, so an Enricher lives as long as its connection.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        cache_dir: Path,
        mmdb: Path | None = None,
        asn_mmdb: Path | None = None,
        networks: Path | None = None,
    ) -> None:
        self._con = con
        self._networks = load_networks(networks)
        self._maxmind = _maxmind(mmdb, asn_mmdb)
        self._folder = range_tables(con, Path(cache_dir))
        self._ranges: dict[str, Ranges] = {}  # for lookup(), loaded lazily
        self._name_asn = self._networks.asn_by_name()
        self._p = p = f"celtrace_enrich_{uuid.uuid4().hex[:12]}"
        for kind in KINDS:
            con.execute(
                f"CREATE TEMP TABLE {p}_{kind} AS SELECT (start_hi::UHUGEINT << 64) + start_lo AS start, "
                f"(end_hi::UHUGEINT << 64) + end_lo AS stop, value FROM read_parquet('{self._folder / kind}.parquet')"
            )
        private = " UNION ALL ".join(f"SELECT {_lit(a)} AS start, {_lit(b)} AS stop" for a, b in PRIVATE)
        con.execute(f"CREATE TEMP TABLE {p}_private AS {private}")
        entries, ranges, asns, names = [], [], [], []
        for order, entry in enumerate(self._networks.entries):
            entries.append(f"({order}, '{_sql_str(entry.label)}', '{_sql_str(entry.confidence)}')")
            if entry.cidr:
                first, last = network_range(entry.cidr)
                ranges.append(f"({order}, {_lit(first)}, {_lit(last)})")
            if entry.asn is not None:
                asns.append(f"({order}, {entry.asn})")
            names += [f"({order}, '{_sql_str(name)}')" for name in entry.as_names]
        con.execute(f"CREATE TEMP TABLE {p}_watch (ord INTEGER, label VARCHAR, confidence VARCHAR)")
        con.execute(f"CREATE TEMP TABLE {p}_watch_range (ord INTEGER, start UHUGEINT, stop UHUGEINT)")
        con.execute(f"CREATE TEMP TABLE {p}_watch_asn (ord INTEGER, asn BIGINT)")
        con.execute(f"CREATE TEMP TABLE {p}_watch_name (ord INTEGER, as_name VARCHAR)")
        for table, rows in (("watch", entries), ("watch_range", ranges), ("watch_asn", asns), ("watch_name", names)):
            if rows:
                con.execute(f"INSERT INTO {p}_{table} VALUES {', '.join(rows)}")
        pairs = [f"('{_sql_str(name)}', {number})" for name, number in self._name_asn.items()]
        con.execute(f"CREATE TEMP TABLE {p}_name_asn (as_name VARCHAR, asn BIGINT)")
        if pairs:
            con.execute(f"INSERT INTO {p}_name_asn VALUES {', '.join(pairs)}")

    def enrich(self, source: str | duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
        """The rows of ``source`` (a table or view name, or a relation on this connection) plus ``ENRICHED``.

        Each distinct address is looked up once, into a temp table; the relation returned joins it back to
        ``source`` lazily and in no particular order (order by ``line`` where it matters).
        """
        con, p = self._con, self._p
        run = f"{p}_{uuid.uuid4().hex[:8]}"
        if isinstance(source, str):
            src = source
        else:
            src = f"{run}_src"
            source.create_view(src)
        con.execute(
            f"CREATE TEMP TABLE {run}_addr AS SELECT DISTINCT ip::VARCHAR AS ip FROM {src} WHERE ip IS NOT NULL"
        )
        self._keys(run)
        mm = f"{run}_mm"
        if self._maxmind:
            con.execute(
                f"CREATE TEMP TABLE {mm}_ip AS SELECT row_number() OVER () AS n, ip FROM {run}_key WHERE NOT private"
            )
            self._maxmind.write_table(con, mm, f"{mm}_ip")
            con.execute(f"DROP TABLE {mm}_ip")
        else:
            empty_table(con, mm)  # the no-mmdb path joins an empty view: no address leaves DuckDB
        con.execute(f"""
            CREATE TEMP TABLE {run}_out AS
            WITH geo AS (
                SELECT k.*, CASE WHEN NOT k.private AND k.key <= c.stop THEN c.value END AS geo_country
                FROM {run}_key k ASOF LEFT JOIN {p}_country c ON k.key >= c.start
            ), geo_as AS (
                SELECT g.*, CASE WHEN NOT g.private AND g.key <= a.stop THEN a.value END AS geo_as_name
                FROM geo g ASOF LEFT JOIN {p}_as_name a ON g.key >= a.start
            ), merged AS (
                SELECT g.ip, g.key, g.private, coalesce(m.country, g.geo_country) AS country,
                    coalesce(m.as_name, g.geo_as_name) AS as_name, m.asn::BIGINT AS mm_asn, m.region, m.city,
                    m.latitude, m.longitude, m.accuracy_km
                FROM geo_as g LEFT JOIN {mm} m ON g.ip = m.ip
            ), named AS MATERIALIZED (
                SELECT x.*, coalesce(x.mm_asn, n.asn) AS asn
                FROM merged x LEFT JOIN {p}_name_asn n ON x.as_name = n.as_name
            ), hits AS (
                SELECT x.ip, w.ord FROM named x JOIN {p}_watch_range w ON x.key BETWEEN w.start AND w.stop
                UNION ALL SELECT x.ip, w.ord FROM named x JOIN {p}_watch_asn w ON x.asn = w.asn
                UNION ALL SELECT x.ip, w.ord FROM named x JOIN {p}_watch_name w ON x.as_name = w.as_name
            ), best AS (
                SELECT ip, min(ord) AS ord FROM hits GROUP BY ip
            )
            SELECT x.ip, x.country, x.asn::INTEGER AS asn, x.as_name, x.region, x.city,
                x.latitude::DOUBLE AS latitude, x.longitude::DOUBLE AS longitude,
                x.accuracy_km::INTEGER AS accuracy_km,
                e.label AS watch, e.confidence AS watch_confidence, x.private
            FROM named x LEFT JOIN best b ON x.ip = b.ip LEFT JOIN {p}_watch e ON b.ord = e.ord
        """)
        con.execute(f"DROP {'TABLE' if self._maxmind else 'VIEW'} {mm}")
        con.execute(f"DROP TABLE {run}_addr")
        con.execute(f"DROP TABLE {run}_key")
        added = ", ".join(f"o.{name}" for name in ENRICHED)
        return con.sql(f"SELECT s.*, {added} FROM {src} s LEFT JOIN {run}_out o ON s.ip::VARCHAR = o.ip")

    def lookup(self, ip: str | None) -> dict[str, Any]:
        """``ENRICHED`` for one address, plus ``ip``: the same answer :meth:`enrich` gives, computed in Python."""
        result: dict[str, Any] = {"ip": ip} | dict.fromkeys(ENRICHED)
        key = address_key(ip)
        if ip is None or key is None:
            return result
        result["private"] = private = is_private(key)
        if not private:
            found = self._maxmind.get(ip) if self._maxmind else Record()
            result.update(
                country=found.country or self._find("country", key),
                as_name=found.as_name or self._find("as_name", key),
                asn=found.asn,
                region=found.region,
                city=found.city,
                latitude=found.latitude,
                longitude=found.longitude,
                accuracy_km=found.accuracy_km,
            )
        if result["asn"] is None and result["as_name"] is not None:
            result["asn"] = self._name_asn.get(result["as_name"])
        for entry in self._networks.entries:
            in_range = False
            if entry.cidr:
                first, last = network_range(entry.cidr)
                in_range = first <= key <= last
            by_asn = entry.asn is not None and entry.asn == result["asn"]
            if in_range or by_asn or (result["as_name"] is not None and result["as_name"] in entry.as_names):
                result["watch"], result["watch_confidence"] = entry.label, entry.confidence
                break
        return result

    def _keys(self, run: str) -> None:
        """Table ``{run}_key`` of (ip, key, private) for the distinct addresses in ``{run}_addr``."""
        con = self._con
        # IPv6 text is parsed in Python, once per distinct address; only numbers travel back (NumPy, no copy).
        con.execute(
            f"CREATE TEMP TABLE {run}_v6 AS SELECT row_number() OVER () AS n, ip FROM {run}_addr "
            "WHERE contains(ip, ':')"
        )
        v6 = con.execute(f"SELECT ip FROM {run}_v6 ORDER BY n").fetchall()
        keys = [address_key(row[0]) for row in v6]
        hi, lo = split_keys(key or 0 for key in keys)
        valid = np.array([key is not None for key in keys], dtype=bool)
        con.register(f"{run}_v6k", {"n": np.arange(1, len(keys) + 1, dtype=np.int64), "hi": hi, "lo": lo, "ok": valid})
        octets = " + ".join(
            f"(try_cast(split_part(a.ip, '.', {i + 1}) AS UTINYINT)::UBIGINT << {24 - 8 * i})" for i in range(4)
        )
        con.execute(f"""
            CREATE TEMP TABLE {run}_key AS
            WITH k AS (
                SELECT a.ip, CASE
                    WHEN contains(a.ip, ':') THEN CASE WHEN v.ok THEN (v.hi::UHUGEINT << 64) + v.lo END
                    WHEN regexp_matches(a.ip, '{V4_PATTERN}') THEN ({MAPPED_V4} + {octets})::UHUGEINT
                END AS key
                FROM {run}_addr a LEFT JOIN (SELECT * FROM {run}_v6 JOIN {run}_v6k USING (n)) v ON a.ip = v.ip
            )
            SELECT k.ip, k.key, CASE WHEN k.key IS NOT NULL THEN coalesce(k.key <= r.stop, false) END AS private
            FROM k ASOF LEFT JOIN {self._p}_private r ON k.key >= r.start
        """)
        con.unregister(f"{run}_v6k")
        con.execute(f"DROP TABLE {run}_v6")

    def _find(self, kind: str, key: int) -> str | None:
        if kind not in self._ranges:
            self._ranges[kind] = Ranges.read(self._con, self._folder / f"{kind}.parquet")
        return self._ranges[kind].find(key)


def _maxmind(city: Path | None, asn: Path | None) -> MaxMind:
    return MaxMind(open_reader(city) if city else None, open_reader(asn) if asn else None)


def _lit(key: int) -> str:
    return f"{key}::UHUGEINT"


def _sql_str(text: str) -> str:
    return text.replace("'", "''")
