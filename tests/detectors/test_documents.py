"""DOC.DPRK_KOREAN, DOC.JUCHE_DATE and DOC.LANGUAGE_MISMATCH over documents a trove scan took in."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.trove.manifest import scan_trove
from celtrace.workspace.schema import TroveDocument

CHAIN = {
    "vendors": [
        {"id": "hanbit", "name": "Hanbit Motion Works", "country": "KR", "languages": ["Korean"], "client": "studio"},
        {"id": "maple", "name": "Maple Frame", "country": "CA", "languages": ["English"], "client": "hanbit"},
    ],
}


def _sheet() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Notes"
    sheet["A1"] = "주체113(2024)년 2월 14일 편집지시"
    sheet["B2"], sheet["C2"] = (
        "头部缩小10%，眼睛再大一点，线条要干净",
        "머리를 10% 작게 하시오. 로동자들이 래일까지 완성하게 되였다.",
    )
    sheet["B3"], sheet["C3"] = "背景颜色太暗了，请调亮一些", "눈을 좀 더 크게 그릴수 있는것이 좋다."
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _dump(folder: Path) -> Path:
    folder.mkdir()
    with zipfile.ZipFile(folder / "2024-02-14.zip", "w") as archive:
        archive.writestr("notes/editing-sheet.xlsx", _sheet())
        archive.writestr(
            "notes/seoul-memo.txt", "노동자들이 내일까지 완성하게 되었다.\n눈을 좀 더 크게 그릴 수 있는 것이 좋다.\n"
        )
        archive.writestr("notes/broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog")  # cut short
    return folder


def test_north_korean_notes_in_a_trove_are_named_with_their_cells(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    scan_trove(workspace, _dump(tmp_path / "dump"), "dump")
    with workspace.session() as session:
        errors = [row.error for row in session.query(TroveDocument) if row.error]
    assert len(errors) == 1 and "PDF" in errors[0]  # the cut-short PDF: recorded, not fatal
    findings = analyze(workspace, only=["DOC"]).findings
    by = {(f.rule, f.subject.name.rsplit("/", 1)[-1]): f for f in findings}
    korean = by[("DOC.DPRK_KOREAN", "editing-sheet.xlsx")]
    assert korean.severity == Severity.HIGH and korean.subject.kind == "trove_item"
    assert {"sheet Notes!C2", "sheet Notes!C3"} <= {m["where"] for m in korean.evidence["markers"]}
    juche = by[("DOC.JUCHE_DATE", "editing-sheet.xlsx")]
    assert juche.evidence["dates"][0]["date"] == "2024-02-14" and juche.evidence["mismatched"] == 0
    # Chinese instructions, and nobody in the declared chain works in Chinese.
    mismatch = by[("DOC.LANGUAGE_MISMATCH", "editing-sheet.xlsx")]
    assert [share["lang"] for share in mismatch.evidence["languages"]][:2] == ["ko", "zh"] or "zh" in mismatch.title
    assert mismatch.evidence["declared_languages"] == ["en", "ko"]
    # The South Korean memo is in the declared chain's language and spelling: nothing to say.
    assert not any("seoul-memo" in f.subject.name for f in findings)
