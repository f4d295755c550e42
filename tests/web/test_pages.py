"""Every page on the real store (SQLite and PostgreSQL), what it shows, and how it escapes what users wrote."""

from __future__ import annotations

import pytest

from celtrace.detectors.finding import Severity
from celtrace.workspace import Workspace
from celtrace.workspace.schema import AuditEntry
from tests.web.case import SECOND_RUN, XSS, build, client, csrf_of

PAGES = ["/", "/chain", "/vendors", "/vendors/lotus", "/findings", "/access", "/trove", "/screen?name=Golden"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_security_headers(workspace: Workspace, path: str) -> None:
    build(workspace)
    answer = client(workspace).get(path)
    assert answer.status_code == 200, answer.text
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    # No inline script or style: the CSP would block them, and they would be a hole if it did not.
    assert "<script>" not in answer.text and " style=" not in answer.text and "<style" not in answer.text


def test_overview_shows_risk_severities_and_what_changed(workspace: Workspace) -> None:
    build(workspace)
    page = client(workspace).get("/").text
    assert "Dandong Golden Brush" in page
    assert "1</strong> new finding" in page and "1</strong> no longer found" in page
    assert "Paid through Hong Kong" in page  # the finding gone since the previous run


def test_script_in_a_vendor_name_is_escaped_everywhere(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    for path in ["/", "/vendors", "/vendors/evil", "/findings", "/findings?vendor=evil"]:
        page = web.get(path).text
        assert XSS not in page, path
    assert "&lt;script&gt;alert(" in web.get("/vendors/evil").text
    # The graph's data is JSON, which the page puts into the DOM as text (textContent), never as markup.
    assert any(node["label"] == XSS for node in web.get("/api/chain").json()["nodes"])


def test_chain_data_tells_declared_from_observed(workspace: Workspace) -> None:
    build(workspace)
    edges = client(workspace).get("/api/chain").json()["edges"]
    assert {(e["source"], e["target"], e["status"]) for e in edges} >= {
        ("vendor:hanbit", "vendor:lotus", "declared"),
        ("vendor:lotus", "vendor:golden", "observed"),
    }


def test_vendor_card_shows_risk_findings_subcontractors_and_accounts(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    page = web.get("/vendors/lotus").text
    assert "Dandong Golden Brush" in page and "lotus.cn01" in page and "observed" in page
    # Lotus inherits Golden Brush's risk through the observed link: the card says where its risk comes from.
    risk_parts = page[page.index('id="risk-parts"') :]
    assert '<a href="/vendors/golden">Dandong Golden Brush</a>' in risk_parts[: risk_parts.index("</table>")]
    assert "Golden Brush is listed" in web.get("/vendors/golden").text
    assert web.get("/vendors/nobody").status_code == 404


def test_findings_filters(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    assert "Golden Brush is listed" in web.get("/findings?severity=critical").text
    assert "Golden Brush is listed" not in web.get("/findings?severity=high").text
    assert "Golden Brush is listed" not in web.get("/findings?rule=VENDOR.IDENTITY_RED_FLAG").text
    assert "Golden Brush is listed" not in web.get("/findings?production=Skyward+Tails").text
    assert "Golden Brush is listed" in web.get("/findings?vendor=golden").text
    assert "Golden Brush is listed" not in web.get("/findings?vendor=evil").text


def test_review_is_stored_and_audited_under_the_user(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    token = csrf_of(web.get("/findings").text)
    target = SECOND_RUN[0].id
    answer = web.post(f"/findings/{target}/review", data={"status": "escalated", "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303
    assert "escalated by local:tester" in web.get("/findings").text
    assert target not in web.get("/findings?status=open").text
    with workspace.session() as session:
        last = session.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
    assert last is not None and last.action == "findings review" and last.actor == "local:tester"
    assert last.detail["status"] == "escalated"


def test_dismissing_needs_a_reason(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    token = csrf_of(web.get("/findings").text)
    target = SECOND_RUN[0].id
    assert web.post(f"/findings/{target}/review", data={"status": "dismissed", "csrf": token}).status_code == 400
    ok = web.post(f"/findings/{target}/review", data={"status": "dismissed", "reason": "known", "csrf": token})
    assert ok.status_code == 200 and "known" in ok.text


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_forged_or_missing_csrf_token_is_refused(workspace: Workspace, token: str | None) -> None:
    build(workspace)
    web = client(workspace)
    web.get("/findings")  # a real session exists; the token sent is not its own
    data = {"status": "reviewed"} | ({"csrf": token} if token is not None else {})
    answer = web.post(f"/findings/{SECOND_RUN[0].id}/review", data=data)
    assert answer.status_code == 403
    with workspace.session() as session:
        assert session.query(AuditEntry).filter_by(action="findings review").count() == 0


def test_a_token_of_another_session_is_refused(workspace: Workspace) -> None:
    build(workspace)
    other = csrf_of(client(workspace).get("/findings").text)
    web = client(workspace)
    web.get("/findings")
    assert (
        web.post(f"/findings/{SECOND_RUN[0].id}/review", data={"status": "reviewed", "csrf": other}).status_code == 403
    )


def test_oversized_body_is_refused(workspace: Workspace) -> None:
    web = client(workspace)
    answer = web.post("/findings/x/review", content=b"a" * 100_000, headers={"content-type": "text/plain"})
    assert answer.status_code == 413


def test_unknown_host_is_refused_on_loopback(workspace: Workspace) -> None:
    # DNS rebinding: a page of evil.example resolving to 127.0.0.1 must not read the dashboard.
    assert client(workspace).get("/", headers={"host": "evil.example"}).status_code == 400


def test_screen_runs_live(workspace: Workspace) -> None:
    page = client(workspace).get("/screen?name=Korea+Tangun+Trading").text
    assert "no sanctions list is loaded" in page  # the box says what the CLI says


def test_report_download(workspace: Workspace) -> None:
    build(workspace)
    answer = client(workspace).get("/report.json")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    assert answer.json()["summary"]["findings_by_severity"][Severity.CRITICAL.label] == 1
    assert client(workspace).get("/report.exe").status_code == 404


def test_pages_follow_a_cli_change(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    assert "Late Vendor" not in web.get("/vendors").text
    from tests import factories

    with workspace.change("vendors import") as change:
        change.session.add(factories.vendor("late", "Late Vendor"))
    assert "Late Vendor" in web.get("/vendors").text


def test_a_review_does_not_rebuild_the_model_but_an_import_does(workspace: Workspace) -> None:
    build(workspace)
    web = client(workspace)
    page = web.get("/findings").text
    cache = web.app.state.celtrace.cache  # type: ignore[attr-defined]
    before = cache.get()
    web.post(f"/findings/{SECOND_RUN[0].id}/review", data={"status": "reviewed", "csrf": csrf_of(page)})
    assert cache.get() is before
    assert "reviewed by local:tester" in web.get("/findings").text
    from tests import factories

    with workspace.change("vendors import") as change:
        change.session.add(factories.vendor("late", "Late Vendor"))
    assert cache.get() is not before
