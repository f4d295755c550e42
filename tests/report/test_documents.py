"""The report's documents section: the documents DOC findings name, with their markers in their text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from celtrace.demo import instructions
from celtrace.documents.korean import marker_rules
from celtrace.report import build_report
from celtrace.report.documents import MAX_EXCERPTS, language_name
from celtrace.report.html import render_html
from celtrace.report.json_report import render_json, report_schema
from celtrace.workspace import Workspace
from tests.report.documents_case import XSS, scan_documents


@pytest.fixture
def report(workspace: Workspace, tmp_path: Path) -> dict[str, Any]:
    scan_documents(workspace, tmp_path / "dump")
    return build_report(workspace)


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {doc["item"]["path"].rsplit("/", 1)[-1]: doc for doc in report["documents"]}


def test_documents_of_doc_findings_only(report: dict[str, Any]) -> None:
    documents = _by_name(report)
    # The Seoul memo raises no finding, so the section leaves it out.
    assert set(documents) == {"修改意见_0214.xlsx", "hostile.txt"}
    sheet = documents["修改意见_0214.xlsx"]
    assert sheet["kind"] == "xlsx" and sheet["ocr"] is False and sheet["trove"] == "found-server"
    assert {f["rule"] for f in sheet["findings"]} == {"DOC.DPRK_KOREAN", "DOC.JUCHE_DATE"}
    assert [lang["name"] for lang in sheet["languages"]][:2] == ["Korean", "Chinese"]
    assert sheet["korean_variant"]["label"] == "dprk" and sheet["korean_variant"]["score"] > 0.5


def test_excerpts_hold_each_marker_in_its_cell(report: dict[str, Any]) -> None:
    sheet = _by_name(report)["修改意见_0214.xlsx"]
    excerpts = sheet["excerpts"]
    assert 0 < len(excerpts) <= MAX_EXCERPTS
    assert len({x["name"] for x in excerpts}) == len(excerpts)  # one excerpt per marker
    # Each marker sits in the text of the cell it names (the sheet's rows 3 to 6 hold the Korean in C).
    cells = {"sheet 修改意见!A1": instructions_title()} | {
        f"sheet 修改意见!C{row}": korean for row, (_, korean) in enumerate(instructions.NOTES, start=3)
    }
    for x in excerpts:
        shown = x["before"].removeprefix("…") + x["text"] + x["after"].removesuffix("…")
        assert shown in cells[x["where"]], x
    # Written rules come before what the classifier learned.
    written = {rule.kind for rule in marker_rules()}
    kinds = [x["kind"] not in written for x in excerpts]
    assert kinds == sorted(kinds)
    [date] = sheet["juche_dates"]
    assert date["date"] == "2024-02-14" and date["juche_year"] == 113 and date["where"] == "sheet 修改意见!A1"
    assert date["after"].startswith(" 편집지시")


def instructions_title() -> str:
    return "주체113(2024)년 2월 14일 편집지시 / 2024年2月14日 修改意见"


def test_json_report_carries_the_documents_and_validates(report: dict[str, Any]) -> None:
    data = json.loads(render_json(report))
    jsonschema.validate(data, report_schema())
    assert data["documents"] == report["documents"]


def test_html_marks_markers_with_their_name_and_escapes_the_text(report: dict[str, Any]) -> None:
    page = render_html(report)
    assert '<section id="documents">' in page and '<a href="#documents">Documents</a>' in page
    section = re.search(r'<section id="documents">.*?</section>', page, re.S)
    assert section
    html = section.group(0)
    first = _by_name(report)["修改意见_0214.xlsx"]["excerpts"][0]
    title = f"{first['name']} · {first['kind']} · weight {first['weight']:+.3f}"
    assert f'<mark class="marker" title="{title} (towards North Korean)">{first["text"]}</mark>' in html
    assert f'<td class="where">{first["where"]}</td>' in html and "North Korean" in html
    # The hostile note's markup is shown as text, in the excerpt and nowhere as a tag.
    assert XSS not in page and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Each DOC finding links to its document's excerpts.
    assert page.count("the document in its own words</a>") == sum(len(d["findings"]) for d in report["documents"])


def test_no_doc_finding_no_section(workspace: Workspace) -> None:
    report = build_report(workspace)
    assert report["documents"] == []
    assert '<section id="documents">' not in render_html(report)


def test_language_names() -> None:
    assert language_name("ko") == "Korean" and language_name("zh") == "Chinese"
    assert language_name("und") == "undetermined" and language_name("xx") == "xx"
