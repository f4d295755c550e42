"""Country, AS and watch labels for the addresses in access events: offline, in DuckDB, each address once.

:class:`Enricher` adds to a relation with an ``ip`` column (``events.COLUMNS``) the columns of ``ENRICHED``:
``country`` (ISO 3166-1 alpha-2), ``asn``, ``as_name``, ``region`` (ISO 3166-2, such as ``CN-LN``), ``city``,
``watch``, ``watch_confidence`` and ``private``. Sources, in order of precedence:

- a MaxMind City mmdb and an ASN mmdb, when the user gives them (read per distinct address with ``maxminddb``,
  a C reader); region and city come only from there;
- the country and AS-name ranges that ``geoip2fast`` ships (MaxMind GeoLite2 data of its release). They are
  turned once into Parquet under ``cache_dir`` (keyed by the geoip2fast version and data file), loaded into
  DuckDB temp tables and joined with an ASOF JOIN on the numeric address;
- ``data/networks.json`` for watch labels, and the special-purpose ranges below for ``private``.

geoip2fast's data carries AS *names* only, no numbers: without an ASN mmdb, ``asn`` is filled only for AS
names that ``networks.json`` lists with their number, and is NULL otherwise.

Addresses live in one 128-bit key space, the IPv6 one: an IPv4 address is keyed as its IPv4-mapped form
``::ffff:a.b.c.d`` (so ``1.2.3.4`` and ``::ffff:1.2.3.4`` are the same address), as UHUGEINT in DuckDB.
IPv4 text is parsed in SQL; IPv6 text in one Python pass over the distinct addresses that contain ``:``
(few in practice). Anything that is not an address (``999.1.1.1``, ``1.2.3``, ``abc``, ``''``, NULL,
leading zeros, spaces) gets NULL everywhere and ``private`` NULL; it is never an error.

``networks.json`` (pass another file as ``networks`` to replace it) is an object with:

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

import bisect
import gzip
import ipaddress
import json
import pickle
import shutil
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import duckdb
import geoip2fast
import numpy as np

from celtrace.errors import InputError

ENRICHED: dict[str, str] = {
    "country": "VARCHAR",
    "asn": "INTEGER",
    "as_name": "VARCHAR",
    "region": "VARCHAR",
    "city": "VARCHAR",
    "watch": "VARCHAR",
    "watch_confidence": "VARCHAR",
    "private": "BOOLEAN",
}
"""Columns :meth:`Enricher.enrich` adds, and their DuckDB types."""

MAPPED_V4 = 0xFFFF_0000_0000
"""Key of ``::ffff:0.0.0.0``: an IPv4 address's key is this plus its 32-bit value."""

SPECIAL_PURPOSE = (
    # IANA special-purpose registries (RFC 6890 and later): no country, never a person's public address.
    *("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12"),
    *("192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24"),
    *("203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"),
    *("::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "3fff::/20", "fc00::/7", "fe80::/10", "ff00::/8"),
)
"""Private, loopback, link-local, CGNAT, documentation, multicast and reserved ranges (``private`` true)."""

_GEO_FILE = "geoip2fast-asn-ipv6.dat.gz"  # country and AS name ranges, IPv4 and IPv6, in one pickle
_GEO_RESERVED = 16  # geoip2fast's first 16 country names are its own reserved and "not found" markers
_GEO_NO_AS = {"<unknown>", "IANA.ORG"}
_V4_RE = r"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$"  # what ipaddress accepts: no leading zeros


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


def address_key(text: str | None) -> int | None:
    """The 128-bit key of an address (IPv4 as ``::ffff:a.b.c.d``), or None when ``text`` is not one."""
    if not text:
        return None
    if ":" in text:
        # inet_pton (C) is ten times faster than ipaddress, and IPv6 is parsed in Python on the SQL path too.
        try:
            return int.from_bytes(socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0]), "big")
        except (OSError, ValueError):
            return None
    try:
        return MAPPED_V4 + int(ipaddress.IPv4Address(text))  # rejects leading zeros and shorthand, as the SQL does
    except ValueError:
        return None


def _network_range(cidr: str) -> tuple[int, int]:
    network = ipaddress.ip_network(cidr)
    first = address_key(str(network.network_address))
    assert first is not None  # a network address always parses
    return first, first + network.num_addresses - 1


_PRIVATE = sorted(_network_range(cidr) for cidr in SPECIAL_PURPOSE)


class _Reader(Protocol):
    """What celtrace uses of ``maxminddb.Reader`` (a protocol, so tests can pass a stub)."""

    def get(self, ip_address: str, /) -> Any: ...


def _open_mmdb(path: Path) -> _Reader:
    import maxminddb  # only when the user gives an mmdb

    try:
        reader: _Reader = maxminddb.open_database(str(path))
    except (OSError, ValueError) as error:
        raise InputError(f"not a MaxMind database: {error}", file=str(path)) from error
    return reader


def _geo_data_file() -> Path:
    return Path(geoip2fast.__file__).with_name(_GEO_FILE)


def _split(keys: Iterable[int]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    # NumPy and Parquet have no 128-bit integer: keys travel as two unsigned 64-bit halves.
    hi, lo = [], []
    for key in keys:
        hi.append(key >> 64)
        lo.append(key & 0xFFFF_FFFF_FFFF_FFFF)
    return np.array(hi, dtype=np.uint64), np.array(lo, dtype=np.uint64)


def _build_cache(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Turn geoip2fast's pickled range lists into ``country.parquet`` and ``as_name.parquet``."""
    with gzip.open(_geo_data_file(), "rb") as file:
        # geoip2fast's own data file, shipped in its wheel: as trusted as its code, which unpickles it too.
        _version, _info, _count, tables = pickle.load(file)
    _, _, country_names, as_names, first_c, first_a, id_c, id_a, bits_c, bits_a = tables
    tmp = folder.with_name(f"{folder.name}.{uuid.uuid4().hex}.tmp")
    tmp.mkdir(parents=True)
    for kind, names, firsts, ids, prefixes in (
        ("country", [n.split(":", 1)[0] for n in country_names], first_c, id_c, bits_c),
        ("as_name", as_names, first_a, id_a, bits_a),
    ):
        skip = {i for i, name in enumerate(names) if (i < _GEO_RESERVED if kind == "country" else name in _GEO_NO_AS)}
        starts, ends, values = [], [], []
        # Ranges come in chunks of (first address, name index, prefix length); geoip2fast numbers IPv4 as
        # 0..2**32-1 and IPv6 above, and lists no IPv6 range below 2**32.
        for chunk_first, chunk_id, chunk_bits in zip(firsts, ids, prefixes, strict=True):
            for first, index, bits in zip(chunk_first, chunk_id, chunk_bits, strict=True):
                if index in skip:
                    continue
                size = 1 << ((32 if first < 1 << 32 else 128) - bits)
                start = first + MAPPED_V4 if first < 1 << 32 else first
                starts.append(start)
                ends.append(start + size - 1)
                values.append(names[index])
        start_hi, start_lo = _split(starts)
        end_hi, end_lo = _split(ends)
        frame = {"start_hi": start_hi, "start_lo": start_lo, "end_hi": end_hi, "end_lo": end_lo}
        frame["value"] = np.array(values, dtype=object)
        con.register("celtrace_geo_build", frame)
        con.execute(
            "COPY (SELECT * FROM celtrace_geo_build ORDER BY start_hi, start_lo) "
            f"TO '{tmp / kind}.parquet' (FORMAT parquet)"
        )
        con.unregister("celtrace_geo_build")
    try:
        tmp.rename(folder)  # atomic: a half-written cache is never seen
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process finished first


def _cache_folder(cache_dir: Path) -> Path:
    # A new geoip2fast release or a data file updated in place (its size changes) gets a new folder.
    return cache_dir / f"geoip2fast-{geoip2fast.__version__}-{_geo_data_file().stat().st_size}"


def _mmdb_fields(city: Any, asn: Any) -> tuple[str | None, str | None, str | None, int | None, str | None]:
    """(country, region, city, asn, as_name) from a City record and an ASN record, either may be None."""
    country = region = city_name = as_name = None
    number = None
    if isinstance(city, dict):
        country = (city.get("country") or {}).get("iso_code")
        subdivisions = city.get("subdivisions") or [{}]
        code = subdivisions[0].get("iso_code")
        region = f"{country}-{code}" if country and code else None
        city_name = ((city.get("city") or {}).get("names") or {}).get("en")
    if isinstance(asn, dict):
        number = asn.get("autonomous_system_number")
        as_name = asn.get("autonomous_system_organization")
    return country, region, city_name, number, as_name


def _lit(key: int) -> str:
    return f"{key}::UHUGEINT"


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
        self._city = _open_mmdb(mmdb) if mmdb else None
        self._asn = _open_mmdb(asn_mmdb) if asn_mmdb else None
        self._folder = _cache_folder(Path(cache_dir))
        if not self._folder.exists():
            _build_cache(con, self._folder)
        self._ranges: dict[str, tuple[list[int], list[int], list[str]]] = {}  # for lookup(), loaded lazily
        self._name_asn: dict[str, int] = {}
        for entry in self._networks.entries:
            for name in entry.as_names:
                if entry.asn is not None:
                    self._name_asn.setdefault(name, entry.asn)
        self._p = p = f"celtrace_enrich_{uuid.uuid4().hex[:12]}"
        for kind in ("country", "as_name"):
            con.execute(
                f"CREATE TEMP TABLE {p}_{kind} AS SELECT (start_hi::UHUGEINT << 64) + start_lo AS start, "
                f"(end_hi::UHUGEINT << 64) + end_lo AS stop, value FROM read_parquet('{self._folder / kind}.parquet')"
            )
        private = " UNION ALL ".join(f"SELECT {_lit(a)} AS start, {_lit(b)} AS stop" for a, b in _PRIVATE)
        con.execute(f"CREATE TEMP TABLE {p}_private AS {private}")
        entries, ranges, asns, names = [], [], [], []
        for order, entry in enumerate(self._networks.entries):
            entries.append(f"({order}, '{_sql_str(entry.label)}', '{_sql_str(entry.confidence)}')")
            if entry.cidr:
                first, last = _network_range(entry.cidr)
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
        # IPv6 text is parsed in Python, once per distinct address; only numbers travel back (NumPy, no copy).
        con.execute(
            f"CREATE TEMP TABLE {run}_v6 AS SELECT row_number() OVER () AS n, ip FROM {run}_addr "
            "WHERE contains(ip, ':')"
        )
        v6 = con.execute(f"SELECT ip FROM {run}_v6 ORDER BY n").fetchall()
        keys = [address_key(row[0]) for row in v6]
        hi, lo = _split(key or 0 for key in keys)
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
                    WHEN regexp_matches(a.ip, '{_V4_RE}') THEN ({MAPPED_V4} + {octets})::UHUGEINT
                END AS key
                FROM {run}_addr a LEFT JOIN (SELECT * FROM {run}_v6 JOIN {run}_v6k USING (n)) v ON a.ip = v.ip
            )
            SELECT k.ip, k.key, CASE WHEN k.key IS NOT NULL THEN coalesce(k.key <= r.stop, false) END AS private
            FROM k ASOF LEFT JOIN {p}_private r ON k.key >= r.start
        """)
        con.unregister(f"{run}_v6k")
        con.execute(f"DROP TABLE {run}_v6")
        mm = f"{run}_mm"
        if self._city or self._asn:
            # One C lookup per distinct public address; strings go back as codes into one small table, because
            # NumPy arrays of numbers cross into DuckDB without a copy and arrays of Python strings do not.
            con.execute(
                f"CREATE TEMP TABLE {mm}_ip AS SELECT row_number() OVER () AS n, ip FROM {run}_key WHERE NOT private"
            )
            rows = con.execute(f"SELECT ip FROM {mm}_ip ORDER BY n").fetchall()
            strings: dict[str | None, int] = {None: -1}
            columns: list[list[int]] = [[], [], [], [], []]
            for (ip,) in rows:
                country, region, city, asn, as_name = self._mmdb(ip)
                for column, value in zip(columns, (country, region, city, as_name), strict=False):
                    column.append(strings.setdefault(value, len(strings) - 1))
                columns[4].append(-1 if asn is None else int(asn))
            codes = {
                name: np.array(col, dtype=np.int64)
                for name, col in zip(("c", "r", "t", "a", "asn"), columns, strict=True)
            }
            con.register(f"{mm}_codes", {"n": np.arange(1, len(rows) + 1, dtype=np.int64)} | codes)
            texts = [text for text in strings if text is not None]
            con.register(
                f"{mm}_text", {"code": np.arange(len(texts), dtype=np.int64), "text": np.array(texts, dtype=object)}
            )
            con.execute(f"""
                CREATE TEMP TABLE {mm} AS
                SELECT i.ip, c.text AS country, r.text AS region, t.text AS city, nullif(x.asn, -1) AS asn,
                    a.text AS as_name
                FROM {mm}_ip i JOIN {mm}_codes x USING (n)
                LEFT JOIN {mm}_text c ON x.c = c.code LEFT JOIN {mm}_text r ON x.r = r.code
                LEFT JOIN {mm}_text t ON x.t = t.code LEFT JOIN {mm}_text a ON x.a = a.code
            """)
            con.unregister(f"{mm}_codes")
            con.unregister(f"{mm}_text")
            con.execute(f"DROP TABLE {mm}_ip")
        else:
            con.execute(
                f"CREATE TEMP VIEW {mm} AS SELECT NULL::VARCHAR AS ip, NULL::VARCHAR AS country, "
                "NULL::VARCHAR AS region, NULL::VARCHAR AS city, NULL::BIGINT AS asn, NULL::VARCHAR AS as_name "
                "WHERE false"
            )
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
                    coalesce(m.as_name, g.geo_as_name) AS as_name, m.asn::BIGINT AS mm_asn, m.region, m.city
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
                e.label AS watch, e.confidence AS watch_confidence, x.private
            FROM named x LEFT JOIN best b ON x.ip = b.ip LEFT JOIN {p}_watch e ON b.ord = e.ord
        """)
        if self._city or self._asn:
            con.execute(f"DROP TABLE {mm}")
        else:
            con.execute(f"DROP VIEW {mm}")
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
        index = bisect.bisect_right(_PRIVATE, (key, 1 << 129)) - 1
        result["private"] = private = index >= 0 and key <= _PRIVATE[index][1]
        if not private:
            result["country"] = self._find("country", key)
            result["as_name"] = self._find("as_name", key)
            country, region, city, asn, as_name = self._mmdb(ip)
            result.update(region=region, city=city, asn=asn)
            result["country"] = country or result["country"]
            result["as_name"] = as_name or result["as_name"]
        if result["asn"] is None and result["as_name"] is not None:
            result["asn"] = self._name_asn.get(result["as_name"])
        for entry in self._networks.entries:
            in_range = False
            if entry.cidr:
                first, last = _network_range(entry.cidr)
                in_range = first <= key <= last
            by_asn = entry.asn is not None and entry.asn == result["asn"]
            if in_range or by_asn or (result["as_name"] is not None and result["as_name"] in entry.as_names):
                result["watch"], result["watch_confidence"] = entry.label, entry.confidence
                break
        return result

    def _mmdb(self, ip: str) -> tuple[str | None, str | None, str | None, int | None, str | None]:
        try:
            city = self._city.get(ip) if self._city else None
            asn = self._asn.get(ip) if self._asn else None
        except ValueError:  # an IPv6 address asked of an IPv4-only database
            city = asn = None
        return _mmdb_fields(city, asn)

    def _find(self, kind: str, key: int) -> str | None:
        if kind not in self._ranges:
            arrays = self._con.execute(f"SELECT * FROM read_parquet('{self._folder / kind}.parquet')").fetchnumpy()
            starts = [(int(h) << 64) | int(lo) for h, lo in zip(arrays["start_hi"], arrays["start_lo"], strict=True)]
            stops = [(int(h) << 64) | int(lo) for h, lo in zip(arrays["end_hi"], arrays["end_lo"], strict=True)]
            self._ranges[kind] = (starts, stops, list(arrays["value"]))
        starts, stops, values = self._ranges[kind]
        index = bisect.bisect_right(starts, key) - 1
        return values[index] if index >= 0 and key <= stops[index] else None


def _sql_str(text: str) -> str:
    return text.replace("'", "''")
