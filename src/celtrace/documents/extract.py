"""Text out of instruction documents, each piece with its place in the file.

``extract(path)`` reads plain text (any common encoding), DOCX, XLSX, PPTX, HWP 5, HWPX, PDF, RTF and EML.
The format is sniffed from the content first and the suffix second: a sheet saved as ``notes.txt`` that is
really a workbook is read as the workbook, and a suffix only decides between formats the bytes cannot tell
apart (an email is text) or names what a broken file was meant to be. Every failure is one ``InputError`` naming the
file, and the part where known: encrypted, corrupt, truncated, unsupported, or over one of ``Limits``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from celtrace.documents import hwp, hwpx, mail, ocr, office, pdf_text, text
from celtrace.documents.package import Package
from celtrace.documents.segments import Collector, Extracted, Limits, Segment
from celtrace.errors import InputError

__all__ = ["Extracted", "Limits", "Segment", "extract"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream an encrypted DOCX/XLSX/PPTX is kept in inside its OLE wrapper; directory names are UTF-16LE.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
#: An HWP 5 file is an OLE file with a FileHeader stream holding the signature; both are in the bytes in clear.
_HWP_HEADER = "FileHeader".encode("utf-16-le")

#: Binary formats people hand over by mistake, named so the error says what the file is.
#: Images: their text is read by OCR.
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
_NOT_DOCUMENTS = {
    b"7z\xbc\xaf\x27\x1c": "a 7z archive",
    b"\x1f\x8b": "a gzip file",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "an executable",
    b"MZ": "a Windows executable",
}

#: The main part of each Office format, which the package must hold.
_OFFICE: dict[str, tuple[str, Callable[[Package, Collector], None]]] = {
    "docx": ("word/document.xml", office.read_docx),
    "xlsx": ("xl/workbook.xml", office.read_xlsx),
    "pptx": ("ppt/presentation.xml", office.read_pptx),
}
_SUFFIXES = {
    ".docx": "docx",
    ".docm": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".pptx": "pptx",
    ".pdf": "pdf",
    ".hwp": "hwp",
    ".hwpx": "hwpx",
}

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_MAIL_HEADERS = {b"from", b"to", b"date", b"subject", b"message-id", b"mime-version", b"received", b"return-path"}


def extract(path: Path, limits: Limits = Limits()) -> Extracted:  # noqa: B008 (Limits is frozen)
    """The text of the document at ``path``, in reading order, each segment with its place, and the
    document's metadata (author, software, times in ISO 8601, title, language; the encoding of text).

    Raises ``InputError`` naming the file for an encrypted, corrupt, truncated, unsupported or over-limit
    file. Images, and the pages of a PDF without a text layer, are read by OCR (``documents.ocr``).
    """
    name = str(path)
    data = _read(path, name, limits)
    out = Collector(name, limits)
    kind = _sniff(data, path, name)
    if kind in _OFFICE:
        package = Package(data, name, limits)
        main, reader = _OFFICE[kind]
        if not package.has(main):
            raise InputError(f"not a {kind.upper()} package: {main} is missing", file=name)
        reader(package, out)
        metadata = package.properties()
    elif kind == "hwpx":
        metadata = hwpx.read_hwpx(Package(data, name, limits), out)
    elif kind == "hwp":
        metadata = hwp.read_hwp(data, out)
    elif kind == "pdf":
        metadata = pdf_text.read_pdf(data, out)
    elif kind == "image":
        metadata = ocr.read_image(data, out)
    elif kind == "rtf":
        metadata = text.read_rtf(data, out)
    elif kind == "eml":
        metadata = mail.read_eml(data, out)
    else:
        metadata = text.read_text(data, out)
    return out.result(kind, metadata)


def _read(path: Path, name: str, limits: Limits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(f"file is {size} bytes, over the limit of {limits.max_file_bytes}", file=name)
        with path.open("rb") as stream:
            # Read one byte past the size: a file that grew since stat() is still refused at the limit, and
            # the buffer asked for is the file's size, not the limit's.
            data = stream.read(size + 1)
            if len(data) > size:
                data += stream.read(limits.max_file_bytes - len(data) + 1)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", file=name) from error
    if len(data) > limits.max_file_bytes:
        raise InputError(f"file is over the limit of {limits.max_file_bytes} bytes", file=name)
    if not data.strip():
        raise InputError("empty file: no text", file=name)
    return data


def _sniff(data: bytes, path: Path, name: str) -> str:
    """The format, from the content where it says, else from the suffix."""
    suffix = path.suffix.lower()
    if data.startswith(_ZIP):
        return _office_kind(data, suffix, name)
    if data.startswith(_OLE):
        if _HWP_HEADER in data and hwp.SIGNATURE in data:
            return "hwp"
        if _ENCRYPTED_PACKAGE in data:
            raise InputError("encrypted: password-protected Office document (EncryptedPackage)", file=name)
        if suffix == ".hwp":
            return "hwp"  # the reader names what is wrong: a cut file loses its directory, kept at the end
        raise InputError("legacy binary Office format (.doc, .xls, .ppt) is not supported: save it as OOXML", file=name)
    if data.startswith(hwp.SIGNATURE):
        raise InputError("HWP 3 format is not supported: save it as HWP 5 or HWPX", file=name)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(_IMAGES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    for magic, what in _NOT_DOCUMENTS.items():
        if data.startswith(magic):
            raise InputError(f"not a document: {what}", file=name)
    expected = _SUFFIXES.get(suffix)
    if expected is not None:
        raise InputError(f"not a {expected.upper()} file: its content is not one (corrupt or truncated?)", file=name)
    if suffix == ".eml" or _looks_like_mail(data):
        return "eml"
    return "text"


def _office_kind(data: bytes, suffix: str, name: str) -> str:
    """DOCX, XLSX or PPTX, told by the main part the zip's directory lists, as Office itself does; HWPX by
    its mimetype member, stored first and uncompressed (as in EPUB), or its first section."""
    if hwpx.MIMETYPE in data[:128]:
        return "hwpx"
    # The central directory is at the end; member names are there in clear, so this is a cheap look.
    for kind, (main, _) in _OFFICE.items():
        if main.encode() in data:
            return kind
    if hwpx.FIRST_SECTION.encode() in data:
        return "hwpx"
    expected = _SUFFIXES.get(suffix)
    if expected in _OFFICE or expected == "hwpx":
        return expected  # Package() names what is wrong with it
    raise InputError("a zip archive, not a DOCX, XLSX or PPTX document", file=name)


def _looks_like_mail(data: bytes) -> bool:
    """Whether the file starts with an RFC 5322 header block naming at least two mail headers."""
    lines = data[:16384].splitlines()
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    seen: set[bytes] = set()
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's continuation
        if not _HEADER_LINE.match(line):
            return False
        seen.add(line.split(b":", 1)[0].lower())
    return len(seen & _MAIL_HEADERS) >= 2
