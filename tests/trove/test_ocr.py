"""OCR of trove images: notes are read, registered drawings are not, and a scan reads a bounded number."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from typer.testing import CliRunner

from celtrace.assets.registry import add_assets
from celtrace.cli import app
from celtrace.demo.drawings import drawing
from celtrace.trove import ocr
from celtrace.trove.manifest import scan_trove
from celtrace.workspace.schema import TroveDocument, TroveItemRow

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

if shutil.which("tesseract") is None or not FONT.exists():
    if os.environ.get("CI"):
        pytest.fail("tesseract-ocr and fonts-noto-cjk must be installed under CI: .ci/run installs them")
    pytest.skip("needs Tesseract and the Noto CJK fonts", allow_module_level=True)


def _note(line: str = "주체113년 로동자들은 래일까지 완성하게 되였다.") -> bytes:
    font = ImageFont.truetype(str(FONT), 40, index=1)
    image = Image.new("L", (1100, 140), 250)
    ImageDraw.Draw(image).text((40, 40), line, font=font, fill=10)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _documents(workspace) -> dict[str, dict | None]:
    with workspace.session() as session:
        rows = session.execute(
            select(TroveItemRow.display_path, TroveDocument.inspection).join(
                TroveDocument, TroveDocument.item_id == TroveItemRow.id
            )
        ).all()
    return {path.rsplit("/", 1)[-1]: inspection for path, inspection in rows}


def test_a_photographed_note_is_read_and_a_registered_drawing_is_not(workspace, tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    drawing(1).save(registry / "sc010_cut001.png")
    add_assets(workspace, [registry], "Skyward Tails")
    dump = tmp_path / "dump"
    dump.mkdir()
    with zipfile.ZipFile(dump / "leak.zip", "w") as archive:
        archive.writestr("notes/photo_0216.jpg", _note())
        archive.writestr("104/cut001.png", _png(drawing(1).rotate(90, expand=True)))  # a registered drawing, turned
    summary = scan_trove(workspace, dump, "c")
    documents = _documents(workspace)
    assert set(documents) == {"photo_0216.jpg"} and summary.ocr_images == 1
    note = documents["photo_0216.jpg"]
    assert note is not None and note["kind"] == "image" and note["metadata"]["ocr"].startswith("tesseract")
    assert note["dates"][0]["juche_year"] == 113
    assert note["dates"][0]["where"] == "image line 1" and "context" in note["dates"][0]


def test_a_scan_reads_at_most_its_limit(workspace, tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    for number in range(3):
        (dump / f"note_{number}.jpg").write_bytes(_note(f"메모 {number}: 래일까지 고쳐야 한다"))
    summary = scan_trove(workspace, dump, "c", ocr_images=2)
    assert (summary.ocr_images, summary.ocr_over_limit) == (2, 1)
    assert set(_documents(workspace)) == {"note_0.jpg", "note_1.jpg"}  # manifest order


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the command line finds the store by path
def test_cli_limit_and_its_message(workspace, tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "a.jpg").write_bytes(_note())
    (dump / "b.jpg").write_bytes(_note())
    result = CliRunner().invoke(app, ["trove", "scan", str(dump), "--ocr-images", "1", "-w", str(workspace.path)])
    assert result.exit_code == 0, result.output
    assert "1 images read by OCR; 1 more were not, over the limit (--ocr-images)" in result.output
    assert set(_documents(workspace)) == {"a.jpg"}


def test_large_images_are_scaled_down_before_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    small = _note()
    out = io.BytesIO()
    ocr._bounded(small, out)
    assert out.getvalue() == small  # within the bound: as it was
    monkeypatch.setattr(ocr, "MAX_OCR_PIXELS", 100_000)
    out = io.BytesIO()
    ocr._bounded(_png(Image.new("RGB", (1000, 400), "white")), out)
    with Image.open(io.BytesIO(out.getvalue())) as image:
        assert image.format == "PNG" and image.width * image.height <= 100_000 and image.width > 400
