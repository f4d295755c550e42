"""``docs inspect``: an editing sheet with Chinese notes and North Korean translations, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.documents.inspect import inspect_document


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _sheet(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Notes"
    sheet["A1"] = "주체113(2024)년 2월 14일 편집지시"
    sheet["B2"], sheet["C2"] = "头部缩小10%", "머리를 10% 작게 하시오. 로동자들이 래일까지 완성하게 되였다."
    sheet["B3"], sheet["C3"] = "眼睛再大一点", "눈을 좀 더 크게 그릴수 있는것이 좋다."
    book.save(path)
    return path


def test_a_sheet_of_chinese_notes_with_north_korean_translations(tmp_path):
    found = inspect_document(_sheet(tmp_path / "notes.xlsx")).to_json()
    assert found["kind"] == "xlsx" and found["segments"] == 5
    assert [share["lang"] for share in found["languages"]] == ["ko", "zh"]
    variant = found["korean_variant"]
    assert variant["label"] == "dprk" and variant["score"] > 0.9
    places = {(marker["text"], marker["where"]) for marker in variant["markers"]}
    assert ("래일", "sheet Notes!C2") in places and ("되였", "sheet Notes!C2") in places
    [dated] = found["dates"]
    assert (dated["calendar"], dated["date"], dated["where"]) == ("juche", "2024-02-14", "sheet Notes!A1")


def test_a_south_korean_memo_in_euc_kr(tmp_path):
    memo = tmp_path / "memo.txt"
    memo.write_text("노동자들이 내일까지 완성하게 되었다.\n눈을 좀 더 크게 그릴 수 있는 것이 좋다.\n", encoding="cp949")
    found = inspect_document(memo).to_json()
    assert found["korean_variant"]["label"] == "rok" and found["metadata"]["encoding"] == "cp949"
    assert found["dates"] == []


def test_the_command_names_an_unreadable_file_and_inspects_the_rest(tmp_path):
    sheet = _sheet(tmp_path / "notes.xlsx")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = invoke("docs", "inspect", str(broken), str(sheet), "--json")
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(broken) and "error" in first
    assert second["file"] == str(sheet) and second["korean_variant"]["label"] == "dprk"
    text = invoke("docs", "inspect", str(sheet))
    assert text.exit_code == 0 and "Korean: dprk" in text.output and "2024-02-14 (sheet Notes!A1)" in text.output


def test_a_long_document_lists_a_few_of_each_marker(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("로동자들이 래일까지 완성하게 되였다.\n" * 400, encoding="utf-8")
    found = inspect_document(notes).to_json()["korean_variant"]
    assert found["label"] == "dprk"
    names = [marker["name"] for marker in found["markers"]]
    assert 0 < len(names) <= 40 and all(names.count(name) <= 3 for name in names)
    assert found["markers"][0]["where"].startswith("line ")
