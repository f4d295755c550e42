"""The report's data: one JSON document built from the store, which every output format renders.

Building one plain document first, and deriving HTML and FollowTheMoney from it, keeps the three formats
from disagreeing: whatever the HTML shows, the JSON holds, and ``report.schema.json`` describes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from celtrace.chain.graph import Chain
from celtrace.detectors.finding import Finding, Severity
from celtrace.report.access import build_access
from celtrace.report.documents import build_documents
from celtrace.risk import VendorRisk, score_vendors
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Account, Link, Person, Run, Vendor

SCHEMA_VERSION = "1.0"

#: Severities and risk levels, most serious first: the order every summary lists them in.
SEVERITIES: tuple[str, ...] = tuple(s.label for s in sorted(Severity, reverse=True))
LEVELS: tuple[str, ...] = ("critical", "high", "medium", "low", "none")

#: How many vendors the summary names as the riskiest.
HIGHEST_RISK_COUNT = 5

Report = dict[str, Any]


def build_report(workspace: Workspace, *, generated_at: datetime | None = None) -> Report:
    """The report as a JSON-ready dict, from the chain, the latest ``analyze`` run and the imported logs.

    Nothing is analysed here: without a run, ``run`` is null and no vendor has findings
    (:func:`celtrace.report.write_report` runs ``analyze`` first in that case).
    """
    # Imported here: the runner pulls in every detector module, which building a report from
    # an existing run does not otherwise need.
    from celtrace.detectors.runner import latest_findings
    from celtrace.lists.store import active_lists

    run, findings = latest_findings(workspace)
    with workspace.session() as session:
        chain = Chain.load(session)
        lists = [
            {
                "name": row.name,
                "format": row.format,
                "published": row.published,
                "loaded_at": row.loaded_at,
                "targets": row.target_count,
            }
            for row in active_lists(session)
        ]
    risks = score_vendors(chain, findings, workspace.settings.risk)
    report = assemble(chain, run, findings, risks, workspace, generated_at or datetime.now(UTC))
    report["lists"] = lists
    report["access"] = build_access(workspace, findings)
    report["documents"] = build_documents(workspace, findings)
    return report


def assemble(
    chain: Chain,
    run: Run | None,
    findings: list[Finding],
    risks: dict[str, VendorRisk],
    workspace: Workspace,
    generated_at: datetime,
) -> Report:
    """Put the report together from already loaded parts (split out so tests can feed it directly)."""
    by_vendor, by_person, by_account = _findings_by_subject(chain, findings)
    # Person-vendor links indexed once both ways: scanning every link per vendor is quadratic, and
    # a studio's workspace holds tens of thousands of vendors.
    staff: dict[str, list[tuple[str, Link]]] = {}
    roles: dict[str, list[tuple[str, Link]]] = {}
    for person_id, vendor_id, link in chain.person_vendor_links:
        roles.setdefault(person_id, []).append((vendor_id, link))
        staff.setdefault(vendor_id, []).append((person_id, link))
    vendors = sorted(
        (_vendor(chain, v, risks[v.id], by_vendor.get(v.id, []), staff.get(v.id, [])) for v in chain.vendors.values()),
        key=lambda entry: (-entry["risk"]["score"], entry["name"].casefold(), entry["id"]),
    )
    people = [_person(p, by_person.get(p.id, []), roles.get(p.id, [])) for p in chain.people.values()]
    links = [_link(chain, link) for link in chain.links]
    accounts = [_account(a, by_account.get(str(a.id), [])) for a in chain.accounts]
    severity_counts = {label: 0 for label in SEVERITIES}
    for finding in findings:
        severity_counts[finding.severity.label] += 1
    level_counts = {level: 0 for level in LEVELS}
    for vendor in vendors:
        level_counts[vendor["risk"]["level"]] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at.astimezone(UTC).isoformat(timespec="seconds"),
        "tool": {"name": "celtrace", "version": _tool_version()},
        "workspace": str(workspace.path),
        "run": _run(run),
        "risk_model": {
            "tier_factor": workspace.settings.risk.tier_factor,
            "severity_points": dict(workspace.settings.risk.severity_points),
        },
        "summary": {
            "vendors": len(vendors),
            "people": len(people),
            "links": len(links),
            "accounts": len(accounts),
            "findings": len(findings),
            "findings_by_severity": severity_counts,
            "vendors_by_level": level_counts,
            "highest_risk": [
                {"id": v["id"], "name": v["name"], "score": v["risk"]["score"], "level": v["risk"]["level"]}
                for v in vendors[:HIGHEST_RISK_COUNT]
                if v["risk"]["score"] > 0
            ],
        },
        "vendors": vendors,
        "people": people,
        "links": links,
        "accounts": accounts,
        "findings": [finding.to_json() for finding in findings],
    }


def _findings_by_subject(
    chain: Chain, findings: Iterable[Finding]
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """Finding ids per vendor (as risk counts them: own, its people's, its accounts'), person and account."""
    by_vendor: dict[str, list[str]] = {}
    by_person: dict[str, list[str]] = {}
    by_account: dict[str, list[str]] = {}
    for finding in findings:
        for vendor_id in chain.vendors_of_subject(finding.subject.kind, finding.subject.id):
            by_vendor.setdefault(vendor_id, []).append(finding.id)
        if finding.subject.kind == "person":
            by_person.setdefault(finding.subject.id, []).append(finding.id)
        elif finding.subject.kind == "account":
            by_account.setdefault(finding.subject.id, []).append(finding.id)
    return by_vendor, by_person, by_account


def _vendor(
    chain: Chain, vendor: Vendor, risk: VendorRisk, finding_ids: list[str], staff: list[tuple[str, Link]]
) -> dict[str, Any]:
    subcontractors = _unique(
        {"id": link.target_id, "status": link.status} for link in chain.subcontractors.get(vendor.id, [])
    )
    people = _unique({"id": person_id, "relation": link.kind, "status": link.status} for person_id, link in staff)
    return {
        "id": vendor.id,
        "name": vendor.name,
        "aliases": list(vendor.aliases or []),
        "country": vendor.country,
        "city": vendor.city,
        "address": vendor.address,
        "registration_numbers": list(vendor.registration_numbers or []),
        "website": vendor.website,
        "email_domains": list(vendor.email_domains or []),
        "phones": list(vendor.phones or []),
        "bank_country": vendor.bank_country,
        "payee": vendor.payee,
        "payment_methods": list(vendor.payment_methods or []),
        "languages": list(vendor.languages or []),
        "productions": list(vendor.productions or []),
        "notes": vendor.notes,
        "tier": chain.tiers.get(vendor.id, 1),
        "clients": sorted({link.source_id for link in chain.clients.get(vendor.id, [])}),
        "subcontractors": subcontractors,
        "people": people,
        "risk": {
            "score": risk.score,
            "level": risk.level,
            "own": risk.own,
            "inherited": risk.inherited,
            "contributions": [part.to_json() for part in risk.contributions],
        },
        "findings": finding_ids,
    }


def _person(person: Person, finding_ids: list[str], roles: list[tuple[str, Link]]) -> dict[str, Any]:
    vendors = _unique({"id": vendor_id, "relation": link.kind, "status": link.status} for vendor_id, link in roles)
    return {
        "id": person.id,
        "name": person.name,
        "aliases": list(person.aliases or []),
        "nationality": person.nationality,
        "birth_date": person.birth_date,
        "role": person.role,
        "notes": person.notes,
        "vendors": vendors,
        "findings": finding_ids,
    }


def _link(chain: Chain, link: Link) -> dict[str, Any]:
    return {
        "kind": link.kind,
        "source": _party(chain, link.source_kind, link.source_id),
        "target": _party(chain, link.target_kind, link.target_id),
        "status": link.status,
        "production": link.production,
        "evidence": link.evidence,
    }


def _party(chain: Chain, kind: str, party_id: str) -> dict[str, str]:
    """A link end with its name; an end the chain does not hold is named by its id."""
    name = party_id
    if kind == "vendor" and party_id in chain.vendors:
        name = chain.vendors[party_id].name
    elif kind == "person" and party_id in chain.people:
        name = chain.people[party_id].name
    return {"kind": kind, "id": party_id, "name": name}


def _account(account: Account, finding_ids: list[str]) -> dict[str, Any]:
    return {
        "id": str(account.id),
        "portal": account.portal,
        "username": account.username,
        "vendor": account.vendor_id,
        "person": account.person_id,
        "findings": finding_ids,
    }


def _run(run: Run | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "rules": list(run.rules or []),
        "finding_count": run.finding_count,
        "actor": run.actor,
        "engine": run.engine,
    }


def _unique(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items in first-seen order without repeats (the same link may be declared in two files)."""
    seen: set[tuple[Any, ...]] = set()
    result: list[dict[str, Any]] = []
    for item in items:
        key = tuple(item.values())
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _tool_version() -> str:
    try:
        return version("celtrace")
    except PackageNotFoundError:
        # Running from a source tree that was never installed.
        return "0+unknown"
