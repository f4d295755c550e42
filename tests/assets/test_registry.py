"""The asset registry in the store (SQLite and PostgreSQL) and the match command."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter
from typer.testing import CliRunner

from celtrace.assets.matcher import AssetMatcher
from celtrace.assets.registry import add_assets
from celtrace.cli import app
from celtrace.demo import copies
from celtrace.demo.drawings import drawing, encode


def _folder(root: Path) -> Path:
    layouts = root / "S01E04" / "layouts"
    layouts.mkdir(parents=True)
    for seed in range(3):
        drawing(seed).save(layouts / f"sc012_cut{seed:03d}.png")
    return root / "S01E04"


def test_register_idempotently_and_read_episode_and_scene(workspace, tmp_path):
    folder = _folder(tmp_path)
    (folder / "layouts" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    first = add_assets(workspace, [folder], "Skyward Tails")
    assert (first.registered, first.already) == (3, 0)
    assert [(Path(file).name, "broken.png" in file) for file, _ in first.failed] == [("broken.png", True)]
    again = add_assets(workspace, [folder], "Skyward Tails")
    assert (again.registered, again.already) == (0, 3)
    with workspace.session() as session:
        matcher = AssetMatcher(session)
    assets = sorted(matcher.assets.values(), key=lambda asset: asset.path)
    assert [(a.episode, a.scene, a.production, a.pages) for a in assets] == [
        ("S01E04", "SC012 CUT000", "Skyward Tails", 1),
        ("S01E04", "SC012 CUT001", "Skyward Tails", 1),
        ("S01E04", "SC012 CUT002", "Skyward Tails", 1),
    ]


def test_copies_match_their_source_and_unrelated_drawings_do_not(workspace, tmp_path):
    add_assets(workspace, [_folder(tmp_path / "reg")], "Skyward Tails")
    found = tmp_path / "found"
    found.mkdir()
    source = drawing(1)
    source.rotate(90, expand=True).save(found / "rotated.png")
    source.transpose(Image.Transpose.FLIP_LEFT_RIGHT).convert("RGB").save(found / "mirrored.jpg", quality=60)
    source.resize((256, 192)).save(found / "small.png")
    drawing(99).save(found / "unrelated.png")
    # The matcher reads registered keypoints on demand: it is used while its session is open.
    with workspace.session() as session:
        matcher = AssetMatcher(session)
        for name in ("rotated.png", "mirrored.jpg", "small.png"):
            [best, *_] = matcher.match(found / name)
            assert best.path.endswith("sc012_cut001.png"), name
            assert best.distance <= 31 and best.score >= 0.879 and best.method == "pdq"
        assert matcher.match(found / "unrelated.png") == []


def _rescan(image: Image.Image) -> Image.Image:
    """A print scanned back: turned 2° on a larger bed, softened, grainy, saved as JPEG at quality 70."""
    turned = image.rotate(2, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    soft = np.asarray(turned.filter(ImageFilter.GaussianBlur(1)), dtype=np.int16)
    grain = np.random.default_rng(0).normal(0, 8, (*soft.shape[:2], 1)).round().astype(np.int16)
    noisy = Image.fromarray(np.clip(soft + grain, 0, 255).astype(np.uint8))
    return Image.open(io.BytesIO(encode(noisy, "JPEG", quality=70)))


def _sheet(image: Image.Image) -> Image.Image:
    """``image`` as the last panel of a 2 × 2 sheet whose other panels are unregistered drawings."""
    width, height = image.size
    sheet = Image.new("RGB", (2 * width, 2 * height), "white")
    for position, panel in enumerate([drawing(20), drawing(21), drawing(22), image]):
        sheet.paste(panel, ((position % 2) * width, (position // 2) * height))
    return sheet


# Copies PDQ does not place (each is more than 31 bits from its source), with the scale that maps the copy's
# 512-pixel working image onto the source's, and the turn.
LOCAL_COPIES = {
    "crop-10": (lambda image: copies.cropped(image, 0.10), 0.90, 0.0),
    "crop-25": (lambda image: copies.cropped(image, 0.25), 0.75, 0.0),
    "crop-50": (lambda image: copies.cropped(image, 0.50), 0.50, 0.0),
    "margin-10": (lambda image: copies.padded(image, 0.05), 1.10, 0.0),
    "turned-5": (lambda image: image.rotate(5, resample=Image.Resampling.BICUBIC, fillcolor="white"), 1.0, 5.0),
    # The turn widens the page to 1024 cos 2° + 768 sin 2° pixels.
    "rescan": (_rescan, (1024 * math.cos(math.radians(2)) + 768 * math.sin(math.radians(2))) / 1024, 2.0),
    "panel": (_sheet, 2.0, 0.0),
}


def test_copies_pdq_misses_match_their_source_by_keypoints(workspace, tmp_path):
    add_assets(workspace, [_folder(tmp_path / "reg")], "Skyward Tails")
    found = tmp_path / "found"
    found.mkdir()
    source = drawing(1)
    for name, (copy, _, _) in LOCAL_COPIES.items():
        copy(source).convert("RGB").save(found / f"{name}.png")
    drawing(99).save(found / "unrelated.png")
    source.convert("RGB").save(found / "resaved.jpg", quality=80)
    with workspace.session() as session:
        matcher = AssetMatcher(session)
        results = {name: matcher.match(found / f"{name}.png") for name in LOCAL_COPIES}
        unrelated = matcher.match(found / "unrelated.png")
        resaved = matcher.match(found / "resaved.jpg")

    # Only the source, and found by the local stage: PDQ alone would have missed every one of these.
    assert {name: [(Path(m.path).name, m.method) for m in matches] for name, matches in results.items()} == {
        name: [("sc012_cut001.png", "orb")] for name in LOCAL_COPIES
    }
    for name, [match] in results.items():
        _, scale, rotation = LOCAL_COPIES[name]
        geometry = match.geometry
        assert geometry is not None and set(geometry) == {"inliers", "share", "scale", "rotation"}, name
        assert match.distance is None and match.page == 0, name
        assert 0 < match.score <= 1 and match.score == geometry["share"], name
        assert geometry["inliers"] >= 30, name
        assert geometry["scale"] == pytest.approx(scale, rel=0.05), name
        assert geometry["rotation"] == pytest.approx(rotation, abs=0.5), name
    assert unrelated == []
    [best, *_] = resaved
    assert Path(best.path).name == "sc012_cut001.png"
    assert all(match.method == "pdq" for match in resaved) and best.geometry is None and best.distance <= 31


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_assets_add_and_match(workspace, tmp_path):
    runner = CliRunner()
    ws = str(workspace.path)
    folder = _folder(tmp_path)
    added = runner.invoke(app, ["assets", "add", str(folder), "--production", "Skyward Tails", "-w", ws, "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == {"registered": 3, "already": 0, "failed": []}
    query = tmp_path / "leak.png"
    drawing(2).rotate(180).save(query)
    cropped = tmp_path / "cropped.png"
    copies.cropped(drawing(0), 0.25).save(cropped)
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"nope")
    result = runner.invoke(app, ["match", str(query), str(cropped), str(garbage), "-w", ws, "--json"])
    assert result.exit_code == 1
    first, crop, second = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(query) and first["watermark"] is None
    assert set(first["matches"][0]) >= {"asset_id", "path", "production", "score", "method", "distance", "geometry"}
    assert first["matches"][0]["path"].endswith("sc012_cut002.png")
    assert (first["matches"][0]["method"], first["matches"][0]["geometry"]) == ("pdq", None)
    [local] = crop["matches"]
    assert local["path"].endswith("sc012_cut000.png") and local["method"] == "orb" and local["distance"] is None
    assert set(local["geometry"]) == {"inliers", "share", "scale", "rotation"}
    assert second["matches"] == [] and second["error"]
