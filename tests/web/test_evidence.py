"""The evidence pages over real scans and imports: found documents and access logs whose text is hostile."""

from __future__ import annotations

from pathlib import Path

from celtrace.workspace import Workspace
from tests.report import access_case, documents_case
from tests.web.case import client


def test_document_text_with_script_is_shown_as_text(workspace: Workspace, tmp_path: Path) -> None:
    documents_case.scan_documents(workspace, tmp_path / "trove")
    page = client(workspace).get("/trove").text
    assert '<mark class="date">' in page  # the Juche date of the hostile note is highlighted
    assert documents_case.XSS not in page and "<b>굵게</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_access_page_over_an_imported_log_escapes_what_the_log_says(workspace: Workspace, tmp_path: Path) -> None:
    access_case.import_portal_log(workspace, tmp_path)
    from celtrace.detectors.runner import analyze

    analyze(workspace, only=["NET"])
    page = client(workspace).get("/access").text
    assert 'class="origin risky"' in page  # the DPRK's address space, on the map
    assert access_case.XSS not in page
