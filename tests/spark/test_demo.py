"""The demo told on Spark: the same findings and risk as on the local engine, and the report says what read what."""

from __future__ import annotations

import json
from typing import Any

from celtrace.demo import build_demo


def _story(report: dict[str, Any]) -> tuple[object, ...]:
    # Watermark keys and delivery ids are random per workspace, so the leaked copies' digests (and the ids of
    # findings about them) differ between two builds; what each finding says, and about whom, does not.
    findings = sorted((f["rule"], f["severity"], f["subject"]["name"], f["title"]) for f in report["findings"])
    scores = [(v["name"], v["risk"]["score"]) for v in report["vendors"]]
    return findings, scores


def test_the_demo_on_spark_tells_the_same_story(spark, make_settings):
    reports = []
    for name, engine in (("local", "duckdb"), ("spark", "spark")):
        case = build_demo(make_settings(name), engine)
        reports.append(json.loads((case.report.parent / "report.json").read_text("utf-8")))
    local, scaled = reports
    assert _story(scaled) == _story(local)
    assert local["run"]["engine"] == "duckdb"
    assert scaled["run"]["engine"] == "spark local[2]"  # the tests' shared session
    (portal,) = scaled["access"]["files"]
    assert (portal["source"], portal["engine"], portal["events"]) == ("asset-portal", "spark local[2]", 1848)
    html = (case.report).read_text("utf-8")
    assert "on Spark (local[2])" in html and "Log files read" in html
