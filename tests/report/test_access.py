"""The access section: counts per country and per day from a real imported log, and its charts, escaped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from celtrace.detectors.runner import analyze
from celtrace.report import build_report
from celtrace.report.access import country_name
from celtrace.report.access_charts import TOP_COUNTRIES, render_access
from celtrace.report.html import render_html
from celtrace.report.json_report import report_schema
from celtrace.workspace import Workspace
from tests.factories import PORTAL_CHAIN
from tests.report.access_case import XSS, import_portal_log

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def report(workspace: Workspace, load_chain: Any, tmp_path: Path) -> dict[str, Any]:
    load_chain(PORTAL_CHAIN)
    import_portal_log(workspace, tmp_path)
    analyze(workspace)
    return build_report(workspace)


def _svg(page: str, css_id: str) -> str:
    match = re.search(rf'<svg class="access-svg" id="{css_id}".*?</svg>', page, re.S)
    assert match, f"no {css_id} chart in the page"
    return match.group(0)


def test_totals_count_every_imported_event(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    totals = report["access"]["totals"]
    assert totals == {
        "events": 9,
        "rejected": 1,
        "sources": 1,
        "addresses": 6,
        "accounts": 3,
        "located": 3,
        "countries": 4,
        "first": "2024-02-14T10:00:00+00:00",
        "last": "2024-02-15T10:03:00+00:00",
    }


def test_countries_split_by_category(report: dict[str, Any]) -> None:
    rows = {row["country"]: row for row in report["access"]["countries"]}
    # Most events first, ties by code.
    assert [row["country"] for row in report["access"]["countries"]] == ["CN", "KP", "KR", "NL"]
    assert rows["KP"] | {} == {
        "country": "KP",
        "name": "North Korea",
        "events": 3,
        "addresses": 2,
        "accounts": 2,
        "ordinary": 0,
        "anonymizer": 0,
        "high_risk_region": 0,
        "dprk": 3,
    }
    # Dandong is a high-risk region; Beijing is China but not one of the regions.
    assert (rows["CN"]["high_risk_region"], rows["CN"]["ordinary"], rows["CN"]["name"]) == (2, 1, "China")
    assert (rows["NL"]["anonymizer"], rows["KR"]["ordinary"], rows["KR"]["name"]) == (1, 2, "South Korea")
    for row in rows.values():
        assert sum(row[name] for name in report["access"]["categories"]) == row["events"]


def test_days_and_finding_markers(report: dict[str, Any]) -> None:
    access = report["access"]
    assert access["days"] == [
        {"day": "2024-02-14", "events": 6, "ordinary": 2, "anonymizer": 1, "high_risk_region": 0, "dprk": 3},
        {"day": "2024-02-15", "events": 3, "ordinary": 1, "anonymizer": 0, "high_risk_region": 2, "dprk": 0},
    ]
    marked = [(m["rule"], m["severity"], m["first"], m["last"]) for m in access["markers"]]
    assert marked == [
        ("NET.DPRK", "critical", "2024-02-14T10:01:00+00:00", "2024-02-14T10:02:00+00:00"),
        ("NET.DPRK", "critical", "2024-02-14T10:03:00+00:00", "2024-02-14T10:03:00+00:00"),
        # The account's hop from North Korea to a VPN exit a minute later.
        ("NET.IMPOSSIBLE_TRAVEL", "low", "2024-02-14T10:03:00+00:00", "2024-02-14T10:04:00+00:00"),
        ("NET.UNDECLARED_GEO", "high", "2024-02-14T10:03:00+00:00", "2024-02-14T10:03:00+00:00"),
        ("NET.ANONYMIZER", "medium", "2024-02-14T10:04:00+00:00", "2024-02-14T10:04:00+00:00"),
        ("NET.HIGH_RISK_REGION", "high", "2024-02-15T10:01:00+00:00", "2024-02-15T10:02:00+00:00"),
        ("NET.UNDECLARED_GEO", "high", "2024-02-15T10:03:00+00:00", "2024-02-15T10:03:00+00:00"),
    ]
    finding_ids = {finding["id"] for finding in report["findings"]}
    assert {marker["finding"] for marker in access["markers"]} <= finding_ids


def test_no_log_no_access_section(workspace: Workspace, load_chain: Any) -> None:
    load_chain(PORTAL_CHAIN)
    report = build_report(workspace)
    assert report["access"] is None
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    page = render_html(report)
    assert 'id="access"' not in page and 'href="#access"' not in page


def test_country_chart_shows_countries_with_their_numbers(report: dict[str, Any]) -> None:
    page = render_html(report)
    assert '<section id="access">' in page and '<a href="#access">Access</a>' in page
    chart = _svg(page, "access-countries")
    rows = re.findall(r'<g class="country-row" data-country="(\w+)">', chart)
    assert rows == ["CN", "KP", "KR", "NL"]
    north_korea = re.search(r'data-country="KP">.*?</g>', chart, re.S)
    assert north_korea
    row = north_korea.group(0)
    assert ">North Korea</text>" in row and "KP · 2 addresses · 2 accounts" in row
    assert row.count('class="seg seg-dprk"') == 1 and "seg-ordinary" not in row
    assert '<text class="total"' in row and ">3<" in row
    china = re.search(r'data-country="CN">.*?</g>', chart, re.S)
    assert china and "seg-high_risk_region" in china.group(0) and "seg-ordinary" in china.group(0)
    assert "China: 2 high-risk region events" in china.group(0)


def test_timeline_stacks_days_and_marks_findings(report: dict[str, Any]) -> None:
    chart = _svg(render_html(report), "access-timeline")
    days = re.findall(r'<g class="day"><title>(.*?)</title>', chart)
    assert days == [
        "2024-02-14: 6 events (ordinary 2, VPN or hosting network 1, DPRK address space 3)",
        "2024-02-15: 3 events (ordinary 1, high-risk region 2)",
    ]
    assert chart.count('<g class="marker marker-critical">') == 2
    assert chart.count('<g class="marker marker-high">') == 3  # the region, and two undeclared countries
    assert chart.count('<g class="marker marker-low">') == 1  # the hop to a VPN exit
    for lane in (">DPRK<", ">High-risk region<", ">Anonymizer<"):
        assert lane in chart
    assert ">14 Feb<" in chart and ">2024<" in chart


def test_hostile_account_names_are_escaped_in_the_charts(report: dict[str, Any]) -> None:
    page = render_html(report)
    assert XSS not in page
    timeline = _svg(page, "access-timeline")
    assert f"NET.DPRK (critical): {ESCAPED} (asset-portal)" in timeline
    assert "<script" not in timeline.lower()


def test_chart_text_is_escaped_whatever_it_holds() -> None:
    hostile = '<script>x()</script>"\x07 & co'
    access = {
        "countries": [
            {
                "country": hostile,
                "name": hostile,
                "events": 5,
                "addresses": 1,
                "accounts": 1,
                "ordinary": 1,
                "anonymizer": 1,
                "high_risk_region": 1,
                "dprk": 2,
            }
        ],
        "days": [{"day": "2024-02-14", "events": 5, "ordinary": 1, "anonymizer": 1, "high_risk_region": 1, "dprk": 2}],
        "markers": [
            {
                "finding": "0123456789abcdef",
                "rule": "NET.SHARED_INFRA",
                "severity": hostile,
                "subject": hostile,
                "first": "2024-02-14T09:00:00+00:00",
                "last": "2024-02-14T11:00:00+00:00",
            }
        ],
    }
    charts = render_access(access)
    for svg in (charts.countries_svg, charts.timeline_svg):
        assert svg is not None
        assert "<script" not in svg and "\x07" not in svg
        assert "&lt;script&gt;x()&lt;/script&gt;&quot; &amp; co" in svg
    assert ">Shared infra<" in (charts.timeline_svg or "")


def test_only_the_top_countries_are_drawn(report: dict[str, Any]) -> None:
    access = dict(report["access"])
    extra = [
        {**access["countries"][-1], "country": f"Q{index}", "name": f"Place {index}", "events": 1}
        for index in range(TOP_COUNTRIES)
    ]
    access["countries"] = access["countries"] + extra
    charts = render_access(access)
    assert charts.countries_svg is not None
    assert charts.countries_svg.count('class="country-row"') == TOP_COUNTRIES
    assert (charts.hidden_countries, charts.hidden_events) == (4, 4)


def test_long_logs_are_binned_by_week() -> None:
    days = [
        {"day": f"2024-{month:02d}-01", "events": 1, "ordinary": 1, "anonymizer": 0, "high_risk_region": 0, "dprk": 0}
        for month in range(1, 13)
    ]
    charts = render_access({"countries": [], "days": days, "markers": []})
    assert charts.countries_svg is None and charts.bin_days == 7
    assert charts.timeline_svg and ">Jan<" in charts.timeline_svg and ">Dec<" in charts.timeline_svg


def test_country_names() -> None:
    assert (country_name("KP"), country_name("kr"), country_name("CN")) == ("North Korea", "South Korea", "China")
    assert country_name("ZZ") == "ZZ"
    assert country_name(None) == "Unknown or private address"


def test_log_files_read_are_listed_with_what_read_them(report: dict[str, Any]) -> None:
    (portal,) = report["access"]["files"]
    assert (portal["format"], portal["events"], portal["rejected"], portal["engine"]) == ("combined", 9, 1, "duckdb")
    assert re.fullmatch(r"[0-9a-f]{64}", portal["sha256"])
    assert report["run"]["engine"] == "duckdb"
    page = render_html(report)
    table = re.search(r'<table class="log-files">.*?</table>', page, re.S)
    assert table and portal["sha256"] in table.group(0) and ">DuckDB<" in table.group(0)
    assert "on DuckDB" in page  # the run line

    # A year of CDN logs is many files: the page shows the first hundred, the JSON keeps them all.
    many = {**report, "access": {**report["access"], "files": [portal] * 250}}
    page = render_html(many)
    assert "The first 100 of 250 files" in page
    table = re.search(r'<table class="log-files">.*?</table>', page, re.S)
    assert table and table.group(0).count("<tr>") == 101  # the header and 100 files
