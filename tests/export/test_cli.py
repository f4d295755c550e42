"""``celtrace keys``, ``celtrace export`` and ``celtrace verify`` through the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.config import load_settings
from celtrace.workspace import open_workspace
from tests.export.case import build_export_case, members, rewrite
from tests.export.conftest import Sealed

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"CELTRACE_ACTOR": "tester"})


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_keys_init_export_and_verify(make_settings, tmp_path: Path) -> None:
    settings = make_settings()
    ws = str(settings.workspace)
    assert invoke("init", "-w", ws).exit_code == 0
    no_key = invoke("export", "-o", str(tmp_path / "c.zip"), "-w", ws)
    assert no_key.exit_code == 1 and "celtrace keys init" in no_key.stderr

    created = invoke("keys", "init", "-w", ws)
    assert created.exit_code == 0, created.output
    private = settings.workspace / "keys" / "signing-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    again = invoke("keys", "init", "-w", ws)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert invoke("keys", "init", "--force", "-w", ws).exit_code == 0
    shown = invoke("keys", "show", "--json", "-w", ws)
    fingerprint = json.loads(shown.stdout)["fingerprint"]
    exported = invoke("keys", "export-public", "-o", str(tmp_path / "pub.pem"), "-w", ws)
    assert exported.exit_code == 0 and fingerprint in exported.stdout

    with open_workspace(load_settings(settings.workspace, environ={"CELTRACE_ACTOR": "tester"})) as workspace:
        build_export_case(workspace, tmp_path / "trove", key=False)
    out = tmp_path / "case-2026-11.celtrace.zip"
    done = invoke("export", "--case", "found-server", "-o", str(out), "-w", ws)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == str(out) and fingerprint in done.stderr

    unauthenticated = invoke("verify", str(out))
    assert unauthenticated.exit_code == 0
    assert unauthenticated.stdout.startswith(f"OK {out}") and "UNAUTHENTICATED" in unauthenticated.stdout
    authenticated = invoke("verify", str(out), "--key", str(tmp_path / "pub.pem"))
    assert authenticated.exit_code == 0 and f"{fingerprint}, authenticated by" in authenticated.stdout


def test_verify_prints_each_problem_and_exits_1(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    files["report.json"] = files["report.json"] + b" "
    del files["report.pdf"]
    tampered = rewrite(sealed.package, tmp_path / "t.zip", files)
    result = invoke("verify", str(tampered))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "FAILED report.json: its SHA-256 does not match the manifest (changed)",
        "FAILED report.pdf: listed in the manifest but missing from the package (removed)",
        f"{tampered}: 2 problems",
    ]
    as_json = invoke("verify", str(tampered), "--json")
    assert as_json.exit_code == 1
    outcome = json.loads(as_json.stdout)
    assert outcome["ok"] is False and [p["file"] for p in outcome["problems"]] == ["report.json", "report.pdf"]


def test_verify_with_a_different_key_and_on_bad_files(sealed: Sealed, tmp_path: Path) -> None:
    other = invoke("verify", str(sealed.package), "--key", str(sealed.other_key))
    assert other.exit_code == 1 and "manifest.sig: not signed by the key in" in other.stderr
    ok = invoke("verify", str(sealed.package), "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    missing = invoke("verify", str(tmp_path / "nowhere.zip"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: ") and "no such file" in missing.stderr
    (tmp_path / "bad.pem").write_text("not a key")
    bad_key = invoke("verify", str(sealed.package), "--key", str(tmp_path / "bad.pem"))
    assert bad_key.exit_code == 1 and "not a PEM public key" in bad_key.stderr
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + bytes(100))
    broken = invoke("verify", str(garbage))
    assert broken.exit_code == 1 and "not a readable zip file" in broken.stderr
