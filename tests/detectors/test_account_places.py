"""NET.IMPOSSIBLE_TRAVEL and NET.MANY_COUNTRIES over imported portal logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from celtrace.demo.city_database import CityNetwork, write_city_database
from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.logs import places
from celtrace.logs.importer import import_logs
from tests.factories import PORTAL_CHAIN, access_line, write_log

T0 = datetime(2024, 2, 14, 10, 0, tzinfo=UTC)
SEOUL, LISBON, LONDON, DALIAN, VPN = "211.234.10.1", "85.138.20.5", "86.128.3.7", "123.184.1.1", "185.65.134.9"


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_country_gaps_are_lower_bounds_that_never_overstate():
    korea, portugal, china = places.country("KR"), places.country("PT"), places.country("CN")
    assert korea and portugal and china and places.country("XX") is None
    # Seoul to Lisbon is about 9,900 km: the bound is below it but far above the rule's 500 km.
    assert 7_000 < places.gap_km(korea, portugal) < 9_900
    # Neighbours may touch: nothing can be said from the country alone.
    assert places.gap_km(china, places.country("KP")) == 0  # type: ignore[arg-type]
    assert places.gap_km(korea, korea) == 0
    # Points with an accuracy radius: New York and Los Angeles are about 3,940 km apart.
    new_york, los_angeles = places.point(40.71, -74.01, 20, "NY"), places.point(34.05, -118.24, 50, "LA")
    assert 3_850 < places.gap_km(new_york, los_angeles) < 3_900


def test_an_account_in_seoul_and_lisbon_twenty_minutes_apart_travelled_impossibly(workspace, load_chain, tmp_path):
    load_chain(PORTAL_CHAIN)
    lines = [
        access_line(SEOUL, "hanbit.layout01", _at(0)),
        access_line(SEOUL, "hanbit.layout01", _at(5)),
        access_line(LISBON, "hanbit.layout01", _at(25)),  # line 3: the impossible move
        access_line(SEOUL, "hanbit.layout01", _at(60 * 30)),  # 30 h later: a flight, not a jump
        access_line(DALIAN, "brightlotus.cn01", _at(0)),
        access_line(VPN, "brightlotus.cn01", _at(3)),  # a VPN exit far away, three minutes on
    ]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    found = {f.subject.name: f for f in analyze(workspace, only=["NET.IMPOSSIBLE_TRAVEL"]).findings}
    assert set(found) == {"hanbit.layout01 (asset-portal)", "brightlotus.cn01 (asset-portal)"}
    hanbit = found["hanbit.layout01 (asset-portal)"]
    assert hanbit.severity == Severity.MEDIUM and hanbit.evidence["moves"] == 1
    [hop] = hanbit.evidence["hops"]
    assert (hop["from"]["ip"], hop["from"]["line"], hop["to"]["ip"], hop["to"]["line"]) == (SEOUL, 2, LISBON, 3)
    assert hop["minutes"] == 20 and hop["distance_km_at_least"] > 5_000 and not hop["through_anonymizer"]
    assert "KR" in hanbit.title and "PT" in hanbit.title
    # A VPN hop explains the jump without a second person: low.
    lotus = found["brightlotus.cn01 (asset-portal)"]
    assert lotus.severity == Severity.LOW and lotus.evidence["hops"][0]["through_anonymizer"]


def test_a_city_database_places_moves_within_one_country(workspace, load_chain, tmp_path):
    load_chain({"vendors": [{"id": "maple", "name": "Maple Frame", "country": "US"}],
                "accounts": [{"portal": "asset-portal", "username": "maple.anim1", "vendor": "maple"}]})  # fmt: skip
    mmdb = write_city_database(
        tmp_path / "city.mmdb",
        [
            CityNetwork("24.114.10.0/24", "US", "US-NY", "New York", 40.71, -74.01, 20),
            CityNetwork("24.114.11.0/24", "US", "US-CA", "Los Angeles", 34.05, -118.24, 50),
            CityNetwork("24.114.12.0/24", "US", "US-NJ", "Newark", 40.73, -74.17, 20),
        ],
    )
    lines = [
        access_line("24.114.10.5", "maple.anim1", _at(0)),
        access_line("24.114.12.5", "maple.anim1", _at(10)),  # Newark: next door
        access_line("24.114.11.5", "maple.anim1", _at(70)),  # Los Angeles an hour on
    ]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal", mmdb=mmdb)
    [finding] = analyze(workspace, only=["NET.IMPOSSIBLE_TRAVEL"]).findings
    [hop] = finding.evidence["hops"]
    assert (hop["from"]["city"], hop["to"]["city"]) == ("Newark", "Los Angeles")
    assert 3_800 < hop["distance_km_at_least"] < 3_900 and hop["kmh_needed"] > 3_000
    # Without the city database the same moves stay within one country and say nothing.
    import_logs(workspace, [write_log(tmp_path, lines, "again.log")], "no-cities")
    assert [f.evidence["source"] for f in analyze(workspace, only=["NET.IMPOSSIBLE_TRAVEL"]).findings] == [
        "asset-portal"
    ]


def test_three_countries_in_one_day_is_the_advisory_red_flag(workspace, load_chain, tmp_path):
    load_chain(PORTAL_CHAIN)
    lines = [
        access_line(SEOUL, "hanbit.layout01", _at(0)),
        access_line(LISBON, "hanbit.layout01", _at(60 * 5)),
        access_line(LONDON, "hanbit.layout01", _at(60 * 11)),
        access_line(SEOUL, "hanbit.layout01", _at(60 * 24 * 3)),  # another day: one country
        access_line(DALIAN, "brightlotus.cn01", _at(0)),
        access_line(VPN, "brightlotus.cn01", _at(60)),
        access_line(SEOUL, "brightlotus.cn01", _at(120)),
    ]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    found = {f.subject.name: f for f in analyze(workspace, only=["NET.MANY_COUNTRIES"]).findings}
    hanbit = found["hanbit.layout01 (asset-portal)"]
    assert hanbit.severity == Severity.MEDIUM and hanbit.evidence["days"] == 1
    [day] = hanbit.evidence["by_day"]
    assert day["day"] == "2024-02-14" and [c["country"] for c in day["countries"]] == ["KR", "PT", "GB"]
    assert day["countries"][1]["first"]["line"] == 2
    # Three countries, one of them a VPN exit: still reported, at low.
    assert found["brightlotus.cn01 (asset-portal)"].severity == Severity.LOW


def test_logs_without_accounts_have_no_travel(workspace, load_chain, tmp_path):
    load_chain(PORTAL_CHAIN)
    lines = [access_line(SEOUL, "-", _at(0)), access_line(LISBON, "-", _at(1)), access_line(LONDON, "-", _at(2))]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    assert analyze(workspace, only=["NET.IMPOSSIBLE_TRAVEL", "NET.MANY_COUNTRIES"]).findings == []


def test_failed_logins_are_attempts_on_an_account_not_its_use(workspace, load_chain, tmp_path):
    load_chain(PORTAL_CHAIN)

    def sshd(minute: int, what: str, ip: str) -> str:
        return f"Feb 14 10:{minute:02d}:01 files sshd[{4000 + minute}]: {what} for root from {ip} port 51234 ssh2"

    # A scanner guessing root's password from three countries in three minutes: nothing about root's owner.
    tried = [sshd(0, "Failed password", SEOUL), sshd(1, "Failed password", LISBON), sshd(2, "Failed password", LONDON)]
    import_logs(workspace, [write_log(tmp_path, tried, "auth.log")], "file-server")
    assert analyze(workspace, only=["NET.IMPOSSIBLE_TRAVEL", "NET.MANY_COUNTRIES"]).findings == []
    # Root logged in from Seoul, then from Lisbon ten minutes later: one account, two people.
    used = [sshd(10, "Accepted password", SEOUL), sshd(20, "Accepted publickey", LISBON)]
    import_logs(workspace, [write_log(tmp_path, used, "auth.1.log")], "file-server")
    [finding] = analyze(workspace, only=["NET.IMPOSSIBLE_TRAVEL"]).findings
    assert finding.subject.name == "root (file-server)" and finding.evidence["hops"][0]["minutes"] == 10


def test_the_real_ssh_sample_is_a_brute_force_not_a_traveller(workspace, load_chain):
    sample = Path(__file__).resolve().parents[3] / "shared" / "data" / "logs" / "OpenSSH_2k.log"
    if not sample.exists():
        pytest.skip("needs ../shared/data")
    load_chain(PORTAL_CHAIN)
    [result] = import_logs(workspace, [sample], "file-server")
    assert result.events > 1000
    rules = ["NET.IMPOSSIBLE_TRAVEL", "NET.MANY_COUNTRIES", "NET.ENDLESS_SESSION", "NET.SHARED_INFRA"]
    assert analyze(workspace, only=rules).findings == []
