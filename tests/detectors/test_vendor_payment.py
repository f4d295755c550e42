from __future__ import annotations

from typing import Any

import pytest

from celtrace.detectors.finding import Finding, Severity
from celtrace.detectors.runner import analyze

RULE = "VENDOR.PAYMENT_RED_FLAG"


def findings(workspace: Any, vendors: list[dict[str, Any]], load_chain: Any) -> list[Finding]:
    load_chain({"vendors": vendors})
    return analyze(workspace, only=[RULE]).findings


def test_bank_in_china_for_a_korean_vendor_is_high(workspace, load_chain):
    [finding] = findings(workspace, [{"name": "Hanbit", "country": "KR", "bank_country": "CN"}], load_chain)
    assert finding.severity == Severity.HIGH
    assert finding.evidence["field"] == "bank_country"
    assert finding.evidence["value"] == "cn"
    assert finding.evidence["declared_country"] == "kr"
    assert finding.evidence["record"]["row"] == 1
    assert "China" in finding.title


def test_bank_in_a_third_country_is_medium(workspace, load_chain):
    [finding] = findings(workspace, [{"name": "Lotus", "country": "CN", "bank_country": "HK"}], load_chain)
    assert finding.severity == Severity.MEDIUM


def test_bank_in_north_korea_is_critical_even_without_a_declared_country(workspace, load_chain):
    [finding] = findings(workspace, [{"name": "Anon", "bank_country": "North Korea"}], load_chain)
    assert finding.severity == Severity.CRITICAL


def test_bank_at_home_is_not_a_flag(workspace, load_chain):
    assert findings(workspace, [{"name": "Lotus", "country": "CN", "bank_country": "CN"}], load_chain) == []


@pytest.mark.parametrize(
    ("method", "severity", "category"),
    [
        ("USDT (TRC20)", Severity.HIGH, "cryptocurrency"),
        ("Bitcoin", Severity.HIGH, "cryptocurrency"),
        ("paypal", Severity.LOW, "payment platform"),
        ("WeChat Pay", Severity.LOW, "payment platform"),
        ("50% prepayment", Severity.LOW, "prepayment"),
    ],
)
def test_payment_methods_named_by_the_advisory(workspace, load_chain, method, severity, category):
    [finding] = findings(workspace, [{"name": "V", "country": "PT", "payment_methods": [method]}], load_chain)
    assert (finding.severity, finding.evidence["category"], finding.evidence["value"]) == (severity, category, method)


def test_words_inside_other_words_do_not_match(workspace, load_chain):
    # "wise" must not fire on "otherwise", nor "eth" on "method".
    vendors = [{"name": "V", "country": "PT", "payment_methods": ["bank transfer otherwise method cheque"]}]
    assert findings(workspace, vendors, load_chain) == []


def test_third_party_payee_is_high_but_own_alias_is_not(workspace, load_chain):
    vendors = [
        {"name": "Bright Lotus", "aliases": ["BL Animation"], "country": "CN", "payee": "Yanbian Morning Star"},
        {"name": "Maple", "aliases": ["Maple Frame Inc"], "country": "CA", "payee": "maple  frame INC"},
    ]
    [finding] = findings(workspace, vendors, load_chain)
    assert finding.subject.name == "Bright Lotus"
    assert finding.severity == Severity.HIGH
    assert finding.evidence["value"] == "Yanbian Morning Star"
    assert "SEK Studio" in finding.explanation


def test_finding_ids_are_stable_across_runs(workspace, load_chain):
    first = findings(workspace, [{"name": "V", "country": "KR", "bank_country": "CN"}], load_chain)
    second = analyze(workspace, only=[RULE]).findings
    assert [f.id for f in first] == [f.id for f in second]
