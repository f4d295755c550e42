"""Which trove items are examined as documents, and the context each marker and date keeps."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from celtrace.documents.extract import Segment
from celtrace.trove.documents import CONTEXT_CHARS, add_context, is_document
from celtrace.trove.items import TroveItem
from celtrace.trove.manifest import scan_trove
from celtrace.workspace.schema import TroveDocument, TroveItemRow


def _item(name: str, kind: str) -> TroveItem:
    return TroveItem((name,), kind=kind, opener=lambda: Path(__file__).open("rb"))


def test_a_nameless_item_is_a_document_only_when_its_content_is_text() -> None:
    assert is_document(_item("README", "text"))
    assert not is_document(_item("blob", "unknown"))
    # A named note may be in EUC-KR, which the sniff cannot call text: its name vouches for it.
    assert is_document(_item("memo.txt", "unknown"))
    assert not is_document(_item("data.bin", "unknown"))


def test_a_nameless_binary_blob_records_no_document(workspace, tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "blob").write_bytes(bytes(range(256)) * 64)
    (root / "NOTES").write_text("로동자들은 래일까지 완성하게 되였다.\n", encoding="utf-8")
    scan_trove(workspace, root, "c")
    with workspace.session() as session:
        rows = session.execute(
            select(TroveItemRow.display_path, TroveDocument.error).join(
                TroveDocument, TroveDocument.item_id == TroveItemRow.id
            )
        ).all()
    assert rows == [("NOTES", None)]


def test_markers_and_dates_keep_the_text_around_them() -> None:
    long_cell = "가" * 40 + " 래일까지 고쳐야 한다 " + "나" * 40
    inspection = {
        "korean_variant": {
            "markers": [
                {"name": "initial-rae", "text": "래일", "where": "sheet S!C2"},
                {"name": "g", "text": "다 로", "where": "line 3"},  # an n-gram across punctuation
                {"name": "lost", "text": "없음", "where": "line 9"},
            ]
        },
        "dates": [{"text": "주체113년", "where": "line 3"}],
    }
    segments = [Segment(long_cell, "sheet S!C2"), Segment("주체113년 작업이 끝났다。로동", "line 3")]
    add_context(inspection, segments)
    rae, gram, lost = inspection["korean_variant"]["markers"]
    assert rae["context"]["text"] == "래일"
    assert rae["context"]["before"] == "…" + ("가" * 40 + " ")[-CONTEXT_CHARS:]
    assert rae["context"]["after"].startswith("까지 고쳐야 한다 나") and rae["context"]["after"].endswith("…")
    assert gram["context"] == {"before": "주체113년 작업이 끝났", "text": "다。로", "after": "동"}
    assert "context" not in lost  # not in its segment: nothing made up
    assert inspection["dates"][0]["context"] == {"before": "", "text": "주체113년", "after": " 작업이 끝났다。로동"}


def test_the_nth_listed_occurrence_gets_the_nth_place() -> None:
    inspection = {
        "korean_variant": {
            "markers": [
                {"name": "initial-ro", "text": "로동", "where": "line 1"},
                {"name": "initial-ro", "text": "로동", "where": "line 1"},
            ]
        },
        "dates": [],
    }
    add_context(inspection, [Segment("첫 로동 그리고 둘째 로동 끝", "line 1")])
    first, second = (marker["context"] for marker in inspection["korean_variant"]["markers"])
    assert first["before"] == "첫 " and second["before"] == "첫 로동 그리고 둘째 "


def test_hwp_and_hwpx_in_a_trove_are_examined(workspace, tmp_path: Path) -> None:
    from tests.documents.test_hwp import _hp, _hwp, _hwpx, _paragraph, _section_xml

    root = tmp_path / "dump"
    root.mkdir()
    (root / "지시.hwp").write_bytes(_hwp([_paragraph("로동자들은 래일까지 완성하게 되였다.")]))
    _hwpx(root / "지시.hwpx", {"Contents/section0.xml": _section_xml(_hp("주체113(2024)년 2월 14일 편집지시"))})
    (root / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # OLE, but not HWP
    scan_trove(workspace, root, "c")
    with workspace.session() as session:
        kinds = dict(session.execute(select(TroveItemRow.display_path, TroveItemRow.kind)).all())
        documents = {
            path: inspection
            for path, inspection in session.execute(
                select(TroveItemRow.display_path, TroveDocument.inspection).join(
                    TroveDocument, TroveDocument.item_id == TroveItemRow.id
                )
            ).all()
        }
    assert kinds["지시.hwp"] == "ole" and kinds["지시.hwpx"] == "hwpx" and kinds["old.doc"] == "ole"
    assert set(documents) == {"지시.hwp", "지시.hwpx"}  # the HWPX's own parts and the .doc are no documents
    assert any(marker["text"] == "래일" for marker in documents["지시.hwp"]["korean_variant"]["markers"])
    assert [date["date"] for date in documents["지시.hwpx"]["dates"]] == ["2024-02-14"]
