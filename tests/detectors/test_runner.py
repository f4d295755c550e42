from __future__ import annotations

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze, latest_findings


def test_runs_are_stored_and_the_latest_read_back(workspace, load_chain):
    load_chain(
        {
            "vendors": [
                {
                    "name": "Golden Brush",
                    "country": "CN",
                    "phones": ["+850 2 381 2345"],
                    "payment_methods": ["USDT"],
                    "bank_country": "KP",
                }
            ]
        }
    )
    first = analyze(workspace)
    assert [f.severity for f in first.findings] == sorted((f.severity for f in first.findings), reverse=True)
    assert first.findings[0].severity == Severity.CRITICAL
    second = analyze(workspace, only=["VENDOR.PAYMENT_RED_FLAG"])
    run, stored = latest_findings(workspace)
    assert run is not None and run.id == second.run_id > first.run_id
    assert run.rules == ["VENDOR.PAYMENT_RED_FLAG"]
    assert [f.to_json() for f in stored] == [f.to_json() for f in second.findings]
    assert {f.rule for f in stored} == {"VENDOR.PAYMENT_RED_FLAG"}


def test_no_run_yet(workspace):
    assert latest_findings(workspace) == (None, [])
