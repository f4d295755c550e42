"""ASSET.WATERMARK: a trove image carrying a delivery's mark names the vendor, whose risk rises."""

from __future__ import annotations

import zipfile
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from celtrace.assets.deliveries import deliver
from celtrace.chain.graph import Chain
from celtrace.demo.drawings import encode
from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.risk import score_vendors
from celtrace.trove.manifest import scan_trove
from celtrace.watermark import MAX_FALSE_ATTRIBUTION
from celtrace.workspace.schema import TroveWatermark
from tests.assets.deliveries_case import CHAIN, drawings


def test_a_leaked_delivered_copy_names_the_vendor_and_raises_its_risk(workspace, load_chain, tmp_path: Path):
    load_chain(CHAIN)
    originals = drawings(tmp_path / "layouts", 2)
    lotus = deliver(workspace, originals, "lotus", tmp_path / "lotus", production="Skyward Tails")
    deliver(workspace, originals, "hanbit", tmp_path / "hanbit")
    name = originals[0].name
    with Image.open(tmp_path / "lotus" / name) as copy:
        leaked = copy.convert("RGB")
    dump = tmp_path / "dump"
    dump.mkdir()
    with zipfile.ZipFile(dump / "0214.zip", "w") as archive:
        archive.writestr("ep104/leak.jpg", encode(leaked, "JPEG", quality=90))
        archive.writestr("ep104/original.png", originals[1].read_bytes())  # the studio's own, unmarked
    scan_trove(workspace, dump, "dump")

    with workspace.session() as session:
        marks = {row.reason: row for row in session.scalars(select(TroveWatermark))}
    assert set(marks) == {"decoded", "no marked area of the original is in the copy"}
    assert marks["decoded"].delivery_id == lotus.delivery_id and marks["decoded"].bound <= MAX_FALSE_ATTRIBUTION

    findings = analyze(workspace, only=["ASSET"]).findings
    [mark] = [f for f in findings if f.rule == "ASSET.WATERMARK"]
    assert (mark.subject.kind, mark.subject.id, mark.severity) == ("vendor", "lotus", Severity.HIGH)
    evidence = mark.evidence
    assert evidence["delivery"]["id"] == lotus.delivery_id
    assert evidence["delivery"]["vendor"] == "Bright Lotus Animation"
    assert evidence["payload"] == lotus.payload and evidence["delivery"]["file"] == name
    assert evidence["item"]["path"] == "0214.zip > ep104/leak.jpg" and len(evidence["item"]["sha256"]) == 64
    assert evidence["asset"]["path"] == str(originals[0].resolve())
    assert evidence["false_attribution_bound"] <= MAX_FALSE_ATTRIBUTION and evidence["z"] > 8
    assert len([f for f in findings if f.rule == "ASSET.LEAK"]) == 2

    with workspace.session() as session:
        risks = score_vendors(Chain.load(session), findings, workspace.settings.risk)
    assert [c.rule for c in risks["lotus"].contributions] == ["ASSET.WATERMARK"] and risks["lotus"].score == 50
    assert risks["hanbit"].score == 0


def test_a_trove_of_a_workspace_that_never_delivered_reads_no_marks(workspace, tmp_path: Path):
    from tests.factories import register_drawings

    register_drawings(workspace, tmp_path / "S01E04", range(1))
    dump = tmp_path / "dump"
    dump.mkdir()
    for source in (tmp_path / "S01E04").rglob("*.png"):
        (dump / source.name).write_bytes(source.read_bytes())
    scan_trove(workspace, dump, "dump")
    with workspace.session() as session:
        assert session.scalars(select(TroveWatermark)).all() == []
    assert analyze(workspace, only=["ASSET.WATERMARK"]).findings == []
