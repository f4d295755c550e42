from __future__ import annotations

import pytest

from celtrace.chain.graph import Chain
from celtrace.config import RiskSettings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.risk import score_vendors
from celtrace.workspace.schema import Account, Person
from tests.factories import link, sub, vendor


def finding(kind: str, subject_id: str, severity: Severity, key: str = "") -> Finding:
    return Finding("TEST.RULE", severity, Subject(kind, subject_id, subject_id), f"{severity.label} thing", "", {}, key)  # type: ignore[arg-type]


def chain(ids: list[str], links: list, people=(), accounts=()) -> Chain:
    return Chain({i: vendor(i) for i in ids}, {p.id: p for p in people}, links, list(accounts))


def test_three_tier_chain_carries_a_critical_front_company_to_the_top():
    c = chain(["tier1", "tier2", "front"], [sub("tier1", "tier2"), sub("tier2", "front", "observed")])
    risks = score_vendors(c, [finding("vendor", "front", Severity.CRITICAL)], RiskSettings(tier_factor=0.6))
    assert risks["front"].score == 100
    assert risks["tier2"].score == pytest.approx(60)
    assert risks["tier1"].score == pytest.approx(36)
    assert risks["tier1"].level == "medium"
    [contribution] = risks["tier1"].contributions
    assert contribution.via_vendor == "tier2"
    assert "0.6" in contribution.reason


def test_own_points_add_up_and_cap_at_100():
    c = chain(["v"], [])
    fs = [
        finding("vendor", "v", Severity.HIGH, "a"),
        finding("vendor", "v", Severity.MEDIUM, "b"),
        finding("vendor", "v", Severity.HIGH, "c"),
    ]
    risk = score_vendors(c, fs, RiskSettings())["v"]
    assert risk.own == 100 and risk.score == 100
    assert [part.points for part in risk.contributions] == [50, 50, 25]


def test_riskiest_subcontractor_counts_not_the_sum():
    c = chain(["top", "a", "b"], [sub("top", "a"), sub("top", "b")])
    fs = [finding("vendor", "a", Severity.MEDIUM), finding("vendor", "b", Severity.HIGH)]
    risk = score_vendors(c, fs, RiskSettings(tier_factor=0.5))["top"]
    assert risk.inherited == 25 and risk.contributions[-1].via_vendor == "b"


def test_people_and_accounts_add_to_their_vendor():
    people = [Person(id="ri", name="Ri", aliases=[], origin={})]
    accounts = [Account(id=7, portal="p", username="u", vendor_id="v", origin={})]
    links = [link("directs", ("person", "ri"), ("vendor", "v"))]
    c = chain(["v"], links, people, accounts)
    fs = [finding("person", "ri", Severity.HIGH), finding("account", "7", Severity.LOW)]
    risk = score_vendors(c, fs, RiskSettings())["v"]
    assert risk.own == 60
    assert {part.subject for part in risk.contributions} == {"person:ri", "account:7"}


def test_cycles_end():
    c = chain(["a", "b"], [sub("a", "b"), sub("b", "a")])
    risks = score_vendors(c, [finding("vendor", "b", Severity.CRITICAL)], RiskSettings(tier_factor=0.5))
    assert risks["b"].score == 100
    assert risks["a"].score == 50


def test_severity_points_come_from_settings():
    c = chain(["v"], [])
    settings = RiskSettings(severity_points={"critical": 90, "high": 40, "medium": 20, "low": 5, "info": 0})
    assert score_vendors(c, [finding("vendor", "v", Severity.LOW)], settings)["v"].score == 5


def test_clean_vendor_scores_zero():
    risk = score_vendors(chain(["v"], []), [], RiskSettings())["v"]
    assert (risk.score, risk.level, risk.contributions) == (0, "none", [])
