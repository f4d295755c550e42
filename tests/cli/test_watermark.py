"""deliver, watermark decode and match --json through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.watermark import MAX_FALSE_ATTRIBUTION, load_image
from tests.assets.deliveries_case import bad_files, drawings
from tests.watermark.pictures import line_art

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={"CELTRACE_ACTOR": "tester", **(env or {})})


@pytest.fixture
def ws(make_settings) -> tuple[str, dict[str, str]]:
    settings = make_settings()
    env = {"CELTRACE_DATABASE_URL": settings.database_url or ""}
    assert invoke("init", "-w", str(settings.workspace), env=env).exit_code == 0
    return str(settings.workspace), env


def test_deliver_then_decode_names_the_vendor_and_bad_files_get_one_line_each(ws, tmp_path: Path):
    folder, env = ws
    originals = drawings(tmp_path / "S01E04" / "layouts", 2)
    out = tmp_path / "outbox" / "northwind"
    delivered = invoke(
        "deliver", str(originals[0].parent), "--vendor", "Northwind Layout Co.", "--out", str(out),
        "--production", "Skyward Tails", "-w", folder, env=env,
    )  # fmt: skip
    assert delivered.exit_code == 0, delivered.output
    assert "2 watermarked copies" in delivered.stdout and "no vendor of the chain" in delivered.stderr

    bad = bad_files(tmp_path / "found", originals[0])
    found = [out / originals[0].name, originals[1], bad["truncated"], bad["not an image"], bad["bomb"]]
    result = invoke("watermark", "decode", *map(str, found), "--json", "-w", folder, env=env)
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(path) for path in found]  # input order, one line each
    named, unmarked, *broken = lines
    assert named["vendor"] == "Northwind Layout Co." and len(named["payload"]) == 8
    assert named["confidence"] >= 1 - MAX_FALSE_ATTRIBUTION and isinstance(named["delivery_id"], int)
    assert unmarked["payload"] is None and unmarked["vendor"] is None and unmarked["delivery_id"] is None
    assert all(line["payload"] is None and line["error"] for line in broken)

    plain = invoke("watermark", "decode", *map(str, found[:3]), "-w", folder, env=env)
    assert plain.exit_code == 1
    assert "to Northwind Layout Co., confidence" in plain.stdout and "no delivery named" in plain.stdout
    [error] = plain.stderr.splitlines()
    assert error.startswith(f"error: {found[2]}: ")

    match = invoke("match", str(found[0]), str(found[1]), "--json", "-w", folder, env=env)
    copy, original = (json.loads(line) for line in match.stdout.splitlines())
    assert copy["matches"][0]["path"].endswith(originals[0].name)
    assert copy["watermark"]["delivery_id"] == named["delivery_id"] and copy["watermark"]["vendor"] == named["vendor"]
    assert original["watermark"]["payload"] is None
    nothing = tmp_path / "blank.png"
    Image.new("RGB", (320, 240), "white").save(nothing)
    assert json.loads(invoke("match", str(nothing), "--json", "-w", folder, env=env).stdout)["watermark"] is None
    never = tmp_path / "never-delivered.png"
    line_art(99, (320, 240)).save(never)
    assert invoke("assets", "add", str(never), "--production", "P", "-w", folder, env=env).exit_code == 0
    assert json.loads(invoke("match", str(never), "--json", "-w", folder, env=env).stdout)["watermark"] is None


def test_deliver_without_production_or_with_bad_files_exits_non_zero(ws, tmp_path: Path):
    folder, env = ws
    [good] = drawings(tmp_path / "layouts", 1)
    unregistered = invoke("deliver", str(good), "--vendor", "x", "--out", str(tmp_path / "o1"), "-w", folder, env=env)
    assert unregistered.exit_code == 1 and "--production" in unregistered.stderr
    corrupt = bad_files(tmp_path / "bad", good)["corrupt"]
    mixed = invoke(
        "deliver", str(good), str(corrupt), "--vendor", "x", "--out", str(tmp_path / "o2"),
        "--production", "P", "--json", "-w", folder, env=env,
    )  # fmt: skip
    assert mixed.exit_code == 1
    summary = json.loads(mixed.stdout)
    assert len(summary["copies"]) == 1 and [f["file"] for f in summary["failed"]] == [str(corrupt)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a"]))
def test_load_image_never_raises_anything_but_an_input_error(data, prefix):
    from celtrace.errors import InputError

    try:
        load_image(prefix + data, "found.png")
    except InputError as error:
        assert error.file == "found.png"
