"""The documents of a trove examined as the walk finds them: ``docs inspect`` on every text, Office and PDF item.

The walk hands each item's bytes out only while it stands on the item, so a document is copied to the
workspace's ``tmp`` folder (the readers take files, and Office files need seeking), examined, and deleted.
What it says is kept with the manifest (``trove_documents``), so the DOC rules read the store, not the trove.
The segments themselves are not kept, so each listed marker and date keeps the text around it
(``context``): the report shows it in its sentence, and a reader checks it without the trove at hand.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from celtrace.documents.extract import Limits, Segment, extract
from celtrace.documents.inspect import examine
from celtrace.errors import InputError
from celtrace.trove.items import OFFICE_KINDS, TroveItem

#: Content kinds (``trove.items.sniff``) examined as documents whatever their name.
DOCUMENT_KINDS = OFFICE_KINDS | {"pdf"}
#: OLE compound files: examined when named as HWP 5 (old Word and Excel files are OLE too, and not read).
OLE_SUFFIXES = frozenset({".hwp"})
#: Names examined as documents when their content is text, or unknown: text in EUC-KR or GB18030 is not UTF-8,
#: so the sniff cannot call it text. Markup and data (XML, JSON, HTML) are left out: their tags would read as
#: language.
DOCUMENT_SUFFIXES = frozenset({".txt", ".rtf", ".eml", ".md", ".csv"})
OFFICE_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx", ".hwpx"})
#: A trove holds drawings as PDFs too: OCR reads the first two pages of a PDF without text (a note is short),
#: not fifty.
LIMITS = Limits(max_ocr_pages=2)
#: Characters shown on each side of a marker or date: enough for the clause it sits in.
CONTEXT_CHARS = 30
#: What separates the parts of a marker's text: the classifier reads any run of non-Hangul characters as one
#: space, so an n-gram may span a line break or a Chinese phrase between two Korean runs.
_GAP = "[^\uac00-\ud7a3]+"


@dataclass(frozen=True)
class DocumentResult:
    """What a trove document says (``docs inspect``'s JSON), or why it could not be read."""

    inspection: dict[str, Any] | None
    error: str | None


def is_document(item: TroveItem) -> bool:
    """Whether the item is a document worth examining (an Office file's own parts are not: the file is)."""
    if not item.ok or item.opener is None or any(_suffix(part) in OFFICE_SUFFIXES for part in item.path[:-1]):
        return False
    if item.kind in DOCUMENT_KINDS:
        return True
    suffix = _suffix(item.path[-1])
    if item.kind == "ole":
        return suffix in OLE_SUFFIXES
    # A name without a suffix says nothing, so only the content can make it a document: unknown bytes there
    # are far more often a binary blob than a note in EUC-KR, and examining them records only an error.
    return (item.kind == "text" and suffix == "") or (item.kind in ("text", "unknown") and suffix in DOCUMENT_SUFFIXES)


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def examine_item(item: TroveItem, spool: Path) -> DocumentResult | None:
    """Examine a document item while the walk stands on it; None for an item that is not a document."""
    if not is_document(item) or item.opener is None:
        return None
    if (item.size or 0) > LIMITS.max_file_bytes:
        return DocumentResult(None, f"larger than {LIMITS.max_file_bytes} bytes: not read")
    opener = item.opener

    def copy(out: IO[bytes]) -> None:
        with opener() as stream:
            while chunk := stream.read(1 << 20):
                out.write(chunk)

    return examine_spooled(item, copy, spool)


def examine_spooled(item: TroveItem, write: Callable[[IO[bytes]], None], spool: Path) -> DocumentResult:
    """Examine what ``write`` puts in a spool file named like the item (the readers take files); then delete it."""
    spool.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="doc-", suffix=PurePosixPath(item.display_path).suffix[:16], dir=spool)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        extracted = extract(path, LIMITS)
        inspection = examine(extracted).to_json()
    except InputError as error:
        return DocumentResult(None, error.message.replace(str(path), item.display_path))  # the spool name means nothing
    except OSError as error:
        return DocumentResult(None, f"cannot read: {error.strerror or error}")
    finally:
        path.unlink(missing_ok=True)
    inspection["file"] = item.display_path
    add_context(inspection, extracted.segments)
    return DocumentResult(inspection, None)


def add_context(inspection: dict[str, Any], segments: list[Segment]) -> None:
    """Give each listed marker and date of ``inspection`` the text around it: ``context: {before, text, after}``.

    The inspection names each one's text and segment (``where``); its place inside the segment is found
    again here. A segment may hold the same text twice, so the n-th one listed there is taken as its n-th
    occurrence. ``text`` is the segment's own text there (an n-gram's space may be a line break or
    punctuation); ``before`` and ``after`` are at most ``CONTEXT_CHARS`` long, with ``…`` where the segment
    goes on, and white space folded. Nothing is added where the text is not found (a marker spanning two
    segments).
    """
    texts: dict[str, list[str]] = {}
    for segment in segments:
        texts.setdefault(segment.where, []).append(segment.text)
    variant = inspection.get("korean_variant") or {}
    seen: Counter[tuple[str, str, str]] = Counter()
    for entry in [*(variant.get("markers") or []), *(inspection.get("dates") or [])]:
        text, where = str(entry.get("text") or ""), str(entry.get("where") or "")
        key = (str(entry.get("name", "date")), text, where)
        context = _context(texts.get(where, []), text, seen[key])
        seen[key] += 1
        if context is not None:
            entry["context"] = context


def _context(segments: list[str], text: str, occurrence: int) -> dict[str, str] | None:
    parts = text.split()
    if not parts:
        return None
    pattern = re.compile(_GAP.join(re.escape(part) for part in parts))
    found = [(segment, match) for segment in segments for match in pattern.finditer(segment)]
    if not found:
        return None
    segment, match = found[min(occurrence, len(found) - 1)]
    start, end = match.span()
    before = segment[max(0, start - CONTEXT_CHARS) : start]
    after = segment[end : end + CONTEXT_CHARS]
    return {
        "before": ("…" if start > CONTEXT_CHARS else "") + _fold(before),
        "text": match.group(),
        "after": _fold(after) + ("…" if end + CONTEXT_CHARS < len(segment) else ""),
    }


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)
