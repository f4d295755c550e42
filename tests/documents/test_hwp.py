"""HWP 5.0 and HWPX documents built for real in each test, then broken in every way a reader must survive.

No library writes OLE compound files (olefile only reads them), so ``_cfb`` below is a minimal writer of the
format, for the tests only: version 3, 512-byte sectors, streams under 4096 bytes in the mini stream, one
storage level, every directory entry black and chained through its right sibling (a valid, if unbalanced,
red-black tree).
"""

from __future__ import annotations

import json
import struct
import tempfile
import tracemalloc
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.documents.extract import Extracted, Limits, extract
from celtrace.documents.hwp import paragraph_text
from celtrace.errors import InputError

# --- a minimal compound file (CFB) writer ----------------------------------------------------------------

_SECTOR = 512
_MINI = 64
_CUTOFF = 4096
_FREE, _END, _FATSECT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name: str, kind: int, start: int = _END, size: int = 0, child: int = _NONE, right: int = _NONE) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NONE, right, child)
        + b"\0" * 36
        + struct.pack("<IQ", start, size)
    )


def _chain(first: int, count: int) -> list[int]:
    return [*range(first + 1, first + count), _END] if count else []


def _cfb(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file holding ``streams`` ("Name" or "Storage/Name"), readable by olefile and Hangul."""
    # Directory tree: the root's children, then each storage's children, each list chained by right siblings.
    children: dict[str, list[str]] = {"": []}
    for path in streams:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            parent, name = "/".join(parts[: depth - 1]), "/".join(parts[:depth])
            if name not in children.setdefault(parent, []):
                children[parent].append(name)
            if depth < len(parts):
                children.setdefault(name, [])
    order = ["", *[name for parent in children for name in children[parent]]]
    ids = {name: index for index, name in enumerate(order)}

    mini = bytearray()
    minifat: list[int] = []
    big = bytearray()
    fat: list[int] = []
    placed: dict[str, tuple[int, int]] = {}
    for path, data in streams.items():
        if len(data) < _CUTOFF:
            first, count = len(mini) // _MINI, -(-len(data) // _MINI)
            mini += data.ljust(count * _MINI, b"\0")
            minifat += _chain(first, count)
        else:
            first, count = len(big) // _SECTOR, -(-len(data) // _SECTOR)
            big += data.ljust(count * _SECTOR, b"\0")
            fat += _chain(first, count)
        placed[path] = (first if data else _END, len(data))

    mini_start, mini_count = len(fat), -(-len(mini) // _SECTOR)
    big += bytes(mini).ljust(mini_count * _SECTOR, b"\0")
    fat += _chain(mini_start, mini_count)
    minifat_bytes = b"".join(struct.pack("<I", n) for n in minifat)
    minifat_start, minifat_count = len(fat), -(-len(minifat_bytes) // _SECTOR)
    big += minifat_bytes.ljust(minifat_count * _SECTOR, b"\xff")
    fat += _chain(minifat_start, minifat_count)

    entries = []
    for name in order:
        kids = children.get(name)
        child = ids[kids[0]] if kids else _NONE
        siblings = children["/".join(name.split("/")[:-1])] if name else [""]
        at = siblings.index(name)
        right = ids[siblings[at + 1]] if name and at + 1 < len(siblings) else _NONE
        if not name:
            entries.append(_entry("Root Entry", 5, mini_start if mini else _END, len(mini), child))
        elif name in streams:
            start, size = placed[name]
            entries.append(_entry(name.split("/")[-1], 2, start, size, right=right))
        else:
            entries.append(_entry(name.split("/")[-1], 1, child=child, right=right))
    directory = b"".join(entries)
    directory = directory.ljust(-(-len(directory) // _SECTOR) * _SECTOR, b"\0")
    dir_start, dir_count = len(fat), len(directory) // _SECTOR
    # Unused directory slots must read as empty entries with no siblings.
    empty = _entry("", 0, 0, 0)
    directory = directory[: len(entries) * 128] + empty * (dir_count * 4 - len(entries))
    big += directory
    fat += _chain(dir_start, dir_count)

    fat_count = 1
    while (len(fat) + fat_count) > fat_count * 128:
        fat_count += 1
    fat_start = len(fat)
    fat += [_FATSECT] * fat_count
    fat += [_FREE] * (fat_count * 128 - len(fat))
    big += b"".join(struct.pack("<I", n) for n in fat)

    difat = [fat_start + i for i in range(fat_count)] + [_FREE] * (109 - fat_count)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_count,
            dir_start,
            0,
            _CUTOFF,
            minifat_start if minifat else _END,
            minifat_count,
            _END,
            0,
        )
        + b"".join(struct.pack("<I", n) for n in difat)
    )
    return header + bytes(big)


# --- HWP 5 records and files -----------------------------------------------------------------------------

PARA_HEADER, PARA_TEXT, CTRL_HEADER, LIST_HEADER = 66, 67, 71, 72
COMPRESSED, PASSWORD, DISTRIBUTION = 1, 2, 4


def _record(tag: int, level: int, payload: bytes) -> bytes:
    if len(payload) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload
    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def _inline(code: int, parameters: str = "") -> str:
    """An inline or extended control: its code, six WCHARs of parameters, its code again."""
    return chr(code) + parameters.ljust(6, "\0")[:6] + chr(code)


def _paragraph(text: str, level: int = 0, nested: bytes = b"") -> bytes:
    """A paragraph: header, text (with a paragraph end), char shape; ``nested`` records follow as its controls."""
    body = _record(PARA_HEADER, level, b"\0" * 22)
    if text:
        body += _record(PARA_TEXT, level + 1, (text + "\r").encode("utf-16-le"))
    return body + _record(0x10 + 52, level + 1, b"\0" * 8) + nested


def _table(*cells: str) -> bytes:
    """A table control with one paragraph a cell, nested under the paragraph that holds it."""
    records = _record(CTRL_HEADER, 1, b" lbt")
    for cell in cells:
        records += _record(LIST_HEADER, 2, b"\0" * 8) + _paragraph(cell, level=2)
    return records


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _lpwstr(value: str) -> bytes:
    encoded = struct.pack("<II", 31, len(value) + 1) + (value + "\0").encode("utf-16-le")
    return encoded.ljust(-(-len(encoded) // 4) * 4, b"\0")


def _filetime(moment: datetime) -> bytes:
    ticks = int((moment - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds()) * 10_000_000
    return struct.pack("<IQ", 64, ticks)


def _summary(properties: list[tuple[int, bytes]]) -> bytes:
    """A property set (MS-OLEPS) with one section, as Hangul writes ``\\x05HwpSummaryInformation``."""
    values = b""
    table = b""
    start = 8 + 8 * len(properties)
    for property_id, value in properties:
        table += struct.pack("<II", property_id, start + len(values))
        values += value
    section = struct.pack("<II", start + len(values), len(properties)) + table + values
    fmtid = bytes.fromhex("60b6a29f6110d411b4c6006097c09d8c")
    return (
        struct.pack("<HHI", 0xFFFE, 0, 0) + b"\0" * 16 + struct.pack("<I", 1) + fmtid + struct.pack("<I", 48) + section
    )


SUMMARY = _summary(
    [
        (2, _lpwstr("편집지시")),
        (4, _lpwstr("김철")),
        (8, _lpwstr("리영호")),
        (12, _filetime(datetime(2024, 2, 14, 1, 30, tzinfo=UTC))),
        (13, _filetime(datetime(2024, 2, 15, 0, 0, tzinfo=UTC))),
    ]
)


def _hwp(
    sections: list[bytes],
    flags: int = COMPRESSED,
    summary: bytes | None = SUMMARY,
    version: int = 0x05000300,
    raw: dict[str, bytes] | None = None,
) -> bytes:
    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", version, flags)
    streams = {"FileHeader": header.ljust(256, b"\0")}
    if summary is not None:
        streams["\x05HwpSummaryInformation"] = summary
    for number, section in enumerate(sections):
        streams[f"BodyText/Section{number}"] = _deflate(section) if flags & COMPRESSED else section
    return _cfb({**streams, **(raw or {})})


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _where(extracted: Extracted) -> list[tuple[str, str]]:
    return [(segment.where, segment.text) for segment in extracted.segments]


# A field around "래일까지" (inline control 3 and its end, 4) whose parameters are Hangul code units: read with
# the wrong width they would show up as text.
FIELD = _inline(3, "가나다라마바") + "래일까지" + _inline(4, "사아자차카타")
SECTION_0 = (
    _paragraph(f"주체113(2024)년 2월 14일{_inline(9, '1234')}편집지시")
    + _paragraph("")
    + _paragraph(f"머리를 10% 작게 하시오.\n{FIELD} 완성하여야 한다.")
    + _paragraph(_inline(11, " lbt") + "표 아래", nested=_table("头部缩小百分之十。", "眼睛再大一点"))
)
SECTION_1 = _paragraph("다음 장면은\x1e래일까지")


@pytest.mark.parametrize("flags", [COMPRESSED, 0], ids=["compressed", "stored"])
def test_hwp_paragraphs_with_their_section_and_number(tmp_path: Path, flags: int) -> None:
    extracted = extract(_write(tmp_path / "지시.hwp", _hwp([SECTION_0, SECTION_1], flags)))
    assert extracted.kind == "hwp"
    assert _where(extracted) == [
        ("section 1 paragraph 1", "주체113(2024)년 2월 14일\t편집지시"),
        ("section 1 paragraph 3", "머리를 10% 작게 하시오.\n래일까지 완성하여야 한다."),
        ("section 1 paragraph 4", "표 아래"),
        ("section 1 paragraph 5", "头部缩小百分之十。"),
        ("section 1 paragraph 6", "眼睛再大一点"),
        ("section 2 paragraph 1", "다음 장면은 래일까지"),
    ]
    assert extracted.metadata == {
        "title": "편집지시",
        "author": "김철",
        "creator": "김철",
        "last_modified_by": "리영호",
        "created": "2024-02-14T01:30:00+00:00",
        "modified": "2024-02-15T00:00:00+00:00",
        "hwp_version": "5.0.3.0",
    }


def test_hwp_is_sniffed_by_content_not_suffix(tmp_path: Path) -> None:
    extracted = extract(_write(tmp_path / "notes.doc", _hwp([SECTION_1], summary=None)))
    assert extracted.kind == "hwp" and extracted.metadata == {"hwp_version": "5.0.3.0"}


def test_control_characters_take_one_or_eight_code_units() -> None:
    text = "가" + _inline(2, "secd") + "나\r" + _inline(15, "XYZXYZ") + "다" + chr(24) + "라" + chr(0) + chr(31) + "마"
    assert paragraph_text(text.encode("utf-16-le")) == "가나다-라 마"


def test_a_surrogate_pair_and_a_lone_surrogate(tmp_path: Path) -> None:
    assert paragraph_text("𠀀字".encode("utf-16-le")) == "𠀀字"
    assert paragraph_text(struct.pack("<3H", 0xD800, 0x41, 0x42)) == "\ufffdAB"


def test_a_long_paragraph_uses_the_extended_record_size(tmp_path: Path) -> None:
    long = "래일까지 " * 2000
    extracted = extract(_write(tmp_path / "long.hwp", _hwp([_paragraph(long)])))
    assert _where(extracted) == [("section 1 paragraph 1", long.strip())]


def test_docs_inspect_reads_the_languages_of_an_hwp(tmp_path: Path) -> None:
    path = _write(tmp_path / "지시.hwp", _hwp([SECTION_0, SECTION_1]))
    result = CliRunner().invoke(app, ["docs", "inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["kind"] == "hwp" and [share["lang"] for share in found["languages"]] == ["ko", "zh"]
    [dated] = found["dates"]
    assert (dated["calendar"], dated["where"]) == ("juche", "section 1 paragraph 1")


def test_legacy_office_files_keep_their_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "old.doc", _cfb({"WordDocument": b"\0" * 5000, "1Table": b"\0" * 100}))
    with pytest.raises(InputError, match="legacy binary Office format"):
        extract(path)


# --- hostile HWP -----------------------------------------------------------------------------------------

_BOMB = _record(PARA_TEXT, 0, b"\0" * 0xFFF) * (2 * 1024 * 1024 // 0x1003 + 1)

HOSTILE_HWP = {
    "password": (_hwp([SECTION_1], COMPRESSED | PASSWORD), Limits(), "encrypted: password-protected HWP document"),
    "distribution": (_hwp([SECTION_1], COMPRESSED | DISTRIBUTION), Limits(), "encrypted: distribution"),
    "drm": (_hwp([SECTION_1], COMPRESSED | 16), Limits(), "encrypted: DRM-protected"),
    "hwp 3": (b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\0" * 200, Limits(), "HWP 3 format"),
    "version 4": (_hwp([SECTION_1], version=0x04000000), Limits(), "HWP version 4.0.0.0 is not supported"),
    "no sections": (_hwp([]), Limits(), "no BodyText sections"),
    "truncated record": (_hwp([SECTION_0, SECTION_1[:-5]]), Limits(), "section 2 is truncated: a record of"),
    "cut record header": (_hwp([SECTION_1 + b"\x43\x00"]), Limits(), "section 1 is truncated: a record header"),
    "cut long size": (_hwp([SECTION_1 + b"\x43\x00\xf0\xff\x01"]), Limits(), "section 1 is truncated: a record size"),
    "truncated deflate": (
        _hwp([], raw={"BodyText/Section0": _deflate(SECTION_0)[:-10]}),
        Limits(),
        "section 1 is truncated: its compressed data stops",
    ),
    "not deflate": (_hwp([], raw={"BodyText/Section0": b"\xff" * 64}), Limits(), "section 1 is corrupt"),
    "deflate bomb": (_hwp([_BOMB]), Limits(max_member_bytes=1024 * 1024), "section 1 inflates past 1048576 bytes"),
    "bombs in total": (
        _hwp([_BOMB, _BOMB, _BOMB]),
        Limits(max_member_bytes=4 * 1024 * 1024, max_total_bytes=5 * 1024 * 1024),
        "section 3 inflates past",
    ),
    "truncated file": (_hwp([SECTION_0 * 20], flags=0)[:6000], Limits(), "corrupt or truncated"),
}


@pytest.mark.parametrize("case", list(HOSTILE_HWP))
def test_hostile_hwp_is_refused_with_the_file_named(tmp_path: Path, case: str) -> None:
    data, limits, message = HOSTILE_HWP[case]
    path = _write(tmp_path / "bad.hwp", data)
    with pytest.raises(InputError, match=message) as raised:
        extract(path, limits)
    assert raised.value.file == str(path)


def test_a_deflate_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    """64 MiB of records from a 64 KiB stream: refused at the 1 MiB limit, never held whole in memory."""
    bomb = _record(PARA_TEXT, 0, b"\0" * 0xFFF) * (64 * 1024 * 1024 // 0x1003)
    path = _write(tmp_path / "bomb.hwp", _hwp([bomb]))
    del bomb
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="section 1 inflates past 1048576 bytes"):
            # A small file limit too: reading the file asks for a buffer of max_file_bytes, counted in the peak.
            extract(path, Limits(max_member_bytes=1024 * 1024, max_file_bytes=1024 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_a_damaged_summary_loses_the_metadata_not_the_text(tmp_path: Path) -> None:
    summary = SUMMARY[:60] + b"\xff" * 40 + SUMMARY[100:]
    extracted = extract(_write(tmp_path / "a.hwp", _hwp([SECTION_1], summary=summary)))
    assert [segment.text for segment in extracted.segments] == ["다음 장면은 래일까지"]


def _valid_hwp() -> bytes:
    return _hwp([SECTION_0, SECTION_1])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=4096), compressed=st.booleans())
def test_any_bytes_in_a_section_give_text_or_an_input_error(body: bytes, compressed: bool) -> None:
    stream = _deflate(body) if compressed else body
    data = _hwp([], flags=COMPRESSED if compressed else 0, raw={"BodyText/Section0": stream})
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "x.hwp", data)
        try:
            extracted = extract(path)
        except InputError as error:
            assert error.file == str(path)
        else:
            assert all(segment.where.startswith("section 1 paragraph ") for segment in extracted.segments)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8), cut=st.integers(1, 1 << 20))
def test_a_damaged_container_gives_text_or_an_input_error(edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_valid_hwp())
    data = data[: max(cut % (len(data) + 1), 1)]
    for position, value in edits:
        data[position % len(data)] = value
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "x.hwp", bytes(data))
        try:
            extract(path)
        except InputError as error:
            assert error.file == str(path)


# --- HWPX ------------------------------------------------------------------------------------------------

HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"
CONTENT_HPF = """<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<opf:package xmlns:opf="http://www.idpf.org/2007/opf/" xmlns:dc="http://purl.org/dc/elements/1.1/" version="">
<opf:metadata><opf:title>편집지시</opf:title><opf:language>ko</opf:language>
<opf:meta name="creator" content="text">김철</opf:meta><opf:meta name="lastsaveby" content="text">리영호</opf:meta>
<opf:meta name="CreatedDate" content="text">2024-02-14T01:30:00Z</opf:meta>
<opf:meta name="ModifiedDate" content="text">2024-02-15T09:00:00Z</opf:meta></opf:metadata>
<opf:manifest><opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>
<opf:item id="s1" href="Contents/section1.xml" media-type="application/xml"/>
<opf:item id="s0" href="Contents/section0.xml" media-type="application/xml"/></opf:manifest>
<opf:spine><opf:itemref idref="header"/><opf:itemref idref="s0"/><opf:itemref idref="s1"/></opf:spine>
</opf:package>"""


def _hp(*runs: str, inner: str = "") -> str:
    return "<hp:p>" + "".join(f"<hp:run><hp:t>{run}</hp:t></hp:run>" for run in runs) + inner + "</hp:p>"


def _section_xml(*paragraphs: str) -> str:
    return f'<?xml version="1.0"?><hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">{"".join(paragraphs)}</hs:sec>'


def _hwpx(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip", zipfile.ZIP_STORED)
        for name, body in members.items():
            archive.writestr(name, body, zipfile.ZIP_DEFLATED)
    return path


def test_hwpx_paragraphs_and_metadata(tmp_path: Path) -> None:
    table = (
        "<hp:run><hp:tbl><hp:tr><hp:tc><hp:subList>{}{}</hp:subList></hp:tc></hp:tr></hp:tbl>"
        "<hp:t>표 뒤</hp:t></hp:run>"
    )
    section0 = _section_xml(
        _hp("주체113(2024)년 ", "2월 14일<hp:tab/>편집지시"),
        "<hp:p/>",
        _hp("표 앞", inner=table.format(_hp("头部缩小百分之十。"), _hp("眼睛<hp:lineBreak/>再大一点"))),
    )
    section1 = _section_xml(_hp("다음 장면은<hp:nbSpace/>래일까지"))
    path = _hwpx(
        tmp_path / "지시.bin",
        {"Contents/content.hpf": CONTENT_HPF, "Contents/section1.xml": section1, "Contents/section0.xml": section0},
    )
    extracted = extract(path)
    assert extracted.kind == "hwpx"
    assert _where(extracted) == [
        ("section 1 paragraph 1", "주체113(2024)년 2월 14일\t편집지시"),
        ("section 1 paragraph 3", "표 앞표 뒤"),
        ("section 1 paragraph 4", "头部缩小百分之十。"),
        ("section 1 paragraph 5", "眼睛\n再大一点"),
        ("section 2 paragraph 1", "다음 장면은 래일까지"),
    ]
    assert extracted.metadata == {
        "title": "편집지시",
        "language": "ko",
        "author": "김철",
        "creator": "김철",
        "last_modified_by": "리영호",
        "created": "2024-02-14T01:30:00+00:00",
        "modified": "2024-02-15T09:00:00+00:00",
    }


def test_hwpx_without_content_hpf_reads_its_sections_in_number_order(tmp_path: Path) -> None:
    members = {f"Contents/section{n}.xml": _section_xml(_hp(f"장면 {n}")) for n in (1, 0)}
    extracted = extract(_hwpx(tmp_path / "a.hwpx", members))
    assert _where(extracted) == [("section 1 paragraph 1", "장면 0"), ("section 2 paragraph 1", "장면 1")]
    assert extracted.metadata == {}


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"Contents/content.hpf": CONTENT_HPF}, "not a HWPX package: Contents/section0.xml is missing"),
        (
            {"Contents/content.hpf": CONTENT_HPF, "Contents/section0.xml": _section_xml(_hp("x"))},
            "part Contents/section1.xml is missing",
        ),
        ({"Contents/section0.xml": "<hs:sec"}, "not well-formed XML"),
        (
            {"Contents/section0.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'},
            "part Contents/section0.xml refused",
        ),
    ],
    ids=["no section", "spine names a missing section", "broken xml", "entity"],
)
def test_hostile_hwpx_is_refused_with_the_file_named(tmp_path: Path, members: dict[str, str], message: str) -> None:
    path = _hwpx(tmp_path / "bad.hwpx", members)
    with pytest.raises(InputError, match=message) as raised:
        extract(path)
    assert raised.value.file == str(path)


def test_hwpx_suffix_on_a_plain_zip_names_the_missing_section(tmp_path: Path) -> None:
    path = tmp_path / "bad.hwpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(InputError, match="not a HWPX package"):
        extract(path)
