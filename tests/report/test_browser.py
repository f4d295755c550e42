"""The HTML report in a real Chromium: nothing fetched, the chain drawn, one node per vendor.

Also saves a screenshot of the realistic case to /tmp/celtrace-report.png, and of the access section
of a report over an imported log to /tmp/celtrace-access.png, and of the documents section of a scanned
trove to /tmp/celtrace-documents.png, for a person to look at the layout (the test asserts what a machine
can; the eye judges the rest).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from celtrace.report import write_report
from celtrace.workspace import Workspace, init_workspace
from tests.factories import PORTAL_CHAIN
from tests.report.access_case import import_portal_log
from tests.report.case import build_case
from tests.report.documents_case import XSS, scan_documents

pytestmark = pytest.mark.browser

SHOWCASE = Path("/tmp/celtrace-report.png")
ACCESS_SHOWCASE = Path("/tmp/celtrace-access.png")
DOCUMENTS_SHOWCASE = Path("/tmp/celtrace-documents.png")


def test_report_opens_offline_with_the_chain_drawn(workspace: Workspace, chromium: Any, tmp_path: Path) -> None:
    build_case(workspace)
    out = write_report(workspace, "html", tmp_path / "report.html")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(out.as_uri())
        page.wait_for_load_state("networkidle")
        assert requests == [out.as_uri()]

        graph = page.locator("svg.chain-svg")
        assert graph.is_visible()
        assert graph.locator("g.node.vendor").count() == 9
        assert graph.locator("g.edge.observed").count() == 3
        box = graph.bounding_box()
        assert box is not None and box["width"] > 400
        # No drawing spills out of the page sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert (tmp_path / "report.png").stat().st_size > 10_000
    finally:
        context.close()


def test_showcase_screenshot(make_settings: Any, backend: str, chromium: Any, tmp_path: Path) -> None:
    if backend != "sqlite":
        pytest.skip("one showcase screenshot is enough")
    with init_workspace(make_settings("moonlit-harbor-review")) as workspace:
        build_case(workspace)
        out = write_report(workspace, "html", tmp_path / "report.html")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(out.as_uri())
        page.screenshot(path=str(SHOWCASE), full_page=True)
    finally:
        page.close()
    assert SHOWCASE.stat().st_size > 10_000


def test_clicking_a_node_jumps_to_its_vendor_row(workspace: Workspace, chromium: Any, tmp_path: Path) -> None:
    build_case(workspace)
    out = write_report(workspace, "html", tmp_path / "report.html")
    page = chromium.new_page()
    try:
        page.goto(out.as_uri())
        page.locator("svg.chain-svg g.node.vendor a").first.click()
        target = page.evaluate("location.hash")
        assert target.startswith("#vendor-")
        assert page.locator(f"tr{target}").is_visible()
    finally:
        page.close()


def test_access_charts_render_offline_and_fit_the_page(
    workspace: Workspace, load_chain: Any, chromium: Any, tmp_path: Path, backend: str
) -> None:
    load_chain(PORTAL_CHAIN)
    import_portal_log(workspace, tmp_path)
    out = write_report(workspace, "html", tmp_path / "report.html")
    for width in (1280, 720):
        page = chromium.new_page(viewport={"width": width, "height": 900})
        requests: list[str] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        try:
            page.goto(out.as_uri())
            page.wait_for_load_state("networkidle")
            assert requests == [out.as_uri()]
            countries = page.locator("svg#access-countries")
            timeline = page.locator("svg#access-timeline")
            assert countries.is_visible() and timeline.is_visible()
            assert countries.locator("g.country-row").count() == 4
            assert timeline.locator("g.day").count() == 2
            assert timeline.locator("g.marker").count() == 7  # one per NET finding with its span
            # The charts scale down with the page instead of spilling out of it.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            section = page.locator("#access").bounding_box()
            chart = countries.bounding_box()
            assert section and chart and chart["x"] + chart["width"] <= section["x"] + section["width"]
            if width == 1280 and backend == "sqlite":
                page.locator("#access").screenshot(path=str(ACCESS_SHOWCASE))
                assert ACCESS_SHOWCASE.stat().st_size > 10_000
        finally:
            page.close()


def test_document_excerpts_show_marked_text(workspace: Workspace, chromium: Any, tmp_path: Path, backend: str) -> None:
    scan_documents(workspace, tmp_path / "dump")
    out = write_report(workspace, "html", tmp_path / "report.html")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(out.as_uri())
        section = page.locator("#documents")
        assert section.is_visible()
        assert section.locator("article.document").count() == 2
        sheet = section.locator("article.document", has_text="修改意见_0214.xlsx")
        assert "North Korean" in sheet.inner_text()
        marker = sheet.locator("mark.marker").first
        assert marker.is_visible() and " · weight " in (marker.get_attribute("title") or "")
        # The marker sits in its sentence, with the cell it came from beside it.
        row = sheet.locator("tbody tr").first
        assert "sheet 修改意见!" in row.inner_text() and len(row.locator("td.excerpt").inner_text()) > 8
        assert "2024-02-14" in sheet.locator("tr", has=page.locator("mark.date")).inner_text()
        # Hostile markup in a note is text on the page, not elements.
        hostile = section.locator("article.document", has_text="hostile.txt")
        assert XSS in hostile.inner_text() and hostile.locator("script, b").count() == 0
        # A DOC finding leads to the excerpts.
        page.locator("a", has_text="the document in its own words").first.click()
        assert page.evaluate("location.hash").startswith("#document-")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if backend == "sqlite":
            section.screenshot(path=str(DOCUMENTS_SHOWCASE))
            assert DOCUMENTS_SHOWCASE.stat().st_size > 10_000
    finally:
        page.close()
