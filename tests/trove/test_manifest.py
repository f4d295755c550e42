"""The custody manifest in the store, on SQLite and PostgreSQL: idempotent, resumable, tamper-evident."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.trove.items import TroveItem
from celtrace.trove.manifest import SEALED, _fields, manifest, scan_trove, verify_manifest
from celtrace.workspace.schema import Trove


def make_trove(folder: Path) -> Path:
    (folder / "ep104").mkdir(parents=True)
    for number in range(7):
        (folder / "ep104" / f"cut{number:03d}.txt").write_text(f"note {number}\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("keys/cut001.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        archive.writestr("../../evil.sh", b"echo owned")
    (folder / "bundle.zip").write_bytes(buffer.getvalue())
    return folder


def test_scan_records_every_item_once_with_a_chain(workspace, tmp_path):
    root = make_trove(tmp_path / "dump")
    first = scan_trove(workspace, root, "dump-2026-11")
    assert (first.recorded, first.already, first.problems) == (10, 0, 1)
    again = scan_trove(workspace, root, "dump-2026-11")
    assert (again.recorded, again.already) == (0, 10)
    with workspace.session() as session:
        rows = manifest(session, first.trove_id)
    assert [row.seq for row in rows] == list(range(1, 11))
    assert verify_manifest(rows) == []
    by_path = {row.display_path: row for row in rows}
    assert by_path["bundle.zip > keys/cut001.png"].kind == "png"
    assert by_path["bundle.zip > ../../evil.sh"].status == "unsafe-path"


def test_an_interrupted_scan_keeps_its_batches_and_resumes(workspace, tmp_path):
    root = make_trove(tmp_path / "dump")
    seen = []

    def crash(row):
        seen.append(row.display_path)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan_trove(workspace, root, "c", on_item=crash, batch_size=2)
    with workspace.session() as session:
        kept = manifest(session, 1)
    assert len(kept) == 4  # two whole batches; the third was rolled back
    resumed = scan_trove(workspace, root, "c", batch_size=2)
    assert (resumed.recorded, resumed.already) == (6, 4)
    with workspace.session() as session:
        rows = manifest(session, 1)
    assert len({row.display_path for row in rows}) == len(rows) == 10
    assert verify_manifest(rows) == []


def test_tampering_with_the_manifest_shows(workspace, tmp_path):
    root = make_trove(tmp_path / "dump")
    scan_trove(workspace, root, "c")
    with workspace.engine.begin() as connection:
        with pytest.raises(Exception, match="append-only"), connection.begin_nested():
            connection.execute(text("UPDATE trove_items SET size = 1 WHERE seq = 3"))
        if workspace.engine.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER trove_items_append_only ON trove_items"))
        else:
            connection.execute(text("DROP TRIGGER trove_items_no_update"))
        connection.execute(text("UPDATE trove_items SET sha256 = 'forged' WHERE seq = 3"))
    with workspace.session() as session:
        problems = verify_manifest(manifest(session, 1))
    assert [(p.seq, p.problem) for p in problems] == [(3, "its content was changed after it was written")]


def test_every_recorded_field_is_sealed():
    assert tuple(_fields(1, TroveItem(("a",)))) == SEALED


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_scan_and_verify(workspace, tmp_path):
    root = make_trove(tmp_path / "dump")
    runner = CliRunner()
    ws = str(workspace.path)
    result = runner.invoke(app, ["trove", "scan", str(root), "--case", "d", "-w", ws, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 10 and {"path", "sha256", "size", "kind", "status", "message"} <= set(lines[0])
    verified = runner.invoke(app, ["trove", "verify", "-w", ws, "--json"])
    assert json.loads(verified.output)["ok"] is True


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_scans_an_http_listing_like_the_folder_it_serves(workspace, tmp_path):
    root = make_trove(tmp_path / "dump")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        result = CliRunner().invoke(app, ["trove", "scan", url, "-w", str(workspace.path), "--json"])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    remote = [json.loads(line) for line in result.stdout.splitlines()]
    scan_trove(workspace, root, "local copy")
    with workspace.session() as session:
        troves = {trove.case: trove for trove in session.scalars(select(Trove))}
        local = manifest(session, troves["local copy"].id)
        served = manifest(session, troves[f"127.0.0.1:{server.server_address[1]}"].id)
    assert troves[f"127.0.0.1:{server.server_address[1]}"].root == url
    assert [(row.display_path, row.sha256, row.status) for row in served] == [
        (row.display_path, row.sha256, row.status) for row in local
    ]
    assert [line["path"] for line in remote] == [row.display_path for row in local]
    assert not any((workspace.path / "tmp").iterdir())  # downloads were spooled there, then removed


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the CLI finds the store by its folder
def test_only_http_urls_are_scanned(workspace):
    result = CliRunner().invoke(app, ["trove", "scan", "ftp://127.0.0.1/files/", "-w", str(workspace.path)])
    assert result.exit_code == 1
    assert "only http:// and https:// listings are scanned on the local engine" in result.stderr
    assert "add --engine spark" in result.stderr


SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="needs ../shared/data")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_shared_sample_data_scans_as_a_trove(workspace):
    summary = scan_trove(workspace, SHARED / "data", "samples")
    files = sorted(path for path in (SHARED / "data").rglob("*") if path.is_file())
    assert (summary.recorded, summary.problems) == (len(files), 0)
    with workspace.session() as session:
        rows = {row.display_path: row for row in manifest(session, summary.trove_id)}
    for path in files:
        row = rows[path.relative_to(SHARED / "data").as_posix()]
        assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and row.size == path.stat().st_size
    assert rows["logs/apache_access_1k.log"].kind == "text" and not rows["logs/apache_access_1k.log"].extension_lies
    assert verify_manifest(rows.values()) == []
