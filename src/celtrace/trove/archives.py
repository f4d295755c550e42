"""Archive readers for the trove walk: zip (and OOXML), tar, lone gz/bz2/xz, and 7z, streamed, never extracted.

Each reader first yields the archive's kind, then refused entries as :class:`TroveItem` and safe members as
:class:`Member` (how to open a fresh stream of each); the walk hashes and recurses into members.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import stat
import tarfile
import zipfile
from collections.abc import Generator
from functools import partial
from typing import IO, Any

from py7zr import io as py7zr_io

from celtrace.assets.images import DECODABLE_KINDS
from celtrace.trove.items import HEAD_BYTES, Status, TroveItem, extension_lies, sniff
from celtrace.trove.limits import MIB, Limits, Member, Opener, RefusedError, check_size, refuse_mode

Yield = str | TroveItem | Member  # an archive reader first yields its kind, then items and members


def open_members(
    kind: str, opener: Opener, prefix: tuple[str, ...], size: int, limits: Limits
) -> Generator[Yield, None, None]:
    if kind in ("zip", "xlsx", "docx", "pptx", "hwpx"):
        return _zip_members(opener, prefix, limits)
    if kind == "tar":
        return _tar_members(opener, prefix, kind)
    if kind == "7z":
        return _sevenzip_members(opener, prefix, size, limits)
    return _compressed_members(kind, opener, prefix, size, limits)


def _zip_members(opener: Opener, prefix: tuple[str, ...], limits: Limits) -> Generator[Yield, None, None]:
    with opener() as raw, zipfile.ZipFile(raw) as archive:
        infos = sorted(archive.infolist(), key=lambda info: info.filename)
        yield _office_kind({info.filename for info in infos})
        for info in infos:
            if info.is_dir():
                continue
            refusal = _refuse_name(info.filename) or _refuse_zip_entry(info, limits)
            if refusal is not None:
                yield TroveItem((*prefix, info.filename), *refusal)
            else:
                yield Member((*prefix, *_segments(info.filename)), partial(archive.open, info), info.compress_size)


def _office_kind(names: set[str]) -> str:
    """Office Open XML files are zips; the part list says which kind."""
    if "[Content_Types].xml" in names:
        for part, kind in (
            ("word/document.xml", "docx"),
            ("xl/workbook.xml", "xlsx"),
            ("ppt/presentation.xml", "pptx"),
        ):
            if part in names:
                return kind
    if "Contents/section0.xml" in names:  # HWPX: an OPF package of Hangul sections
        return "hwpx"
    return "zip"


def _refuse_zip_entry(info: zipfile.ZipInfo, limits: Limits) -> tuple[Status, str] | None:
    if info.create_system == 3:  # made on Unix: the high bits carry the file type
        mode = info.external_attr >> 16
        refusal = refuse_mode(mode) if stat.S_IFMT(mode) else None  # many tools leave the type bits empty
        if refusal is not None:
            return refusal
    if info.flag_bits & 0x1:
        return Status.UNREADABLE, "encrypted member not read"
    # What the header claims is checked first; _hash checks again while reading, since headers can lie.
    try:
        check_size(info.file_size, limits.max_member_bytes, info.compress_size, limits)
    except RefusedError as refused:
        return refused.status, refused.message
    return None


def _tar_members(opener: Opener, prefix: tuple[str, ...], kind: str) -> Generator[Yield, None, None]:
    with opener() as raw, tarfile.open(fileobj=raw, mode="r:") as archive:
        yield kind
        while (info := archive.next()) is not None:
            archive.members.clear()  # type: ignore[attr-defined]  # TarFile keeps every header it has read; dropping them keeps memory flat
            if info.isdir():
                continue
            refusal = _refuse_name(info.name) or _refuse_tar_entry(info)
            if refusal is not None:
                yield TroveItem((*prefix, info.name), *refusal)
            else:
                yield Member((*prefix, *_segments(info.name)), partial(_extract, archive, info), None)


def _refuse_tar_entry(info: tarfile.TarInfo) -> tuple[Status, str] | None:
    if info.issym():
        return Status.SYMLINK, "symlink not followed"
    if info.islnk():
        return Status.SYMLINK, "hard link not followed"
    if info.ischr() or info.isblk():
        return Status.SPECIAL, "device file skipped"
    if info.isfifo():
        return Status.SPECIAL, "fifo skipped"
    return None


def _extract(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    stream = archive.extractfile(info)
    if stream is None:
        raise RefusedError(Status.SPECIAL, f"tar entry of type {info.type!r} skipped")
    return stream


def _compressed_members(
    kind: str, opener: Opener, prefix: tuple[str, ...], size: int, limits: Limits
) -> Generator[Yield, None, None]:
    """A lone .gz, .bz2 or .xz holds one stream; when that stream is a tar, its members are walked directly."""
    plain = partial(_decompress, kind, opener, size, limits)
    with plain() as peek:
        head = peek.read(HEAD_BYTES)
    if sniff(head) == "tar":
        yield from _tar_members(plain, prefix, kind)
        return
    yield kind
    name = prefix[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name + ".content"
    yield Member((*prefix, stem), plain, size)


def _decompress(kind: str, opener: Opener, compressed_size: int, limits: Limits) -> IO[bytes]:
    module = {"gzip": gzip, "bzip2": bz2, "xz": lzma}[kind]
    raw = opener()
    try:
        inner: IO[bytes] = module.open(raw, "rb")
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(_Bounded(inner, raw, compressed_size, limits), MIB)


class _Bounded(io.RawIOBase):
    """A decompressed stream that counts every byte it produces and refuses past the limits.

    Seeks are done by reading (backwards by rewinding first), so a reader that skips ahead, as tarfile does,
    cannot make the decompressor inflate a bomb without it being counted.
    """

    def __init__(self, inner: IO[bytes], raw: IO[bytes], compressed_size: int, limits: Limits) -> None:
        super().__init__()
        self._inner = inner
        self._raw = raw  # decompressors given a file object leave it open, so it is closed here
        self._compressed_size = compressed_size
        self._limits = limits
        self._pos = 0
        self._end: int | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        if not data:
            self._end = self._pos
        check_size(self._pos, self._limits.max_member_bytes, self._compressed_size, self._limits)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            while self._end is None:
                self._skip(self._limits.chunk_bytes)
            offset += self._end
        elif whence == io.SEEK_CUR:
            offset += self._pos
        if offset < self._pos:
            self._inner.seek(0)
            self._pos = 0
        while self._pos < offset and self._skip(min(offset - self._pos, self._limits.chunk_bytes)):
            pass
        return self._pos

    def _skip(self, count: int) -> int:
        return self.readinto(bytearray(count))

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._raw.close()
            super().close()


def _refuse_name(name: str) -> tuple[Status, str] | None:
    """Names that would land outside a folder if extracted: refused even though nothing is extracted."""
    unified = name.replace("\\", "/")  # Windows tools treat a backslash as a separator
    if unified.startswith("/") or unified[1:2] == ":":
        return Status.UNSAFE_PATH, "zip-slip path refused: absolute name"
    if ".." in unified.split("/"):
        return Status.UNSAFE_PATH, "zip-slip path refused: '..' in name"
    return None


def _segments(name: str) -> tuple[str, ...]:
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return (*(part + "/" for part in parts[:-1]), parts[-1]) if parts else (name,)


def _sevenzip_members(
    opener: Opener, prefix: tuple[str, ...], size: int, limits: Limits
) -> Generator[Yield, None, None]:
    """7z members, hashed as py7zr pushes them into memory-flat sinks; archives inside a 7z are not opened."""
    import py7zr  # only needed when a trove holds a 7z

    with opener() as raw, py7zr.SevenZipFile(raw) as archive:
        yield "7z"
        targets: list[str] = []
        for info in sorted(archive.list(), key=lambda info: info.filename):
            refusal = _refuse_name(info.filename) or (
                (Status.SYMLINK, "symlink not followed") if info.is_symlink else None
            )
            if refusal is not None:
                yield TroveItem((*prefix, info.filename), *refusal)
            elif not info.is_directory:
                targets.append(info.filename)
        factory = _SinkFactory(size, limits)
        failure: Exception | None = None
        try:
            archive.extract(targets=targets, factory=factory)
        except Exception as error:  # a limit or bad data stops py7zr; what was read is still reported
            failure = error
        for name in targets:
            segments = (*prefix, *_segments(name))
            sink = factory.sinks.get(name)
            if sink is not None:
                yield sink.item(segments)
            elif failure is None:  # py7zr asks for no sink when a member is empty
                yield _Sink(size, limits).item(segments)
            else:
                yield TroveItem(segments, Status.UNREADABLE, "not read: the 7z stopped at an earlier member")
        if failure is not None and not isinstance(failure, RefusedError):  # a refusal is already on its member
            raise failure


#: Bytes of images a 7z may hold in memory for fingerprinting, all members together, and one member at most.
#: py7zr decodes a solid archive in one pass, so a member cannot be opened again after the walk moves on the
#: way a zip member can; images are kept while it runs, up to these bounds, and others are only hashed.
SEVENZIP_IMAGE_BUDGET = 256 * MIB
SEVENZIP_IMAGE_MAX = 32 * MIB


class _Sink(py7zr_io.Py7zIO):
    """Receives one 7z member's bytes: counts, hashes and keeps the head; an image's content within budget."""

    def __init__(self, compressed_size: int, limits: Limits, budget: list[int] | None = None) -> None:
        self._digest = hashlib.sha256()
        self._size = 0
        self._head = b""
        self._compressed_size = compressed_size
        self._limits = limits
        self._budget = budget if budget is not None else [0]
        self._kept: bytearray | None = bytearray()
        self.refused: RefusedError | None = None

    def write(self, s: bytes | bytearray) -> int:
        self._size += len(s)
        try:
            # 7z compresses members together, so the ratio is taken against the whole archive.
            check_size(self._size, self._limits.max_member_bytes, self._compressed_size, self._limits)
        except RefusedError as refused:
            self.refused = refused
            raise
        self._digest.update(s)
        if len(self._head) < HEAD_BYTES:
            self._head += bytes(s[: HEAD_BYTES - len(self._head)])
        self._keep(s)
        return len(s)

    def _keep(self, s: bytes | bytearray) -> None:
        if self._kept is None:
            return
        not_image = len(self._head) >= HEAD_BYTES and sniff(self._head) not in DECODABLE_KINDS
        too_much = self._size > SEVENZIP_IMAGE_MAX or self._budget[0] + len(s) > SEVENZIP_IMAGE_BUDGET
        if not_image or too_much:
            self._drop()
        else:
            self._kept += s
            self._budget[0] += len(s)

    def _drop(self) -> None:
        if self._kept is not None:
            self._budget[0] -= len(self._kept)
            self._kept = None

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._size

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self._size

    def item(self, segments: tuple[str, ...]) -> TroveItem:
        if self.refused is not None:
            return TroveItem(segments, self.refused.status, self.refused.message)
        kind = sniff(self._head)
        kept = bytes(self._kept) if self._kept is not None and kind in DECODABLE_KINDS else None
        self._drop()
        return TroveItem(
            segments,
            size=self._size,
            sha256=self._digest.hexdigest(),
            kind=kind,
            extension_lies=extension_lies(segments[-1], kind),
            opener=None if kept is None else partial(io.BytesIO, kept),
        )


class _SinkFactory(py7zr_io.WriterFactory):
    def __init__(self, compressed_size: int, limits: Limits) -> None:
        self._compressed_size = compressed_size
        self._limits = limits
        self.sinks: dict[str, _Sink] = {}
        self.budget = [0]  # image bytes held by all sinks, shared

    def create(self, filename: str) -> py7zr_io.Py7zIO:
        sink = self.sinks[filename] = _Sink(self._compressed_size, self._limits, self.budget)
        return sink
