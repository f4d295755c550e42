"""The limits a trove walk keeps, and the refusals it records when a hostile item would break them."""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from celtrace.trove.items import Status

MIB = 1024 * 1024
GIB = 1024 * MIB

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True)
class Limits:
    """How far the walk goes into a trove before it refuses, so a hostile trove cannot exhaust the machine."""

    max_depth: int = 5  # archives inside archives
    max_folder_depth: int = 256  # each level is a Python frame: far deeper would hit the recursion limit
    max_member_bytes: int = 2 * GIB  # decompressed size of one archive member
    max_ratio: int = 200  # decompressed over compressed size of one member
    ratio_floor: int = MIB  # small, very compressible members (blank pages, logs) are common and harmless
    chunk_bytes: int = MIB


DEFAULT_LIMITS = Limits()

#: Images one scan reads by OCR at most (``trove scan --ocr-images``, ``trove.ocr``): at a few seconds each,
#: 20 cost a minute or so, while a trove may hold thousands of drawings. Kept here, away from the imaging
#: libraries, so the command line can show it without importing them.
OCR_IMAGES = 20


class RefusedError(Exception):
    """A limit was hit while streaming; deliberately not an OSError so archive readers do not swallow it."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Member:
    """An archive member that is safe to read: where it sits and how to open a fresh stream of it."""

    segments: tuple[str, ...]
    opener: Opener
    compressed_size: int | None  # None when stored without compression (tar): no ratio to check


def refuse_mode(mode: int) -> tuple[Status, str] | None:
    """Why an entry of this type is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return Status.SYMLINK, "symlink not followed"
    if stat.S_ISFIFO(mode):
        return Status.SPECIAL, "fifo skipped"
    if stat.S_ISSOCK(mode):
        return Status.SPECIAL, "socket skipped"
    return Status.SPECIAL, "device file skipped"


def check_size(size: int, max_bytes: int | None, compressed_size: int | None, limits: Limits) -> None:
    if max_bytes is not None and size > max_bytes:
        raise RefusedError(Status.TOO_LARGE, f"member larger than {human_size(max_bytes)}")
    if compressed_size is not None and size > limits.ratio_floor and size > limits.max_ratio * max(compressed_size, 1):
        raise RefusedError(Status.BOMB, f"decompression ratio over {limits.max_ratio} for this member")


def human_size(count: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", 1024)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"
