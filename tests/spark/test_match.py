"""Matching on Spark's executors finds what the local engine finds: the same matches, scores and errors."""

from __future__ import annotations

import json
import shutil

from PIL import Image
from typer.testing import CliRunner

from celtrace.assets.matcher import AssetMatcher, match_files
from celtrace.assets.registry import add_assets
from celtrace.cli import app
from celtrace.demo import copies
from celtrace.demo.drawings import drawing
from celtrace.detectors.runner import analyze
from celtrace.errors import InputError
from celtrace.trove.manifest import scan_trove
from celtrace.workspace import init_workspace

SIZE = (320, 240)


def _drawing(seed: int) -> Image.Image:
    return drawing(seed, size=SIZE, strokes=20)


def _queries(registered, found):
    """Copies of every kind, something unrelated, bad files, and a TIFF whose pages match apart."""
    found.mkdir()
    shutil.copy(registered / "sc010_cut001.png", found / "exact.png")
    _drawing(2).rotate(90, expand=True).save(found / "rotated.png")
    _drawing(2).transpose(Image.Transpose.FLIP_LEFT_RIGHT).convert("RGB").save(found / "mirrored.jpg", quality=70)
    copies.cropped(_drawing(3), 0.2).save(found / "cropped.png")
    _drawing(4).rotate(5, resample=Image.Resampling.BICUBIC, fillcolor="white").save(found / "turned.png")
    _drawing(99).save(found / "unrelated.png")
    (found / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    pages = [_drawing(50).convert("RGB"), copies.cropped(_drawing(3), 0.2).convert("RGB"), _drawing(1).convert("RGB")]
    pages[0].save(found / "pages.tiff", save_all=True, append_images=pages[1:])
    # A name Hadoop would misread (a fragment, an escape): matched on the driver, as trove scan hashes it.
    _drawing(5).save(found / "#5 100%.png")
    names = ["exact.png", "rotated.png", "mirrored.jpg", "cropped.png", "turned.png", "unrelated.png"]
    (found / "link.png").symlink_to(found / "cropped.png")
    # exact.png twice: once through a different spelling of its path.
    again = found / ".." / found.name / "exact.png"
    others = ["corrupt.png", "missing.png", "pages.tiff", "#5 100%.png", "link.png"]
    return [found / name for name in [*names, *others]] + [again]


def _shown(result):
    if isinstance(result, InputError):
        return ("error", result.message, result.file)
    return [(match.to_json(), match.sha256) for match in result]


def test_spark_matches_as_the_local_engine(spark, make_settings, tmp_path):
    registered = tmp_path / "S01E04"
    registered.mkdir()
    for cut in range(1, 6):
        _drawing(cut).save(registered / f"sc010_cut{cut:03d}.png")
    workspace = init_workspace(make_settings())
    assert add_assets(workspace, [registered], "Skyward Tails").registered == 5
    files = _queries(registered, tmp_path / "found")

    with workspace.session() as session:
        matcher = AssetMatcher(session)
        in_order = [(path, _shown(found)) for path, found in match_files(matcher, files, "duckdb")]
        remote = [(path, _shown(found)) for path, found in match_files(matcher, files, "spark", "local[2]")]
    assert [path for path, _ in in_order] == files
    assert remote == in_order
    local = dict((path.name, shown) for path, shown in in_order)
    assert in_order[-1][1] == in_order[0][1] == local["exact.png"]

    def found(name):
        return [(match["path"].rsplit("/", 1)[-1], match["method"], match["page"]) for match, _ in local[name]]

    assert found("exact.png")[0] == ("sc010_cut001.png", "pdq", 0) and local["exact.png"][0][0]["distance"] == 0
    assert found("rotated.png")[0] == found("mirrored.jpg")[0] == ("sc010_cut002.png", "pdq", 0)
    assert found("cropped.png") == [("sc010_cut003.png", "orb", 0)]
    assert found("turned.png")[0][0] == "sc010_cut004.png"
    assert found("unrelated.png") == []
    # Page 2 is a near-duplicate, page 1 a crop for the local stage; page 0 matches nothing.
    assert found("pages.tiff") == [("sc010_cut001.png", "pdq", 2), ("sc010_cut003.png", "orb", 1)]
    assert found("#5 100%.png")[0] == ("sc010_cut005.png", "pdq", 0)
    assert local["link.png"] == local["cropped.png"]
    for name in ("corrupt.png", "missing.png"):
        kind, message, file = local[name]
        assert kind == "error" and message and file.endswith(name)

    # The command gives the same lines on both engines.
    lines = []
    for engine in ("duckdb", "spark"):
        shown = CliRunner().invoke(
            app,
            ["match", *map(str, files), "--json", "--engine", engine, "-w", str(workspace.path)],
            env={"CELTRACE_ACTOR": "tester"},
        )
        assert shown.exit_code == 1, shown.output
        lines.append([json.loads(line) for line in shown.stdout.splitlines()])
    workspace.close()
    assert lines[0] == lines[1]
    assert [line["file"] for line in lines[0]] == [str(path) for path in files]
    assert [line["matches"] for line in lines[0]] == [
        [match for match, _ in result] if isinstance(result, list) else [] for _, result in in_order
    ]


def test_spark_matches_nothing_against_an_empty_registry(spark, make_settings, tmp_path):
    workspace = init_workspace(make_settings())
    image, corrupt = tmp_path / "drawing.png", tmp_path / "corrupt.png"
    _drawing(1).save(image)
    corrupt.write_bytes(b"GIF89a nothing more")
    with workspace.session() as session:
        matcher = AssetMatcher(session)
        results = [
            [_shown(found) for _, found in match_files(matcher, [image, corrupt], engine, "local[2]")]
            for engine in ("duckdb", "spark")
        ]
    workspace.close()
    assert results[0] == results[1]
    assert results[0][0] == [] and results[0][1][0] == "error"


def test_asset_leaks_are_found_on_spark_as_locally(spark, make_settings, tmp_path):
    registered = tmp_path / "S01E04"
    registered.mkdir()
    for cut in range(1, 5):
        _drawing(cut).save(registered / f"sc010_cut{cut:03d}.png")
    workspace = init_workspace(make_settings())
    add_assets(workspace, [registered], "Skyward Tails")
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copy(registered / "sc010_cut002.png", dump / "copy.png")
    copies.cropped(_drawing(3), 0.2).save(dump / "crop.png")
    _drawing(99).save(dump / "other.png")
    (dump / "notes.txt").write_text("not an image\n")
    scan_trove(workspace, dump, case="dump", ocr_images=0)

    found = []
    for engine in ("duckdb", "spark"):
        findings = analyze(workspace, only=["ASSET.LEAK"], engine=engine).findings
        found.append([(f.key, f.subject.name, f.title, f.evidence) for f in findings])
    workspace.close()
    assert found[0] == found[1]
    assert sorted((name, evidence["method"]) for _, name, _, evidence in found[0]) == [
        ("copy.png", "pdq"),
        ("crop.png", "orb"),
    ]
