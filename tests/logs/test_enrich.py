"""Address enrichment: geoip2fast ranges in DuckDB, special-purpose ranges, watch labels, real mmdb files."""

from __future__ import annotations

import ipaddress
import itertools
import random
from pathlib import Path
from typing import Any

import duckdb
import maxminddb
import pytest
from geoip2fast import GeoIP2Fast
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from celtrace.demo.city_database import (
    AsnNetwork,
    CityNetwork,
    asn_record,
    write_asn_database,
    write_city_database,
)
from celtrace.errors import InputError
from celtrace.logs.address_keys import PRIVATE
from celtrace.logs.enrich import ENRICHED, Enricher
from celtrace.logs.networks import high_risk_regions, load_networks


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
                                                      None, None, None, "dprk", "high", False)]  # fmt: skip


def test_cache_is_reused(cache_dir, enricher):
    (folder,) = [path for path in cache_dir.iterdir() if path.is_dir()]
    assert sorted(path.name for path in folder.iterdir()) == ["as_name.parquet", "country.parquet"]
    Enricher(duckdb.connect(), cache_dir)  # must not rebuild: no second folder appears
    assert [path for path in cache_dir.iterdir()] == [folder]


# Real MaxMind-format databases, written per test: the enrichment reads them with maxminddb, as it reads MaxMind's.
DANDONG = CityNetwork("8.8.8.0/24", "CN", "CN-LN", "Dandong", latitude=40.1292, longitude=124.3947, accuracy_km=20)
BEIJING_V6 = CityNetwork(
    "2001:da8::/32", "CN", "CN-BJ", "Beijing", latitude=39.9075, longitude=116.3972, accuracy_km=100
)
COUNTRY_ONLY = CityNetwork("1.0.0.0/24", "JP")  # a record with no place inside the country: no coordinates
STAR_JV = AsnNetwork("175.45.176.0/22", 131279, "Star Joint Venture Co. Ltd.")
EXAMPLE_AS = AsnNetwork("8.8.8.0/24", 64500, "EXAMPLE")
DPRK_AS_ELSEWHERE = AsnNetwork("9.9.9.0/24", 131279, "Star Joint Venture Co. Ltd.")  # watched by number alone


@pytest.fixture
def mmdbs(tmp_path: Path) -> tuple[Path, Path]:
    city = write_city_database(tmp_path / "city.mmdb", [DANDONG, BEIJING_V6, COUNTRY_ONLY])
    asn = write_asn_database(tmp_path / "asn.mmdb", [STAR_JV, EXAMPLE_AS, DPRK_AS_ELSEWHERE])
    return city, asn


@pytest.fixture
def mm_enricher(cache_dir: Path, mmdbs: tuple[Path, Path]) -> Enricher:
    city, asn = mmdbs
    return Enricher(duckdb.connect(), cache_dir, mmdb=city, asn_mmdb=asn)


def assert_sql_agrees_with_lookup(enricher: Enricher, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row.pop("line")
        assert row == enricher.lookup(row["ip"])


def test_written_databases_have_maxminds_layout(mmdbs):
    city, asn = mmdbs
    with maxminddb.open_database(str(city)) as reader:
        assert reader.metadata().database_type == "GeoLite2-City" and reader.metadata().ip_version == 6
        record = reader.get("8.8.8.8")
        assert record == {
            "country": {"iso_code": "CN"},
            "subdivisions": [{"iso_code": "LN"}],
            "city": {"names": {"en": "Dandong"}},
            "location": {"latitude": 40.1292, "longitude": 124.3947, "accuracy_radius": 20},
        }
        assert reader.get("::ffff:8.8.8.8") == record  # IPv4-mapped, as MaxMind's databases alias it
        assert reader.get("2001:da8:1::5")["city"] == {"names": {"en": "Beijing"}}
        assert reader.get("8.8.4.4") is None
    with maxminddb.open_database(str(asn)) as reader:
        assert reader.get("175.45.176.1") == {
            "autonomous_system_number": 131279,
            "autonomous_system_organization": "Star Joint Venture Co. Ltd.",
        }


def test_a_region_of_another_country_is_refused(tmp_path):
    with pytest.raises(ValueError, match="ISO 3166-2"):
        write_city_database(tmp_path / "bad.mmdb", [CityNetwork("8.8.8.0/24", "CN", "RU-PRI")])


def test_mmdb_fields_take_precedence(mm_enricher, geoip):
    rows = enrich_all(mm_enricher, ["8.8.8.8", "175.45.176.1", "10.0.0.1"])
    first = rows[0]
    assert geoip.lookup("8.8.8.8").country_code == "US"  # what geoip2fast alone says
    assert (first["country"], first["region"], first["city"]) == ("CN", "CN-LN", "Dandong")
    assert (first["latitude"], first["longitude"], first["accuracy_km"]) == (40.1292, 124.3947, 20)
    assert (first["asn"], first["as_name"], first["watch"]) == (64500, "EXAMPLE", None)
    assert (rows[1]["asn"], rows[1]["watch"]) == (131279, "dprk")
    assert rows[2]["private"] is True and rows[2]["country"] is None and rows[2]["latitude"] is None
    assert_sql_agrees_with_lookup(mm_enricher, rows)
    assert "CN-LN" in {region.code for region in high_risk_regions()}


def test_asn_from_the_asn_database_feeds_watch_labels(enricher, mm_enricher):
    assert enricher.lookup("9.9.9.9")["watch"] is None  # geoip2fast names Quad9's AS, not the DPRK's
    rows = enrich_all(mm_enricher, ["9.9.9.9"])
    assert (rows[0]["asn"], rows[0]["as_name"]) == (131279, "Star Joint Venture Co. Ltd.")
    assert (rows[0]["watch"], rows[0]["watch_confidence"]) == ("dprk", "high")  # matched by number alone
    assert_sql_agrees_with_lookup(mm_enricher, rows)


def test_an_address_the_mmdb_does_not_cover_falls_back_to_geoip2fast(mm_enricher, geoip):
    rows = enrich_all(mm_enricher, ["1.1.1.1", "1.0.0.1"])
    uncovered, country_only = rows
    assert uncovered["country"] == geoip.lookup("1.1.1.1").country_code is not None
    assert uncovered["as_name"] == geoip.lookup("1.1.1.1").asn_name
    assert country_only["country"] == "JP"
    for row in rows:
        assert row["region"] is row["city"] is row["latitude"] is row["longitude"] is row["accuracy_km"] is None
    assert_sql_agrees_with_lookup(mm_enricher, rows)


def test_ipv6_and_ipv4_mapped_addresses_read_the_mmdb(mm_enricher):
    rows = enrich_all(mm_enricher, ["2001:da8:8000::1", "2001:0DA8:8000:0:0:0:0:1", "::ffff:8.8.8.8", "8.8.8.8"])
    beijing, spelled_out, mapped, plain = rows
    assert (beijing["country"], beijing["region"], beijing["city"]) == ("CN", "CN-BJ", "Beijing")
    assert (beijing["latitude"], beijing["longitude"], beijing["accuracy_km"]) == (39.9075, 116.3972, 100)
    assert spelled_out | {"ip": None, "line": None} == beijing | {"ip": None, "line": None}
    assert mapped | {"ip": None, "line": None} == plain | {"ip": None, "line": None}
    assert mapped["city"] == "Dandong"
    assert_sql_agrees_with_lookup(mm_enricher, rows)


def test_an_ipv4_only_database_leaves_ipv6_to_the_others(tmp_path, cache_dir, mmdbs):
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-ASN")  # some ASN databases are IPv4-only
    writer.insert_network(IPSet(["8.8.8.0/24"]), asn_record(EXAMPLE_AS))
    writer.to_db_file(str(tmp_path / "asn-v4.mmdb"))
    enricher = Enricher(duckdb.connect(), cache_dir, mmdb=mmdbs[0], asn_mmdb=tmp_path / "asn-v4.mmdb")
    rows = enrich_all(enricher, ["2001:da8::1", "::ffff:8.8.8.8"])
    assert rows[0]["city"] == "Beijing"  # the City database answers though the ASN one cannot be asked
    assert (rows[1]["asn"], rows[1]["city"]) == (64500, "Dandong")  # mapped addresses are asked as IPv4
    assert_sql_agrees_with_lookup(enricher, rows)


def test_a_file_that_is_not_an_mmdb_is_an_input_error(tmp_path, cache_dir):
    (tmp_path / "city.mmdb").write_text("not a database")
    with pytest.raises(InputError, match="not a MaxMind database"):
        Enricher(duckdb.connect(), cache_dir, mmdb=tmp_path / "city.mmdb")


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
    ranges = PRIVATE
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
