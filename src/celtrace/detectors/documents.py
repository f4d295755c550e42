"""DOC.DPRK_KOREAN, DOC.JUCHE_DATE and DOC.LANGUAGE_MISMATCH: what the documents found in a trove say.

Each reads what ``trove scan`` recorded for every document it took in (``trove_documents``: ``docs inspect``'s
JSON), so the rules need neither the trove nor the readers. In the 2024 case, editing notes in Chinese with a
Korean translation in North Korean spelling told investigators who was drawing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Trove, TroveDocument, TroveItemRow

#: A language counts in a document from this share of its letters, and this many letters, on.
MIN_SHARE = 0.1
MIN_LETTERS = 20
#: Markers and dates listed in a finding's evidence at most.
MAX_LISTED = 12

Document = tuple[TroveItemRow, Trove, dict[str, Any]]


def dprk_korean(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A document found in a trove is written in North Korean Korean.

    Its Korean runs show North Korean spelling and vocabulary: no initial-sound law (로동, 래일), 되였다-type
    endings, bound nouns written together, and the like (reference facts; weights learned from the KPC
    parallel corpus). The classifier answers only when the evidence is clear, and the finding lists the
    markers, each with the page, sheet and cell or line it was found in, so a reviewer can check them.
    """
    for item, trove, inspection in _documents(view):
        variant = inspection.get("korean_variant") or {}
        if variant.get("label") != "dprk":
            continue
        markers = variant.get("markers") or []
        shown = ", ".join(sorted({str(marker["text"]) for marker in markers})[:6])
        yield _finding(
            "DOC.DPRK_KOREAN",
            Severity.HIGH,
            item,
            trove,
            inspection,
            title=f"{item.display_path} is written in North Korean Korean",
            explanation=f"The Korean of {item.display_path!r} in the trove {trove.case!r} reads as North Korean "
            f"(score {float(variant.get('score', 0)):.2f}), on markers such as {shown}. North Korean spelling "
            "in a production's documents says who worked on them.",
            found={"score": variant.get("score"), "markers": markers[:MAX_LISTED]},
        )


def juche_dates(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A document found in a trove dates itself in the Juche calendar, which only North Korea uses.

    Juche years count from 1912 (주체113년 is 2024). A Gregorian year in brackets that does not match the
    conversion is pointed out: copies and forgeries get it wrong.
    """
    for item, trove, inspection in _documents(view):
        found = [date for date in inspection.get("dates") or [] if date.get("calendar") == "juche"]
        if not found:
            continue
        wrong = [date for date in found if date.get("consistent") is False]
        yield _finding(
            "DOC.JUCHE_DATE",
            Severity.HIGH,
            item,
            trove,
            inspection,
            title=f"{item.display_path} is dated in the Juche calendar ({found[0]['text']})",
            explanation=f"{item.display_path!r} in the trove {trove.case!r} gives {len(found)} Juche date(s), the "
            f"first {found[0]['text']!r} ({found[0]['date']}, {found[0].get('where')}). Only North Korea counts "
            "years this way."
            + (f" {len(wrong)} of them give a Gregorian year that does not match the conversion." if wrong else ""),
            found={"dates": found[:MAX_LISTED], "mismatched": len(wrong)},
        )


def language_mismatch(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A document found in a trove is written in a language that no vendor of the declared chain works in.

    Vendors declare the languages they work in. Instructions written in another language (at least a tenth of
    a document's letters) were written for someone outside the declared chain. Medium: a language can also
    be a vendor's unrecorded one.
    """
    chain = view.chain
    declared_ids = {
        end for link in chain.subcontracting() if link.status == "declared" for end in (link.source_id, link.target_id)
    }
    declared = {
        lang for vendor_id in declared_ids if vendor_id in chain.vendors for lang in chain.vendors[vendor_id].languages
    }
    if not declared:
        return  # nobody declared a language: nothing to compare with
    for item, trove, inspection in _documents(view):
        foreign = [
            share
            for share in inspection.get("languages") or []
            if share["lang"] not in declared
            and share["lang"] != "und"
            and share["share"] >= MIN_SHARE
            and share.get("letters", MIN_LETTERS) >= MIN_LETTERS
        ]
        if not foreign:
            continue
        names = ", ".join(str(share["lang"]) for share in foreign)
        yield _finding(
            "DOC.LANGUAGE_MISMATCH",
            Severity.MEDIUM,
            item,
            trove,
            inspection,
            title=f"{item.display_path} is written in {names}, which no declared vendor works in",
            explanation=f"{item.display_path!r} in the trove {trove.case!r} is partly in {names}; the vendors of the "
            f"declared chain work in {', '.join(sorted(declared))}. Someone outside the declared chain was meant "
            "to read it.",
            found={"languages": inspection.get("languages"), "declared_languages": sorted(declared)},
        )


def _documents(view: StoreView) -> list[Document]:
    """Every examined trove document, with its item and trove; loaded once per run."""

    def load() -> list[Document]:
        rows = view.session.execute(
            select(TroveItemRow, Trove, TroveDocument.inspection)
            .join(TroveDocument, TroveDocument.item_id == TroveItemRow.id)
            .join(Trove, Trove.id == TroveItemRow.trove_id)
            .where(TroveDocument.error.is_(None))
            .order_by(TroveItemRow.trove_id, TroveItemRow.seq)
        )
        # A JSON column stores Python's None as JSON null, which IS NOT NULL in SQL: the check stays here.
        return [(item, trove, inspection) for item, trove, inspection in rows if inspection]

    return view.shared("trove documents", load)


def _finding(
    rule: str,
    severity: Severity,
    item: TroveItemRow,
    trove: Trove,
    inspection: dict[str, Any],
    title: str,
    explanation: str,
    found: dict[str, Any],
) -> Finding:
    """A finding about one trove document: the trove, the manifest line and the file's metadata, and ``found``."""
    return Finding(
        rule=rule,
        severity=severity,
        subject=Subject("trove_item", str(item.id), item.display_path),
        title=title,
        explanation=explanation,
        evidence={
            "trove": {"id": trove.id, "case": trove.case, "root": trove.root, "holder": trove.holder},
            "item": {"id": item.id, "path": item.display_path, "sha256": item.sha256, "seq": item.seq},
            "metadata": inspection.get("metadata") or {},
        }
        | found,
        key=str(item.id),
    )
