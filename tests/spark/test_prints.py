"""Fingerprinting on Spark stores what the local engine stores: the same assets, fingerprints and features."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from celtrace.assets.matcher import AssetMatcher
from celtrace.assets.registry import add_assets
from celtrace.cli import app
from celtrace.demo import copies
from celtrace.demo.drawings import drawing
from celtrace.workspace import Workspace, init_workspace
from celtrace.workspace.schema import Asset, AssetFeatures, FingerprintRow


def _registry(workspace: Workspace) -> list[tuple[object, ...]]:
    with workspace.session() as session:
        assets = [(a.id, a.sha256, a.path, a.episode, a.scene, a.size, a.pages) for a in session.scalars(select(Asset))]
        prints = [
            (f.asset_id, f.page, f.method, f.code, f.quality)
            for f in session.scalars(select(FingerprintRow).order_by(FingerprintRow.asset_id, FingerprintRow.page))
        ]
        features = [
            (f.asset_id, f.page, f.width, f.height, f.points, f.descriptors)
            for f in session.scalars(select(AssetFeatures).order_by(AssetFeatures.asset_id, AssetFeatures.page))
        ]
    return [*assets, *prints, *features]


def test_spark_registers_the_same_prints(spark, make_settings, tmp_path):
    folder = tmp_path / "S01E04"
    folder.mkdir()
    for cut in range(1, 7):
        drawing(cut, size=(320, 240), strokes=20).save(folder / f"sc010_cut{cut:03d}.png")
    drawing(1, size=(320, 240), strokes=20).save(folder / "sc010_cut901.png")  # a copy of cut 1: registered once
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    query = tmp_path / "query.png"
    copies.cropped(drawing(3, size=(320, 240), strokes=20), 0.2).save(query)

    summaries, registries, matches, outputs = [], [], [], []
    for engine in ("duckdb", "spark"):
        workspace = init_workspace(make_settings(engine))
        summaries.append(add_assets(workspace, [folder], "Skyward Tails", engine=engine))
        again = add_assets(workspace, [folder], "Skyward Tails", engine=engine)
        assert (again.registered, again.already) == (0, 7)
        registries.append(_registry(workspace))
        with workspace.session() as session:
            matches.append([m.to_json() for m in AssetMatcher(session).match(query)])
        workspace.close()
        # `match` fingerprints on the chosen engine; a missing file is an error line and exit 1 on both.
        shown = CliRunner().invoke(
            app,
            [
                "match",
                str(query),
                str(tmp_path / "missing.png"),
                "--json",
                "--engine",
                engine,
                "-w",
                str(workspace.path),
            ],
            env={"CELTRACE_ACTOR": "tester"},
        )
        assert shown.exit_code == 1, shown.output
        outputs.append([json.loads(line) for line in shown.stdout.splitlines()])

    assert summaries[0] == summaries[1]
    assert (summaries[0].registered, summaries[0].already, len(summaries[0].failed)) == (6, 1, 1)
    assert registries[0] == registries[1]
    assert matches[0] == matches[1] and matches[0]
    assert outputs[0] == outputs[1]
    assert outputs[0][0]["matches"] == matches[0] and "error" in outputs[0][1]
