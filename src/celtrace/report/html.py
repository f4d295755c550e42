"""The report as one self-contained HTML file: inline CSS, inline SVG, no scripts, no requests.

Auditors open reports on air-gapped machines and archive them, so the file must stand alone; vendor names
and evidence come from untrusted files, so Jinja escapes everything and a Content-Security-Policy forbids
scripts and network access even if an escape were ever missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from celtrace.report.access_charts import CATEGORY_STYLES, render_access
from celtrace.report.chain_graph import LEVEL_COLOURS, SEVERITY_COLOURS, chain_tree, render_chain
from celtrace.report.model import LEVELS, SEVERITIES

_LINK_STATUSES = ("declared", "observed")
#: The Korean classifier's labels as a reader says them.
VARIANT_LABELS = {"dprk": "North Korean", "rok": "South Korean", "unknown": "too little to tell"}
_VARIANT_LABELS = VARIANT_LABELS
#: Evidence keys that read wrong in sentence case.
_ACRONYMS = frozenset(
    {"asn", "ip", "id", "url", "vpn", "sha256", "sha1", "md5", "dprk", "un", "ofac", "sdn", "iban", "bic", "cdn"}
)


def render_html(report: Mapping[str, Any]) -> str:
    """The HTML document for a report built by :func:`celtrace.report.model.build_report`."""
    return environment().get_template("report.html.j2").render(template_context(report))


def template_context(report: Mapping[str, Any]) -> dict[str, Any]:
    """What the report's templates read: the report and the lookups, drawings and labels built from it.

    Shared by the HTML and the PDF (:mod:`celtrace.report.pdf`), which render the same sections.
    """
    vendors = report["vendors"]
    # Anchors from positions, not vendor ids: ids are user data and need not be valid HTML ids.
    anchors = {vendor["id"]: f"vendor-{index}" for index, vendor in enumerate(vendors)}
    drawing = render_chain(report, anchors)
    access = report.get("access")
    charts = render_access(access) if access else None
    documents = report.get("documents") or []
    # Anchors from positions, as for vendors: a DOC finding links to the excerpts of its document.
    document_anchors = {
        finding["id"]: f"document-{index}"
        for index, document in enumerate(documents)
        for finding in document["findings"]
    }
    findings_by_severity: dict[str, list[dict[str, Any]]] = {label: [] for label in SEVERITIES}
    for finding in report["findings"]:
        findings_by_severity[finding["severity"]].append(finding)
    return dict(
        report=report,
        case=_case_name(report["workspace"]),
        anchors=anchors,
        vendor_names={vendor["id"]: vendor["name"] for vendor in vendors},
        vendors_by_id={vendor["id"]: vendor for vendor in vendors},
        person_names={person["id"]: person["name"] for person in report["people"]},
        findings_by_id={finding["id"]: finding for finding in report["findings"]},
        findings_by_severity=findings_by_severity,
        severities=SEVERITIES,
        levels=LEVELS,
        level_colours=LEVEL_COLOURS,
        severity_colours=SEVERITY_COLOURS,
        link_statuses=_LINK_STATUSES,
        # Safe to mark: dot escaped every label and chain_graph refused markup it did not expect.
        chain_svg=Markup(drawing.svg) if drawing.svg else None,
        chain_note=drawing.note,
        chain_tree=chain_tree(report) if drawing.svg is None else [],
        access=access,
        access_charts=charts,
        # Safe to mark: access_charts escapes every text it writes and formats every number itself.
        countries_svg=Markup(charts.countries_svg) if charts and charts.countries_svg else None,
        timeline_svg=Markup(charts.timeline_svg) if charts and charts.timeline_svg else None,
        category_styles=CATEGORY_STYLES,
        documents=documents,
        document_anchors=document_anchors,
        variant_labels=_VARIANT_LABELS,
        for_print=False,
    )


@cache
def render_stylesheet() -> str:
    """The report's stylesheet on its own: the dashboard serves it, so both show severities alike.

    Rendered once per process: it depends on nothing but the package, and every page loads it."""
    return (
        environment()
        .get_template("_style.css.j2")
        .render(level_colours=LEVEL_COLOURS, severity_colours=SEVERITY_COLOURS, category_styles=CATEGORY_STYLES)
    )


def add_filters(env: Environment) -> None:
    """Give ``env`` the report's filters and tests (``when``, ``score``, ``humanize``, ``flat``)."""
    env.filters["humanize"] = humanize
    env.filters["when"] = _when
    env.filters["score"] = _score
    env.tests["flat"] = _flat


def environment() -> Environment:
    """The Jinja environment of the report templates: autoescaping, strict, with the report's filters."""
    env = Environment(
        loader=PackageLoader("celtrace.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    add_filters(env)
    return env


def _case_name(workspace: str) -> str:
    """The case is the workspace folder's name (``/cases/acme-2024`` → ``acme-2024``)."""
    name = workspace.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    return name or workspace


def humanize(key: object) -> str:
    """An evidence key as a label: ``payment_methods`` → ``Payment methods``, ``asn`` → ``ASN``."""
    words = str(key).replace("_", " ").split()
    words = [word.upper() if word.casefold() in _ACRONYMS else word for word in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _flat(values: object) -> bool:
    """A list of plain values only (no lists or objects inside)."""
    return isinstance(values, list | tuple) and all(
        value is None or isinstance(value, str | int | float | bool) for value in values
    )


def _when(value: object) -> str:
    """An ISO timestamp as ``2024-05-01 09:30 UTC``; anything else as it is."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    zone = "UTC" if moment.utcoffset() is not None and not moment.utcoffset() else moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {zone}".strip()


def _score(value: object) -> str:
    """Points as a reader wants them: ``22.0`` → ``22``, ``21.6`` → ``21.6``."""
    if isinstance(value, int | float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)
