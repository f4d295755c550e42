from __future__ import annotations

import zipfile
from pathlib import Path

import py7zr
from PIL import ImageOps

from celtrace.demo.drawings import drawing, encode
from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.trove.manifest import scan_trove
from tests.factories import register_drawings


def test_a_turned_copy_inside_an_archive_names_its_source(workspace, tmp_path: Path):
    register_drawings(workspace, tmp_path / "S01E04", range(3))

    dump = tmp_path / "dump"
    dump.mkdir()
    with zipfile.ZipFile(dump / "day-0214.zip", "w") as archive:
        archive.writestr("ep104/turned.png", encode(drawing(1).rotate(90, expand=True), "PNG"))
        archive.writestr("ep104/other.png", encode(drawing(77), "PNG"))
        archive.writestr("notes.txt", "head 10% smaller")
    drawing(2).convert("RGB").save(dump / "loose.jpg", quality=70)
    scan_trove(workspace, dump, "dump-2026-11")

    findings = analyze(workspace, only=["ASSET.LEAK"]).findings
    assert sorted(f.subject.name for f in findings) == ["day-0214.zip > ep104/turned.png", "loose.jpg"]
    turned = next(f for f in findings if "turned" in f.subject.name)
    assert turned.severity == Severity.HIGH and turned.subject.kind == "trove_item"
    asset = turned.evidence["asset"]
    assert asset["path"].endswith("sc012_cut001.png")
    assert (asset["production"], asset["episode"], asset["scene"]) == ("Skyward Tails", "S01E04", "SC012 CUT001")
    assert turned.evidence["trove"]["case"] == "dump-2026-11" and len(turned.evidence["item"]["sha256"]) == 64
    assert turned.evidence["method"] == "pdq" and turned.evidence["geometry"] is None
    assert turned.evidence["distance"] <= 31


def test_a_cropped_and_a_padded_copy_inside_an_archive_are_found_by_keypoints(workspace, tmp_path: Path):
    register_drawings(workspace, tmp_path / "S01E04", range(3))

    dump = tmp_path / "dump"
    dump.mkdir()
    with zipfile.ZipFile(dump / "day-0215.zip", "w") as archive:
        # The middle of drawing 0, a fifth of its width and height cut away, and drawing 2 on a white margin:
        # both too far from their source for PDQ.
        archive.writestr("ep104/crop.png", encode(drawing(0).crop((102, 77, 922, 691)), "PNG"))
        archive.writestr("ep104/padded.png", encode(ImageOps.expand(drawing(2), (64, 48), fill="white"), "PNG"))
        archive.writestr("ep104/other.png", encode(drawing(77), "PNG"))
    scan_trove(workspace, dump, "dump-2026-12")

    findings = analyze(workspace, only=["ASSET.LEAK"]).findings
    named = {f.subject.name: f for f in findings}
    assert sorted(named) == ["day-0215.zip > ep104/crop.png", "day-0215.zip > ep104/padded.png"]
    for name, source in [("crop", "sc012_cut000.png"), ("padded", "sc012_cut002.png")]:
        finding = named[f"day-0215.zip > ep104/{name}.png"]
        evidence = finding.evidence
        assert finding.severity == Severity.HIGH and finding.subject.kind == "trove_item"
        assert Path(evidence["asset"]["path"]).name == source, name
        assert evidence["method"] == "orb" and evidence["distance"] is None, name
        assert set(evidence["geometry"]) == {"inliers", "share", "scale", "rotation"}, name
        assert evidence["geometry"]["inliers"] >= 30 and 0 < evidence["score"] <= 1, name
        assert evidence["trove"]["case"] == "dump-2026-12"
        assert "keypoints map onto the registered drawing" in finding.explanation
    assert named["day-0215.zip > ep104/crop.png"].evidence["geometry"]["scale"] < 1
    assert named["day-0215.zip > ep104/padded.png"].evidence["geometry"]["scale"] > 1


def test_no_registry_no_findings(workspace, tmp_path: Path):
    (tmp_path / "dump").mkdir()
    drawing(1).save(tmp_path / "dump" / "a.png")
    scan_trove(workspace, tmp_path / "dump", "c")
    assert analyze(workspace, only=["ASSET.LEAK"]).findings == []


def test_a_copy_inside_a_7z_is_found(workspace, tmp_path: Path):
    register_drawings(workspace, tmp_path / "S01E04", [0], name="sc001_cut001.png")
    (tmp_path / "dump").mkdir()
    with py7zr.SevenZipFile(tmp_path / "dump" / "outgoing.7z", "w") as archive:
        archive.writestr(encode(drawing(0).rotate(90, expand=True), "PNG"), "104/turned.png")
    scan_trove(workspace, tmp_path / "dump", "dump")
    [finding] = analyze(workspace, only=["ASSET.LEAK"]).findings
    assert finding.subject.name == "outgoing.7z > 104/turned.png"
    assert finding.evidence["asset"]["path"].endswith("sc001_cut001.png")
