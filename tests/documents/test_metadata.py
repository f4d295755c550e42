"""Metadata that says where a file was made: EXIF, XMP and PNG text of images, fonts of PDF and Office files,
the UTC offset of their times. Every file is built for real in tmp_path."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import defusedxml
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from celtrace.documents import image_metadata, ocr, origin
from celtrace.documents.extract import extract
from celtrace.documents.fonts import decode_name

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"

XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
 xmp:CreatorTool="Adobe Photoshop 2024 (Windows)" xmp:CreateDate="2024-02-14T10:30:00+08:00"
 photoshop:City="Shenyang" exif:GPSLatitude="41,48.3N" exif:GPSLongitude="123,25.8E">
<dc:creator><rdf:Seq><rdf:li>王明</rdf:li></rdf:Seq></dc:creator>
<photoshop:Country>China</photoshop:Country>
<xmp:ModifyDate>2024-02-15T09:00:00+08:00</xmp:ModifyDate>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def _opened(data: bytes) -> dict[str, object]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return origin.add_hints(image_metadata.read(image, data))


def _exif_jpeg(offset: str = "+08:30", when: str = "2016:03:01 10:30:00") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "CanoScan LiDE 300"
    exif[0x0131] = "ScanGear 2.3"
    exif[0x013B] = "Kim Chol"
    exif[0x0132] = "2016:03:02 08:00:00"
    details = exif.get_ifd(0x8769)
    details[0x9003] = when
    details[0x9011] = offset
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 1.0, 30.0)
    gps[3], gps[4] = "E", (125.0, 45.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_exif_times_with_their_offset_and_gps() -> None:
    found = _opened(_exif_jpeg())
    assert found["make"] == "Canon" and found["model"] == "CanoScan LiDE 300"
    assert found["software"] == "ScanGear 2.3" and found["author"] == "Kim Chol"
    assert found["created"] == "2016-03-01T10:30:00+08:30"
    assert found["modified"] == "2016-03-02T08:00:00"  # DateTime had no OffsetTime: no zone invented
    assert found["gps"] == {"latitude": 39.025, "longitude": 125.75}
    assert found["utc_offset"] == "+08:30"
    hint = str(found["time_zone_hint"])
    assert hint.startswith("Pyongyang Time") and "in that period" in hint


def test_pyongyang_time_outside_its_years_is_said_so() -> None:
    found = _opened(_exif_jpeg(when="2024:02:14 10:30:00"))
    assert found["utc_offset"] == "+08:30" and "outside that period" in str(found["time_zone_hint"])


def test_other_offsets_are_named_from_the_data_file() -> None:
    assert "China" in str(origin.zone_hint("+08:00"))
    assert "Japan" in str(origin.zone_hint("+09:00")) and "Korea" in str(origin.zone_hint("+09:00"))
    assert origin.zone_hint("+05:45") is None


def test_xmp_packet_in_a_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "JPEG", xmp=XMP.encode())
    found = _opened(out.getvalue())
    assert found["software"] == "Adobe Photoshop 2024 (Windows)"
    assert found["author"] == "王明"
    assert found["city"] == "Shenyang" and found["country"] == "China"
    assert found["created"] == "2024-02-14T10:30:00+08:00"
    assert found["modified"] == "2024-02-15T09:00:00+08:00"
    assert found["gps"] == {"latitude": 41.805, "longitude": 123.43}
    assert found["utc_offset"] == "+08:00" and "China" in str(found["time_zone_hint"])


def test_xmp_found_in_the_bytes_of_a_gif() -> None:
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, "GIF")
    gif = out.getvalue()
    # XMP in GIF: an application extension "XMP DataXMP" whose sub-blocks are the packet's own bytes, closed
    # by a 258-byte "magic trailer" (XMP specification part 3), which Pillow does not read.
    trailer = bytes([1, *range(255, -1, -1), 0])
    data = gif[:-1] + b"!\xff\x0bXMP DataXMP" + XMP.encode() + trailer + b";"
    found = _opened(data)
    assert found["software"] == "Adobe Photoshop 2024 (Windows)"


def test_png_text_chunks() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "리영호")
    info.add_text("Software", "GIMP 2.10")
    info.add_text("Creation Time", "Wed, 14 Feb 2024 10:30:00 +0900")
    info.add_itxt("XML:com.adobe.xmp", XMP)
    out = io.BytesIO()
    Image.new("L", (20, 20), 255).save(out, "PNG", pnginfo=info)
    found = _opened(out.getvalue())
    assert found["author"] == "리영호" and found["software"] == "GIMP 2.10"  # PNG text before XMP
    assert found["created"] == "2024-02-14T10:30:00+09:00"
    assert found["city"] == "Shenyang"  # XMP fills what the chunks do not say
    assert found["utc_offset"] == "+09:00"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Tesseract")
def test_an_image_read_by_ocr_keeps_its_exif(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    path.write_bytes(_exif_jpeg())
    metadata = extract(path).metadata
    assert metadata["ocr"].startswith("tesseract") and metadata["utc_offset"] == "+08:30"
    assert metadata["make"] == "Canon"


# --- fonts ------------------------------------------------------------------------------------------------


def _pdf(info: bytes) -> bytes:
    """One page with a line in a subset DPRK font and a line in Helvetica, inside a form XObject."""
    form = b"BT /F2 12 Tf 20 60 Td (Cut 13) Tj ET"
    content = b"BT /F1 12 Tf 20 100 Td (Cut 12) Tj ET /X1 Do"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> /XObject << /X1 7 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+KPCheonRiMa-Medium >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 300 200] /Resources << /Font << /F2 6 0 R >> >>"
        b" /Length %d >>\nstream\n" % len(form) + form + b"\nendstream",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 8 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_fonts_and_creation_date_offset(tmp_path: Path) -> None:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(_pdf(b"<< /Producer (Acrobat) /CreationDate (D:20160214103000+08'30') >>"))
    extracted = extract(path)
    metadata = extracted.metadata
    assert [segment.text for segment in extracted.segments] == ["Cut 12\nCut 13"]
    assert metadata["fonts"] == ["Helvetica", "KPCheonRiMa-Medium"]  # the subset prefix is not the name
    assert metadata["dprk_fonts"] == [
        {"font": "KPCheonRiMa-Medium", "family": "KP CheonRiMa (천리마)", "confidence": "high"}
    ]
    assert metadata["created"] == "2016-02-14T10:30:00+08:30"
    assert metadata["utc_offset"] == "+08:30" and "Pyongyang" in metadata["time_zone_hint"]


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return path


CORE = """<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dcterms="http://purl.org/dc/terms/">
<dcterms:created>2017-02-14T01:30:00Z</dcterms:created><dcterms:modified>2017-02-14T10:00:00+08:30</dcterms:modified>
</cp:coreProperties>"""


def test_docx_font_table(tmp_path: Path) -> None:
    body = '<w:p><w:r><w:rPr><w:rFonts w:eastAsia="PRK P Gothic"/></w:rPr><w:t>지시</w:t></w:r></w:p>'
    fonts = (
        f'<w:fonts xmlns:w="{W}"><w:font w:name="KP CheonRiMa"><w:altName w:val="천리마"/></w:font>'
        '<w:font w:name="Calibri"/><w:font w:name="맑은 고딕"/></w:fonts>'
    )
    path = _zip(
        tmp_path / "note.docx",
        {
            "word/document.xml": f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
            "word/fontTable.xml": fonts,
            "docProps/core.xml": CORE,
        },
    )
    metadata = extract(path).metadata
    assert metadata["fonts"] == ["Calibri", "KP CheonRiMa", "PRK P Gothic", "맑은 고딕", "천리마"]
    assert [(found["font"], found["confidence"]) for found in metadata["dprk_fonts"]] == [
        ("KP CheonRiMa", "high"),
        ("PRK P Gothic", "medium"),
        ("천리마", "medium"),
    ]
    # created is in UTC, as Office always writes it; the local offset of the other time says more.
    assert metadata["utc_offset"] == "+08:30" and "in that period" in metadata["time_zone_hint"]


def test_xlsx_styles_and_pptx_theme_and_slide_fonts(tmp_path: Path) -> None:
    rel = f'<Relationship Id="rId1" Type="{R}/slide" Target="slides/slide1.xml"/>'
    styles = f'<styleSheet xmlns="{S}"><fonts><font><name val="KP CheongPong"/></font></fonts></styleSheet>'
    sheet = f'<workbook xmlns="{S}" xmlns:r="{R}"><sheets/></workbook>'
    xlsx = _zip(tmp_path / "book.xlsx", {"xl/workbook.xml": sheet, "xl/styles.xml": styles})
    assert extract(xlsx).metadata["fonts"] == ["KP CheongPong"]

    theme = (
        f'<a:theme xmlns:a="{A}"><a:themeElements><a:fontScheme><a:majorFont><a:latin typeface="Calibri Light"/>'
        '<a:ea typeface=""/><a:font script="Hang" typeface="맑은 고딕"/></a:majorFont></a:fontScheme>'
        "</a:themeElements></a:theme>"
    )
    slide = (
        f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r>'
        '<a:rPr><a:latin typeface="+mn-lt"/><a:ea typeface="KP KwangMyeong"/></a:rPr><a:t>장면 3</a:t>'
        "</a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
    )
    pptx = _zip(
        tmp_path / "deck.pptx",
        {
            "ppt/presentation.xml": f'<p:presentation xmlns:p="{P}" xmlns:r="{R}"><p:sldIdLst>'
            '<p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>',
            "ppt/_rels/presentation.xml.rels": f'<Relationships xmlns="{PR}">{rel}</Relationships>',
            "ppt/slides/slide1.xml": slide,
            "ppt/theme/theme1.xml": theme,
        },
    )
    metadata = extract(pptx).metadata
    # Theme references (+mn-lt) and the theme's per-script defaults are not fonts the author chose.
    assert metadata["fonts"] == ["Calibri Light", "KP KwangMyeong"]
    assert metadata["dprk_fonts"][0]["font"] == "KP KwangMyeong"


def test_a_broken_font_table_costs_nothing(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "note.docx",
        {
            "word/document.xml": f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>지시</w:t></w:r></w:p>'
            "</w:body></w:document>",
            "word/fontTable.xml": "<w:fonts><unclosed>",
        },
    )
    extracted = extract(path)
    assert [segment.text for segment in extracted.segments] == ["지시"] and "fonts" not in extracted.metadata


@pytest.mark.parametrize(
    ("name", "confidence"),
    [
        ("KP CheonRiMa", "high"),
        ("KCC-KP-CR_PyeonChe-Bold-KP-2011KPS", "high"),
        ("KPChongBong", "high"),
        ("PRKPGothic", "medium"),
        ("청봉체", "medium"),
        ("kpcholim", "medium"),
        ("KP Sample Sans", "low"),
        ("Calibri", None),
        ("KpRoman-Regular", None),  # Kp-Fonts, a LaTeX family: no separator after "Kp"
        ("광명시청체", None),
        ("Malgun Gothic", None),
    ],
)
def test_dprk_font_rules(name: str, confidence: str | None) -> None:
    found = origin.dprk_fonts([name])
    assert (found[0]["confidence"] if found else None) == confidence


def test_pdf_font_names_in_korean_and_chinese_code_pages() -> None:
    assert decode_name("천리마".encode("cp949")) == "천리마"
    assert decode_name("宋体".encode("gbk")) == "宋体"
    assert decode_name(b"Helvetica") == "Helvetica"


# --- hostile metadata -------------------------------------------------------------------------------------


def test_xmp_with_entities_is_refused_and_skipped() -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>'
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "JPEG", xmp=bomb)
    assert _opened(out.getvalue()) == {}
    with pytest.raises(defusedxml.EntitiesForbidden):  # what read() skips: the parser refuses, never expands
        image_metadata.xmp(bomb)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_in_an_xmp_packet_are_skipped(junk: bytes) -> None:
    data = b"GIF89a" + b"<x:xmpmeta " + junk + b"</x:xmpmeta>"
    with Image.open(io.BytesIO(_png(b""))) as image:
        found = image_metadata.read(image, data)
    assert isinstance(found, dict)


def _png(exif: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("L", (8, 8), 255).save(out, "PNG", exif=exif)
    return out.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([b"Exif\x00\x00II*\x00\x08\x00\x00\x00", b"Exif\x00\x00MM\x00*"]))
def test_any_bytes_in_exif_are_skipped(junk: bytes, header: bytes) -> None:
    data = _png(header + junk)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        ocr._upright(image)  # the orientation a hostile EXIF gives must not cost the text either
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        found = image_metadata.read(image, data)
    assert isinstance(origin.add_hints(found), dict)
