"""Address enrichment: geoip2fast ranges in DuckDB, special-purpose ranges, watch labels, an mmdb stub."""

from __future__ import annotations

import ipaddress
import itertools
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest
from geoip2fast import GeoIP2Fast

from celtrace.logs import enrich
from celtrace.logs.enrich import ENRICHED, Enricher, high_risk_regions, load_networks


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geo-cache")


@pytest.fixture(scope="module")
def enricher(cache_dir: Path) -> Enricher:
    return Enricher(duckdb.connect(), cache_dir)


@pytest.fixture(scope="module")
def geoip() -> GeoIP2Fast:
    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")


def enrich_all(enricher: Enricher, ips: list[str | None]) -> list[dict[str, Any]]:
    con = enricher._con
    rel = con.sql(
        "SELECT * FROM (SELECT unnest($ips) AS ip, generate_subscripts($ips, 1) AS line)", params={"ips": ips}
    )
    out = enricher.enrich(rel).order("line")
    names = out.columns
    return [dict(zip(names, row, strict=True)) for row in out.fetchall()]


def test_dprk_range_is_high_confidence(enricher):
    for row in (enricher.lookup("175.45.176.1"), enrich_all(enricher, ["175.45.176.1"])[0]):
        assert row["country"] == "KP"
        assert (row["watch"], row["watch_confidence"]) == ("dprk", "high")
        assert row["asn"] == 131279
        assert row["private"] is False


def test_low_confidence_ranges_never_high(enricher):
    for ip in ("210.52.109.7", "77.94.35.200"):
        row = enricher.lookup(ip)
        assert (row["watch"], row["watch_confidence"]) == ("dprk-low-confidence", "low")


@pytest.mark.parametrize("ip", ["8.8.8.8", "1.1.1.1", "9.9.9.9", "2001:4860:4860::8888", "2606:4700:4700::1111"])
def test_country_and_as_name_are_geoip2fasts(enricher, geoip, ip):
    expected = geoip.lookup(ip)
    row = enricher.lookup(ip)
    assert row["country"] == expected.country_code
    assert row["as_name"] == (expected.asn_name or None)
    assert enrich_all(enricher, [ip])[0] | {"line": None} == row | {"line": None}


@pytest.mark.parametrize(
    "ip", ["10.1.2.3", "192.168.0.1", "172.16.5.4", "127.0.0.1", "169.254.1.1", "100.64.0.1", "192.0.2.1",
           "203.0.113.9", "::1", "fe80::1", "fd00::1", "2001:db8::1", "224.0.0.1", "::ffff:10.0.0.1"],
)  # fmt: skip
def test_private_addresses_have_no_country(enricher, ip):
    row = enricher.lookup(ip)
    assert row["private"] is True
    assert row["country"] is None and row["as_name"] is None and row["watch"] is None


@pytest.mark.parametrize("ip", ["999.1.1.1", "", "abc", "1.2.3", None, "01.2.3.4", " 8.8.8.8", "1.2.3.4:80", ":::1"])
def test_malformed_addresses_give_nulls(enricher, ip):
    expected = {"ip": ip} | dict.fromkeys(ENRICHED)
    assert enricher.lookup(ip) == expected
    assert enrich_all(enricher, [ip])[0] == expected | {"line": 1}


def test_ipv4_mapped_ipv6_is_the_ipv4_address(enricher):
    mapped = enricher.lookup("::ffff:175.45.176.9")
    assert mapped | {"ip": None} == enricher.lookup("175.45.176.9") | {"ip": None}


def test_sql_agrees_with_lookup_on_random_addresses(enricher):
    rng = random.Random(20240618)
    ips: list[str | None] = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(1500)]
    ips += [
        str(ipaddress.IPv6Address((0x2000 + rng.getrandbits(12)) << 112 | rng.getrandbits(112))) for _ in range(400)
    ]
    ips += [f"175.45.177.{rng.randrange(256)}" for _ in range(50)] + [f"10.{i}.0.1" for i in range(50)]
    rows = enrich_all(enricher, ips)
    assert len(rows) == len(ips)
    for row in rows:
        row.pop("line")
        assert row == enricher.lookup(row["ip"])
    assert sum(row["country"] is not None for row in rows) > 1000


def test_every_row_kept_and_duplicates_enriched_alike(enricher):
    rows = enrich_all(enricher, ["8.8.8.8", "8.8.8.8", None, "abc", "175.45.176.1"])
    assert [row["line"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["country"] == rows[1]["country"] is not None


def test_table_name_source(enricher):
    con = enricher._con
    con.execute("CREATE TABLE events AS SELECT 1 AS line, '175.45.176.1' AS ip")
    assert enricher.enrich("events").fetchall() == [(1, "175.45.176.1", "KP", 131279, "Ryugyong-dong", None, None,
                                                      "dprk", "high", False)]  # fmt: skip


def test_cache_is_reused(cache_dir, enricher):
    (folder,) = [path for path in cache_dir.iterdir() if path.is_dir()]
    assert sorted(path.name for path in folder.iterdir()) == ["as_name.parquet", "country.parquet"]
    Enricher(duckdb.connect(), cache_dir)  # must not rebuild: no second folder appears
    assert [path for path in cache_dir.iterdir()] == [folder]


class StubReader:
    """Stands in for maxminddb.Reader: maxminddb cannot write a database and none ships offline."""

    def __init__(self, records: dict[str, Any]) -> None:
        self.records = records

    def get(self, ip: str) -> Any:
        return self.records.get(ip)


def test_mmdb_fields_take_precedence(cache_dir, monkeypatch):
    city = {"8.8.8.8": {"country": {"iso_code": "CN"}, "subdivisions": [{"iso_code": "LN"}],
                        "city": {"names": {"en": "Dandong"}}}}  # fmt: skip
    asn = {"8.8.8.8": {"autonomous_system_number": 64500, "autonomous_system_organization": "EXAMPLE"},
           "175.45.176.1": {"autonomous_system_number": 131279, "autonomous_system_organization": "Star"}}  # fmt: skip
    readers = {Path("city.mmdb"): StubReader(city), Path("asn.mmdb"): StubReader(asn)}
    monkeypatch.setattr(enrich, "_open_mmdb", readers.__getitem__)
    enricher = Enricher(duckdb.connect(), cache_dir, mmdb=Path("city.mmdb"), asn_mmdb=Path("asn.mmdb"))
    rows = enrich_all(enricher, ["8.8.8.8", "175.45.176.1", "10.0.0.1"])
    first = rows[0]
    assert (first["country"], first["region"], first["city"]) == ("CN", "CN-LN", "Dandong")
    assert (first["asn"], first["as_name"], first["watch"]) == (64500, "EXAMPLE", None)
    assert (rows[1]["asn"], rows[1]["watch"]) == (131279, "dprk")  # matched by number from the ASN mmdb
    for row in rows:
        row.pop("line")
        assert row == enricher.lookup(row["ip"])
    assert "CN-LN" in {region.code for region in high_risk_regions()}


def test_networks_file_cites_the_reference():
    networks = load_networks()
    by_cidr = {entry.cidr: entry.confidence for entry in networks.entries if entry.cidr}
    assert by_cidr == {"175.45.176.0/22": "high", "210.52.109.0/24": "low", "77.94.35.0/24": "low"}
    by_asn = {entry.asn: (entry.label, entry.confidence) for entry in networks.entries if entry.asn}
    assert by_asn[131279] == ("dprk", "high")
    assert by_asn[4837] == by_asn[20485] == ("dprk-upstream", "context")
    assert all(entry.source for entry in networks.entries)
    assert {r.code for r in high_risk_regions()} == {"CN-LN", "CN-JL", "RU-PRI"}


def test_special_purpose_ranges_do_not_overlap():
    ranges = enrich._PRIVATE
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
