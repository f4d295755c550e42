"""Access logs on Spark give the same events and the same findings as on DuckDB, on the same inputs."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from celtrace.chain.importer import import_chain_file
from celtrace.cli import app
from celtrace.demo.city_database import CityNetwork, write_city_database
from celtrace.demo.portal_log import CITIES, write_portal_log
from celtrace.detectors.runner import analyze, latest_findings
from celtrace.errors import EngineError
from celtrace.logs import engine
from celtrace.logs.formats import ReaderOptions, formats
from celtrace.logs.importer import import_logs
from celtrace.spark import session as spark_session_module
from celtrace.spark.events import to_spark
from celtrace.workspace import Workspace, init_workspace
from celtrace.workspace.schema import LogFile
from tests.conftest import SHARED

SAMPLES = [SHARED / "data" / "logs" / name for name in ("apache_access_1k.log", "OpenSSH_2k.log")]

_LINE = '10.0.0.{n} - u{n} [14/Feb/2024:10:00:{n:02d} +0000] "GET /a{n}.png HTTP/1.1" 200 {n} "-" "agent"'


def _awkward_log(path: Path) -> Path:
    """Combined lines with what line numbering and rejects must survive: blanks, CRLF, junk, invalid UTF-8."""
    lines = [_LINE.format(n=n).encode() for n in range(1, 30)]
    lines[3] = b""
    lines[7] += b"\r"
    lines[11] = b"not a log line"
    lines[15] = b"\xff\xfe bytes that are no UTF-8"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _case(workspace: Workspace, folder: Path, engine_name: str) -> None:
    """The demo's chain and portal log (every NET rule fires on it), a sample sshd log and an awkward file."""
    case = folder / "chain.json"
    case.write_text(resources.files("celtrace.demo").joinpath("case.json").read_text("utf-8"), "utf-8")
    import_chain_file(workspace, case)
    log = folder / "portal.log"
    if not log.exists():
        write_portal_log(log)
    cities = write_city_database(
        folder / "cities.mmdb",
        [
            CityNetwork(cidr, region.split("-")[0], region, city, lat, lon, 20)
            for cidr, region, city, lat, lon in CITIES
        ],
    )
    results = import_logs(workspace, [log], "asset-portal", mmdb=cities, engine=engine_name)
    # The portal log and the awkward file are split across tasks; the sshd log is read whole (syslog years).
    more = [SAMPLES[1], _awkward_log(folder / "awkward.log")]
    results += import_logs(workspace, more, "samples", engine=engine_name)
    assert not [result.error for result in results if result.error]


def _events(workspace: Workspace) -> list[tuple[object, ...]]:
    with workspace.session() as session:
        con = engine.connect(session, workspace.files)
        assert con is not None
        return con.execute("SELECT * EXCLUDE (batch) FROM events ORDER BY file, line").fetchall()


def test_spark_imports_and_finds_what_duckdb_does(spark, make_settings, tmp_path):
    # Small splits, so that one file spreads over several tasks and line numbers cross split boundaries.
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(192 * 1024))
    try:
        local = init_workspace(make_settings("local"))
        _case(local, tmp_path, "duckdb")
        scaled = init_workspace(make_settings("spark"))
        _case(scaled, tmp_path, "spark")
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert next(scaled.files.rglob("*.parquet")).is_dir()  # Spark wrote folders of parts, read like files

    events = _events(local)
    assert _events(scaled) == events
    assert any(not row[-12] for row in events)  # rejected lines (ok false) are kept on both

    by_duckdb = analyze(local, only=["NET"])
    by_spark = analyze(scaled, only=["NET"], engine="spark")
    assert len({finding.rule for finding in by_duckdb.findings}) >= 6
    assert [f.to_json() for f in by_spark.findings] == [f.to_json() for f in by_duckdb.findings]
    stored = [[f.to_json() for f in latest_findings(ws)[1]] for ws in (local, scaled)]
    assert json.dumps(stored[0], default=str) == json.dumps(stored[1], default=str)
    local.close()
    scaled.close()


def test_epoch_keeps_its_fraction_on_spark(spark):
    sql = to_spark("SELECT epoch(TIMESTAMP '2024-02-14 10:00:00.5') AS s")
    assert spark.sql(sql).first()["s"] == 1707904800.5


def test_a_statement_spark_refuses_names_itself(spark, workspace, tmp_path):
    import_logs(workspace, [SAMPLES[0]], "samples", engine="spark")
    with workspace.session() as session:
        events = engine.open_events(session, workspace.files, "spark", workspace.settings)
        assert events is not None
        with pytest.raises(EngineError, match="no_such_column"):
            events.rows("SELECT no_such_column FROM events")
        events.close()


def test_a_failed_python_task_is_told_by_its_own_exception():
    reported = RuntimeError(
        "An exception was thrown from the Python worker. Please see the stack trace below.\n"
        "Traceback (most recent call last):\n"
        '  File "matching.py", line 258, in __call__\n'
        "    return self.order[key]\n"
        "KeyError: '/found/leak 1.png'\n"
        "\n\tat org.apache.spark.api.python.BasePythonRunner.handlePythonException(PythonRunner.scala:581)\n"
    )
    assert spark_session_module.first_line(reported) == "KeyError: '/found/leak 1.png'"
    assert spark_session_module.first_line(RuntimeError("one line\nmore")) == "one line"
    assert spark_session_module.first_line(RuntimeError("")) == "RuntimeError"


def test_spark_without_java_is_one_clear_error(monkeypatch):
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_session_module.shutil, "which", lambda name: None)
    with pytest.raises(EngineError, match="needs Java 17"):
        spark_session_module.spark_session("local[1]")


def test_cli_reports_bad_input_on_one_line(spark, make_settings, tmp_path):
    settings = make_settings()
    init_workspace(settings).close()
    runner = CliRunner()
    env = {"CELTRACE_ACTOR": "tester"}
    missing = runner.invoke(
        app,
        [
            "logs",
            "import",
            str(tmp_path / "nowhere"),
            "--source",
            "cdn",
            "--engine",
            "spark",
            "-w",
            str(settings.workspace),
        ],
        env=env,
    )
    assert missing.exit_code == 1
    assert "nowhere: no such file or folder" in missing.output
    unknown = runner.invoke(app, ["analyze", "--engine", "hadoop", "-w", str(settings.workspace)], env=env)
    assert unknown.exit_code == 1
    assert "unknown engine 'hadoop'" in unknown.output


def _format_samples() -> dict[str, tuple[bytes, ReaderOptions]]:
    """A small file in every format celtrace reads, from the readers' own tests, with the options each needs."""
    from tests.logs import test_firewall, test_structured, test_system, test_web

    def lines(*texts: str) -> bytes:
        return ("\n".join(texts) + "\n").encode()

    common = test_web.COMMON_LINE
    linux = (SHARED / "data" / "logs" / "Linux_2k.log").read_bytes()  # syslog, and the firewall's kernel lines
    return {
        "combined": (SAMPLES[0].read_bytes(), ReaderOptions()),
        "common": (lines(common, common.replace("192.0.2.7", "198.51.100.1"), "junk"), ReaderOptions()),
        "nginx": (
            lines(
                '203.0.113.5 - bob [17/May/2015:10:05:03 +0200] "GET /ep1/sc12.png HTTP/2.0" 200 5120 "-" '
                '"curl/8" rt=0.012 uct="0.001"',
                "not nginx at all",
            ),
            ReaderOptions(log_format=test_web.NGINX_MAIN),
        ),
        "s3": (test_web.S3_LOG.encode(), ReaderOptions()),
        "cloudfront": (test_web.CLOUDFRONT_LOG.encode(), ReaderOptions()),
        "w3c": (test_web.IIS_LOG.encode(), ReaderOptions()),
        "xferlog": (lines(*test_system.XFERLOG), ReaderOptions(timezone="Asia/Seoul")),
        "vsftpd": (lines(*test_system.VSFTPD), ReaderOptions()),
        "sshd": (SAMPLES[1].read_bytes(), ReaderOptions()),
        "syslog": (linux + lines(*(line for line, _ in test_firewall.LINES)), ReaderOptions(year=2025)),
        "jsonl": (lines(*(json.dumps(record) for record in test_structured.JSONL)), ReaderOptions()),
        "csv": (test_structured.CSV_TEXT.encode(), ReaderOptions()),
    }


def test_every_format_reads_alike_on_spark(spark, make_settings, tmp_path):
    samples = _format_samples()
    assert set(samples) == set(formats())  # a new format gets a sample here
    folder = tmp_path / "formats"
    folder.mkdir()
    workspaces = {name: init_workspace(make_settings(name)) for name in ("duckdb", "spark")}
    for fmt, (data, options) in samples.items():
        path = folder / f"{fmt}.log"
        path.write_bytes(data)
        for name, workspace in workspaces.items():
            (result,) = import_logs(workspace, [path], fmt, fmt, options, engine=name)
            assert result.error is None and result.events > 0, (fmt, name, result)
    local, scaled = (_events(workspace) for workspace in workspaces.values())
    assert scaled == local
    for name, workspace in workspaces.items():
        with workspace.session() as session:
            stored = {(row.format, row.engine.split()[0]) for row in session.scalars(select(LogFile))}
        assert stored == {(fmt, name) for fmt in samples}
        workspace.close()


def test_many_small_files_share_jobs_and_read_alike(spark, make_settings, tmp_path):
    """A CDN's many small files go to Spark together, a job per format: the same events and results as one by one."""
    folder = tmp_path / "cdn"
    folder.mkdir()
    apache = SAMPLES[0].read_bytes().splitlines(keepends=True)
    sshd = SAMPLES[1].read_bytes().splitlines(keepends=True)
    for number in range(10):
        (folder / f"edge-{number:02d}.log").write_bytes(b"".join(apache[number * 100 : number * 100 + 100]))
    for number in range(4):
        (folder / f"auth-{number}.log").write_bytes(b"".join(sshd[number * 500 : number * 500 + 500]))
    (folder / "edge-copy.log").write_bytes((folder / "edge-03.log").read_bytes())  # the same file twice
    records = [{"time": f"2024-05-01T10:00:0{n}Z", "user": "kim", "action": "GET"} for n in range(5)]
    (folder / "app.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))  # no address at all
    whole = gzip.compress(b"".join(apache[:100]))
    (folder / "edge-cut.log.gz").write_bytes(whole[: len(whole) // 2])  # a truncated download: read to the cut

    outcomes, stored = [], []
    for name in ("duckdb", "spark"):
        workspace = init_workspace(make_settings(name))
        results = import_logs(workspace, [folder], "cdn", engine=name)
        outcomes.append([(Path(r.path).name, r.format, r.sha256, r.already, r.events, bool(r.error)) for r in results])
        stored.append(_events(workspace))
        workspace.close()
    assert outcomes[0] == outcomes[1]
    assert stored[0] == stored[1]
    by_name = {entry[0]: entry for entry in outcomes[0]}
    assert by_name["edge-copy.log"][3] is True  # known by its digest, whichever name came first
    assert 0 < by_name["edge-cut.log.gz"][4] < 100 and not any(entry[5] for entry in outcomes[0])
    _, fmt, _, _, events_read, _ = by_name["app.jsonl"]
    assert (fmt, events_read) == ("jsonl", 5)  # a file with no address: an empty addresses file, read alike
    # The reader's note on the cut names the file, not a scratch copy, on Spark too.
    assert any("edge-cut.log.gz ends early" in str(row) for row in stored[1])
