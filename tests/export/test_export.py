"""``export_case``: what a sealed package holds, redaction, and the errors before any work."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from celtrace.errors import CeltraceError
from celtrace.export.package import export_case
from celtrace.export.verify import verify_package
from celtrace.report.json_report import report_schema
from celtrace.workspace import Workspace
from celtrace.workspace.schema import AuditEntry, Trove
from tests.export.case import ZHANG_EMAIL, ZHANG_PHONE, build_export_case, members


def test_package_holds_reports_custody_evidence_and_audit_log(workspace: Workspace, tmp_path: Path) -> None:
    build_export_case(workspace, tmp_path / "trove")
    summary = export_case(workspace, tmp_path / "case.zip", case="found-server")
    files = members(summary.path)
    manifest = json.loads(files["manifest.json"])
    assert sorted(files) == sorted(
        [
            "manifest.json",
            "manifest.sig",
            "signer.pub.pem",
            "report.json",
            "report.pdf",
            "audit-log.jsonl",
            "custody/01-found-server.jsonl",
            *(entry["file"] for entry in manifest["evidence"]["included"]),
        ]
    )
    # The DOC findings name two notes; both are packed byte for byte, under their item ids.
    packed = {e["path"].rsplit("/", 1)[-1] for e in manifest["evidence"]["included"]}
    assert packed == {"修改意见_0214.xlsx", "hostile.txt"}
    assert manifest["evidence"]["missing"] == []
    assert files["report.pdf"].startswith(b"%PDF-")
    jsonschema.Draft202012Validator(report_schema()).validate(json.loads(files["report.json"]))
    assert manifest["case"] == "found-server" and manifest["redaction"] is None
    custody_lines = files["custody/01-found-server.jsonl"].decode("utf-8").splitlines()
    assert manifest["custody"][0]["items"] == len(custody_lines) >= 4  # the zip, its members and theirs
    with workspace.session() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert manifest["audit"]["entries"] == len(entries) - 1  # the export's own entry comes after the package
    assert entries[-1].action == "export" and entries[-1].detail["signer"] == summary.signer
    result = verify_package(summary.path)
    assert result.ok, result.problems
    assert result.files == len(manifest["files"]) and not result.authenticated


def test_redact_people_replaces_people_no_finding_is_about(workspace: Workspace, tmp_path: Path) -> None:
    build_export_case(workspace, tmp_path / "trove")
    with workspace.change("trove holder") as change:  # a person held the material
        for trove in change.session.scalars(select(Trove)):
            trove.holder = "Zhang Wei"
    package = export_case(workspace, tmp_path / "case.zip", case="found-server", redact="people").path
    files = members(package)
    report_text = files["report.json"].decode("utf-8")
    audit_text = files["audit-log.jsonl"].decode("utf-8")
    report = json.loads(report_text)
    names = {person["id"]: person["name"] for person in report["people"]}
    # Kim Chol Su is a finding's subject and stays; Zhang Wei and Park Ji-hoon are nobody's.
    assert names["kim"] == "Kim Chol Su"
    assert {name for pid, name in names.items() if pid != "kim"} == {"[person 1]", "[person 2]"}
    for hidden in ("Zhang Wei", "张伟", "Park Ji-hoon", ZHANG_EMAIL, ZHANG_PHONE):
        assert hidden not in report_text and hidden not in audit_text
    # Consistent: the same person is the same placeholder in the people table and in the links.
    zhang = next(p for p in report["people"] if p["id"].startswith("redacted-person-") and p["role"] == "owner")
    assert any(link["source"]["name"] == zhang["name"] for link in report["links"])
    assert "[email 1]" in audit_text
    assert report["redaction"] == {"scope": "people", "people": 2, "emails": 1, "phones": 1}
    manifest = json.loads(files["manifest.json"])
    assert "Zhang Wei" not in files["manifest.json"].decode("utf-8")
    assert {custody["holder"] for custody in manifest["custody"]} == {zhang["name"]}
    assert manifest["redaction"] == report["redaction"] and manifest["audit"]["redacted_entries"] >= 1
    result = verify_package(package)
    assert result.ok, result.problems
    assert result.redacted_entries == manifest["audit"]["redacted_entries"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_without_a_key_export_says_to_run_keys_init(workspace: Workspace, tmp_path: Path) -> None:
    build_export_case(workspace, tmp_path / "trove", key=False)
    with pytest.raises(CeltraceError, match=r"no signing key .*celtrace keys init"):
        export_case(workspace, tmp_path / "case.zip")
    assert not (tmp_path / "case.zip").exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_unknown_case_and_bad_redaction_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    build_export_case(workspace, tmp_path / "trove")
    with pytest.raises(CeltraceError, match=r"no trove under the case 'dump-2026-11'.*found-server"):
        export_case(workspace, tmp_path / "case.zip", case="dump-2026-11")
    with pytest.raises(CeltraceError, match=r"--redact 'everyone'"):
        export_case(workspace, tmp_path / "case.zip", redact="everyone")
    assert not (tmp_path / "case.zip").exists()
