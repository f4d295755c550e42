from __future__ import annotations

import json
from importlib import resources

from celtrace.chain.graph import Chain
from celtrace.detectors.runner import analyze
from celtrace.risk import score_vendors


def test_the_demo_story_holds_on_every_backend(workspace, load_chain):
    load_chain(json.loads(resources.files("celtrace.demo").joinpath("case.json").read_text("utf-8")))
    findings = analyze(workspace).findings
    with workspace.session() as session:
        chain = Chain.load(session)
    risks = score_vendors(chain, findings, workspace.settings.risk)

    assert chain.tiers["golden-brush"] == 3
    assert risks["golden-brush"].level == "critical"
    # Hanbit's own record is clean; its risk comes from the chain below it.
    assert risks["hanbit-motion"].own == 0
    assert risks["hanbit-motion"].contributions[-1].via_vendor == "bright-lotus"
    assert risks["hanbit-motion"].level == "high"
    for clean in ("maple-frame", "kestrel-ink", "northwind-layout", "seoul-inbetween"):
        assert risks[clean].score == 0, clean
    assert risks["lisboa-cel"].level == "low"
    rules = {(f.subject.id, f.rule) for f in findings}
    assert ("golden-brush", "VENDOR.IDENTITY_RED_FLAG") in rules
    assert ("bright-lotus", "VENDOR.PAYMENT_RED_FLAG") in rules
