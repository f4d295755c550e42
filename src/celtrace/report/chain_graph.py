"""The outsourcing chain as a diagram: Graphviz ``dot`` lays it out as SVG, the HTML report inlines it.

The studio sits at the top, tier-1 vendors hang from it and every subcontractor below its client, so a
reader sees at a glance how far down a risky vendor is. When ``dot`` is missing or the chain is too large
to draw legibly, :func:`render_chain` says why and the report lists the chain as a tree instead.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import graphviz

#: Fill and text colour per risk level: one orange-brown ramp ordered by lightness, so the order still
#: reads for colour-blind readers and in greyscale print (ColorBrewer PuOr / YlOrBr ends).
LEVEL_COLOURS: Mapping[str, tuple[str, str]] = {
    "none": ("#eef1f5", "#1f2933"),
    "low": ("#fde9a9", "#1f2933"),
    "medium": ("#fdb863", "#1f2933"),
    "high": ("#e66101", "#ffffff"),
    "critical": ("#7f2704", "#ffffff"),
}
#: Severities share the level ramp; ``info`` is a neutral blue-grey so it never reads as a risk.
SEVERITY_COLOURS: Mapping[str, tuple[str, str]] = {**LEVEL_COLOURS, "info": ("#dbe4f0", "#1f2933")}
DECLARED_COLOUR = "#4a5568"
OBSERVED_COLOUR = "#c0392b"
PERSON_COLOUR = "#6b7280"
STUDIO_COLOUR = "#1f2a44"

#: Past this many vendors a drawing stops being readable (and ``dot`` gets slow): list them instead.
MAX_DRAWN_VENDORS = 250
#: Past this many owners and directors the people are left out of the drawing, the vendors kept.
MAX_DRAWN_PEOPLE = 80
#: Deepest tier the fallback list goes to; real chains are a handful of tiers deep.
MAX_TREE_DEPTH = 30
#: Longest production list shown in the studio node.
MAX_PRODUCTIONS = 4

_PERSON_EDGE_KINDS = ("owns", "directs")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Anything executable or embedding in the SVG means the renderer did something unexpected: refuse it.
# Text is escaped by dot, so every ``<`` left starts a real tag; the only links we make are ``#anchors``.
_UNSAFE_SVG = re.compile(
    r"<\s*(script|style|foreignobject|iframe|image|use)\b|<[^>]*\son[a-z]+\s*=|href\s*=\s*\"(?!#)", re.I
)


@dataclass(frozen=True)
class ChainDrawing:
    """The chain as inline SVG, or ``None`` with the reason the report shows beside the fallback list."""

    svg: str | None
    note: str | None = None


def render_chain(report: Mapping[str, Any], anchors: Mapping[str, str]) -> ChainDrawing:
    """Draw the report's chain; ``anchors`` maps vendor ids to the HTML ids their nodes link to."""
    vendors = report["vendors"]
    if len(vendors) > MAX_DRAWN_VENDORS:
        return ChainDrawing(None, f"The chain has {len(vendors)} vendors, too many to draw legibly.")
    if shutil.which("dot") is None:
        return ChainDrawing(None, "Graphviz (the `dot` program) is not installed, so the chain is listed.")
    try:
        svg = build_graph(report, anchors).pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, subprocess.SubprocessError) as error:
        return ChainDrawing(None, f"Graphviz could not draw the chain ({type(error).__name__}).")
    return ChainDrawing(*_inline(svg))


def build_graph(report: Mapping[str, Any], anchors: Mapping[str, str]) -> graphviz.Digraph:
    """The chain as a Graphviz digraph (public so the layout can be tested without running ``dot``)."""
    graph = graphviz.Digraph("chain")
    graph.attr(rankdir="TB", nodesep="0.3", ranksep="0.5", bgcolor="transparent", fontname="Helvetica")
    graph.attr("node", fontname="Helvetica", fontsize="11", margin="0.14,0.07", penwidth="1")
    graph.attr("edge", color=DECLARED_COLOUR, arrowsize="0.7", penwidth="1.3")
    graph.node(
        "studio",
        _label(["Studio"], _productions_line(report["vendors"])),
        shape="box",
        style="rounded,filled",
        fillcolor=STUDIO_COLOUR,
        fontcolor="#ffffff",
        color=STUDIO_COLOUR,
        id="chain-studio",
        fontsize="12",
    )
    nodes: dict[str, str] = {}
    for index, vendor in enumerate(report["vendors"]):
        nodes[vendor["id"]] = f"v{index}"
        level = vendor["risk"]["level"]
        fill, text = LEVEL_COLOURS[level]
        place = " · ".join(part for part in ((vendor["country"] or "").upper(), vendor["city"] or "") if part)
        graph.node(
            f"v{index}",
            _label(_wrap(vendor["name"]), [place, f"risk {vendor['risk']['score']:.0f} · {level}"]),
            shape="box",
            style="rounded,filled",
            fillcolor=fill,
            fontcolor=text,
            color="#1f2933" if level in ("high", "critical") else "#8a94a3",
            id=f"node-{anchors[vendor['id']]}",
            URL=f"#{anchors[vendor['id']]}",
            tooltip=graphviz.escape(f"{vendor['name']}: risk {vendor['risk']['score']:g} ({level})"),
            **{"class": f"vendor level-{level}"},
        )
        if vendor["tier"] == 1:
            graph.edge("studio", f"v{index}", color="#9aa5b4")
    _subcontracting_edges(graph, report["vendors"], nodes)
    if _people_drawn(report) <= MAX_DRAWN_PEOPLE:
        _people(graph, report, nodes)
    return graph


def _subcontracting_edges(graph: graphviz.Digraph, vendors: list[dict[str, Any]], nodes: dict[str, str]) -> None:
    """One edge per client and subcontractor: solid if declared (even if also observed), else dashed red."""
    statuses: dict[tuple[str, str], set[str]] = {}
    for vendor in vendors:
        for sub in vendor["subcontractors"]:
            if sub["id"] in nodes:
                statuses.setdefault((vendor["id"], sub["id"]), set()).add(sub["status"])
    for (client, sub), seen in statuses.items():
        if "declared" in seen:
            graph.edge(nodes[client], nodes[sub], **{"class": "declared"})
        else:
            graph.edge(
                nodes[client],
                nodes[sub],
                style="dashed",
                color=OBSERVED_COLOUR,
                fontcolor=OBSERVED_COLOUR,
                penwidth="1.6",
                label=" observed",
                fontsize="9",
                fontname="Helvetica",
                **{"class": "observed"},
            )


def _people_drawn(report: Mapping[str, Any]) -> int:
    return sum(1 for person in report["people"] if _control_links(person))


def _control_links(person: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [link for link in person["vendors"] if link["relation"] in _PERSON_EDGE_KINDS]


def _people(graph: graphviz.Digraph, report: Mapping[str, Any], nodes: dict[str, str]) -> None:
    """Owners and directors as small ellipses; those with findings get a red outline."""
    for index, person in enumerate(report["people"]):
        links = [link for link in _control_links(person) if link["id"] in nodes]
        if not links:
            continue
        flagged = bool(person["findings"])
        graph.node(
            f"p{index}",
            _label([], _wrap(person["name"], 22)),
            shape="ellipse",
            style="filled",
            fillcolor="#fdecea" if flagged else "#f7f8fa",
            color=OBSERVED_COLOUR if flagged else PERSON_COLOUR,
            penwidth="1.6" if flagged else "0.8",
            fontsize="9",
            margin="0.04,0.02",
            tooltip=graphviz.escape(person["name"]),
            **{"class": "person"},
        )
        for link in links:
            graph.edge(
                f"p{index}",
                nodes[link["id"]],
                style="dotted",
                color=PERSON_COLOUR,
                arrowhead="none",
                label=f" {link['relation']}",
                fontsize="8",
                fontcolor=PERSON_COLOUR,
                fontname="Helvetica",
                **{"class": "person-link"},
            )


def _productions_line(vendors: list[dict[str, Any]]) -> list[str]:
    names = sorted({name for vendor in vendors for name in vendor["productions"] if name})
    if not names:
        return []
    shown = names[:MAX_PRODUCTIONS]
    more = f" +{len(names) - len(shown)} more" if len(names) > len(shown) else ""
    return [" · ".join(shown) + more]


def _wrap(text: str, width: int = 30) -> list[str]:
    """At most two lines of a long name, so one vendor does not stretch the whole rank."""
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return lines


def _label(bold: list[str], plain: list[str]) -> str:
    """An HTML-like label (bold name, smaller details) built only from escaped text.

    Every line goes through :func:`html.escape` first, so a name such as ``<script>`` is text to dot;
    control characters, which its XML parser rejects, become spaces.
    """
    lines = [f"<B>{_text(line)}</B>" for line in bold if line]
    lines += [f'<FONT POINT-SIZE="9">{_text(line)}</FONT>' for line in plain if line]
    return "<" + "<BR/>".join(lines or [" "]) + ">"


def _text(line: str) -> str:
    return html.escape(_CONTROL.sub(" ", line), quote=True)


def _inline(svg: str) -> tuple[str | None, str | None]:
    """The bare ``<svg>`` element, without the XML prolog, DOCTYPE and comments ``dot`` writes."""
    start = svg.find("<svg")
    if start < 0:
        return None, "Graphviz returned no drawing."
    body = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.S).strip()
    if _UNSAFE_SVG.search(body):
        return None, "The drawing contained unexpected markup and was left out."
    # A class for the page's CSS, which scales the drawing down to the page width (the viewBox keeps
    # its proportions), and a name for screen readers.
    body = '<svg class="chain-svg" role="img" aria-label="Outsourcing chain"' + body[len("<svg") :]
    return body, None


def chain_tree(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chain as nested ``{"vendor", "status", "children", "note"}`` nodes, tier-1 vendors first.

    The fallback when no drawing can be made. A vendor with several clients is expanded under the first
    and noted as listed above under the others, which keeps the list linear in size and ends cycles;
    past :data:`MAX_TREE_DEPTH` tiers the list stops (and the recursion with it).
    """
    vendors = {vendor["id"]: vendor for vendor in report["vendors"]}
    expanded: set[str] = set()

    def node(vendor_id: str, status: str | None, depth: int) -> dict[str, Any]:
        vendor = vendors[vendor_id]
        if vendor_id in expanded:
            return {"vendor": vendor, "status": status, "children": [], "note": "listed above"}
        expanded.add(vendor_id)
        subs = [sub for sub in vendor["subcontractors"] if sub["id"] in vendors]
        if subs and depth >= MAX_TREE_DEPTH:
            return {"vendor": vendor, "status": status, "children": [], "note": "more tiers below, not listed"}
        children = [node(sub["id"], sub["status"], depth + 1) for sub in subs]
        return {"vendor": vendor, "status": status, "children": children, "note": None}

    roots = [node(vendor["id"], None, 1) for vendor in report["vendors"] if vendor["tier"] == 1]
    # Vendors only reachable inside a cycle with no way in are still listed.
    roots += [node(vendor_id, None, 1) for vendor_id in vendors if vendor_id not in expanded]
    return roots
