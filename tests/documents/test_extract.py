"""Text out of instruction documents: every format built for real in tmp_path, then a hostile corpus."""

from __future__ import annotations

import io
import random
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.documents import origin
from celtrace.documents.extract import Extracted, Limits, Segment, extract
from celtrace.documents.segments import TRUNCATION_MARKER
from celtrace.errors import InputError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>편집지시</dc:title><dc:creator>김철</dc:creator><cp:lastModifiedBy>리영호</cp:lastModifiedBy>
<dc:language>ko-KP</dc:language>
<dcterms:created xsi:type="dcterms:W3CDTF">2024-02-14T01:30:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2024-02-15T09:00:00+09:00</dcterms:modified>
</cp:coreProperties>"""
APP = """<?xml version="1.0" encoding="UTF-8"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>Microsoft Office Word</Application><AppVersion>16.0000</AppVersion></Properties>"""


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return path


def _rels(*targets: tuple[str, str, str]) -> str:
    rows = "".join(f'<Relationship Id="{i}" Type="{R}/{t}" Target="{target}"/>' for i, t, target in targets)
    return f'<Relationships xmlns="{PR}">{rows}</Relationships>'


def _docx(path: Path, body: str, extra: dict[str, str | bytes] | None = None) -> Path:
    document = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": "<Types/>",
        "word/document.xml": document,
        "docProps/core.xml": CORE,
        "docProps/app.xml": APP,
    }
    return _zip(path, {**members, **(extra or {})})


def _para(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs) + "</w:p>"


def _pdf(pages: list[str], info: bytes = b"", encrypt: bool = False) -> bytes:
    """A minimal PDF whose text layer PDFium reads (Helvetica, one line a page), with correct offsets."""
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()]
    for i, text in enumerate(pages):
        resources = f"/Resources << /Font << /F1 {font} 0 R >> >>"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents {4 + 2 * i} 0 R {resources} >>".encode()
        )
        stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode() if text else b""
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    trailer = b""
    if info:
        objects.append(info)
        trailer += b" /Info %d 0 R" % len(objects)
    if encrypt:
        # A standard security handler whose /U does not match the empty password: PDFium asks for one.
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
        file_id = b"<0123456789abcdef0123456789abcdef>"
        trailer += b" /Encrypt %d 0 R /ID [%s %s]" % (len(objects), file_id, file_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(objects) + 1) + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _where(extracted: Extracted) -> list[tuple[str, str]]:
    return [(segment.where, segment.text) for segment in extracted.segments]


# --- plain text --------------------------------------------------------------------------------------------

KOREAN = "머리를 10% 작게 하시오.\n\n다음 장면은 래일까지 완성하여야 한다.\n"
CHINESE_SIMPLIFIED = "头部缩小百分之十。\n下一个镜头明天之前完成。\n"
CHINESE_TRADITIONAL = "頭部縮小百分之十。\n下一個鏡頭明天之前完成。\n"


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (KOREAN, "utf-8", "utf-8"),
        (KOREAN, "utf-8-sig", "utf-8 (BOM)"),
        (KOREAN, "utf-16", "utf-16-le (BOM)"),
        (KOREAN + CHINESE_SIMPLIFIED, "utf-16-le", "utf-16-le"),
        (KOREAN, "euc-kr", "cp949"),
        (CHINESE_SIMPLIFIED, "gb18030", "gb18030"),
        (CHINESE_TRADITIONAL, "big5", "big5"),
    ],
)
def test_text_in_common_encodings(tmp_path: Path, text: str, encoding: str, detected: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(text.encode(encoding))
    extracted = extract(path)
    lines = [line for line in text.splitlines() if line]
    assert [segment.text for segment in extracted.segments] == lines
    assert extracted.kind == "text"
    assert extracted.metadata["encoding"] == detected


def test_text_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(KOREAN, encoding="utf-8")
    assert _where(extract(path)) == [
        ("line 1", "머리를 10% 작게 하시오."),
        ("line 3", "다음 장면은 래일까지 완성하여야 한다."),
    ]


# --- Office ------------------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_comments_and_properties(tmp_path: Path) -> None:
    table = f"<w:tbl><w:tr><w:tc>{_para('표 안의 지시')}</w:tc></w:tr></w:tbl>"
    comments = f'<w:comments xmlns:w="{W}"><w:comment w:id="7">{_para("다시 그리시오")}</w:comment></w:comments>'
    body = _para("주체113(2024)년 ", "2월 14일") + "<w:p/>" + table + _para("头部缩小")
    path = _docx(
        tmp_path / "sheet.docx",
        body,
        {"word/_rels/document.xml.rels": _rels(("c1", "comments", "comments.xml")), "word/comments.xml": comments},
    )
    extracted = extract(path)
    assert extracted.kind == "docx"
    assert _where(extracted) == [
        ("paragraph 1", "주체113(2024)년 2월 14일"),
        ("paragraph 3", "표 안의 지시"),
        ("paragraph 4", "头部缩小"),
        ("comment 7", "다시 그리시오"),
    ]
    assert extracted.metadata == {
        "title": "편집지시",
        "author": "김철",
        "creator": "김철",
        "last_modified_by": "리영호",
        "language": "ko-KP",
        "created": "2024-02-14T01:30:00+00:00",
        "modified": "2024-02-15T09:00:00+09:00",
        "application": "Microsoft Office Word",
        "app_version": "16.0000",
        # Office writes its creation time in UTC; the local offset comes from the modification time.
        "utc_offset": "+09:00",
        "time_zone_hint": origin.zone_hint("+09:00"),
    }


def test_xlsx_cells_with_sheet_and_reference(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Notes"
    sheet["A1"] = "머리를 작게"
    sheet["B7"] = "头部缩小10%"
    sheet["C2"] = 42
    other = workbook.create_sheet("컷 목록")
    other["A3"] = "래일까지"
    workbook.properties.creator = "김철"
    path = tmp_path / "notes.xlsx"
    workbook.save(path)
    extracted = extract(path)
    assert extracted.kind == "xlsx"
    assert _where(extracted) == [
        ("sheet Notes!A1", "머리를 작게"),
        ("sheet Notes!C2", "42"),
        ("sheet Notes!B7", "头部缩小10%"),
        ("sheet 컷 목록!A3", "래일까지"),
    ]
    assert extracted.metadata["author"] == "김철"


def _xlsx(path: Path, cells: str, shared: str = "") -> Path:
    """A one-sheet workbook named S written by hand, with row 1 holding ``cells``."""
    workbook = (
        f'<workbook xmlns="{S}" xmlns:r="{R}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    sheet = f'<worksheet xmlns="{S}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'
    rels = _rels(("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "sharedStrings", "/xl/sharedStrings.xml"))
    members: dict[str, str | bytes] = {
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared:
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{S}">{shared}</sst>'
    return _zip(path, members)


def test_xlsx_inline_strings_and_rich_shared_strings(tmp_path: Path) -> None:
    shared = "<si><r><t>머리</t></r><r><t>를</t></r><rPh><t>ふりがな</t></rPh></si>"
    cells = '<c r="A1" t="inlineStr"><is><t>인라인</t></is></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>9</v></c>'
    assert _where(extract(_xlsx(tmp_path / "hand.xlsx", cells, shared))) == [
        ("sheet S!A1", "인라인"),
        ("sheet S!B1", "머리를"),
    ]


def test_xlsx_enormous_cell_is_truncated_within_limits(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "huge.xlsx", f'<c r="A1" t="inlineStr"><is><t>{"가나다" * 1_000_000}</t></is></c>')
    extracted = extract(path)
    assert len(extracted.segments[0].text) == Limits().max_segment_chars + len(TRUNCATION_MARKER)
    assert extracted.metadata["truncated"] == ["sheet S!A1"]


def test_pptx_slides_in_show_order_with_notes(tmp_path: Path) -> None:
    def slide(*texts: str) -> str:
        shapes = "".join(f"<p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>" for text in texts)
        return f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>'

    ids = '<p:sldId id="256" r:id="rId2"/><p:sldId id="257" r:id="rId1"/>'
    presentation = f'<p:presentation xmlns:p="{P}" xmlns:r="{R}"><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>'
    notes = f'<p:notes xmlns:p="{P}" xmlns:a="{A}"><p:txBody><a:p><a:r><a:t>메모</a:t></a:r></a:p></p:txBody></p:notes>'
    path = _zip(
        tmp_path / "deck.pptx",
        {
            "ppt/presentation.xml": presentation,
            "ppt/_rels/presentation.xml.rels": _rels(
                ("rId1", "slide", "slides/slide1.xml"), ("rId2", "slide", "slides/slide2.xml")
            ),
            "ppt/slides/slide1.xml": slide("둘째 장"),
            "ppt/slides/slide2.xml": slide("첫 장", "头部"),
            "ppt/slides/_rels/slide2.xml.rels": _rels(("n", "notesSlide", "../notesSlides/notesSlide1.xml")),
            "ppt/notesSlides/notesSlide1.xml": notes,
        },
    )
    assert _where(extract(path)) == [
        ("slide 1", "첫 장"),
        ("slide 1", "头部"),
        ("slide 1 notes", "메모"),
        ("slide 2", "둘째 장"),
    ]


def test_content_wins_over_suffix(tmp_path: Path) -> None:
    path = _docx(tmp_path / "really-a-docx.txt", _para("본문"))
    assert extract(path).kind == "docx"


# --- PDF, RTF, EML ------------------------------------------------------------------------------------------


def test_pdf_pages_and_document_information(tmp_path: Path) -> None:
    info = b"<< /Author (Kim) /Creator (Word) /Producer (Acrobat) /CreationDate (D:20240214103000+09'00') >>"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(_pdf(["Cut 12: head smaller", "", "Cut 13"], info=info))
    extracted = extract(path)
    assert extracted.kind == "pdf"
    assert _where(extracted) == [("page 1", "Cut 12: head smaller"), ("page 3", "Cut 13")]
    assert extracted.metadata == {
        "pages": 3,
        "author": "Kim",
        "creator": "Word",
        "producer": "Acrobat",
        "created": "2024-02-14T10:30:00+09:00",
        "fonts": ["Helvetica"],
        "utc_offset": "+09:00",
        "time_zone_hint": origin.zone_hint("+09:00"),
    }


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(["", ""]))
    extracted = extract(path)
    assert extracted.segments == []
    assert extracted.metadata["needs_ocr"] is True


def test_rtf_with_korean_code_page(tmp_path: Path) -> None:
    escaped = "".join(f"\\'{byte:02x}" for byte in "머리를 작게".encode("cp949"))
    path = tmp_path / "memo.rtf"
    path.write_bytes(f"{{\\rtf1\\ansi\\ansicpg949 {escaped}\\par Second line\\par}}".encode("ascii"))
    extracted = extract(path)
    assert extracted.kind == "rtf"
    assert _where(extracted) == [("paragraph 1", "머리를 작게"), ("paragraph 2", "Second line")]


def test_eml_headers_text_html_and_attachments(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "김철 <kim@example.kp>"
    message["To"] = "studio@example.cn"
    message["Subject"] = "편집 지시"
    message["Date"] = "Wed, 14 Feb 2024 10:30:00 +0900"
    message.set_content("머리를 작게\n\n래일까지")
    message.add_alternative("<html><body><p>头部缩小</p><script>x()</script></body></html>", subtype="html")
    message.add_attachment(b"PNGDATA", maintype="image", subtype="png", filename="cut12.png")
    path = tmp_path / "memo.eml"
    path.write_bytes(bytes(message))
    extracted = extract(path)
    assert extracted.kind == "eml"
    assert _where(extracted) == [
        ("subject", "편집 지시"),
        ("part 1 line 1", "머리를 작게"),
        ("part 1 line 3", "래일까지"),
        ("part 2 line 2", "头部缩小"),
    ]
    assert extracted.metadata["from"] == "김철 <kim@example.kp>"
    assert extracted.metadata["date"] == "2024-02-14T10:30:00+09:00"
    assert extracted.metadata["attachments"] == ["cut12.png"]


def test_eml_is_sniffed_without_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "memo"
    path.write_bytes(b"From: a@example.kp\nSubject: hello\n\nbody text\n")
    extracted = extract(path)
    assert extracted.kind == "eml"
    assert extracted.segments == [Segment("hello", "subject"), Segment("body text", "body line 1")]


# --- limits ------------------------------------------------------------------------------------------------


def test_long_cell_is_truncated_and_recorded(tmp_path: Path) -> None:
    path = _docx(tmp_path / "long.docx", _para("가" * 500))
    extracted = extract(path, Limits(max_segment_chars=100))
    assert extracted.segments[0].text == "가" * 100 + TRUNCATION_MARKER
    assert extracted.metadata["truncated"] == ["paragraph 1"]


def test_too_many_segments(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_text("line\n" * 50, encoding="utf-8")
    with pytest.raises(InputError, match="more than 10 text segments"):
        extract(path, Limits(max_segments=10))


def test_file_over_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 1000"):
        extract(path, Limits(max_file_bytes=1000))


def test_pdf_over_page_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf(["a", "b", "c"]))
    with pytest.raises(InputError, match="3 pages, over the limit of 2"):
        extract(path, Limits(max_pdf_pages=2))


# --- hostile corpus ----------------------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
    + f']><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
)


def _zip_bomb(path: Path) -> Path:
    # 32 MiB of zeros deflate to about 32 KiB.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (32 * 1024 * 1024))
    return path


def _lying_bomb(path: Path) -> Path:
    """A bomb whose headers declare 100 bytes: what is inflated is bounded by the declaration, then refused."""
    data = bytearray(_zip_bomb(path).read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.index(signature)
        data[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def _truncated(path: Path) -> Path:
    data = _docx(tmp := path.with_suffix(".full"), _para("본문")).read_bytes()
    tmp.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


def _enormous_cell(path: Path) -> Path:
    return _xlsx(path, f'<c r="A1" t="inlineStr"><is><t>{"가나다" * 1_000_000}</t></is></c>')


HOSTILE = {
    "zip bomb": (lambda d: _zip_bomb(d / "bomb.docx"), Limits(max_member_bytes=4 * 1024 * 1024), "declares 33554432"),
    "zip bomb lying about its size": (lambda d: _lying_bomb(d / "liar.docx"), Limits(), "corrupt or truncated"),
    "zip bomb total": (
        lambda d: _zip_bomb(d / "bomb.docx"),
        Limits(max_total_bytes=4 * 1024 * 1024),
        "in total",
    ),
    "truncated zip": (lambda d: _truncated(d / "cut.docx"), Limits(), "corrupt or truncated"),
    "billion laughs": (
        lambda d: _zip(d / "laughs.docx", {"word/document.xml": _BILLION_LAUGHS}),
        Limits(),
        "word/document.xml refused",
    ),
    "encrypted office": (
        lambda d: _write(d / "locked.docx", _OLE + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64),
        Limits(),
        "encrypted",
    ),
    "legacy office": (lambda d: _write(d / "old.doc", _OLE + b"\0" * 1024), Limits(), "legacy binary Office"),
    "encrypted pdf": (lambda d: _write(d / "locked.pdf", _pdf(["secret"], encrypt=True)), Limits(), "encrypted"),
    "random bytes": (lambda d: _write(d / "noise.bin", random.Random(7).randbytes(4096)), Limits(), "not a text"),
    "broken png": (lambda d: _write(d / "cut.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100), Limits(), "cannot decode"),
    "empty": (lambda d: _write(d / "empty.txt", b""), Limits(), "empty file"),
    "pdf suffix, no pdf": (lambda d: _write(d / "fake.pdf", b"\x00\x01garbage"), Limits(), "not a PDF"),
    "plain zip": (lambda d: _zip(d / "photos.zip", {"a.txt": "x"}), Limits(), "not a DOCX, XLSX or PPTX"),
    "enormous cell": (
        lambda d: _enormous_cell(d / "huge.xlsx"),
        Limits(max_member_bytes=1024 * 1024),
        "xl/worksheets/sheet1.xml declares 9000173 bytes",
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_the_file_named(tmp_path: Path, case: str) -> None:
    build, limits, expected = HOSTILE[case]
    path = build(tmp_path)
    with pytest.raises(InputError, match=expected) as raised:
        extract(path, limits)
    assert raised.value.file == str(path)
    assert str(path) in str(raised.value)


def test_hostile_corpus_on_disk() -> None:
    """Files kept in tests/documents/hostile/ (found in the wild or crafted) are refused, never crash."""
    folder = Path(__file__).parent / "hostile"
    for path in sorted(folder.iterdir()):
        if path.name.startswith("README"):
            continue
        with pytest.raises(InputError) as raised:
            extract(path, Limits(max_member_bytes=1024 * 1024, max_total_bytes=4 * 1024 * 1024))
        assert raised.value.file == str(path)


# --- property: any bytes give a result or an InputError ------------------------------------------------------

_PREFIXES = [b"", b"PK\x03\x04", _OLE, b"%PDF-1.4\n", b"{\\rtf1 ", b"From: a@b\nSubject: s\n\n", b"\xff\xfe"]


def _valid_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{_para("본문")}</w:body></w:document>'
        )
        archive.writestr("docProps/core.xml", CORE)
    return buffer.getvalue()


def _mutated(data: bytes) -> st.SearchStrategy[bytes]:
    def apply(edits: list[tuple[int, int]], cut: int) -> bytes:
        out = bytearray(data[: max(cut, 1)])
        for position, value in edits:
            out[position % len(out)] = value
        return bytes(out)

    pairs = st.tuples(st.integers(0, len(data)), st.integers(0, 255))
    return st.builds(apply, st.lists(pairs, max_size=8), st.integers(1, len(data)))


_DOCUMENTS = st.one_of(
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(_PREFIXES), st.binary(max_size=2048)),
    _mutated(_valid_docx()),
    _mutated(_pdf(["Cut 12"])),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_DOCUMENTS, suffix=st.sampled_from([".txt", ".docx", ".pdf", ".eml", ""]))
def test_any_bytes_give_a_result_or_an_input_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            extracted = extract(path)
        except InputError as error:
            assert error.file == str(path)
        else:
            assert all(segment.text.strip() and segment.where for segment in extracted.segments)
