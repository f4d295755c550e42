"""Importing logs into the workspace: idempotent, finished after a crash, bad files named; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.logs import engine
from celtrace.logs.importer import import_logs
from celtrace.workspace.schema import LogFile

SHARED = Path(__file__).resolve().parents[3] / "shared"
LOGS = SHARED / "data" / "logs"
pytestmark = pytest.mark.skipif(not LOGS.is_dir(), reason="needs ../shared/data")


def _events(workspace) -> list[tuple]:
    with workspace.session() as session:
        con = engine.connect(session, workspace.files)
    assert con is not None
    try:
        return con.execute("SELECT file, line, ip, ok FROM events ORDER BY file, line").fetchall()
    finally:
        con.close()


def test_importing_twice_changes_nothing(workspace):
    first = import_logs(workspace, [LOGS / "apache_access_1k.log"], "web")
    again = import_logs(workspace, [LOGS / "apache_access_1k.log"], "web")
    assert (first[0].already, first[0].events, first[0].format) == (False, 1000, "combined")
    assert (again[0].already, again[0].events) == (True, 1000)
    events = _events(workspace)
    assert len(events) == 1000 and [line for _, line, _, _ in events] == list(range(1, 1001))
    # The same file under another source is another import: the source is part of the evidence.
    assert import_logs(workspace, [LOGS / "apache_access_1k.log"], "cdn")[0].already is False


def test_a_folder_imports_its_logs_and_names_what_is_not_a_log(workspace):
    results = {Path(r.path).name: r for r in import_logs(workspace, [LOGS], "samples")}
    assert results["OpenSSH_2k.log"].format == "sshd" and results["OpenSSH_2k.log"].events == 2000
    assert results["apache_access_1k.log"].events == 1000
    licence = results["LICENSE-loghub.txt"]
    assert licence.error and "not a log format" in licence.error and licence.events == 0
    with workspace.session() as session:
        assert len(session.scalars(select(LogFile)).all()) == 3


def test_a_run_stopped_after_commit_is_finished_not_duplicated(workspace):
    [result] = import_logs(workspace, [LOGS / "OpenSSH_2k.log"], "ssh")
    with workspace.session() as session:
        row = session.scalars(select(LogFile)).one()
    final = workspace.files / row.parquet
    partial = final.with_suffix(".parquet.partial")
    final.replace(partial)  # as if the process died between the commit and the rename
    [again] = import_logs(workspace, [LOGS / "OpenSSH_2k.log"], "ssh")
    assert again.already and final.exists() and not partial.exists()
    final.unlink()  # and now as if the events file were lost: the file is read again, once
    [third] = import_logs(workspace, [LOGS / "OpenSSH_2k.log"], "ssh")
    assert not third.already and third.events == result.events
    assert len(_events(workspace)) == 2000


def test_a_run_stopped_before_commit_leaves_no_record(workspace, tmp_path):
    log = tmp_path / "portal.log"
    log.write_text((LOGS / "apache_access_1k.log").read_text())
    folder = workspace.files / "logs" / "web"
    folder.mkdir(parents=True)
    (folder / "stale.parquet.partial").write_bytes(b"half written")
    [result] = import_logs(workspace, [log], "web")
    assert result.events == 1000 and len(_events(workspace)) == 1000


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_import_and_stats(workspace):
    ws = str(workspace.path)
    runner = CliRunner()
    imported = runner.invoke(app, ["logs", "import", str(LOGS), "--source", "samples", "-w", ws, "--json"])
    assert imported.exit_code == 1  # the licence file is not a log
    lines = [json.loads(line) for line in imported.stdout.splitlines()]
    assert sum(line["events"] for line in lines) == 5000 and sum(bool(line["error"]) for line in lines) == 1
    stats = json.loads(runner.invoke(app, ["logs", "stats", "-w", ws, "--json"]).stdout)
    assert (stats["lines"], stats["parsed"], stats["rejected"]) == (5000, 5000, 0)
    assert {f["format"] for f in stats["files"]} == {"combined", "sshd"}
    counts = [row["events"] for row in stats["by_country"]]
    assert counts == sorted(counts, reverse=True)
    top = stats["by_country"][0]
    with workspace.session() as session:
        con = engine.connect(session, workspace.files)
    assert con is not None
    assert (
        con.execute("SELECT count(*) FROM events WHERE country IS NOT DISTINCT FROM ?", [top["country"]]).fetchone()[0]
        == top["events"]
    )
    con.close()
    assert stats["by_account"] and all(row["account"] for row in stats["by_account"])
    refused = runner.invoke(app, ["logs", "import", str(SHARED / "data" / "README.md"), "--source", "x", "-w", ws])
    assert refused.exit_code == 1 and "README.md" in refused.stderr and "not a log format" in refused.stderr
    unknown = runner.invoke(app, ["logs", "import", str(LOGS), "--source", "x", "--format", "nope", "-w", ws])
    assert unknown.exit_code == 1 and "unknown log format" in unknown.stderr
