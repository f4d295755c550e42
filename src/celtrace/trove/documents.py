"""The documents of a trove examined as the walk finds them: ``docs inspect`` on every text, Office and PDF item.

The walk hands each item's bytes out only while it stands on the item, so a document is copied to the
workspace's ``tmp`` folder (the readers take files, and Office files need seeking), examined, and deleted.
What it says is kept with the manifest (``trove_documents``), so the DOC rules read the store, not the trove.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from celtrace.documents.extract import Limits, extract
from celtrace.documents.inspect import examine
from celtrace.errors import InputError
from celtrace.trove.items import OFFICE_KINDS, TroveItem

#: Content kinds (``trove.items.sniff``) examined as documents whatever their name.
DOCUMENT_KINDS = OFFICE_KINDS | {"pdf"}
#: Names examined as documents when their content is text, or unknown: text in EUC-KR or GB18030 is not UTF-8,
#: so the sniff cannot call it text. Markup and data (XML, JSON, HTML) are left out: their tags would read as
#: language.
DOCUMENT_SUFFIXES = frozenset({".txt", ".rtf", ".eml", ".md", ".csv", ""})
OFFICE_SUFFIXES = frozenset({".docx", ".xlsx", ".pptx"})
#: A trove holds drawings as PDFs too: OCR reads the first two pages of a PDF without text (a note is short),
#: not fifty.
LIMITS = Limits(max_ocr_pages=2)


@dataclass(frozen=True)
class DocumentResult:
    """What a trove document says (``docs inspect``'s JSON), or why it could not be read."""

    inspection: dict[str, Any] | None
    error: str | None


def is_document(item: TroveItem) -> bool:
    """Whether the item is a document worth examining (an Office file's own parts are not: the file is)."""
    if not item.ok or item.opener is None or any(_suffix(part) in OFFICE_SUFFIXES for part in item.path[:-1]):
        return False
    return item.kind in DOCUMENT_KINDS or (
        item.kind in ("text", "unknown") and _suffix(item.path[-1]) in DOCUMENT_SUFFIXES
    )


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def examine_item(item: TroveItem, spool: Path) -> DocumentResult | None:
    """Examine a document item while the walk stands on it; None for an item that is not a document."""
    if not is_document(item) or item.opener is None:
        return None
    if (item.size or 0) > LIMITS.max_file_bytes:
        return DocumentResult(None, f"larger than {LIMITS.max_file_bytes} bytes: not read")
    spool.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="doc-", suffix=PurePosixPath(item.display_path).suffix[:16], dir=spool)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out, item.opener() as stream:
            while chunk := stream.read(1 << 20):
                out.write(chunk)
        inspection = examine(extract(path, LIMITS)).to_json()
    except InputError as error:
        return DocumentResult(None, error.message.replace(str(path), item.display_path))  # the spool name means nothing
    except OSError as error:
        return DocumentResult(None, f"cannot read: {error.strerror or error}")
    finally:
        path.unlink(missing_ok=True)
    inspection["file"] = item.display_path
    return DocumentResult(inspection, None)
