"""OCR of scans and image-only PDFs through Tesseract, in Korean and Chinese."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from celtrace.documents.extract import extract
from celtrace.documents.inspect import examine

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LINES = ("로동자들이 래일까지 완성하게 되였다.", "头部缩小10%，眼睛再大一点")

if shutil.which("tesseract") is None or not FONT.exists():
    if os.environ.get("CI"):
        pytest.fail("tesseract-ocr and fonts-noto-cjk must be installed under CI: .ci/run installs them")
    pytest.skip("needs Tesseract and the Noto CJK fonts", allow_module_level=True)


def _scan() -> Image.Image:
    font = ImageFont.truetype(str(FONT), 40, index=1)  # index 1: the Korean face of the collection
    image = Image.new("L", (1100, 260), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(LINES):
        draw.text((40, 40 + 100 * row), line, font=font, fill=0)
    return image


def test_a_scanned_note_is_read_in_korean_and_chinese(tmp_path):
    path = tmp_path / "scan_0214.png"
    _scan().save(path)
    extracted = extract(path)
    assert extracted.kind == "image" and extracted.metadata["ocr"].startswith("tesseract")
    text = " ".join(segment.text for segment in extracted.segments)
    # The Korean face draws Han characters the way Korea writes them, which Tesseract may read as traditional.
    assert "로동자들이" in text and ("头部缩小" in text or "頭部縮小" in text)
    assert extracted.segments[0].where == "image line 1"
    languages = {share.lang for share in examine(extracted).languages}
    assert {"ko", "zh"} <= languages


def test_an_image_only_pdf_is_read_page_by_page(tmp_path):
    path = tmp_path / "scan.pdf"
    _scan().convert("RGB").save(path)
    extracted = extract(path)
    assert extracted.metadata["needs_ocr"] and extracted.metadata["ocr_pages"] == 1
    assert any(
        "로동자들이" in segment.text and segment.where.startswith("page 1 line") for segment in extracted.segments
    )
