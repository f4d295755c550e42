"""The chain's pages: overview, chain graph, vendors and their cards, findings and their review, screening."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from starlette.responses import JSONResponse, Response

from celtrace.errors import CeltraceError
from celtrace.report.html import render_html
from celtrace.report.json_report import render_json
from celtrace.report.model import LEVELS, SEVERITIES
from celtrace.reviews import STATUSES, review_finding, reviews
from celtrace.users import Role
from celtrace.web.data import (
    PAGE_SIZE,
    FindingFilter,
    changes_since_previous_run,
    filter_findings,
    productions,
    rules,
)
from celtrace.web.state import Viewer, acting_as, check_csrf, redirect, render, require, state_of, viewer

CallNext = Callable[[Request], Awaitable[Response]]
router = APIRouter()
Who = Annotated[Viewer, Depends(viewer)]
#: Longest name the screening box takes: sanctioned names are short, and the scorer's work grows with length.
MAX_SCREEN_NAME = 300


@router.get("/")
def overview(request: Request, who: Who) -> Response:
    """Vendors by risk, findings by severity, and what changed since the run before the latest."""
    state = state_of(request)
    model = state.cache.get()
    return render(
        request,
        "overview.html.j2",
        who,
        report=model.report,
        top=[v for v in model.report["vendors"][:20] if v["risk"]["score"] > 0],
        severities=SEVERITIES,
        levels=LEVELS,
        changes=changes_since_previous_run(state.workspace),
        findings=model.findings,
    )


@router.get("/chain")
def chain(request: Request, who: Who) -> Response:
    """The chain as an interactive graph (drawn by static/chain.js from /api/chain)."""
    return render(request, "chain.html.j2", who, report=state_of(request).cache.get().report)


@router.get("/api/chain")
def chain_data(request: Request, who: Who) -> Response:
    """Nodes and edges for the graph: vendors with their risk, people, and links declared or observed."""
    model = state_of(request).cache.get()
    nodes: dict[str, dict[str, Any]] = {}
    for vendor in model.report["vendors"]:
        nodes[f"vendor:{vendor['id']}"] = {
            "id": f"vendor:{vendor['id']}",
            "kind": "vendor",
            "label": vendor["name"],
            "level": vendor["risk"]["level"],
            "score": vendor["risk"]["score"],
            "href": f"/vendors/{vendor['id']}",
        }
    edges = []
    for index, link in enumerate(model.report["links"]):
        for end in (link["source"], link["target"]):
            key = f"{end['kind']}:{end['id']}"
            nodes.setdefault(key, {"id": key, "kind": end["kind"], "label": end["name"], "level": "none"})
        edges.append(
            {
                "id": f"link:{index}",
                "source": f"{link['source']['kind']}:{link['source']['id']}",
                "target": f"{link['target']['kind']}:{link['target']['id']}",
                "kind": link["kind"],
                "status": link["status"],
            }
        )
    return JSONResponse({"nodes": list(nodes.values()), "edges": edges})


@router.get("/vendors")
def vendors(request: Request, who: Who, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    """Every vendor, riskiest first, a page at a time."""
    all_vendors = state_of(request).cache.get().report["vendors"]
    start = (page - 1) * PAGE_SIZE
    return render(
        request,
        "vendors.html.j2",
        who,
        vendors=all_vendors[start : start + PAGE_SIZE],
        page=page,
        pages=max(1, -(-len(all_vendors) // PAGE_SIZE)),
        total=len(all_vendors),
    )


@router.get("/vendors/{vendor_id:path}")
def vendor_card(request: Request, who: Who, vendor_id: str) -> Response:
    """One vendor: details, risk and where it came from, findings with evidence, subcontractors, accounts."""
    model = state_of(request).cache.get()
    vendor = model.vendors.get(vendor_id)
    if vendor is None:
        raise HTTPException(404, f"no vendor {vendor_id!r}")
    accounts = [a for a in model.report["accounts"] if a["vendor"] == vendor_id]
    vendor_findings = [model.findings[f] for f in vendor["findings"] if f in model.findings]
    return render(
        request,
        "vendor.html.j2",
        who,
        vendor=vendor,
        vendors=model.vendors,
        people=model.people,
        accounts=accounts,
        findings=vendor_findings,
        reviews=reviews(state_of(request).workspace, vendor["findings"]),
        can_review=who.may(Role.ANALYST),
    )


@router.get("/findings")
def findings(
    request: Request,
    who: Who,
    rule: Annotated[str, Query(max_length=64)] = "",
    severity: Annotated[str, Query(max_length=16)] = "",
    vendor: Annotated[str, Query(max_length=200)] = "",
    production: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Findings of the latest run with filters, evidence, and their review state."""
    state = state_of(request)
    model = state.cache.get()
    wanted = FindingFilter(rule, severity, vendor, production, status)
    decisions = reviews(state.workspace)
    shown, total = filter_findings(model, wanted, {k: r.status for k, r in decisions.items()}, page)
    return render(
        request,
        "findings.html.j2",
        who,
        findings=shown,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        wanted=wanted,
        query={k: v for k, v in vars(wanted).items() if v},
        rules=rules(model),
        severities=SEVERITIES,
        productions=productions(model),
        vendors=model.report["vendors"],
        statuses=STATUSES,
        reviews=decisions,
        can_review=who.may(Role.ANALYST),
    )


@router.post("/findings/{finding_id}/review")
def review(
    request: Request,
    who: Who,
    finding_id: str,
    status: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/findings",
) -> Response:
    """Mark a finding reviewed, dismissed (with a reason) or escalated; the audit log records who did."""
    check_csrf(request, csrf)
    require(who, Role.ANALYST)
    state = state_of(request)
    if finding_id not in state.cache.get().findings:
        raise HTTPException(404, f"no finding {finding_id!r} in the latest run")
    review_finding(acting_as(state.workspace, who), finding_id, status, reason)
    # Only go back to a page of this dashboard: an absolute URL here would make an open redirect.
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/findings")


@router.get("/screen")
def screen_page(
    request: Request, who: Who, name: Annotated[str, Query(max_length=MAX_SCREEN_NAME)] = "", schema: str = ""
) -> Response:
    """The screening box: a name against the loaded lists, as ``celtrace screen`` does it."""
    matches, problem = None, None
    if name.strip():
        if schema not in ("", "Person", "Organization"):
            raise HTTPException(400, "schema must be Person or Organization")
        state = state_of(request)
        try:
            matches = state.cache.screener().screen(name, schema=schema or None)
        except CeltraceError as error:  # no list loaded yet: say so in the box, as the CLI says it
            problem = str(error)
    return render(request, "screen.html.j2", who, name=name, schema=schema, matches=matches, problem=problem)


@router.get("/report.{fmt}")
def report_download(request: Request, who: Who, fmt: str) -> Response:
    """The report of the store as it is now, as a download (``celtrace report``'s HTML or JSON)."""
    renderers = {"html": (render_html, "text/html"), "json": (render_json, "application/json")}
    if fmt not in renderers:
        raise HTTPException(404, "the report comes as report.html or report.json")
    render_report, media_type = renderers[fmt]
    body = render_report(state_of(request).cache.get().report)
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="celtrace-report.{fmt}"'}
    )
