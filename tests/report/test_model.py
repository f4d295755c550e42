"""The report document: its content, its order, and its schema (on the case in ``case.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest

from celtrace.chain.graph import Chain
from celtrace.report import build_report
from celtrace.report.json_report import report_schema
from celtrace.workspace import Workspace
from tests.report.case import build_case, vendor


@pytest.fixture
def report(workspace: Workspace) -> dict[str, Any]:
    build_case(workspace)
    return build_report(workspace, generated_at=datetime(2024, 6, 3, 10, 0, tzinfo=UTC))


def _vendor(report: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    return next(v for v in report["vendors"] if v["id"] == vendor_id)


def test_report_validates_against_its_schema(report: dict[str, Any]) -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(report)


def test_report_header(report: dict[str, Any], workspace: Workspace) -> None:
    assert report["schema_version"] == "1.0"
    assert report["generated_at"] == "2024-06-03T10:00:00+00:00"
    assert report["tool"]["name"] == "celtrace"
    assert report["workspace"] == str(workspace.path)
    assert report["run"]["rules"][0] == "CHAIN.UNDECLARED_SUBCONTRACTOR"
    assert report["run"]["started_at"] == "2024-06-03T09:30:00+00:00"
    assert report["risk_model"]["tier_factor"] == pytest.approx(0.6)


def test_vendors_come_highest_risk_first(report: dict[str, Any]) -> None:
    scores = [v["risk"]["score"] for v in report["vendors"]]
    assert scores == sorted(scores, reverse=True)
    # Equal scores go by name: the Dandong front before the Pyongyang unit it hands work to.
    assert [v["id"] for v in report["vendors"][:2]] == ["pinetree", "mansudae"]
    assert report["summary"]["highest_risk"][1] == {
        "id": "mansudae",
        "name": "Mansudae Art Export Unit 8",
        "score": 100.0,
        "level": "critical",
    }
    assert len(report["summary"]["highest_risk"]) == 5


def test_vendor_entry_holds_chain_people_and_findings(report: dict[str, Any]) -> None:
    pinetree = _vendor(report, "pinetree")
    assert pinetree["tier"] == 3
    assert pinetree["clients"] == ["jinxing"]
    assert pinetree["subcontractors"] == [{"id": "mansudae", "status": "observed"}]
    assert pinetree["people"] == [{"id": "kim", "relation": "directs", "status": "observed"}]
    # Its own finding, its director's and its account's all count towards it.
    rules = {f["rule"] for f in report["findings"] if f["id"] in pinetree["findings"]}
    assert rules == {"CHAIN.UNDECLARED_SUBCONTRACTOR", "SANCTIONS.MATCH", "NET.DPRK"}
    assert pinetree["risk"]["own"] == 100.0
    hanbit = _vendor(report, "hanbit")
    assert (hanbit["tier"], hanbit["aliases"], hanbit["findings"]) == (1, ["한빛모션"], [])
    assert {s["id"] for s in hanbit["subcontractors"]} == {"jinxing", "busan"}


def test_inherited_risk_names_the_subcontractor(report: dict[str, Any]) -> None:
    hanbit = _vendor(report, "hanbit")
    [part] = hanbit["risk"]["contributions"]
    assert part["via_vendor"] == "jinxing"
    assert "Shenyang Jinxing Animation Co." in part["reason"]
    assert hanbit["risk"]["inherited"] == pytest.approx(0.6 * _vendor(report, "jinxing")["risk"]["score"], abs=0.1)
    jinxing = _vendor(report, "jinxing")
    own = [c for c in jinxing["risk"]["contributions"] if "finding_id" in c]
    assert [(c["rule"], c["points"]) for c in own] == [("VENDOR.PAYMENT_RED_FLAG", 25.0)]


def test_summary_counts(report: dict[str, Any]) -> None:
    summary = report["summary"]
    assert (summary["vendors"], summary["people"], summary["links"], summary["accounts"]) == (9, 3, 11, 2)
    assert summary["findings_by_severity"] == {"critical": 1, "high": 3, "medium": 2, "low": 1, "info": 1}
    assert sum(summary["vendors_by_level"].values()) == 9
    assert summary["vendors_by_level"]["critical"] >= 2


def test_people_links_and_accounts(report: dict[str, Any]) -> None:
    kim = next(p for p in report["people"] if p["id"] == "kim")
    assert kim["vendors"] == [{"id": "pinetree", "relation": "directs", "status": "observed"}]
    assert len(kim["findings"]) == 1
    unknown = next(link for link in report["links"] if link["target"]["id"] == "liaoning-trade")
    assert unknown["target"] == {"kind": "company", "id": "liaoning-trade", "name": "liaoning-trade"}
    assert unknown["source"]["name"] == "Shenyang Jinxing Animation Co."
    account = next(a for a in report["accounts"] if a["username"] == "pinetree01")
    assert (account["vendor"], account["person"], len(account["findings"])) == ("pinetree", "kim", 1)


def test_findings_keep_the_analyze_contract(report: dict[str, Any]) -> None:
    first = report["findings"][0]
    assert set(first) == {"id", "rule", "severity", "subject", "title", "explanation", "evidence"}
    assert first["severity"] == "critical"
    assert report["findings"][-1]["severity"] == "info"


def test_report_before_any_run(workspace: Workspace) -> None:
    with workspace.change("test") as change:
        change.session.add(vendor("solo", "Solo Studio", "us", "Burbank"))
    report = build_report(workspace)
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert report["run"] is None
    assert report["findings"] == []
    assert report["vendors"][0]["risk"] == {
        "score": 0.0,
        "level": "none",
        "own": 0.0,
        "inherited": 0.0,
        "contributions": [],
    }


def test_empty_workspace_report_validates(workspace: Workspace) -> None:
    report = build_report(workspace)
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert report["summary"]["highest_risk"] == []


def test_case_is_four_tiers_deep(workspace: Workspace) -> None:
    build_case(workspace)
    with workspace.session() as session:
        chain = Chain.load(session)
    assert chain.tiers["mansudae"] == 4
    assert sorted(v for v, tier in chain.tiers.items() if tier == 1) == ["hanbit", "lumen", "maple"]
