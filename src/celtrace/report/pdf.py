"""The report as a PDF: the HTML report's sections in a print layout, typeset by WeasyPrint.

The PDF renders the same report document as the HTML and JSON (:func:`celtrace.report.model.build_report`),
through the same template context (:func:`celtrace.report.html.template_context`), with a print template that
adds what paper needs: a cover page with the case, the lists and a summary paragraph, page numbers, the
matched images side by side, the quoted log lines, and an appendix with the method and thresholds.

WeasyPrint is imported only here, so ``import celtrace`` and the other formats stay light. Fonts are the
system's: Noto Sans CJK (Debian ``fonts-noto-cjk``) sets Korean and Chinese; nothing is fetched, since
every image is inlined as a ``data:`` URI and the URL fetcher refuses anything else.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from celtrace.errors import CeltraceError
from celtrace.report.html import environment, template_context
from celtrace.report.model import SEVERITIES
from celtrace.workspace import Workspace

#: Longest side of an evidence picture in the PDF, in pixels (enough for A4 at half width, small files).
PICTURE_PIXELS = 640
#: Items of an evidence list the PDF prints; the JSON report holds them all.
MAX_EVIDENCE_ITEMS = 4
#: From this depth an evidence object is printed on one line, not as a nested table.
INLINE_DEPTH = 2
#: Evidence keys the PDF leaves out: a marker's context is printed in the Documents section.
_PRINT_SKIP = frozenset({"context"})


@dataclass(frozen=True)
class Picture:
    """An evidence image as a ``data:`` URI, with its caption."""

    uri: str
    caption: str
    sha256: str | None


@dataclass
class PdfEvidence:
    """What the PDF shows beside each finding: image pairs and quoted log lines, keyed by finding id."""

    pictures: dict[str, list[tuple[Picture | None, Picture | None]]] = field(default_factory=dict)
    log_lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def build_pdf(workspace: Workspace, report: Mapping[str, Any], case: str | None = None) -> bytes:
    """The PDF of ``report``, with the evidence images and log lines read from the workspace's files."""
    return render_pdf(report, collect_evidence(workspace, report), case=case)


def collect_evidence(workspace: Workspace, report: Mapping[str, Any]) -> PdfEvidence:
    """Read the images ASSET.* findings match and the log lines NET.* findings cite."""
    from celtrace.report.evidence import log_lines, named_trove_items, read_registered, read_trove_items

    findings = report["findings"]
    asset_findings = [f for f in findings if f["rule"].startswith("ASSET.")]
    # Thumbnailed as they are read: only one found file's bytes are held at a time.
    found = {
        item.item_id: picture(item.data, f"Found: {item.path}", item.sha256) if item.data else None
        for item in read_trove_items(workspace, named_trove_items(asset_findings))
    }
    evidence = PdfEvidence(log_lines=log_lines(f for f in findings if f["rule"].startswith("NET.")))
    for finding in asset_findings:
        item = (finding.get("evidence") or {}).get("item") or {}
        asset = (finding.get("evidence") or {}).get("asset") or {}
        item_id = item.get("id")
        left = found.get(item_id) if isinstance(item_id, int) else None
        right = None
        if isinstance(asset.get("path"), str):
            data = read_registered(asset["path"], asset.get("sha256"))
            scene = ", ".join(str(asset[key]) for key in ("production", "episode", "scene") if asset.get(key))
            right = picture(data, f"Registered: {scene or asset['path']}", asset.get("sha256")) if data else None
        if left or right:
            evidence.pictures.setdefault(finding["id"], []).append((left, right))
    return evidence


def picture(data: bytes, caption: str, sha256: str | None) -> Picture | None:
    """A downscaled PNG of an image file, or None when it does not decode (hostile or not an image)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((PICTURE_PIXELS, PICTURE_PIXELS))
            out = io.BytesIO()
            image.convert("RGB").save(out, "PNG")
    except Exception:  # Pillow raises many kinds on bad bytes and bombs; the pair shows "not available"
        return None
    return Picture("data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii"), caption, sha256)


def render_pdf(report: Mapping[str, Any], evidence: PdfEvidence | None = None, case: str | None = None) -> bytes:
    """Typeset the report; ``evidence`` adds pictures and log lines, ``case`` names the case on the cover."""
    # Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES, under which a truncated
    # drawing decodes as if whole: every other reader in the process (delivery, trove, the dashboard) relies
    # on truncation being an error, so the flag is put back. The PDF's own pictures are whole PNGs.
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import HTML
    except ImportError as error:  # pragma: no cover - an install without the pinned dependency
        raise CeltraceError(
            "PDF reports need WeasyPrint and Pango: pip install weasyprint, apt-get install libpango-1.0-0"
        ) from error
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    from weasyprint.urls import URLFetcher

    # Only the report's own data: URIs: nothing in the evidence may make the renderer read a file or the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=render_print_html(report, evidence, case), url_fetcher=fetcher).write_pdf()
    return pdf


def render_print_html(report: Mapping[str, Any], evidence: PdfEvidence | None = None, case: str | None = None) -> str:
    """The print HTML the PDF is typeset from (public so tests can read it without WeasyPrint)."""
    from celtrace.detectors.registry import DETECTORS

    context = template_context(report)
    evidence = evidence or PdfEvidence()
    rules_run = set((report.get("run") or {}).get("rules") or [])
    context.update(
        case=case or context["case"],
        for_print=True,
        summary_text=summary_paragraph(report),
        pictures=evidence.pictures,
        quoted_lines=evidence.log_lines,
        detectors=[
            {"rule": d.rule, "explanation": d.explanation.split("\n\n", 1)[0], "ran": d.rule in rules_run}
            for d in DETECTORS
        ],
        thresholds=thresholds(report),
        compact_evidence=compact_evidence,
    )
    return environment().get_template("report.pdf.j2").render(context)


def compact_evidence(value: Any, depth: int = 0) -> Any:
    """Evidence as paper can hold it: long lists cut to their first items, deep objects on one line each.

    A NET finding's evidence lists every address with its first and last log line; printed in full as
    nested tables it fills pages. The cut is said in place, and the JSON report keeps everything.
    """
    if isinstance(value, dict):
        if depth >= INLINE_DEPTH:
            return _inline(value)
        return {key: compact_evidence(item, depth + 1) for key, item in value.items() if key not in _PRINT_SKIP}
    if isinstance(value, list):
        shown = [compact_evidence(item, depth + 1) for item in value[:MAX_EVIDENCE_ITEMS]]
        if len(value) > MAX_EVIDENCE_ITEMS:
            shown.append(f"… and {len(value) - MAX_EVIDENCE_ITEMS} more in the JSON report")
        return shown
    return value


def _inline(value: Any) -> str:
    """An evidence value as one line of text: ``IP 175.45.176.187 · Country KP · First (time …, line 1843)``."""
    from celtrace.report.html import humanize

    if isinstance(value, dict):
        parts = [
            f"{humanize(key)} ({_inline(item)})" if isinstance(item, dict) else f"{humanize(key)} {_inline(item)}"
            for key, item in value.items()
            if key not in _PRINT_SKIP and item not in (None, "", [], {})
        ]
        return " · ".join(parts) if parts else "—"
    if isinstance(value, list):
        return ", ".join(_inline(item) for item in value[:MAX_EVIDENCE_ITEMS]) + (
            f", … {len(value) - MAX_EVIDENCE_ITEMS} more" if len(value) > MAX_EVIDENCE_ITEMS else ""
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def summary_paragraph(report: Mapping[str, Any]) -> Markup:
    """The cover's one paragraph: what was examined, what the analysis found, and where the risk sits."""
    from markupsafe import escape

    summary = report["summary"]
    lists = report.get("lists") or []
    parts = [
        f"celtrace examined an outsourcing chain of {summary['vendors']} vendors, {summary['people']} people "
        f"and {summary['links']} links"
    ]
    access = report.get("access")
    if access:
        parts.append(f", {access['totals']['events']:,} access events")
    documents = report.get("documents") or []
    if documents:
        parts.append(f" and {len(documents)} found document{'s' if len(documents) != 1 else ''}")
    if lists:
        names = ", ".join(f"{entry['name']} ({entry['published'] or 'date unknown'})" for entry in lists)
        parts.append(f", screened against {names}. ")
    else:
        parts.append(". No sanctions list was loaded, so nobody was screened. ")
    run = report.get("run")
    if run is None:
        parts.append("No analysis has been run, so there are no findings.")
        return Markup(escape("".join(parts)))
    counts = summary["findings_by_severity"]
    by_severity = ", ".join(f"{counts[label]} {label}" for label in SEVERITIES if counts.get(label))
    parts.append(
        f"The analysis of {_date(run.get('started_at'))} produced {summary['findings']} "
        f"finding{'s' if summary['findings'] != 1 else ''}{f' ({by_severity})' if by_severity else ''}. "
    )
    highest = summary.get("highest_risk") or []
    if highest:
        top = highest[0]
        vendor = next((v for v in report["vendors"] if v["id"] == top["id"]), None)
        reason = ""
        if vendor and vendor["risk"]["contributions"]:
            largest = max(vendor["risk"]["contributions"], key=lambda part: part["points"])
            reason = f", led by “{largest['reason']}”"
        parts.append(f"{top['name']} carries the highest risk, {top['score']:.0f} of 100 ({top['level']}){reason}.")
        if len(highest) > 1:
            others = ", ".join(f"{v['name']} ({v['score']:.0f})" for v in highest[1:])
            parts.append(f" Next: {others}.")
    else:
        parts.append("No vendor carries any risk.")
    return Markup(escape("".join(parts)))


def thresholds(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The thresholds the findings and scores rest on, as the appendix lists them."""
    from celtrace.assets.fingerprint import MATCH_DISTANCE
    from celtrace.risk import LEVELS as RISK_LEVELS
    from celtrace.screening import ALERT_THRESHOLD

    model = report["risk_model"]
    points = ", ".join(f"{label} {model['severity_points'][label]:g}" for label in SEVERITIES)
    return [
        ("Name match alert", f"score ≥ {ALERT_THRESHOLD:g} (0 to 1) against a sanctions list entry"),
        ("Same picture (PDQ)", f"at most {MATCH_DISTANCE} of 256 bits apart"),
        ("Risk points per finding", f"{points}; a vendor's own score is capped at 100"),
        ("Inherited risk", f"{model['tier_factor']:g} × the riskiest subcontractor's score, per tier"),
        ("Risk levels", " · ".join(f"{name} ≥ {bound:g}" for bound, name in RISK_LEVELS) + " · none below"),
    ]


def _date(value: object) -> str:
    return str(value)[:10] if value else "an unknown date"
