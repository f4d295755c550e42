"""What text extraction gives back: segments of text with their place in the file, and the bounds it keeps.

Kept apart from ``extract`` so that each format's reader can build segments without importing the
dispatcher that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from celtrace.errors import InputError

TRUNCATION_MARKER = " […truncated]"
"""Appended to a segment cut at ``Limits.max_segment_chars``, so a reader of the text sees it was cut."""


@dataclass(frozen=True)
class Segment:
    """A piece of a document's text and where it was written: ``page 2``, ``sheet Notes!B7``, ``line 12``."""

    text: str
    where: str


@dataclass(frozen=True)
class Extracted:
    """The text of one document, in reading order, with the document's own metadata."""

    path: str
    kind: str
    segments: list[Segment]
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Limits:
    """Bounds on what one document may cost to read; a file over one is refused, not half-read.

    Zip bombs are caught by counting the bytes actually inflated, not the sizes the archive declares.
    """

    max_file_bytes: int = 256 * 1024 * 1024
    max_member_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 256 * 1024 * 1024
    max_members: int = 10_000
    #: A longer cell or paragraph is cut and the cut recorded in ``metadata["truncated"]``.
    max_segment_chars: int = 100_000
    max_segments: int = 500_000
    max_pdf_pages: int = 5_000
    #: Pages of a PDF without a text layer read by OCR (seconds a page); the rest are counted, not read.
    max_ocr_pages: int = 50


@dataclass
class Collector:
    """Gathers segments for one file, cutting long ones and refusing too many."""

    name: str
    limits: Limits
    segments: list[Segment] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)

    def add(self, text: str, where: str) -> None:
        """Keep ``text`` (stripped) at ``where`` unless it is blank."""
        text = text.strip()
        if not text:
            return
        if len(self.segments) >= self.limits.max_segments:
            raise InputError(f"more than {self.limits.max_segments} text segments (at {where})", file=self.name)
        if len(text) > self.limits.max_segment_chars:
            text = text[: self.limits.max_segment_chars] + TRUNCATION_MARKER
            self.truncated.append(where)
        self.segments.append(Segment(text, where))

    def add_lines(self, text: str, prefix: str = "line") -> None:
        """One segment per non-empty line of ``text``, at ``{prefix} N`` (lines numbered from 1, blanks counted)."""
        for number, line in enumerate(text.splitlines(), start=1):
            self.add(line, f"{prefix} {number}")

    def result(self, kind: str, metadata: dict[str, Any]) -> Extracted:
        """The extraction, with the cuts made recorded in its metadata."""
        if self.truncated:
            metadata["truncated"] = list(self.truncated)
        return Extracted(self.name, kind, list(self.segments), metadata)
