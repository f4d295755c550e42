"""NET.DPRK and NET.ANONYMIZER over imported portal logs, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from celtrace.demo.city_database import CityNetwork, write_city_database
from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.logs.importer import import_logs
from tests.factories import PORTAL_CHAIN


def _line(ip: str, user: str, minute: int, path: str = "/s01e04/layouts/sc010_cut002.png") -> str:
    return (
        f'{ip} - {user} [14/Feb/2024:10:{minute:02d}:00 +0000] "GET {path} HTTP/1.1" 200 48213 '
        '"-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"'
    )


def _portal_log(tmp_path: Path) -> Path:
    lines = [
        _line("211.234.10.1", "hanbit.layout01", 0),  # Seoul, ordinary
        _line("175.45.176.9", "brightlotus.cn01", 1),  # the DPRK's own space
        _line("175.45.177.20", "brightlotus.cn01", 2),
        _line("175.45.176.9", "brightlotus.cn01", 3),
        _line("185.65.134.1", "brightlotus.cn01", 4),  # a VPN operator
        _line("210.52.109.5", "-", 5),  # listed as DPRK-related by some, no attribution
        _line("211.234.10.1", "hanbit.layout01", 6),
    ]
    path = tmp_path / "portal.log"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_dprk_and_vpn_access_are_reported_per_account_with_their_lines(workspace, load_chain, tmp_path):
    load_chain(PORTAL_CHAIN)
    import_logs(workspace, [_portal_log(tmp_path)], "asset-portal")
    findings = analyze(workspace, only=["NET"]).findings
    by = {(f.rule, f.subject.name): f for f in findings}
    dprk = by[("NET.DPRK", "brightlotus.cn01 (asset-portal)")]
    assert dprk.severity == Severity.CRITICAL and dprk.subject.kind == "account"
    assert dprk.evidence["events"] == 3 and dprk.evidence["address_count"] == 2
    first = next(a for a in dprk.evidence["addresses"] if a["ip"] == "175.45.176.9")
    assert (first["events"], first["first"]["line"], first["last"]["line"]) == (2, 2, 4)
    assert first["country"] == "KP" and first["first"]["file"].endswith("portal.log")
    low = by[("NET.DPRK", "210.52.109.5")]
    assert low.severity == Severity.LOW and low.subject.kind == "address"
    vpn = by[("NET.ANONYMIZER", "brightlotus.cn01 (asset-portal)")]
    assert vpn.severity == Severity.MEDIUM and vpn.evidence["addresses"][0]["watch"] == "vpn"
    assert not any("hanbit" in f.subject.name for f in findings)
    # The account is the chain's, so its vendor carries the risk.
    with workspace.session() as session:
        from celtrace.chain.graph import Chain

        chain = Chain.load(session)
    assert chain.vendors_of_subject("account", dprk.subject.id) == ["lotus"]


def test_no_logs_no_network_findings(workspace, load_chain):
    load_chain(PORTAL_CHAIN)
    assert analyze(workspace, only=["NET"]).findings == []


def test_regions_tied_to_dprk_fronts_need_a_city_database(workspace, load_chain, tmp_path):
    load_chain(PORTAL_CHAIN)
    lines = [
        _line("221.202.15.3", "brightlotus.cn01", 1),  # Dandong, by the city database below
        _line("60.22.4.5", "brightlotus.cn01", 2),  # Shenyang
        _line("123.184.1.1", "hanbit.layout01", 3),  # Beijing: China, not one of the regions
    ]
    log = tmp_path / "portal.log"
    log.write_text("\n".join(lines) + "\n")
    # Without a city database: China is all that is known, and the finding says so.
    import_logs(workspace, [log], "asset-portal")
    plain = [f for f in analyze(workspace, only=["NET.HIGH_RISK_REGION"]).findings]
    assert {(f.subject.name, f.severity) for f in plain} == {
        ("brightlotus.cn01 (asset-portal)", Severity.INFO),
        ("hanbit.layout01 (asset-portal)", Severity.INFO),
    }
    assert all("the region is not known" in f.title for f in plain)

    cities = write_city_database(
        tmp_path / "GeoLite2-City.mmdb",
        [
            CityNetwork("221.202.15.0/24", "CN", "CN-LN", "Dandong"),
            CityNetwork("60.22.4.0/24", "CN", "CN-LN", "Shenyang"),
            CityNetwork("123.184.1.0/24", "CN", "CN-BJ", "Beijing"),
        ],
    )
    import_logs(workspace, [log], "portal-with-cities", mmdb=cities)
    found = [
        f
        for f in analyze(workspace, only=["NET.HIGH_RISK_REGION"]).findings
        if f.evidence["source"] == "portal-with-cities"
    ]
    [region] = found
    assert region.severity == Severity.HIGH and region.subject.name == "brightlotus.cn01 (asset-portal)"
    assert "Dandong" in region.title and "Shenyang" in region.title
    assert {a["region"] for a in region.evidence["addresses"]} == {"CN-LN"}
