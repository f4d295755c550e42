"""CHAIN.UNDECLARED_SUBCONTRACTOR from observed links and from found material, on SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from pathlib import Path

from celtrace.demo.drawings import drawing, encode
from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.detectors.undeclared_subcontractor import declared_chain
from celtrace.detectors.view import StoreView
from celtrace.trove.manifest import scan_trove
from tests.factories import register_drawings

RULE = "CHAIN.UNDECLARED_SUBCONTRACTOR"

CHAIN = {
    "vendors": [
        {"id": "hanbit", "name": "Hanbit Motion Works Co., Ltd.", "country": "KR", "productions": ["Skyward Tails"]},
        {"id": "seoul", "name": "Seoul Inbetween Studio", "country": "KR"},
        {"id": "lotus", "name": "Bright Lotus Animation Co., Ltd.", "country": "CN"},
        {"id": "brush", "name": "Dandong Golden Brush Trading Co., Ltd.", "aliases": ["Golden Brush Art"]},
        {"id": "maple", "name": "Maple Frame Animation Inc.", "country": "CA", "productions": ["Other Show"]},
    ],
    "links": [
        {"source": "hanbit", "target": "seoul", "kind": "subcontracts_to", "production": "Skyward Tails"},
        {"source": "hanbit", "target": "lotus", "kind": "subcontracts_to"},
        {
            "source": "lotus",
            "target": "brush",
            "kind": "subcontracts_to",
            "status": "observed",
            "production": "Skyward Tails",
            "evidence": "invoice BL-2024-117",
        },
        {"source": "maple", "target": "seoul", "kind": "subcontracts_to", "production": "Other Show"},
    ],
}


def test_the_declared_chain_follows_declared_links_for_the_production(workspace, load_chain):
    load_chain(CHAIN)
    with workspace.session() as session:
        chain = StoreView(session).chain
    assert declared_chain(chain, "Skyward Tails") == {"hanbit", "seoul", "lotus"}
    assert declared_chain(chain, "skyward  TAILS") == {"hanbit", "seoul", "lotus"}
    assert declared_chain(chain, "Other Show") == {"maple", "seoul"}
    # No vendor lists it: the chain starts at the vendors nobody hands work to, and Seoul Inbetween is only
    # declared for the two productions its links name.
    assert declared_chain(chain, "Unknown Pilot") == {"hanbit", "maple", "lotus"}


def test_an_observed_link_outside_the_declared_chain(workspace, load_chain):
    load_chain(CHAIN)
    [finding] = analyze(workspace, only=[RULE]).findings
    assert (finding.subject.kind, finding.subject.id) == ("vendor", "brush")
    assert finding.severity == Severity.MEDIUM
    assert "Skyward Tails" in finding.title and "Bright Lotus" in finding.explanation
    [sighting] = finding.evidence["sightings"]
    assert sighting["kind"] == "observed link" and sighting["evidence"] == "invoice BL-2024-117"


def _register_and_leak(workspace, tmp_path: Path, folder: str, holder: str | None) -> None:
    register_drawings(workspace, tmp_path / "S01E04", range(2), name="sc001_cut{:03d}.png")
    dump = tmp_path / "dump"
    dump.mkdir()
    with zipfile.ZipFile(dump / "outgoing.zip", "w") as archive:
        archive.writestr(f"{folder}/ep104/a.png", encode(drawing(1).rotate(90, expand=True), "PNG"))
        archive.writestr(f"{folder}/ep104/b.png", encode(drawing(77), "PNG"))
    scan_trove(workspace, dump, "server", holder=holder)


def test_found_material_held_by_a_party_that_is_no_vendor(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    _register_and_leak(workspace, tmp_path, "misc", holder="Korea Paekho Trading Corporation")
    findings = {f.subject.id: f for f in analyze(workspace, only=[RULE]).findings}
    party = findings["korea paekho trading corporation"]
    assert party.subject.kind == "party" and party.severity == Severity.HIGH
    assert "not a vendor in the chain" in party.title
    [sighting] = party.evidence["sightings"]
    assert sighting["tie"] == "holder" and sighting["copies"] == 1
    assert sighting["examples"] == ["outgoing.zip > misc/ep104/a.png"]
    assert set(findings) == {"brush", "korea paekho trading corporation"}


def test_found_material_naming_a_vendor_in_its_folders(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    _register_and_leak(workspace, tmp_path, "to_GoldenBrushArt", holder=None)
    findings = {f.subject.id: f for f in analyze(workspace, only=[RULE]).findings}
    brush = findings["brush"]
    # One finding for the vendor and production, holding both the observed link and the trove.
    assert sorted(s["kind"] for s in brush.evidence["sightings"]) == ["observed link", "trove"]
    assert brush.severity == Severity.HIGH
    trove = next(s for s in brush.evidence["sightings"] if s["kind"] == "trove")
    assert trove["tie"] == "named" and "to_GoldenBrushArt" in trove["path"]
    assert set(findings) == {"brush"}


def test_a_declared_vendor_holding_the_material_is_not_reported(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    _register_and_leak(workspace, tmp_path, "seoul_inbetween_studio", holder="Hanbit Motion Works Co Ltd")
    assert {f.subject.id for f in analyze(workspace, only=[RULE]).findings} == {"brush"}


def test_material_without_registered_drawings_ties_nobody(workspace, load_chain, tmp_path):
    load_chain({"vendors": CHAIN["vendors"]})
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "golden brush art").mkdir()
    drawing(5).save(dump / "golden brush art" / "x.png")
    scan_trove(workspace, dump, "server", holder="Someone Else Ltd")
    assert analyze(workspace, only=[RULE]).findings == []
