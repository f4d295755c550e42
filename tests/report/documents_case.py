"""A small trove for the documents section: the demo's editing sheet, a note whose Korean carries markup, and a
Seoul memo, scanned and analysed with the DOC rules only.

The hostile note says 주체113년 (a Juche date) and North Korean words around ``<script>``, so its excerpts must
show the markup as text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from celtrace.demo import instructions
from celtrace.detectors.runner import analyze
from celtrace.trove.manifest import scan_trove
from celtrace.workspace import Workspace

XSS = "<script>alert(1)</script>"
HOSTILE_NOTE = f"주체113년 3월 1일 {XSS} 로동자들은 래일까지 완성하게 되였다 <b>굵게</b>\n"


def scan_documents(workspace: Workspace, folder: Path) -> None:
    """Scan a trove of three notes and store a run of the DOC rules."""
    folder.mkdir()
    with zipfile.ZipFile(folder / "2024-02-14.zip", "w") as archive:
        archive.writestr("notes/修改意见_0214.xlsx", instructions.editing_sheet())
        archive.writestr("notes/hostile.txt", HOSTILE_NOTE)
        archive.writestr("hanbit/memo_0213.txt", instructions.seoul_memo())
    scan_trove(workspace, folder, "found-server", ocr_images=0)
    analyze(workspace, only=["DOC"])
