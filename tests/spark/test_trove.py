"""A trove scanned on Spark has the manifest, fingerprints and leaks of the same trove scanned locally."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.config import Settings
from celtrace.demo.drawings import drawing, encode
from celtrace.detectors.runner import analyze
from celtrace.spark import trove as spark_trove
from celtrace.spark.trove import Precomputed, precompute_on_spark
from celtrace.trove.manifest import manifest, verify_manifest
from celtrace.workspace import Workspace, init_workspace
from celtrace.workspace.schema import Trove, TroveFeatures, TroveFingerprint
from tests.factories import register_drawings

FIELDS = ("seq", "path", "display_path", "kind", "extension_lies", "size", "sha256", "status", "message")


def _scanned(workspace: Workspace) -> list[object]:
    with workspace.session() as session:
        (trove,) = session.scalars(select(Trove))
        rows = manifest(session, trove.id)
        assert rows and not verify_manifest(rows)
        seq = {row.id: row.seq for row in rows}
        lines = [tuple(getattr(row, key) for key in FIELDS) for row in rows]
        prints = sorted(
            (seq[f.item_id], f.page, f.method, f.variants) for f in session.scalars(select(TroveFingerprint))
        )
        features = sorted(
            (seq[f.item_id], f.page, f.width, f.height, f.points, f.descriptors)
            for f in session.scalars(select(TroveFeatures))
        )
    return [*lines, *prints, *features]


def write_dump(dump: Path) -> Path:
    """A found dump: a registered drawing, another image, a note, an empty file, a broken PNG, and a zip holding a
    turned copy of a registered drawing."""
    (dump / "ep104").mkdir(parents=True)
    drawing(1).save(dump / "ep104" / "leaked.png")  # a registered drawing
    drawing(77, size=(320, 240), strokes=20).save(dump / "other.png")
    (dump / "notes.txt").write_text("head 10% smaller\n")
    (dump / "empty.dat").write_bytes(b"")  # binaryFile skips empty files: read on the driver
    (dump / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with zipfile.ZipFile(dump / "day-0214.zip", "w") as archive:
        archive.writestr("inner/copy.png", encode(drawing(2).rotate(90, expand=True), "PNG"))
    return dump


def scan_on(
    engine: str, root: str, make_settings: Callable[..., Settings], tmp_path: Path
) -> tuple[list[object], list[tuple[str, str, str]]]:
    """``trove scan root`` on ``engine`` in a fresh workspace holding drawings 0-2: its manifest, and its leaks."""
    workspace = init_workspace(make_settings(engine))
    register_drawings(workspace, tmp_path / engine / "S01E04", range(3))
    args = ["trove", "scan", root, "--case", "d", "--ocr-images", "0", "--engine", engine, "-w", str(workspace.path)]
    result = CliRunner().invoke(app, args, env={"CELTRACE_ACTOR": "tester"})
    assert result.exit_code == 0, result.output
    scanned = _scanned(workspace)
    leaks = sorted(
        (f.subject.name, f.evidence["asset"]["sha256"], f.evidence["method"])
        for f in analyze(workspace, only=["ASSET.LEAK"]).findings
    )
    workspace.close()
    return scanned, leaks


def test_spark_scans_the_trove_the_local_engine_scans(spark, make_settings, tmp_path, monkeypatch):
    dump = write_dump(tmp_path / "dump")
    (dump / "a b[1]{x}.txt").write_text("a glob and a space: escaped for Spark\n")
    (dump / "#1 100%.txt").write_text("a fragment and an escape to Hadoop: hashed on the driver\n")

    # What Spark computed is what the scan used: every file's digest, and the prints of the two images.
    precomputed = []

    def spy(*args: object) -> Precomputed:
        precomputed.append(precompute_on_spark(*args))  # type: ignore[arg-type]
        return precomputed[-1]

    monkeypatch.setattr(spark_trove, "precompute_on_spark", spy)
    engines = ("duckdb", "spark")
    scanned, leaks = zip(*(scan_on(engine, str(dump), make_settings, tmp_path) for engine in engines), strict=True)

    (done,) = precomputed
    # Not the names Hadoop would misread, nor the empty file, which binaryFile skips: those are hashed locally.
    assert sorted(path.name for path in done.digests) == [
        "a b[1]{x}.txt",
        "broken.png",
        "day-0214.zip",
        "leaked.png",
        "notes.txt",
        "other.png",
    ]
    # The two images' prints; every other file would not decode, and the scan does not try it again.
    assert len([prints for prints in done.prints.values() if prints is not None]) == 2
    assert len(done.prints) == len(set(digest.sha256 for digest in done.digests.values()))
    assert scanned[0] == scanned[1]
    kinds = {line[2]: (line[3], line[7]) for line in scanned[0] if isinstance(line, tuple) and len(line) == 9}
    assert kinds["day-0214.zip > inner/copy.png"] == ("png", "ok") and kinds["notes.txt"][0] == "text"
    assert leaks[0] == leaks[1]
    assert [name for name, _, _ in leaks[0]] == ["day-0214.zip > inner/copy.png", "ep104/leaked.png"]

    # A missing folder or a web listing on Spark: one error line, exit 1.
    ws = str(make_settings("spark").workspace)  # the workspace the scan on Spark made
    for target in (str(tmp_path / "missing"), "http://127.0.0.1:9/dump/"):
        bad = CliRunner().invoke(app, ["trove", "scan", target, "--engine", "spark", "-w", ws])
        assert bad.exit_code == 1 and len(bad.output.strip().splitlines()) == 1, bad.output
