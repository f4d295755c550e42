"""Text of HWP 5.0 documents (Hancom Hangul's binary format), one segment a paragraph: ``section 1 paragraph 3``.

An HWP 5 file is an OLE compound file (read with olefile): a ``FileHeader`` stream with the signature and the
flags, the body in ``BodyText/Section0..N``, raw-deflate compressed when the header says so, and the summary
(title, author, times) in the ``\\x05HwpSummaryInformation`` property set.

The record reader is written here by hand, from Hancom's published format description: no maintained library
under a permissive licence parses HWP bodies (pyhwp is AGPL and unmaintained). It keeps to what text needs:
paragraph headers, paragraph text and the control characters inside it. Every stream is bounded by
``Limits`` as a zip member is (a deflate stream is inflated in steps and refused past the limit), and every
error in the container, the compression or the records becomes one ``InputError`` naming the file and the
section.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import olefile  # type: ignore[import-untyped]  # olefile ships no type information

from celtrace.documents.segments import Collector
from celtrace.errors import InputError

SIGNATURE = b"HWP Document File"
#: FileHeader flags (offset 36), and why each one stops the reading.
_COMPRESSED = 1 << 0
_LOCKED = {
    1 << 1: "encrypted: password-protected HWP document",
    # A distribution (배포용) document keeps its body encrypted in ViewText/, not in BodyText/.
    1 << 2: "encrypted: distribution (read-only) HWP document, its text is locked",
    1 << 4: "encrypted: DRM-protected HWP document",
    1 << 8: "encrypted: certificate-encrypted HWP document",
}
_SUMMARY = "\x05HwpSummaryInformation"
_SECTION = re.compile(r"Section(\d+)")

_PARA_HEADER = 0x10 + 50
_PARA_TEXT = 0x10 + 51
_LONG_SIZE = 0xFFF
#: Control characters below 32 that take one WCHAR ("char" controls); the others (inline and extended
#: controls: tabs, fields, tables, pictures...) take eight: the code, six WCHARs of parameters, the code again.
_CHAR_CONTROLS = frozenset({0, 10, 13, *range(24, 32)})
#: What a control character stands for in the text; the others (field marks, objects) are dropped.
_CONTROL_TEXT = {9: "\t", 10: "\n", 24: "-", 30: " ", 31: " "}

#: Property ids of the summary (the same as OLE's SummaryInformation) and the metadata key each goes to.
_PROPERTIES = {
    2: "title",
    3: "subject",
    4: "author",
    5: "keywords",
    8: "last_modified_by",
    11: "last_printed",
    12: "created",
    13: "modified",
}
_TIMES = frozenset({"created", "modified", "last_printed"})
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_VT_I2, _VT_LPSTR, _VT_LPWSTR, _VT_FILETIME = 2, 30, 31, 64

#: What olefile raises on a malformed container: it parses with struct and indexes lists as it goes.
_OLE_ERRORS = (
    OSError,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    struct.error,
    OverflowError,
    RecursionError,
    ZeroDivisionError,
)
_CHUNK = 1024 * 1024


def read_hwp(data: bytes, out: Collector) -> dict[str, Any]:
    """Add each paragraph of each BodyText section at ``section N paragraph M`` (both from 1, empty paragraphs
    counted, table cells and notes included in stream order); return the summary's metadata."""
    name = out.name
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except _OLE_ERRORS as error:
        raise InputError(f"corrupt or truncated HWP (OLE) file: {error}", file=name) from error
    with ole:
        _check_sizes(ole, len(data), name)
        header = _stream(ole, ["FileHeader"], len(data), name, "FileHeader")
        if header[:32].rstrip(b"\0") != SIGNATURE or len(header) < 40:
            raise InputError("not a HWP 5 document: its FileHeader has no HWP signature", file=name)
        version, flags = struct.unpack_from("<II", header, 32)
        if version >> 24 != 5:
            raise InputError(f"HWP version {_version(version)} is not supported (only 5.x)", file=name)
        for flag, message in _LOCKED.items():
            if flags & flag:
                raise InputError(message, file=name)
        sections = _sections(ole, name)
        inflated = 0
        for number, path in sections:
            where = f"section {number + 1}"
            raw = _stream(ole, path, len(data), name, where)
            body = _inflate(raw, out, where, out.limits.max_total_bytes - inflated) if flags & _COMPRESSED else raw
            inflated += len(body)
            _read_section(body, out, where)
        metadata = _summary(ole, len(data), name)
    metadata["hwp_version"] = _version(version)
    return metadata


def _check_sizes(ole: Any, file_size: int, name: str) -> None:
    """Refuse streams declaring more bytes than the file holds: olefile reads a whole stream at once, and a
    looping sector chain would otherwise give it gigabytes to read from a small file."""
    try:
        root_size = int(ole.root.size)
    except _OLE_ERRORS as error:
        raise InputError(f"corrupt HWP (OLE) file: {error}", file=name) from error
    if root_size > file_size:
        raise InputError(f"corrupt HWP (OLE) file: its mini stream declares {root_size} bytes", file=name)


def _stream(ole: Any, path: list[str], file_size: int, name: str, where: str) -> bytes:
    try:
        if not ole.exists("/".join(path)):
            raise InputError(f"not a HWP 5 document: {'/'.join(path)} is missing", file=name)
        size = int(ole.get_size("/".join(path)))
        if size > file_size:
            raise InputError(f"{where} declares {size} bytes, more than the file holds (corrupt)", file=name)
        stream: bytes = ole.openstream(path).read()
    except _OLE_ERRORS as error:
        raise InputError(f"{where} is corrupt or truncated: {error}", file=name) from error
    return stream


def _sections(ole: Any, name: str) -> list[tuple[int, list[str]]]:
    """The BodyText sections in their numbered order."""
    try:
        entries: list[list[str]] = ole.listdir()
    except _OLE_ERRORS as error:
        raise InputError(f"corrupt HWP (OLE) directory: {error}", file=name) from error
    found = []
    for entry in entries:
        match = _SECTION.fullmatch(entry[-1]) if len(entry) == 2 and entry[0] == "BodyText" else None
        if match:
            found.append((int(match.group(1)), entry))
    if not found:
        raise InputError("not a HWP 5 document: it has no BodyText sections", file=name)
    return sorted(found)


def _inflate(raw: bytes, out: Collector, where: str, total_room: int) -> bytes:
    """``raw`` inflated as raw deflate, in steps, refused past the member limit or the room left in the total."""
    cap = min(out.limits.max_member_bytes, total_room)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    chunks: list[bytes] = []
    size = 0
    pending = raw
    try:
        while not inflater.eof:
            before = len(pending)
            # Asking for one byte past the cap is what tells a bomb from a stream that fits exactly.
            chunk = inflater.decompress(pending, min(cap - size + 1, _CHUNK))
            size += len(chunk)
            if size > cap:
                raise InputError(f"{where} inflates past {cap} bytes (deflate bomb?)", file=out.name)
            chunks.append(chunk)
            pending = inflater.unconsumed_tail
            if not chunk and len(pending) == before:
                break  # no input left and no output: the stream stops before its end
    except zlib.error as error:
        raise InputError(
            f"{where} is corrupt: its compressed data does not inflate ({error})", file=out.name
        ) from error
    if not inflater.eof:
        raise InputError(f"{where} is truncated: its compressed data stops before its end", file=out.name)
    return b"".join(chunks)


def _read_section(body: bytes, out: Collector, where: str) -> None:
    """Walk the records of one section; each paragraph header starts a paragraph, whose text record follows."""
    paragraph = 0
    has_text = False
    position = 0
    while position < len(body):
        if position + 4 > len(body):
            raise InputError(f"{where} is truncated: a record header is cut at byte {position}", file=out.name)
        (header,) = struct.unpack_from("<I", body, position)
        tag, size = header & 0x3FF, header >> 20
        position += 4
        if size == _LONG_SIZE:
            if position + 4 > len(body):
                raise InputError(f"{where} is truncated: a record size is cut at byte {position}", file=out.name)
            (size,) = struct.unpack_from("<I", body, position)
            position += 4
        if position + size > len(body):
            raise InputError(
                f"{where} is truncated: a record of {size} bytes at byte {position} runs past its end", file=out.name
            )
        if tag == _PARA_HEADER:
            paragraph += 1
            has_text = False
        elif tag == _PARA_TEXT:
            if has_text or paragraph == 0:
                paragraph += 1  # a text record with no header of its own is a paragraph still
            has_text = True
            out.add(paragraph_text(body[position : position + size]), f"{where} paragraph {paragraph}")
        position += size


def paragraph_text(record: bytes) -> str:
    """The text of a PARA_TEXT record (UTF-16LE), control characters dropped or written as what they stand for."""
    count = len(record) // 2
    units = struct.unpack_from(f"<{count}H", record)
    parts: list[str] = []
    run: list[int] = []
    index = 0
    while index < count:
        unit = units[index]
        if unit >= 32:
            run.append(unit)
            index += 1
            continue
        if run:
            parts.append(_decode(run))
            run = []
        parts.append(_CONTROL_TEXT.get(unit, ""))
        index += 1 if unit in _CHAR_CONTROLS else 8
    if run:
        parts.append(_decode(run))
    return "".join(parts)


def _decode(units: list[int]) -> str:
    # Surrogate pairs join here; a lone surrogate (a damaged file) becomes U+FFFD, not an error.
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", errors="replace")


def _summary(ole: Any, file_size: int, name: str) -> dict[str, Any]:
    """Title, author, last saver and times (ISO 8601, UTC) from the summary property set.

    The property set is parsed here, not by olefile's ``getproperties``: olefile 0.47 misreads the length of
    every UTF-16 string (decalage2/olefile#165, the very type HWP writes) and loops on a hostile vector count
    (#162). A damaged summary loses the metadata, not the text.
    """
    try:
        if not ole.exists(_SUMMARY):
            return {}
    except _OLE_ERRORS:
        return {}
    try:
        stream = _stream(ole, [_SUMMARY], file_size, name, "summary")
    except InputError:
        return {}
    metadata: dict[str, Any] = {}
    for property_id, value in property_set(stream).items():
        key = _PROPERTIES.get(property_id)
        if key is None:
            continue
        if key in _TIMES:
            text = _filetime(value) if isinstance(value, int) else None
        else:
            text = value.strip() if isinstance(value, str) else None
        if text:
            metadata[key] = text
    if "author" in metadata:
        metadata["creator"] = metadata["author"]  # as the OOXML reader: both names are asked for
    return metadata


def property_set(stream: bytes) -> dict[int, str | int]:
    """The string and time properties of the first section of an OLE property set ([MS-OLEPS] 2.21): id to a
    ``str`` (VT_LPSTR, VT_LPWSTR) or an ``int`` of FILETIME ticks; other types and damaged entries are left out."""
    found: dict[int, str | int] = {}
    try:
        (section,) = struct.unpack_from("<I", stream, 44)
        size, count = struct.unpack_from("<II", stream, section)
    except struct.error:
        return found
    body = stream[section : section + size]
    # A count is not trusted: the entries must fit in the section.
    entries = [struct.unpack_from("<II", body, 8 + 8 * i) for i in range(min(count, (len(body) - 8) // 8))]
    offsets = dict(entries)
    codepage = _codepage(body, offsets.get(1))
    for property_id, offset in entries:
        try:
            (kind,) = struct.unpack_from("<H", body, offset)
            if kind == _VT_LPWSTR:
                (length,) = struct.unpack_from("<I", body, offset + 4)
                raw = body[offset + 8 : offset + 8 + 2 * length]
                found[property_id] = raw.decode("utf-16-le", errors="replace").split("\0", 1)[0]
            elif kind == _VT_LPSTR:
                (length,) = struct.unpack_from("<I", body, offset + 4)
                raw = body[offset + 8 : offset + 8 + length]
                found[property_id] = raw.split(b"\0", 1)[0].decode(codepage, errors="replace")
            elif kind == _VT_FILETIME:
                (found[property_id],) = struct.unpack_from("<Q", body, offset + 4)
        except struct.error:
            continue
    return found


def _codepage(body: bytes, offset: int | None) -> str:
    """The codec of the set's 8-bit strings (property 1); Hangul writes Korean (cp949) when it names none."""
    if offset is not None:
        try:
            kind, number = struct.unpack_from("<HxxH", body, offset)
        except struct.error:
            return "cp949"
        if kind == _VT_I2 and number == 65001:
            return "utf-8"
        if kind == _VT_I2:
            try:
                return codecs.lookup(f"cp{number}").name
            except LookupError:
                pass
    return "cp949"


def _filetime(ticks: int) -> str | None:
    """100 ns ticks since 1601 (UTC) as ISO 8601; zero means never (a document not yet printed)."""
    if ticks <= 0:
        return None
    try:
        return (_FILETIME_EPOCH + timedelta(microseconds=ticks // 10)).isoformat()
    except OverflowError:
        return None


def _version(version: int) -> str:
    return ".".join(str(version >> shift & 0xFF) for shift in (24, 16, 8, 0))
