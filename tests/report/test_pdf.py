"""The PDF report: typeset from the same report document, with Korean and Chinese text, pictures and log lines."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from celtrace.detectors.finding import Severity
from celtrace.report import build_report, write_report
from celtrace.report.pdf import collect_evidence, compact_evidence, render_print_html, summary_paragraph
from celtrace.trove.manifest import scan_trove
from celtrace.workspace import Workspace
from tests.report.case import add_findings, build_case, finding
from tests.report.documents_case import scan_documents


def _pages(pdf: Path) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_pdf_holds_the_cover_sections_and_cjk_text(workspace: Workspace, tmp_path: Path) -> None:
    build_case(workspace)
    scan_documents(workspace, tmp_path / "trove")  # a run of the DOC rules over Korean and Chinese notes
    out = write_report(workspace, "pdf", tmp_path / "case.pdf", case="dump-2026-11")
    assert out.read_bytes().startswith(b"%PDF-")
    pages = _pages(out)
    assert 4 <= len(pages) <= 30
    cover, text = pages[0], "\n".join(pages)
    assert "dump-2026-11" in cover and "Summary" in cover and "Contents" in cover
    # Running text wraps, so compare without line breaks.
    flat = " ".join(text.split())
    for expected in (
        "Outsourcing chain",
        "Vendor risk",
        "Findings and their evidence",
        "Documents",
        "Appendix: method, thresholds and tool",
        "DOC.DPRK_KOREAN",
        "修改意见",  # Chinese: the sheet's name
        "편집지시",  # Korean: the sheet's heading
        "주체113",  # the Juche date, highlighted in its excerpt
        "Same picture (PDQ)",
    ):
        assert expected in flat, expected
    assert f"page 2 of {len(pages)}" in pages[1]
    # WeasyPrint's import turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process; rendering puts it
    # back, so a truncated drawing read afterwards (a delivery, a trove item) is still an error.
    whole = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(whole, "PNG")
    with pytest.raises(OSError), Image.open(io.BytesIO(whole.getvalue()[:-40])) as cut:
        cut.load()


def _png(path: Path, shade: int) -> bytes:
    image = Image.new("RGB", (64, 48), (shade, 255 - shade, 128))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_print_html_shows_matched_images_side_by_side_and_cited_log_lines(workspace: Workspace, tmp_path: Path) -> None:
    trove = tmp_path / "trove"
    trove.mkdir()
    found = _png(trove / "leak.png", 40)
    registered = _png(tmp_path / "sc010_cut001.png", 200)
    log = tmp_path / "portal.log"
    log.write_text("first line\n175.45.176.9 - pinetree01 GET /sc010_cut001.png\nthird line\n")
    scan_trove(workspace, trove, "dump", ocr_images=0)
    add_findings(
        workspace,
        [
            finding(
                "ASSET.LEAK",
                Severity.HIGH,
                "trove_item",
                "1",
                "leak.png",
                "leak.png is a copy of sc010_cut001.png",
                item={"id": 1, "path": "leak.png", "sha256": hashlib.sha256(found).hexdigest()},
                asset={"path": str(tmp_path / "sc010_cut001.png"), "sha256": hashlib.sha256(registered).hexdigest()},
            ),
            finding(
                "NET.DPRK",
                Severity.CRITICAL,
                "account",
                "2",
                "pinetree01",
                "Account reached the portal from DPRK address space",
                addresses=[{"ip": "175.45.176.9", "first": {"file": str(log), "line": 2}}],
            ),
        ],
    )
    report = build_report(workspace)
    evidence = collect_evidence(workspace, report)
    html = render_print_html(report, evidence, case="dump")
    assert html.count('<img src="data:image/png;base64,') == 2
    assert "Found: leak.png" in html and "Registered: " in html
    assert "portal.log:2</span> 175.45.176.9 - pinetree01 GET /sc010_cut001.png" in html
    # A changed original is not shown as evidence.
    (tmp_path / "sc010_cut001.png").write_bytes(b"changed")
    html = render_print_html(report, collect_evidence(workspace, report))
    assert html.count("<img ") == 1 and "The registered drawing is not available to show." in html


def test_long_evidence_is_cut_and_flattened_for_paper() -> None:
    evidence = {
        "addresses": [{"ip": f"10.0.0.{n}", "first": {"time": "t", "line": n}} for n in range(10)],
        "account": "x",
    }
    compact = compact_evidence(evidence)
    assert compact["account"] == "x"
    assert compact["addresses"][0] == "IP 10.0.0.0 · First (Time t · Line 0)"
    assert compact["addresses"][-1] == "… and 6 more in the JSON report" and len(compact["addresses"]) == 5


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_summary_paragraph_names_lists_counts_and_the_riskiest_vendor(workspace: Workspace) -> None:
    build_case(workspace)
    text = str(summary_paragraph(build_report(workspace)))
    assert text.startswith("celtrace examined an outsourcing chain of 9 vendors, 3 people")
    assert "No sanctions list was loaded" in text
    assert "produced 8 findings" in text and "carries the highest risk" in text
