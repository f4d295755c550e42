"""The evidence pages: where access came from (world map, timeline) and what a found trove holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.responses import Response

from celtrace.report.access_charts import render_access
from celtrace.report.html import VARIANT_LABELS
from celtrace.trove.thumbnails import asset_thumbnail, trove_thumbnails
from celtrace.web import worldmap
from celtrace.web.state import Viewer, render, state_of, viewer

router = APIRouter()
Who = Annotated[Viewer, Depends(viewer)]
#: Leak matches shown on the trove page, first found first: each pair costs two thumbnails.
MAX_PAIRS = 60
WATERMARK_RULE = "ASSET.WATERMARK"
#: The country whose own address space NET.DPRK flags.
DPRK = frozenset({"KP"})


@router.get("/access")
def access(request: Request, who: Who) -> Response:
    """Access origins on a world map and over time, from the same access section as the report's."""
    report = state_of(request).cache.get().report
    section = report.get("access")
    charts = render_access(section) if section else None
    markers: list[dict[str, Any]] = []
    if section:
        largest = max((row["events"] for row in section["countries"] if row["country"]), default=1) or 1
        for row in section["countries"]:
            point = worldmap.centre(row["country"]) if row["country"] else None
            if point is None or not row["events"]:
                continue
            markers.append(
                {
                    **row,
                    "x": point[0],
                    "y": point[1],
                    # Area, not radius, in proportion to events: the eye compares areas.
                    "r": 3 + 22 * (row["events"] / largest) ** 0.5,
                }
            )
    # Countries holding a region of concern (Liaoning, Jilin...) are shaded lightly; the DPRK itself strongly.
    watched = {region["code"].split("-")[0] for region in section["regions"]} if section else set()
    return render(
        request,
        "access.html.j2",
        who,
        access=section,
        countries=worldmap.countries(),
        markers=markers,
        risky=DPRK,
        watched=watched,
        width=worldmap.WIDTH,
        height=worldmap.HEIGHT,
        # Safe to mark: access_charts escapes every text it writes and formats every number itself.
        countries_svg=Markup(charts.countries_svg) if charts and charts.countries_svg else None,
        timeline_svg=Markup(charts.timeline_svg) if charts and charts.timeline_svg else None,
    )


@router.get("/trove")
def trove(request: Request, who: Who) -> Response:
    """Found images beside the registered drawings they copy, watermarks, and documents with their markers."""
    state = state_of(request)
    report = state.cache.get().report
    leaks = [f for f in report["findings"] if f["rule"] == "ASSET.LEAK"][:MAX_PAIRS]
    # An ASSET.WATERMARK finding is about the vendor; the found copy it read is in its evidence.
    watermarks: dict[int, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        if finding["rule"] == WATERMARK_RULE:
            watermarks.setdefault(int(finding["evidence"]["item"]["id"]), []).append(finding)
    found = trove_thumbnails(state.workspace, [int(f["evidence"]["item"]["id"]) for f in leaks])
    pairs = []
    for finding in leaks:
        item_id = int(finding["evidence"]["item"]["id"])
        asset = asset_thumbnail(state.workspace, int(finding["evidence"]["asset"]["id"]))
        pairs.append(
            {
                "finding": finding,
                "found": _url(state.workspace.files, found.get(item_id)),
                "asset": _url(state.workspace.files, asset),
                "watermarks": watermarks.get(item_id, []),
            }
        )
    return render(
        request,
        "trove.html.j2",
        who,
        pairs=pairs,
        documents=report.get("documents") or [],
        variant_labels=VARIANT_LABELS,
        leak_count=sum(1 for f in report["findings"] if f["rule"] == "ASSET.LEAK"),
    )


def _url(files: Path, path: Path | None) -> str | None:
    """The /files/ URL of a file in the workspace's files folder."""
    if path is None:
        return None
    return "/files/" + path.relative_to(files).as_posix()
