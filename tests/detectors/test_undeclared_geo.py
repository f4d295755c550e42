"""NET.UNDECLARED_GEO: a vendor's accounts used from countries its declared chain is not in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.logs.importer import import_logs
from tests.factories import access_line, write_log

T0 = datetime(2024, 2, 14, 10, 0, tzinfo=UTC)
CHAIN = {
    "vendors": [
        {"id": "maple", "name": "Maple Frame Animation", "country": "CA"},
        {"id": "northwind", "name": "Northwind Layout", "country": "PH", "client": "maple"},
        {"id": "seoul-inb", "name": "Seoul Inbetween Studio", "country": "KR"},
        {"id": "kestrel", "name": "Kestrel Ink & Paint", "country": "GB"},
        {"id": "nowhere", "name": "Nowhere Ltd"},
    ],
    "accounts": [
        {"portal": "asset-portal", "username": "maple.anim1", "vendor": "maple"},
        {"portal": "asset-portal", "username": "seoul.inb", "vendor": "seoul-inb"},
        {"portal": "asset-portal", "username": "kestrel.paint", "vendor": "kestrel"},
        {"portal": "asset-portal", "username": "nobody", "vendor": "nowhere"},
    ],
}


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_countries_outside_the_declared_chain_are_reported_per_vendor(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    lines = [
        access_line("24.114.10.5", "maple.anim1", _at(0)),  # Canada: its own
        access_line("112.198.70.5", "maple.anim1", _at(1)),  # the Philippines: its declared subcontractor's
        access_line("211.234.10.1", "seoul.inb", _at(2)),  # Korea: its own
        access_line("221.202.15.7", "seoul.inb", _at(3)),  # China: nobody declared it
        access_line("221.202.15.7", "seoul.inb", _at(4)),
        access_line("185.65.134.9", "seoul.inb", _at(5)),  # a VPN says nothing of where anyone is
        access_line("86.128.3.7", "kestrel.paint", _at(6)),  # Britain: its own
        access_line("85.138.20.5", "kestrel.paint", _at(7)),  # Portugal, once: a trip
        access_line("85.138.20.5", "nobody", _at(8)),  # a vendor that declared no country
    ]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    found = {f.subject.id: f for f in analyze(workspace, only=["NET.UNDECLARED_GEO"]).findings}
    assert set(found) == {"seoul-inb", "kestrel"}
    seoul = found["seoul-inb"]
    assert seoul.severity == Severity.HIGH and seoul.evidence["declared_countries"] == ["KR"]
    [china] = seoul.evidence["countries"]
    assert china["country"] == "CN" and china["events"] == 2
    assert china["accounts"][0]["first"]["line"] == 4
    assert found["kestrel"].severity == Severity.LOW
