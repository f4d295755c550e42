from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.lists.store import load_lists

LISTS = Path(str(resources.files("celtrace.demo").joinpath("lists")))


@pytest.fixture
def screened(workspace):
    load_lists(workspace, [LISTS / "sdn.csv", LISTS / "alt.csv", LISTS / "add.csv"], published="2021-07-07")
    return workspace


def test_vendor_alias_in_another_romanisation_matches(screened, load_chain):
    load_chain(
        {
            "vendors": [
                {"id": "front", "name": "Golden Brush Art", "country": "CN", "aliases": ["Korea Dangun Trading Corp."]}
            ]
        }
    )
    [finding] = analyze(screened, only=["SANCTIONS.MATCH"]).findings
    assert finding.subject.id == "front"
    assert finding.severity in (Severity.CRITICAL, Severity.HIGH)
    evidence = finding.evidence
    assert evidence["field"] == "aliases" and evidence["query"] == "Korea Dangun Trading Corp."
    assert evidence["target_name"] == "KOREA TANGUN TRADING CORPORATION" and evidence["list"] == "OFAC SDN"
    assert "DPRK2" in evidence["programs"] and evidence["explanation"]
    assert "Golden Brush Art's alias 'Korea Dangun Trading Corp.' matches" in finding.explanation
    assert evidence["record"]["table"] == "vendors"


def test_payee_is_screened_and_clean_names_are_not_flagged(screened, load_chain):
    load_chain(
        {
            "vendors": [
                {
                    "id": "lotus",
                    "name": "Bright Lotus Animation",
                    "country": "CN",
                    "payee": "Yanbian Silverstar Network Technology Co., Ltd.",
                },
                {"id": "maple", "name": "Maple Frame Animation Inc.", "country": "CA"},
            ],
            "people": [{"name": "Claire Dubois", "nationality": "CA", "vendor": "maple", "relation": "directs"}],
        }
    )
    findings = analyze(screened, only=["SANCTIONS.MATCH"]).findings
    assert [(f.subject.id, f.evidence["field"]) for f in findings] == [("lotus", "payee")]
    assert findings[0].title.startswith("Payee Yanbian Silverstar")


def test_a_sanctioned_owner_makes_a_critical_link(screened, load_chain):
    load_chain(
        {
            "vendors": [
                {"id": "tangun", "name": "Korea Tangun Trading Corporation", "country": "KP"},
                {"id": "studio", "name": "Paper Kite Studio", "country": "CN"},
            ],
            "links": [{"source": "tangun", "target": "studio", "kind": "owns"}],
        }
    )
    links = [f for f in analyze(screened, only=["CHAIN"]).findings if f.subject.id == "studio"]
    assert [f.severity for f in links] == [Severity.CRITICAL]
    assert links[0].evidence["path"][0]["link"] == "owns"
    assert "OFAC SDN" in links[0].evidence["reason"]
