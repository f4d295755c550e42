"""The dashboard in a real Chromium over the demo case: the main paths clicked through, nothing fetched from
elsewhere, no script or style refused by the CSP. Screenshots go to /tmp/celtrace-web-*.png for a person to
look at (the test asserts what a machine can; the eye judges the layout).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp")


@pytest.fixture
def page(chromium: Any, demo_url: str) -> Iterator[Any]:
    """A page that records every request and console error; the test fails on either going wrong."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests = []
    page.problems = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()
    assert page.problems == []
    assert all(url.startswith(demo_url) or url.startswith("data:") for url in page.requests)


def shot(page: Any, name: str) -> None:
    path = SHOTS / f"celtrace-web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_overview(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/")
    assert page.locator("#top-vendors tbody tr").count() >= 3
    assert "Bright Lotus" in page.locator("#top-vendors").inner_text()
    shot(page, "overview")


def test_chain_graph_and_vendor_card(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/chain")
    page.wait_for_selector("#graph[data-ready=true]")
    assert page.evaluate("celtraceGraph.nodes('[kind = \"vendor\"]').length") == 8
    assert page.evaluate("celtraceGraph.edges('[status = \"observed\"]').length") == 2
    position = page.evaluate("celtraceGraph.getElementById('vendor:golden-brush').renderedPosition()")
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    assert page.locator("#card-link").is_visible()
    # The graph stays inside its box: nothing drawn over the card beside it.
    canvas = page.locator("#graph canvas").first.bounding_box()
    assert canvas["x"] + canvas["width"] <= box["x"] + box["width"] + 1
    assert "Golden Brush" in page.locator("#card-name").inner_text()
    shot(page, "chain")
    page.locator("#card-link").click()
    page.wait_for_url("**/vendors/golden-brush")
    assert page.locator("#risk-parts").is_visible()
    shot(page, "vendor")


def test_findings_filter_and_escalate(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/findings")
    page.select_option("select[name=severity]", "critical")
    page.locator("form.filters button").click()
    page.wait_for_url("**severity=critical**")
    first = page.locator("article.finding").first
    assert "CRITICAL" in first.inner_text().upper()
    first.locator("button[value=escalated]").click()
    page.wait_for_load_state()
    assert "severity=critical" in page.url
    assert page.locator("article.finding .review-state.state-escalated").count() >= 1
    shot(page, "findings")


def test_access_map_and_timeline(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/access")
    assert page.locator("svg.worldmap path.land").count() > 150
    assert page.locator("svg.worldmap circle.origin.risky").count() >= 1
    assert page.locator("svg#access-timeline, svg.access-svg").count() >= 1
    shot(page, "access")


def test_trove_pairs_and_documents(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/trove")
    images = page.locator(".pair img")
    assert images.count() >= 8
    page.wait_for_load_state("networkidle")
    assert page.evaluate("[...document.querySelectorAll('.pair img')].every(i => i.naturalWidth > 0)")
    assert page.locator(".document mark.marker").count() >= 1
    # The demo leaks Bright Lotus's watermarked copies: the pairs name the vendor they were delivered to.
    assert "Bright Lotus" in page.locator(".pair .watermark").first.inner_text()
    shot(page, "trove")


def test_screening_box(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/screen")
    page.fill("input[name=name]", "Korea Dangun Trading Corp.")
    page.locator("#screen-form button").click()
    page.wait_for_url("**name=**")
    assert "TANGUN" in page.locator("#matches").inner_text().upper()
    shot(page, "screen")
