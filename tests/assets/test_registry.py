"""The asset registry in the store (SQLite and PostgreSQL) and the match command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from celtrace.assets.matcher import AssetMatcher
from celtrace.assets.registry import add_assets
from celtrace.cli import app
from celtrace.demo.drawings import drawing


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
    with workspace.session() as session:
        matcher = AssetMatcher(session)
    for name in ("rotated.png", "mirrored.jpg", "small.png"):
        [best, *_] = matcher.match(found / name)
        assert best.path.endswith("sc012_cut001.png"), name
        assert best.distance <= 31 and best.score >= 0.879 and best.method == "pdq"
    assert matcher.match(found / "unrelated.png") == []


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
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"nope")
    result = runner.invoke(app, ["match", str(query), str(garbage), "-w", ws, "--json"])
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(query) and first["watermark"] is None
    assert set(first["matches"][0]) >= {"asset_id", "path", "production", "score", "method"}
    assert first["matches"][0]["path"].endswith("sc012_cut002.png")
    assert second["matches"] == [] and second["error"]
