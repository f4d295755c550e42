"""Inputs named by URI (``s3a://``, ``hdfs://``; here ``file://``, which goes through the same Hadoop code) give
what the same files give as local paths: the same events, registry and trove manifest."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from celtrace.assets.deliveries import deliver
from celtrace.assets.registry import add_assets
from celtrace.cli import app
from celtrace.demo.drawings import drawing
from celtrace.detectors.runner import analyze
from celtrace.logs import engine
from celtrace.logs.importer import import_logs
from celtrace.spark.hadoop import HadoopFiles
from celtrace.spark.trove import walk_on_spark
from celtrace.trove.items import Status, TroveItem
from celtrace.trove.limits import Limits
from celtrace.trove.manifest import MAX_IMAGE_BYTES
from celtrace.trove.walk import walk
from celtrace.workspace import Workspace, init_workspace
from celtrace.workspace.schema import Asset, FingerprintRow, LogFile
from tests.conftest import SHARED
from tests.spark.test_trove import scan_on, write_dump

LOGS = SHARED / "data" / "logs"
ENV = {"CELTRACE_ACTOR": "tester"}


def _uri(path: Path) -> str:
    # As Hadoop takes a URI, and as users type s3a:// ones: not percent-encoded.
    return f"file://{path}"


def _events(workspace: Workspace) -> list[tuple[object, ...]]:
    with workspace.session() as session:
        con = engine.connect(session, workspace.files)
        assert con is not None
        return con.execute("SELECT * EXCLUDE (batch, file) FROM events ORDER BY source, line, ts").fetchall()


def test_logs_by_uri_are_the_logs_by_path(spark, make_settings, tmp_path):
    folder = tmp_path / "cdn logs"  # a space: Hadoop names files unescaped, Spark reads them back
    folder.mkdir()
    (folder / "access.log").write_bytes((LOGS / "apache_access_1k.log").read_bytes())
    (folder / "sshd.log.gz").write_bytes(gzip.compress((LOGS / "OpenSSH_2k.log").read_bytes()))
    (folder / ".hidden.log").write_text("skipped, as in a local folder\n")

    local = init_workspace(make_settings("local"))
    by_path = import_logs(local, [folder], "cdn", engine="duckdb")
    remote = init_workspace(make_settings("remote"))
    by_uri = import_logs(remote, [_uri(folder)], "cdn", engine="spark")

    assert [r.error for r in by_uri] == [None, None]
    assert [(r.format, r.sha256, r.lines, r.events) for r in by_uri] == [
        (r.format, r.sha256, r.lines, r.events) for r in by_path
    ]
    assert [r.path for r in by_uri] == [f"file:{folder}/access.log", f"file:{folder}/sshd.log.gz"]
    assert _events(remote) == _events(local)
    with remote.session() as session:
        assert sorted(row.path for row in session.scalars(select(LogFile))) == [r.path for r in by_uri]
    # Known by digest: the same files by path are already imported.
    again = import_logs(remote, [folder], "cdn", engine="spark")
    assert [r.already for r in again] == [True, True]
    # The same findings, citing the same lines of files named by URI.
    by_spark = json.dumps([f.to_json() for f in analyze(remote, only=["NET"], engine="spark").findings])
    by_duckdb = json.dumps([f.to_json() for f in analyze(local, only=["NET"]).findings])
    assert f"file:{folder}/access.log" in by_spark
    assert by_spark.replace(f"file:{folder}", str(folder)) == by_duckdb
    local.close()
    remote.close()


def test_assets_by_uri_are_the_assets_by_path(spark, make_settings, tmp_path):
    folder = tmp_path / "S01E04"
    (folder / "sc010").mkdir(parents=True)
    for cut in range(1, 4):
        drawing(cut, size=(320, 240), strokes=20).save(folder / "sc010" / f"sc010_cut{cut:03d}.png")
    (folder / "notes.txt").write_text("not an image: not registered\n")

    registries = []
    for name, paths, engine_name in (("local", [folder], "duckdb"), ("remote", [_uri(folder)], "spark")):
        workspace = init_workspace(make_settings(name))
        summary = add_assets(workspace, paths, "Skyward Tails", engine=engine_name)
        assert (summary.registered, summary.failed) == (3, [])
        with workspace.session() as session:
            assets = session.scalars(select(Asset).order_by(Asset.id)).all()
            codes = [(f.asset_id, f.code) for f in session.scalars(select(FingerprintRow))]
            registries.append(([(a.sha256, a.episode, a.scene, a.size) for a in assets], codes))
            paths_stored = [a.path for a in assets]
        workspace.close()
    assert registries[0] == registries[1]
    assert paths_stored == [f"file:{folder}/sc010/sc010_cut{cut:03d}.png" for cut in range(1, 4)]


def test_a_trove_by_uri_is_the_trove_by_path(spark, make_settings, tmp_path, monkeypatch):
    dump = write_dump(tmp_path / "dump")
    (dump / "a b[1]{x} #1 100%.txt").write_text("glob, fragment and escape characters in one name\n")
    (dump / "a b[1]{x} #2 100%.txt").write_text("the same name but after the '#': another file\n")
    (dump / "ep104" / "deep").mkdir()
    (dump / "ep104" / "deep" / "too-deep.txt").write_text("below the folder depth the walk allows\n")

    opened: list[str] = []
    real_open = HadoopFiles.open

    def counting_open(self: HadoopFiles, uri: str):  # type: ignore[no-untyped-def]
        opened.append(uri)
        return real_open(self, uri)

    monkeypatch.setattr(HadoopFiles, "open", counting_open)
    runs = [("duckdb", str(dump)), ("spark", _uri(dump))]
    scanned, leaks = zip(
        *(scan_on(engine_name, root, make_settings, tmp_path) for engine_name, root in runs), strict=True
    )

    assert scanned[0] == scanned[1]
    assert leaks[0] == leaks[1]
    assert [name for name, _, _ in leaks[0]] == ["day-0214.zip > inner/copy.png", "ep104/leaked.png"]
    # The driver read no image's bytes: the executors fingerprinted them; only documents were opened here.
    assert not [uri for uri in opened if uri.endswith(".png")]
    assert opened  # the text files, examined as documents

    # Folders deeper than the limit: one item for the first too deep, on both walks.
    shallow = Limits(max_folder_depth=1)
    items, _prints = walk_on_spark("local[2]", _uri(dump), shallow, MAX_IMAGE_BYTES, tmp_path / "spool")

    def fields(walked: Iterable[TroveItem]) -> list[tuple[object, ...]]:
        return [(i.path, i.status, i.message, i.size, i.sha256, i.kind, i.extension_lies) for i in walked]

    remote = fields(items)
    assert remote == fields(walk(dump, shallow))
    assert ("ep104/", "deep/") in [path for path, status, *_ in remote if status == Status.TOO_DEEP]
    assert not list((tmp_path / "spool").iterdir())  # archive copies removed once walked


def test_uri_mistakes_are_one_line_each(spark, make_settings, tmp_path):
    workspace = init_workspace(make_settings())
    ws = str(workspace.path)
    workspace.close()
    runner = CliRunner()
    cases = [
        (["logs", "import", _uri(tmp_path / "nowhere"), "--source", "cdn", "--engine", "spark"], "no such file"),
        (["logs", "import", "s3a://bucket/logs/", "--source", "cdn", "--engine", "spark"], "no connector"),
        (["logs", "import", _uri(tmp_path), "--source", "cdn"], "add --engine spark"),
        (["assets", "add", "s3a://bucket/frames/", "--production", "P", "--engine", "spark"], "no connector"),
        (["assets", "add", _uri(tmp_path), "--production", "P"], "add --engine spark"),
        (["trove", "scan", "hdfs://namenode:8020/dump/", "--engine", "spark"], "hdfs://namenode:8020/dump/"),
        (["trove", "scan", _uri(tmp_path / "nowhere")], "add --engine spark"),
        (["trove", "scan", _uri(tmp_path / "nowhere"), "--engine", "spark"], "no such file"),
    ]
    for args, expected in cases:
        result = runner.invoke(app, [*args, "-w", ws], env=ENV)
        assert result.exit_code == 1, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1 and expected in result.output, (args, result.output)


def test_match_by_uri_is_match_by_path(spark, make_settings, tmp_path):
    layouts = tmp_path / "S01E04"
    layouts.mkdir()
    for cut in (1, 2):
        drawing(cut, size=(512, 384)).save(layouts / f"sc010_cut{cut:03d}.png")
    workspace = init_workspace(make_settings())
    delivery = deliver(workspace, [layouts], "Bright Lotus", tmp_path / "outbox", production="Skyward Tails")
    ws = str(workspace.path)
    workspace.close()
    leaked = tmp_path / "found" / "leak 1.png"  # a space, as object keys often have
    leaked.parent.mkdir()
    leaked.write_bytes((tmp_path / "outbox" / "sc010_cut002.png").read_bytes())

    runner = CliRunner()
    shown = []
    for engine_name, name in (("duckdb", str(leaked)), ("spark", _uri(leaked))):
        result = runner.invoke(app, ["match", name, "--json", "--engine", engine_name, "-w", ws], env=ENV)
        assert result.exit_code == 0, result.output
        (line,) = [json.loads(text) for text in result.stdout.splitlines()]
        shown.append(line)
    assert shown[0]["file"] == str(leaked) and shown[1]["file"] == _uri(leaked)
    assert shown[1]["matches"] == shown[0]["matches"] and shown[0]["matches"]
    # The watermark is read from the copy's bytes, fetched through Hadoop on the driver.
    assert shown[1]["watermark"] == shown[0]["watermark"]
    assert shown[0]["watermark"]["delivery_id"] == delivery.delivery_id

    folder = runner.invoke(app, ["match", _uri(leaked.parent), "--engine", "spark", "-w", ws], env=ENV)
    assert folder.exit_code == 1 and "is a folder" in folder.output
    local = runner.invoke(app, ["match", _uri(leaked), "-w", ws], env=ENV)
    assert local.exit_code == 1 and "add --engine spark" in local.output
