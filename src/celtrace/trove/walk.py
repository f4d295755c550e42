"""Walk a trove: folders and archives, streamed; one :class:`TroveItem` per file, member or refused entry.

Nothing is extracted or written: members are read as streams and hashed in ``Limits.chunk_bytes`` chunks, so
memory stays flat however big the trove is. An archive is read twice, once to hash its bytes and once to walk
its members, because custody needs the hash of the container as well as of what it holds.

An archive is recorded once it has opened, so a corrupt one is a single error item that still carries its hash;
an archive that fails partway (truncated, a bomb in its compression layer) gets a second item under its own
path saying so, after the members read before the failure.

Order is deterministic: folder entries, zip and 7z members by name; tar members in stored order, because a
compressed tar can only be read forwards without decompressing it again.

A walk may be given ``digests`` computed elsewhere (``--engine spark`` hashes a folder's files on executors):
a regular file found there with the same size and modification time takes its SHA-256 from it and is only
opened to sniff its first bytes. Anything else, an archive included, is hashed here as always.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from celtrace.errors import InputError
from celtrace.trove.archives import open_members
from celtrace.trove.items import ARCHIVE_KINDS, HEAD_BYTES, OFFICE_KINDS, Status, TroveItem, extension_lies, sniff
from celtrace.trove.limits import DEFAULT_LIMITS, Limits, Member, Opener, RefusedError, check_size, refuse_mode


@dataclass(frozen=True)
class Digest:
    """A file's SHA-256 computed elsewhere, valid while the file keeps the size and modification time it had."""

    sha256: str
    size: int
    mtime_ns: int


def walk(
    root: Path, limits: Limits = DEFAULT_LIMITS, digests: Mapping[Path, Digest] | None = None
) -> Iterator[TroveItem]:
    """Yield one item per file, archive member or refused entry under ``root`` (a folder or a single file).

    ``digests`` (keyed by the path the walk builds, ``root / name / ...``) spares hashing files again.
    Never raises for anything inside the trove: every problem becomes an item with an error status. A root
    that does not exist is the caller's mistake, not the trove's, and raises :class:`InputError`.
    """
    if not os.path.lexists(root):
        raise InputError("no such file or folder", file=str(root))
    if root.is_dir():
        yield from _walk_folder(root, (), limits, digests or {})
    else:
        yield from _walk_entry(root, (root.name,), limits, digests or {})


def _walk_folder(
    folder: Path, prefix: tuple[str, ...], limits: Limits, digests: Mapping[Path, Digest]
) -> Iterator[TroveItem]:
    if len(prefix) > limits.max_folder_depth:
        yield TroveItem(prefix, Status.TOO_DEEP, f"folder nesting deeper than {limits.max_folder_depth}")
        return
    try:
        with os.scandir(folder) as scan:
            # Sorting by bytes keeps the order stable even for names that are not valid UTF-8.
            names = sorted((entry.name for entry in scan), key=os.fsencode)
    except OSError as error:
        yield TroveItem(prefix or (folder.name + "/",), Status.UNREADABLE, f"folder not readable: {error.strerror}")
        return
    for name in names:
        path = folder / name
        try:
            mode = path.lstat().st_mode
        except OSError as error:
            yield TroveItem((*prefix, name), Status.UNREADABLE, f"not readable: {error.strerror}")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk_folder(path, (*prefix, name + "/"), limits, digests)
        else:
            yield from _walk_entry(path, (*prefix, name), limits, digests, mode)


def _walk_entry(
    path: Path, segments: tuple[str, ...], limits: Limits, digests: Mapping[Path, Digest], mode: int | None = None
) -> Iterator[TroveItem]:
    if mode is None:
        try:
            mode = path.lstat().st_mode
        except OSError as error:
            yield TroveItem(segments, Status.UNREADABLE, f"not readable: {error.strerror}")
            return
    refusal = refuse_mode(mode)
    if refusal is not None:
        yield TroveItem(segments, *refusal)
        return
    known = digests.get(path)
    item = _hashed_elsewhere(path, segments, known) if known is not None else None
    if item is not None:
        yield item
        return
    yield from walk_stream(segments, lambda: _open_regular(path), None, None, 0, limits)


def _hashed_elsewhere(path: Path, segments: tuple[str, ...], known: Digest) -> TroveItem | None:
    """The item of a plain file with its digest taken from ``known``, or None: then it is hashed here.

    The file must still have the size and modification time it was hashed at, and be no archive (whose members
    are walked here); what :func:`walk_stream` would yield for it is yielded, the same item.
    """
    try:
        with _open_regular(path) as stream:
            status = os.fstat(stream.fileno())
            if (status.st_size, status.st_mtime_ns) != (known.size, known.mtime_ns):
                return None
            head = stream.read(HEAD_BYTES)
    except Exception:  # unreadable now: the walk's own path reports it
        return None
    kind = sniff(head)
    if kind in ARCHIVE_KINDS:
        return None
    return TroveItem(
        segments,
        size=known.size,
        sha256=known.sha256,
        kind=kind,
        extension_lies=extension_lies(segments[-1], kind),
        opener=lambda: _open_regular(path),
    )


def _open_regular(path: Path) -> IO[bytes]:
    # O_NOFOLLOW and O_NONBLOCK close the gap between lstat and open: a file swapped for a symlink is refused,
    # one swapped for a FIFO does not block; fstat then checks what was really opened. Read-only, always.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        refusal = refuse_mode(os.fstat(fd).st_mode)
        if refusal is not None:
            raise RefusedError(*refusal)
        return open(fd, "rb", closefd=True)  # noqa: PTH123 - an fd, not a path; closed by the caller
    except BaseException:
        os.close(fd)
        raise


def walk_stream(
    segments: tuple[str, ...],
    opener: Opener,
    max_bytes: int | None,
    compressed_size: int | None,
    depth: int,
    limits: Limits,
) -> Iterator[TroveItem]:
    """Hash one stream, then, if it is an archive, walk its members one level deeper."""
    try:
        with opener() as stream:
            size, digest, head = _hash(stream, max_bytes, compressed_size, limits)
    except Exception as error:  # hostile bytes make readers raise almost anything; each becomes an item
        yield _failure(segments, error)
        return
    kind = sniff(head)
    found = TroveItem(segments, size=size, sha256=digest, kind=kind, extension_lies=extension_lies(segments[-1], kind))
    if kind not in ARCHIVE_KINDS:
        yield replace(found, opener=opener)
        return
    if depth >= limits.max_depth:
        yield replace(found, status=Status.TOO_DEEP, message=f"archive nesting deeper than {limits.max_depth}")
        return
    members = open_members(kind, opener, segments, size, limits)
    try:
        refined = next(members)  # the archive opened; its first yield names its kind (zip or docx, ...)
    except Exception as error:
        status, message = _describe(error)
        yield replace(found, status=status, message=message)
        return
    assert isinstance(refined, str)
    # An Office file is an archive and a document: its bytes go to the document readers too, while the walk
    # stands on it.
    document = opener if refined in OFFICE_KINDS else None
    yield replace(found, kind=refined, extension_lies=extension_lies(segments[-1], refined), opener=document)
    try:
        for member in members:
            if isinstance(member, TroveItem):
                yield member
            elif isinstance(member, Member):
                yield from walk_stream(
                    member.segments, member.opener, limits.max_member_bytes, member.compressed_size, depth + 1, limits
                )
    except Exception as error:
        yield TroveItem(segments, *_describe(error))
    finally:
        members.close()


def _hash(
    stream: IO[bytes], max_bytes: int | None, compressed_size: int | None, limits: Limits
) -> tuple[int, str, bytes]:
    """Stream through once: size, SHA-256 and the first bytes for sniffing, refusing as soon as a limit is hit."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(limits.chunk_bytes):
        size += len(chunk)
        check_size(size, max_bytes, compressed_size, limits)
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
    return size, digest.hexdigest(), head


def _failure(segments: tuple[str, ...], error: Exception) -> TroveItem:
    status, message = _describe(error)
    return TroveItem(segments, status, message)


def _describe(error: Exception) -> tuple[Status, str]:
    """Turn whatever a reader raised on hostile bytes into a status and one clear line."""
    if isinstance(error, RefusedError):
        return error.status, error.message
    text = str(error) or type(error).__name__
    if isinstance(error, EOFError) or "unexpected end" in text or "truncated" in text.lower():
        return Status.TRUNCATED, f"truncated: {text}"
    if isinstance(error, OSError) and error.errno is not None:
        return Status.UNREADABLE, f"not readable: {error.strerror}"
    return Status.CORRUPT, f"corrupt archive: {text}"
