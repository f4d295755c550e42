"""The report's documents section: what each trove document a DOC.* finding names says, in its own words.

A finding says a document reads as North Korean or is dated in the Juche calendar; this section shows the
document's languages and Korean verdict, and a few excerpts with each marker highlighted in the sentence it
sits in and its place in the file (``sheet 修改意见!C4``), so an investigator can check the claim without the
trove at hand. The excerpts come from what ``trove scan`` kept (``trove_documents``): each listed marker and
date with the text around it (``trove.documents.add_context``). Plain JSON, so the JSON report holds what the
HTML shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pycountry
from sqlalchemy import select

from celtrace.detectors.finding import Finding
from celtrace.documents.korean import marker_rules
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Trove, TroveDocument, TroveItemRow

#: Rule codes whose subjects the section shows.
DOCUMENT_RULES = "DOC."
#: Marker excerpts shown per document (one per marker, the strongest first) and Juche dates at most.
MAX_EXCERPTS = 6
MAX_DATES = 6


def build_documents(workspace: Workspace, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """One entry per trove document a DOC.* finding of the run is about, in trove and manifest order."""
    by_item: dict[int, list[Finding]] = {}
    for finding in findings:
        # A subject id is text; a trove item's is its row id, and anything else names no stored document.
        if (
            finding.rule.startswith(DOCUMENT_RULES)
            and finding.subject.kind == "trove_item"
            and finding.subject.id.isdigit()
        ):
            by_item.setdefault(int(finding.subject.id), []).append(finding)
    if not by_item:
        return []
    with workspace.session() as session:
        rows = session.execute(
            select(TroveItemRow, Trove.case, TroveDocument.inspection)
            .join(TroveDocument, TroveDocument.item_id == TroveItemRow.id)
            .join(Trove, Trove.id == TroveItemRow.trove_id)
            .where(TroveItemRow.id.in_(by_item))
            .order_by(TroveItemRow.trove_id, TroveItemRow.seq)
        ).all()
        return [_document(item, case, inspection or {}, by_item[item.id]) for item, case, inspection in rows]


def _document(item: TroveItemRow, case: str, inspection: dict[str, Any], findings: list[Finding]) -> dict[str, Any]:
    variant = inspection.get("korean_variant") or {}
    markers = variant.get("markers") or []
    return {
        "item": {"id": item.id, "path": item.display_path, "sha256": item.sha256},
        "trove": case,
        "kind": inspection.get("kind"),
        "ocr": "ocr" in (inspection.get("metadata") or {}),
        "findings": [{"id": f.id, "rule": f.rule, "severity": f.severity.label} for f in findings],
        "languages": [
            {"lang": share["lang"], "name": language_name(share["lang"]), "share": share["share"]}
            for share in inspection.get("languages") or []
        ],
        "korean_variant": {
            "label": variant.get("label", "unknown"),
            "score": variant.get("score"),
            "markers": len(markers),
        },
        "excerpts": [_excerpt(marker) for marker in _strongest(markers, variant.get("label"))],
        "juche_dates": [_excerpt(date) for date in inspection.get("dates") or [] if date.get("calendar") == "juche"][
            :MAX_DATES
        ],
    }


def _strongest(markers: list[dict[str, Any]], label: object) -> list[dict[str, Any]]:
    """One occurrence of each marker, written rules first, then by how far each pushed towards the verdict."""
    sign = {"dprk": 1.0, "rok": -1.0}.get(str(label))

    def strength(marker: dict[str, Any]) -> float:
        weight = float(marker.get("weight") or 0.0)
        return weight * sign if sign is not None else abs(weight)

    # Markers a person wrote down (data/korean_markers.json) show before what the classifier learned: each
    # states a rule a reviewer can look up.
    written = {rule.kind for rule in marker_rules()}
    ranked = sorted(markers, key=lambda marker: (marker.get("kind") not in written, -strength(marker)))
    shown: list[dict[str, Any]] = []
    seen: set[object] = set()
    for marker in ranked:
        # A learned feature often marks the very text a written rule does (는것 as an n-gram and as ㄴ+것):
        # the same excerpt twice tells the reader nothing new.
        context = marker.get("context") or {}
        span = (
            marker.get("where"),
            context.get("before"),
            context.get("text", marker.get("text")),
            context.get("after"),
        )
        if marker.get("name") in seen or span in seen or len(shown) >= MAX_EXCERPTS:
            continue
        seen.update((marker.get("name"), span))
        shown.append(marker)
    return shown


def _excerpt(found: dict[str, Any]) -> dict[str, Any]:
    """A marker or date with its place and the text around it (empty when the scan kept none)."""
    context = found.get("context") or {}
    excerpt = {key: value for key, value in found.items() if key != "context"}
    return excerpt | {
        "where": found.get("where") or "",
        "before": context.get("before", ""),
        # The document's own text where the scan kept it: an n-gram's space may be a line break there.
        "text": context.get("text", found.get("text", "")),
        "after": context.get("after", ""),
    }


def language_name(code: str) -> str:
    """A language as a reader knows it (``ko`` → ``Korean``); ``und`` is text of no language (digits, symbols)."""
    if code == "und":
        return "undetermined"
    language = pycountry.languages.get(alpha_2=code)
    return str(language.name) if language is not None else code
