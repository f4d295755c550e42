from __future__ import annotations

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze

RULE = "CHAIN.SANCTIONED_LINK"

CHAIN = {
    "vendors": [
        {"id": "front", "name": "Golden Brush", "country": "CN"},
        {"id": "broker", "name": "Bright Lotus", "country": "CN"},
        {"id": "holding", "name": "Lotus Holding", "country": "HK"},
        {"id": "clean", "name": "Maple Frame", "country": "CA"},
    ],
    "people": [
        {"id": "ri", "name": "Ri Song Il", "nationality": "KP", "vendor": "front", "relation": "directs"},
        {"id": "kim", "name": "Kim Myong Chol", "nationality": "KP", "vendor": "front", "relation": "employs"},
        {"id": "claire", "name": "Claire Dubois", "nationality": "CA", "vendor": "clean", "relation": "directs"},
    ],
    "links": [
        {"source": "broker", "target": "front", "kind": "pays", "status": "observed", "evidence": "bank statement"},
        {"source": "broker", "target": "holding", "kind": "owns"},
        {"source": "front", "target": "clean", "kind": "subcontracts_to"},
    ],
}


def test_paths_follow_control_and_payment(workspace, load_chain):
    load_chain(CHAIN)
    findings = analyze(workspace, only=[RULE]).findings
    by_subject = {}
    for f in findings:
        by_subject.setdefault(f.subject.id, []).append(f)
    # Direct: the front company is directed by one North Korean national and employs another.
    assert sorted(f.title for f in by_subject["front"]) == [
        "Directed by Ri Song Il, a North Korean national",
        "Employs Kim Myong Chol, a North Korean national",
    ]
    assert {f.severity for f in by_subject["front"]} == {Severity.HIGH}
    # Two steps: the broker pays the front company (observed), so it is linked, less severely.
    broker = by_subject["broker"]
    assert {f.severity for f in broker} == {Severity.MEDIUM}
    path = broker[0].evidence["path"]
    assert [step["link"] for step in path] == ["directs", "pays"] or [step["link"] for step in path] == [
        "employs",
        "pays",
    ]
    assert path[-1]["status"] == "observed" and path[-1]["evidence"] == "bank statement"
    # Three steps: the broker owns the holding, so the holding is reached too.
    assert len(by_subject["holding"][0].evidence["path"]) == 3
    # Subcontracting is not control: risk carries that, not this rule.
    assert "clean" not in by_subject


def test_a_company_declaring_north_korea_is_a_party(workspace, load_chain):
    load_chain(
        {
            "vendors": [
                {"id": "kp", "name": "Pyongyang Art", "country": "KP"},
                {"id": "v", "name": "V", "country": "CN"},
            ],
            "links": [{"source": "kp", "target": "v", "kind": "owns"}],
        }
    )
    [finding] = analyze(workspace, only=[RULE]).findings
    assert (finding.subject.id, finding.severity) == ("v", Severity.HIGH)
    assert finding.evidence["party"] == {"kind": "vendor", "id": "kp", "name": "Pyongyang Art"}


def test_no_lists_no_dprk_parties_no_findings(workspace, load_chain):
    load_chain({"vendors": [{"name": "Maple", "country": "CA"}]})
    assert analyze(workspace, only=["CHAIN", "SANCTIONS"]).findings == []
