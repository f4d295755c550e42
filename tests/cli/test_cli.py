from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from celtrace.cli import app

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={"CELTRACE_ACTOR": "tester", **(env or {})})


@pytest.fixture
def ws(make_settings) -> str:
    settings = make_settings()
    env = {"CELTRACE_DATABASE_URL": settings.database_url or ""}
    result = invoke("init", "-w", str(settings.workspace), env=env)
    assert result.exit_code == 0, result.output
    return str(settings.workspace)


def _all_commands(group, prefix=()):
    import typer.main

    command = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, sub in command.commands.items():
        path = (*prefix, name)
        yield path
        if hasattr(sub, "commands"):
            yield from _all_commands(sub, path)


def test_every_command_has_help():
    paths = list(_all_commands(app))
    assert ("vendors", "import") in paths and ("analyze",) in paths and ("audit", "verify") in paths
    for path in paths:
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage" in result.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_import_analyze_and_fail_on(ws, tmp_path):
    csv = tmp_path / "vendors.csv"
    csv.write_text("name,country,bank_country,payment_methods\nGolden Brush,CN,KP,USDT;Alipay\nMaple,CA,CA,\n")
    result = invoke("vendors", "import", str(csv), "-w", ws, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"] == {"vendor created": 2}

    result = invoke("analyze", "-w", ws, "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [f["severity"] for f in lines] == ["critical", "high", "low"]
    assert set(lines[0]) == {"id", "rule", "severity", "subject", "title", "explanation", "evidence"}
    assert lines[0]["subject"] == {"kind": "vendor", "id": "golden-brush", "name": "Golden Brush"}

    assert invoke("analyze", "-w", ws, "--json", "--fail-on", "critical").exit_code == 3
    quiet = invoke("analyze", "-w", ws, "--json", "--only", "VENDOR.IDENTITY_RED_FLAG", "--fail-on", "low")
    assert quiet.exit_code == 0 and quiet.output == ""


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_bad_input_gives_one_clear_line_and_keeps_earlier_files(ws, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("name,country\nMaple,CA\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,country\nOk,KR\nNope,Atlantis\n")
    result = invoke("vendors", "import", str(good), str(bad), "-w", ws)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}, row 3, field country: unknown country 'Atlantis' (use a name or an ISO 3166 code)"
    ]
    listed = invoke("vendors", "list", "-w", ws, "--json")
    assert [json.loads(line)["name"] for line in listed.output.splitlines()] == ["Maple"]


def test_errors_for_bad_options_and_missing_workspace(tmp_path):
    missing = invoke("analyze", "-w", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "run `celtrace init" in missing.stderr
    (tmp_path / "ws").mkdir()
    assert invoke("init", "-w", str(tmp_path / "ws")).exit_code == 0
    assert "unknown severity" in invoke("analyze", "-w", str(tmp_path / "ws"), "--fail-on", "urgent").stderr
    assert "known rules are" in invoke("analyze", "-w", str(tmp_path / "ws"), "--only", "NET.NOPE").stderr
    assert (
        "--kind must be one of"
        in invoke("vendors", "import", "x.csv", "--kind", "cats", "-w", str(tmp_path / "ws")).stderr
    )


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_audit_verify(ws):
    result = invoke("audit", "verify", "-w", ws, "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert (report["entries"], report["ok"], report["problems"]) == (1, True, [])
    assert len(report["head"]) == 64


def test_python_m_and_light_import():
    out = subprocess.run([sys.executable, "-m", "celtrace", "--help"], capture_output=True, text=True, check=True)
    assert "vendors" in out.stdout
    probe = (
        "import celtrace, sys; print(sorted(m for m in ('sqlalchemy', 'typer', 'followthemoney') if m in sys.modules))"
    )
    light = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert light.stdout.strip() == "[]"


def test_public_api_is_pinned():
    import celtrace

    assert sorted(celtrace.__all__) == sorted(
        [
            "__version__",
            "CeltraceError",
            "InputError",
            "Settings",
            "load_settings",
            "Workspace",
            "init_workspace",
            "open_workspace",
            "import_chain_file",
            "Finding",
            "Severity",
            "analyze",
            "score_vendors",
            "write_report",
        ]
    )
    for name in celtrace.__all__:
        assert getattr(celtrace, name) is not None


def test_readme_documents_every_top_level_command():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name, *_rest in _all_commands(app):
        assert f"celtrace {name}" in readme, name


def test_lazy_exports_match_all():
    import celtrace

    assert set(celtrace.__all__) == {"__version__", *celtrace._EXPORTS}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_report_formats_from_the_suffix(ws, tmp_path):
    csv = tmp_path / "vendors.csv"
    csv.write_text("name,country,phones\nGolden Brush,CN,+850 2 381 2345\n")
    assert invoke("vendors", "import", str(csv), "-w", ws).exit_code == 0
    for name, check in (("r.json", '"schema_version"'), ("r.html", "<svg"), ("r.ftm", '"schema": "Company"')):
        result = invoke("report", "-o", str(tmp_path / name), "-w", ws)
        assert result.exit_code == 0, result.output
        assert check in (tmp_path / name).read_text()
    pdf = invoke("report", "-o", str(tmp_path / "r.pdf"), "-w", ws)
    assert pdf.exit_code == 0, pdf.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    bad = invoke("report", "-o", str(tmp_path / "r.out"), "--format", "docx", "-w", ws)
    assert bad.exit_code == 1 and bad.stderr.startswith("error: ") and "docx" in bad.stderr


def test_demo_builds_rebuilds_and_never_touches_real_work(tmp_path):
    folder = tmp_path / "demo"
    first = invoke("demo", "-w", str(folder), "--no-serve")
    assert first.exit_code == 0, first.output
    report = folder / "files" / "reports" / "report.html"
    assert f"report: {report.resolve()}" in first.output
    html = report.read_text()
    assert "Dandong Golden Brush Trading" in html
    assert "KOREA TANGUN TRADING CORPORATION" in html and "OFAC SDN (2021-07-07)" in html
    assert html.count("ASSET.LEAK") >= 3 and "2024-02-14.zip &gt; 104/mirror.jpg" in html
    findings = json.loads((folder / "files" / "reports" / "report.json").read_text())["findings"]
    leaks = {
        f["subject"]["name"].split("/")[-1]: f["evidence"]["method"] for f in findings if f["rule"] == "ASSET.LEAK"
    }
    # Every copy in the dump is placed: near-duplicates by PDQ, the crop, margins, rescan and sheet by keypoints.
    assert leaks == {
        "sc010_cut002.png": "pdq",
        "mirror.jpg": "pdq",
        "small.png": "pdq",
        "colour_pass.jpg": "pdq",
        "head_detail.png": "orb",
        "page_0007.png": "orb",
        "scan_0012.jpg": "orb",
        "contact_sheet.png": "orb",
    }
    # The dump's copies were made from Bright Lotus's watermarked delivery: every copy the decoder can align names
    # it (a mirror image cannot be aligned onto its original, so it names nobody), none names Hanbit.
    marks = {
        (f["subject"]["id"], f["evidence"]["item"]["path"].split("/")[-1])
        for f in findings
        if f["rule"] == "ASSET.WATERMARK"
    }
    assert marks == {("bright-lotus", name) for name in leaks if name != "mirror.jpg"}
    for mark in (f for f in findings if f["rule"] == "ASSET.WATERMARK"):
        assert mark["severity"] == "high" and mark["evidence"]["delivery"]["vendor_id"] == "bright-lotus"
        assert mark["evidence"]["false_attribution_bound"] <= 1e-6
    net = {(f["rule"], f["subject"]["name"], f["severity"]) for f in findings if f["rule"].startswith("NET.")}
    lotus, seoul = "brightlotus.cn01 (asset-portal)", "seoul.inb (asset-portal)"
    assert net == {
        ("NET.DPRK", lotus, "critical"),
        # The demo's city database places Bright Lotus's China Unicom addresses in Dandong and Shenyang.
        ("NET.HIGH_RISK_REGION", lotus, "high"),
        ("NET.HIGH_RISK_REGION", seoul, "high"),
        ("NET.ANONYMIZER", lotus, "medium"),
        ("NET.IMPOSSIBLE_TRAVEL", lotus, "low"),  # VPN hops
        ("NET.MANY_COUNTRIES", lotus, "low"),
        ("NET.ENDLESS_SESSION", lotus, "low"),
        # Seoul Inbetween's account on Bright Lotus's Dandong address: neither declared the other.
        ("NET.SHARED_INFRA", "Bright Lotus Animation Co., Ltd.", "high"),
        ("NET.SHARED_INFRA", "Seoul Inbetween Studio", "high"),
        ("NET.UNDECLARED_GEO", "Bright Lotus Animation Co., Ltd.", "high"),  # North Korea
        ("NET.UNDECLARED_GEO", "Seoul Inbetween Studio", "high"),  # China
    }  # every other account works from its declared country, in no VPN
    # Every NET finding gives the span of its events, which the report's timeline draws.
    spans = [(f["evidence"]["first"], f["evidence"]["last"]) for f in findings if f["rule"].startswith("NET.")]
    assert len(spans) == len(net) and all(first <= last for first, last in spans)
    # The editing sheet's Korean is North Korean and dated in the Juche calendar; so is the scanned note, read by
    # OCR (로동자, 래일 and the Juche year); the Seoul memo raises nothing.
    docs = {(f["rule"], f["subject"]["name"].rsplit("/", 1)[-1]) for f in findings if f["rule"].startswith("DOC.")}
    assert docs == {
        ("DOC.DPRK_KOREAN", "修改意见_0214.xlsx"),
        ("DOC.JUCHE_DATE", "修改意见_0214.xlsx"),
        ("DOC.DPRK_KOREAN", "scan_0215.pdf"),
        ("DOC.JUCHE_DATE", "scan_0215.pdf"),
    }
    [undeclared] = [f for f in findings if f["rule"] == "CHAIN.UNDECLARED_SUBCONTRACTOR"]
    assert undeclared["subject"]["id"] == "golden-brush" and undeclared["severity"] == "high"
    assert {s["kind"] for s in undeclared["evidence"]["sightings"]} == {"observed link", "trove"}
    again = invoke("demo", "-w", str(folder), "--no-serve")
    assert again.exit_code == 0, again.output
    # Rebuilt from nothing: the log holds this build only.
    log = [json.loads(line) for line in invoke("audit", "show", "-w", str(folder), "--json").output.splitlines()]
    assert [entry["action"] for entry in log] == [
        "init",
        "vendors import",
        "lists load",
        "lists load",
        "assets add",
        "watermark key created",
        "deliver",
        "deliver",
        "trove open",
        "trove scan",
        "logs import",
        "analyze",
    ]

    real = tmp_path / "real"
    assert invoke("init", "-w", str(real)).exit_code == 0
    refused = invoke("demo", "-w", str(real))
    assert refused.exit_code == 1 and "not a demo" in refused.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert "is not empty" in invoke("demo", "-w", str(other)).stderr


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_lists_screen_and_names_compare(ws, tmp_path):
    from importlib import resources

    lists = Path(str(resources.files("celtrace.demo").joinpath("lists")))
    nothing = invoke("screen", "Kim Jong Un", "-w", ws)
    assert nothing.exit_code == 1 and "no sanctions list is loaded" in nothing.stderr
    loaded = invoke(
        "lists",
        "load",
        str(lists / "sdn.csv"),
        str(lists / "alt.csv"),
        str(lists / "add.csv"),
        "--published",
        "2021-07-07",
        "-w",
        ws,
        "--json",
    )
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output)["targets"] == 414
    shown = [json.loads(line) for line in invoke("lists", "-w", ws, "--json").output.splitlines()]
    assert [(row["list"], row["published"], row["active"]) for row in shown] == [("OFAC SDN", "2021-07-07", True)]

    names = tmp_path / "names.csv"
    names.write_text("name,schema,country\nKorea Dangun Trading Corp.,Organization,KP\nMaple Frame Animation,,CA\n")
    result = invoke("screen", "Korea Tangun Trading Corporation", "--file", str(names), "-w", ws, "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["query"] for row in rows] == [
        "Korea Tangun Trading Corporation",
        "Korea Dangun Trading Corp.",
        "Maple Frame Animation",
    ]
    best = rows[1]["matches"][0]
    assert best["name"] == "KOREA TANGUN TRADING CORPORATION" and best["lists"] == ["OFAC SDN"]
    assert {"target_id", "name", "matched_name", "score", "lists", "programs", "schema"} <= set(best)
    assert rows[2]["matches"] == []

    compared = json.loads(invoke("names", "compare", "Ri Jong Ho", "Lee Jung-ho", "--json").output)
    assert set(compared) == {"a", "b", "score", "match", "explanation"} and compared["match"] is True
