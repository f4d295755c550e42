"""The HTML report: self-contained, escaped, every section there, and a list when no drawing can be made."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from celtrace.detectors.finding import Severity
from celtrace.report import build_report, chain_graph, write_report
from celtrace.report.html import render_html
from celtrace.workspace import Workspace
from tests.report.case import add_findings, build_case, finding, sub, vendor

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def report(workspace: Workspace) -> dict[str, Any]:
    build_case(workspace)
    return build_report(workspace, generated_at=datetime(2024, 6, 3, 10, 0, tzinfo=UTC))


def _svg(page: str) -> str:
    match = re.search(r"<svg class=\"chain-svg\".*?</svg>", page, re.S)
    assert match, "no chain drawing in the page"
    return match.group(0)


def test_page_is_self_contained(report: dict[str, Any]) -> None:
    page = render_html(report)
    assert page.startswith("<!doctype html>")
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page, re.I)
    assert "@import" not in page and "url(" not in page
    # Every link stays inside the page; the only other URLs are the SVG namespaces.
    for attribute in re.findall(r"(?:href|src)=\"([^\"]*)\"", page):
        assert attribute.startswith("#"), attribute
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_page_has_every_section(report: dict[str, Any], workspace: Workspace) -> None:
    page = render_html(report)
    for section in ("summary", "chain", "vendors", "findings", "people", "links", "accounts"):
        assert f'<section id="{section}">' in page
    assert f"<h1>{workspace.path.name}</h1>" in page
    assert "2024-06-03 10:00 UTC" in page
    assert "#1 · 2024-06-03 09:30 UTC" in page
    assert "Noto Sans CJK KR" in page


def test_vendor_table_lists_contributions(report: dict[str, Any]) -> None:
    page = render_html(report)
    hanbit_row = re.search(r"<tr id=\"vendor-\d+\">\s*<td class=\"vendor-cell\">\s*<strong>Hanbit.*?</tr>", page, re.S)
    assert hanbit_row
    row = hanbit_row.group(0)
    assert "+51" in row and "inherited from subcontractor" in row and "Shenyang Jinxing Animation Co." in row
    assert 'class="lvl-high" style="width: 51.0%"' in row
    pinetree = re.search(r"<strong>Dandong Pine Tree.*?</tr>", page, re.S)
    assert pinetree and pinetree.group(0).count('class="points">+50<') == 3


def test_findings_grouped_by_severity_with_readable_evidence(report: dict[str, Any]) -> None:
    page = render_html(report)
    headings = re.findall(r"<h3 class=\"severity-heading\"><span class=\"badge sev-(\w+)\">", page)
    assert headings == ["critical", "high", "medium", "low", "info"]
    dprk = re.search(r"<h4>Portal logins from DPRK address space</h4>.*?</article>", page, re.S)
    assert dprk
    block = dprk.group(0)
    # A list of plain values, a nested object, and a list inside it all become readable cells.
    assert "<th>Addresses</th>" in block and "175.45.176.12" in block and "175.45.178.3" in block
    assert "<th>ASN</th>" in block
    assert re.search(r"<th>Log</th>\s*<td>\s*<table class=\"kv\">", block)
    assert "1042" in block and "1097" in block


def test_untrusted_names_are_escaped_in_html_and_svg(workspace: Workspace) -> None:
    with workspace.change("test") as change:
        change.session.add_all([vendor("evil", XSS, "cn", "<b>Dandong</b>"), vendor("top", "Top & Co", "kr", "Seoul")])
        change.session.flush()
        change.session.add(sub("top", "evil", "observed"))
    add_findings(workspace, [finding("NET.DPRK", Severity.HIGH, "vendor", "evil", XSS, f"Logins by {XSS}", note=XSS)])
    page = render_html(build_report(workspace))
    assert XSS not in page
    assert "<b>Dandong" not in page
    assert ESCAPED in page
    svg = _svg(page)
    assert ESCAPED in svg
    assert "<script" not in svg.lower()
    assert "Top &amp; Co" in svg


def test_chain_drawing_shapes(report: dict[str, Any]) -> None:
    anchors = {v["id"]: f"vendor-{i}" for i, v in enumerate(report["vendors"])}
    source = chain_graph.build_graph(report, anchors).source
    # The studio, one box per vendor, tier-1 vendors hanging from the studio.
    assert source.count('class="vendor level-') == len(report["vendors"])
    tier_one = [v for v in report["vendors"] if v["tier"] == 1]
    assert source.count("studio -> v") == len(tier_one)
    assert source.count("style=dashed") == 3
    assert source.count("style=dotted") == 3
    assert "Moonlit Harbor · Paper Kites" in source
    svg = _svg(render_html(report))
    # dot writes "-" in attributes as "&#45;"; browsers read both the same.
    critical = re.findall(r'class="node vendor level(?:-|&#45;)critical"', svg)
    assert len(critical) == report["summary"]["vendors_by_level"]["critical"]
    assert 'xlink:href="#vendor-0"' in svg


def test_without_dot_the_chain_is_listed(report: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_graph.shutil, "which", lambda _name: None)
    page = render_html(report)
    assert 'class="chain-svg"' not in page
    assert "Graphviz (the `dot` program) is not installed" in page
    tree = re.search(r"<div class=\"chain-list\">.*?</div>", page, re.S)
    assert tree
    for vendor_entry in report["vendors"]:
        assert vendor_entry["name"] in tree.group(0)
    # Nested: the Pyongyang unit sits three lists below Hanbit's.
    assert re.search(
        r"Hanbit.*?<ul class=\"tree\">.*?Shenyang.*?<ul class=\"tree\">.*?Dandong.*?Mansudae", tree.group(0), re.S
    )


def test_a_failing_dot_falls_back_too(report: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise chain_graph.graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(chain_graph.graphviz.Digraph, "pipe", broken)
    page = render_html(report)
    assert "Graphviz could not draw the chain" in page
    assert '<div class="chain-list">' in page


def test_cycles_and_repeats_end_in_the_fallback_list(workspace: Workspace) -> None:
    with workspace.change("test") as change:
        change.session.add_all([vendor(i, f"Vendor {i.upper()}", "kr", "Seoul") for i in ("a", "b", "c")])
        change.session.flush()
        change.session.add_all([sub("a", "b"), sub("b", "c"), sub("c", "b", "observed"), sub("a", "c")])
    tree = chain_graph.chain_tree(build_report(workspace))
    [root] = tree
    assert root["vendor"]["id"] == "a"
    notes = []
    stack = list(tree)
    while stack:
        node = stack.pop()
        notes.append(node["note"])
        stack.extend(node["children"])
    assert notes.count("listed above") == 2


def test_write_html_file(report: dict[str, Any], workspace: Workspace, tmp_path: Path) -> None:
    out = write_report(workspace, "html", tmp_path / "case.html")
    text = out.read_text(encoding="utf-8")
    assert "Hanbit Motion Co., Ltd." in text and "금빛동화 애니메이션" in text


def test_unsafe_svg_is_refused() -> None:
    svg, note = chain_graph._inline('<?xml version="1.0"?>\n<svg width="1pt"><script>x()</script></svg>')
    assert svg is None and note
    svg, note = chain_graph._inline('<svg width="1pt"><a xlink:href="https://example.org/">x</a></svg>')
    assert svg is None
    svg, note = chain_graph._inline('<!-- c --><svg width="1pt"><!-- v0 --><a xlink:href="#vendor-1">x</a></svg>')
    assert note is None
    assert svg == (
        '<svg class="chain-svg" role="img" aria-label="Outsourcing chain" width="1pt">'
        '<a xlink:href="#vendor-1">x</a></svg>'
    )


def test_too_large_a_chain_is_listed(report: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_graph, "MAX_DRAWN_VENDORS", 5)
    page = render_html(report)
    assert "The chain has 9 vendors, too many to draw legibly." in page
    assert '<div class="chain-list">' in page


def test_many_people_are_left_out_of_the_drawing(report: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    anchors = {v["id"]: f"vendor-{i}" for i, v in enumerate(report["vendors"])}
    person_node = re.compile(r"\[label=.*\bclass=person\b")
    assert len(person_node.findall(chain_graph.build_graph(report, anchors).source)) == 3
    monkeypatch.setattr(chain_graph, "MAX_DRAWN_PEOPLE", 2)
    source = chain_graph.build_graph(report, anchors).source
    assert not person_node.search(source)
    assert source.count('class="vendor level-') == 9


def test_a_watermark_finding_shows_its_delivery_and_vendor(workspace: Workspace) -> None:
    build_case(workspace)
    evidence = {
        "payload": "054ec885",
        "delivery": {
            "id": 89049221,
            "vendor": f"Shenyang Jinxing {XSS}",
            "vendor_id": "jinxing",
            "created_at": "2024-02-01T09:00:00+00:00",
            "actor": "pipeline",
            "file": "sc011_cut003.png",
            "sha256": "ab" * 32,
        },
        "item": {"id": 7, "path": "dump.zip > 104/head.png", "sha256": "cd" * 32, "seq": 3},
        "z": 68.5,
        "confidence": 1.0,
        "false_attribution_bound": 3.2e-12,
    }
    add_findings(
        workspace,
        [
            finding(
                "ASSET.WATERMARK",
                Severity.HIGH,
                "vendor",
                "jinxing",
                "Shenyang Jinxing Animation Co.",
                "dump.zip > 104/head.png is the copy of sc011_cut003.png delivered to Shenyang Jinxing",
                **evidence,
            )
        ],
    )
    page = render_html(build_report(workspace))
    [line] = re.findall(r'<p class="delivery">.*?</p>', page, re.S)
    assert 'Delivery <span class="mono">89049221</span>' in line and "054ec885" in line
    assert f"Shenyang Jinxing {ESCAPED}" in line and XSS not in page
    assert "sc011_cut003.png" in line and "cd" * 32 in line and "3.2e-12" in line
