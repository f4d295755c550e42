"""``write_report``: formats, the analysis it runs when none has, and the errors it gives."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

import celtrace.report
from celtrace.errors import CeltraceError
from celtrace.report import FORMATS, write_report
from celtrace.report.json_report import report_schema
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Run
from tests.report.case import build_case, vendor


def _runs(workspace: Workspace) -> int:
    with workspace.session() as session:
        return int(session.scalar(select(func.count()).select_from(Run)) or 0)


def test_public_api() -> None:
    assert celtrace.report.__all__ == ["FORMATS", "ReportFormat", "build_report", "write_report"]
    assert FORMATS == ("json", "html", "pdf", "ftm")


def test_json_report_file(workspace: Workspace, tmp_path: Path) -> None:
    build_case(workspace)
    out = write_report(workspace, "json", tmp_path / "report.json")
    assert out == tmp_path / "report.json"
    text = out.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "금빛동화 애니메이션" in text  # written as UTF-8, not \u escapes
    document = json.loads(text)
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    assert [v["id"] for v in document["vendors"][:2]] == ["pinetree", "mansudae"]
    # Written beside the target and renamed: no temporary file is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "ws"]


def test_an_existing_run_is_reported_as_it_is(workspace: Workspace, tmp_path: Path) -> None:
    build_case(workspace)
    document = json.loads(write_report(workspace, "json", tmp_path / "r.json").read_text(encoding="utf-8"))
    assert _runs(workspace) == 1
    assert document["run"]["id"] == 1 and len(document["findings"]) == 8


def test_analyze_runs_first_when_no_run_exists(workspace: Workspace, tmp_path: Path) -> None:
    with workspace.change("test") as change:
        change.session.add(vendor("solo", "Solo Studio", "us", "Burbank"))
    assert _runs(workspace) == 0
    document = json.loads(write_report(workspace, "json", tmp_path / "r.json").read_text(encoding="utf-8"))
    assert _runs(workspace) == 1
    assert document["run"] is not None and document["run"]["rules"]


def test_overwrites_an_existing_report(workspace: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_text("old", encoding="utf-8")
    write_report(workspace, "json", out)
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == "1.0"


@pytest.mark.parametrize("fmt", ["docx", "HTML", ""])
def test_unknown_format_is_refused_before_any_work(workspace: Workspace, tmp_path: Path, fmt: str) -> None:
    with pytest.raises(CeltraceError, match=r"unknown report format .*json, html, pdf, ftm"):
        write_report(workspace, fmt, tmp_path / "r.out")  # type: ignore[arg-type]
    assert _runs(workspace) == 0
    assert not (tmp_path / "r.out").exists()


def test_missing_folder_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(CeltraceError, match="does not exist"):
        write_report(workspace, "html", tmp_path / "nowhere" / "r.html")
    assert _runs(workspace) == 0


def test_folder_as_output_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(CeltraceError, match="is a folder"):
        write_report(workspace, "json", tmp_path)


def test_unwritable_folder_gives_a_clear_error(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests often run as root, who may write anywhere: make the folder refuse instead.
    def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(celtrace.report.tempfile, "mkstemp", refuse)
    with pytest.raises(CeltraceError, match=r"cannot write the report to .*r\.json: Permission denied"):
        write_report(workspace, "json", tmp_path / "r.json")
