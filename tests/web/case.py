"""A small chain for the dashboard's tests: a declared and an observed subcontractor, a vendor whose name
is a script, findings over two runs, and an account."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.runner import store_run
from celtrace.web.app import create_app
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Account
from tests import factories

XSS = '<script>alert("x")</script>'


def finding(rule: str, severity: Severity, vendor_id: str, name: str, title: str, key: str = "") -> Finding:
    """A finding about a vendor."""
    return Finding(rule, severity, Subject("vendor", vendor_id, name), title, f"{title}.", {"raw": title}, key)


FIRST_RUN = [
    finding("SANCTIONS.MATCH", Severity.CRITICAL, "golden", "Dandong Golden Brush", "Golden Brush is listed"),
    finding("VENDOR.PAYMENT_RED_FLAG", Severity.MEDIUM, "lotus", "Bright Lotus", "Paid through Hong Kong"),
]
SECOND_RUN = [
    *FIRST_RUN[:1],
    finding("VENDOR.IDENTITY_RED_FLAG", Severity.HIGH, "evil", XSS, f"Odd vendor {XSS}"),
]


def build(workspace: Workspace) -> None:
    """The chain and two analysis runs."""
    with workspace.change("test") as change:
        change.session.add_all(
            [
                factories.vendor("hanbit", "Hanbit Motion Works", country="KR", productions=["Skyward Tails"]),
                factories.vendor("lotus", "Bright Lotus", country="CN", productions=["Skyward Tails"]),
                factories.vendor("golden", "Dandong Golden Brush", country="CN"),
                factories.vendor("evil", XSS, country="CN"),
            ]
        )
        change.session.flush()
        change.session.add_all(
            [
                factories.sub("hanbit", "lotus"),
                factories.sub("lotus", "golden", "observed"),
                factories.sub("lotus", "evil"),
                Account(portal="asset-portal", username="lotus.cn01", vendor_id="lotus", origin={}),
            ]
        )
    store_run(workspace, ["all"], FIRST_RUN, started="2024-06-01T00:00:00+00:00")
    store_run(workspace, ["all"], SECOND_RUN, started="2024-06-02T00:00:00+00:00")


def client(workspace: Workspace, *, login_required: bool = False, **kwargs: Any) -> TestClient:
    """A test client of the dashboard over ``workspace``."""
    return TestClient(create_app(workspace, login_required=login_required), **kwargs)


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]
