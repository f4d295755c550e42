"""NET.SHARED_INFRA: two vendors' accounts on one address within a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.logs.importer import import_logs
from tests.factories import access_line, write_log

T0 = datetime(2024, 2, 14, 10, 0, tzinfo=UTC)
CHAIN = {
    "vendors": [
        {"id": "hanbit", "name": "Hanbit Motion Works", "country": "KR"},
        {"id": "seoul-inb", "name": "Seoul Inbetween Studio", "country": "KR", "client": "hanbit"},
        {"id": "lotus", "name": "Bright Lotus Animation", "country": "CN", "client": "hanbit"},
    ],
    "accounts": [
        {"portal": "asset-portal", "username": "hanbit.layout01", "vendor": "hanbit"},
        {"portal": "asset-portal", "username": "seoul.inb", "vendor": "seoul-inb"},
        {"portal": "asset-portal", "username": "brightlotus.cn01", "vendor": "lotus"},
    ],
}
DANDONG, SEOUL_OFFICE, VPN = "221.202.15.7", "211.234.10.1", "185.65.134.9"


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_two_undeclared_partners_on_one_address_within_a_day(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    lines = [
        access_line(DANDONG, "brightlotus.cn01", _at(0)),
        access_line(DANDONG, "seoul.inb", _at(3)),  # line 2: Seoul Inbetween from the same address
        access_line(DANDONG, "brightlotus.cn01", _at(5)),
        access_line(SEOUL_OFFICE, "hanbit.layout01", _at(0)),
        access_line(SEOUL_OFFICE, "seoul.inb", _at(100)),  # four days later: not within the window
        access_line(VPN, "hanbit.layout01", _at(1)),
        access_line(VPN, "seoul.inb", _at(2)),  # a VPN exit both happened to use
        access_line("10.0.0.5", "hanbit.layout01", _at(1)),  # the studio's own network is nobody's tell
        access_line("10.0.0.5", "brightlotus.cn01", _at(1)),
        access_line(DANDONG, "stranger", _at(1)),  # not in the chain: whose it is, nobody says
    ]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    found = {
        (f.subject.id, f.evidence["other_vendor"]): f for f in analyze(workspace, only=["NET.SHARED_INFRA"]).findings
    }
    assert set(found) == {
        ("lotus", "seoul-inb"),
        ("seoul-inb", "lotus"),
        ("hanbit", "seoul-inb"),
        ("seoul-inb", "hanbit"),
    }
    lotus = found[("lotus", "seoul-inb")]
    assert lotus.severity == Severity.HIGH and lotus.subject.kind == "vendor"
    assert not lotus.evidence["declared_relation"] and lotus.evidence["address_count"] == 1
    [use] = lotus.evidence["uses"]
    assert use["ip"] == DANDONG and use["other_account"]["account"] == "seoul.inb"
    assert (use["account"]["line"], use["other_account"]["line"]) == (1, 2)
    # Hanbit declared Seoul Inbetween, and the address they shared is a VPN exit: low.
    assert found[("hanbit", "seoul-inb")].severity == Severity.LOW
    assert found[("hanbit", "seoul-inb")].evidence["declared_relation"]


def test_one_vendor_alone_shares_nothing(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    lines = [access_line(DANDONG, "brightlotus.cn01", _at(0)), access_line(DANDONG, "brightlotus.cn01", _at(1))]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    assert analyze(workspace, only=["NET.SHARED_INFRA"]).findings == []
