"""The record the trove walk yields for each item, and the magic-byte sniffer that types it.

A path is a tuple of segments: folder names end in ``/``, and a segment without ``/`` that is not the last one
is an archive the walk opened, e.g. ``("dump.zip", "ep104/", "keys.tar.gz", "cut012.png")``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import IO

#: How many leading bytes the sniffer needs: tar's "ustar" sits at offset 257.
HEAD_BYTES = 4096


class Status(StrEnum):
    """Whether an item was read; anything but ``OK`` comes with a message saying why not."""

    OK = "ok"
    UNSAFE_PATH = "unsafe-path"
    SYMLINK = "symlink"
    SPECIAL = "special-file"
    TOO_DEEP = "too-deep"
    BOMB = "bomb"
    TOO_LARGE = "too-large"
    CORRUPT = "corrupt"
    TRUNCATED = "truncated"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class TroveItem:
    """One file, archive member or refused entry of a trove, as the walk found it."""

    path: tuple[str, ...]
    status: Status = Status.OK
    message: str = ""
    size: int | None = None
    sha256: str | None = None
    kind: str | None = None
    extension_lies: bool = False
    taken_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Opens a fresh stream of the item's bytes, valid only while the walk stands on this item: how
    #: images reach matching and documents their readers without the walk knowing either.
    opener: Callable[[], IO[bytes]] | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the item was read in full."""
        return self.status is Status.OK

    @property
    def display_path(self) -> str:
        """The path as one printable line; undecodable name bytes are shown as ``\\xNN``."""
        joined = " > ".join(self.path).replace("/ > ", "/")
        return joined.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# (offset, magic, kind): checked in order, so longer or more specific signatures come first.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"8BPS", "psd"),
    (0, b"%PDF-", "pdf"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # HWP 5, and old Word, Excel and PowerPoint
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),  # an empty zip is only its end record
    (0, b"\x1f\x8b", "gzip"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (257, b"ustar", "tar"),
    (0, b"BM", "bmp"),
)

#: Top-level atoms a QuickTime movie may start with when it predates the ``ftyp`` box (older Apple tools).
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"pnot"})

#: Office documents: zip packages the walk walks into, and documents the document readers read.
OFFICE_KINDS = frozenset({"xlsx", "docx", "pptx", "hwpx"})
#: Kinds the walk opens and walks into.
ARCHIVE_KINDS = frozenset({"zip", "gzip", "bzip2", "xz", "7z", "tar", *OFFICE_KINDS})

#: What each extension promises; an extension not listed promises nothing.
_EXPECTED: dict[str, frozenset[str]] = {
    ext: frozenset(kinds)
    for exts, kinds in (
        ((".png",), ("png",)),
        ((".jpg", ".jpeg", ".jfif"), ("jpeg",)),
        ((".gif",), ("gif",)),
        ((".tif", ".tiff"), ("tiff",)),
        ((".bmp",), ("bmp",)),
        ((".webp",), ("webp",)),
        ((".psd",), ("psd",)),
        ((".pdf",), ("pdf",)),
        ((".zip",), ("zip", "xlsx", "docx", "pptx", "hwpx")),
        ((".gz", ".tgz"), ("gzip",)),
        ((".bz2", ".tbz2", ".tbz"), ("bzip2",)),
        ((".xz", ".txz"), ("xz",)),
        ((".7z",), ("7z",)),
        ((".tar",), ("tar",)),
        ((".mp4", ".m4v"), ("mp4",)),
        ((".mov",), ("mov",)),
        ((".xlsx",), ("xlsx",)),
        ((".docx",), ("docx",)),
        ((".pptx",), ("pptx",)),
        ((".hwpx",), ("hwpx",)),
        ((".hwp", ".doc", ".xls", ".ppt"), ("ole",)),
        ((".txt", ".log", ".csv", ".md", ".json", ".xml", ".html", ".htm"), ("text",)),
    )
    for ext in exts
}


def sniff(head: bytes) -> str:
    """Name the kind of content from its first bytes (at least ``HEAD_BYTES`` of them, or all there are)."""
    if not head:
        return "empty"
    for offset, magic, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if _looks_like_text(head):
        return "text"
    # Only now: "The wide shot..." has "wide" at offset 4 too. A real atom starts with its size (0 and 1 mean
    # "to the end" and "64-bit size follows"), and a movie's head is binary.
    if head[4:8] in _QUICKTIME_ATOMS and int.from_bytes(head[:4], "big") not in range(2, 8):
        return "mov"
    return "unknown"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # The head may end inside a multi-byte character, so a cut-off tail of up to 3 bytes is forgiven.
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3 or error.reason != "unexpected end of data":
            return False
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1b")
    return controls * 100 <= len(head)


def extension_lies(name: str, kind: str) -> bool:
    """True when the name's extension promises a kind of content that the bytes are not."""
    if kind == "empty":
        return False  # an empty file is not evidence of anything
    dot = name.rfind(".")
    expected = _EXPECTED.get(name[dot:].lower()) if dot > 0 else None
    return expected is not None and kind not in expected
