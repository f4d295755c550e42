"""NET.REMOTE_DESKTOP: remote-desktop gateways, remote-control tools and the RDP port in access logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.logs.importer import import_logs
from tests.factories import access_line, write_log

T0 = datetime(2024, 2, 14, 10, 0, tzinfo=UTC)
CHAIN = {
    "vendors": [{"id": "lotus", "name": "Bright Lotus Animation", "country": "CN"}],
    "accounts": [{"portal": "asset-portal", "username": "brightlotus.cn01", "vendor": "lotus"}],
}


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_gateways_and_tools_in_web_logs(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    lines = [
        access_line("123.184.1.1", "brightlotus.cn01", _at(0)),
        access_line("123.184.1.1", "brightlotus.cn01", _at(1), path="/RDWeb/Pages/en-US/login.aspx"),
        access_line("123.184.1.1", "brightlotus.cn01", _at(2), agent="AnyDesk/7.1.8 (Windows)"),
        access_line("59.46.10.4", "-", _at(3), path="/guacamole/api/tokens"),
        access_line("59.46.10.4", "-", _at(4), path="/files/rdweb-notes.txt"),  # a word in a name, not a gateway
        access_line("59.46.10.4", "-", _at(5), agent="Mozilla/5.0 (compatible; teamviewer-ish)"),
    ]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    found = {f.subject.name: f for f in analyze(workspace, only=["NET.REMOTE_DESKTOP"]).findings}
    lotus = found["brightlotus.cn01 (asset-portal)"]
    assert lotus.severity == Severity.MEDIUM and lotus.subject.kind == "account"
    assert lotus.evidence["patterns"] == ["AnyDesk", "Remote Desktop Web Access"]
    assert sorted(a["first"]["line"] for a in lotus.evidence["addresses"]) == [2, 3]
    anonymous = found["59.46.10.4"]
    assert anonymous.subject.kind == "address" and anonymous.evidence["events"] == 2
    assert anonymous.evidence["patterns"] == ["Apache Guacamole", "TeamViewer"]


def test_connections_to_the_rdp_port_in_a_firewall_log(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    mac = "MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00"
    lines = [
        f"Feb 14 10:00:0{n} gate kernel: [8123{n}.5678] [UFW BLOCK] IN=eth0 OUT= {mac} SRC=175.45.176.9 "
        f"DST=192.0.2.10 LEN=52 TOS=0x00 PREC=0x00 TTL=113 ID=234{n} DF PROTO=TCP SPT=5123{n} DPT={port} "
        "WINDOW=64240 RES=0x00 SYN URGP=0"
        for n, port in ((1, 3389), (2, 443))
    ]
    import_logs(workspace, [write_log(tmp_path, lines, "kern.log")], "gateway")
    [finding] = analyze(workspace, only=["NET.REMOTE_DESKTOP"]).findings
    assert finding.subject.name == "175.45.176.9" and finding.evidence["events"] == 1
    assert finding.evidence["patterns"] == ["Remote Desktop Protocol port"]
    assert finding.evidence["addresses"][0]["first"]["line"] == 1
