"""The text layer of a PDF through PDFium, one segment per page, and its document information.

A scan has no text layer: its pages are rendered and read by OCR (``documents.ocr``), at most
``Limits.max_ocr_pages`` of them, and the metadata says so (``ocr``, ``ocr_pages``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

# PDFium is not thread-safe: text extraction takes the same process-wide lock as page rendering.
from celtrace.assets.pdf_pages import _PDFIUM
from celtrace.documents import ocr, origin
from celtrace.documents.fonts import FontNames
from celtrace.documents.segments import Collector
from celtrace.errors import InputError

_INFO = {
    "Author": "author",
    "Creator": "creator",
    "Producer": "producer",
    "Title": "title",
    "CreationDate": "created",
    "ModDate": "modified",
}
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:(Z)|([+-])(\d{2})'?(?:(\d{2})'?)?)?"
)


def read_pdf(data: bytes, out: Collector) -> dict[str, Any]:
    """Add each page's text at ``page N``; return the document information, times as ISO 8601, with the
    fonts the pages use and what the times' offset and the fonts say of the place (``documents.origin``)."""
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            message = str(error)
            if "password" in message.lower():
                raise InputError(f"encrypted: PDF needs a password ({message})", file=out.name) from error
            raise InputError(f"cannot open PDF: {message}", file=out.name) from error
        try:
            metadata = _read_locked(document, out)
            scans = _render_scans(document, out.limits.max_ocr_pages) if metadata.get("needs_ocr") else []
        except pdfium.PdfiumError as error:
            raise InputError(f"cannot read PDF text: {error}", file=out.name) from error
        finally:
            document.close()
    # Outside the lock: OCR takes seconds a page, and other threads may render meanwhile.
    for number, image in scans:
        ocr.add_page(image, f"page {number}", out)
    if scans:
        metadata |= {"ocr": ocr.engine(), "ocr_pages": len(scans)}
    return metadata


def _render_scans(document: pdfium.PdfDocument, pages: int) -> list[tuple[int, Image.Image]]:
    """The first pages of a scan as greyscale images at about 200 dpi, within OCR's pixel budget."""
    scans = []
    for number in range(min(len(document), pages)):
        page = document[number]
        try:
            width, height = page.get_size()  # points: 1/72 inch
            scale = min(200 / 72, (ocr.MAX_PIXELS / max(1.0, width * height)) ** 0.5)
            scans.append((number + 1, page.render(scale=scale, grayscale=True).to_pil().convert("L")))
        finally:
            page.close()
    return scans


def _read_locked(document: pdfium.PdfDocument, out: Collector) -> dict[str, Any]:
    count = len(document)
    if count > out.limits.max_pdf_pages:
        raise InputError(f"PDF has {count} pages, over the limit of {out.limits.max_pdf_pages}", file=out.name)
    metadata: dict[str, Any] = {"pages": count}
    for key, value in document.get_metadata_dict(skip_empty=True).items():
        name = _INFO.get(key)
        if name:
            metadata[name] = pdf_time(value) if name in ("created", "modified") else value
    before = len(out.segments)
    fonts = FontNames()
    for number in range(count):
        page = document[number]
        try:
            textpage = page.get_textpage()
            try:
                out.add(textpage.get_text_range().replace("\r\n", "\n"), f"page {number + 1}")
            finally:
                textpage.close()
            fonts.add_pdf_page(page)
        finally:
            page.close()
    if len(out.segments) == before:
        metadata["needs_ocr"] = True
    return origin.add_hints(metadata, fonts.names())


def pdf_time(value: str) -> str:
    """A PDF date (``D:20240214103000+09'00'``) as ISO 8601, with its zone when it gives one; otherwise as
    written."""
    match = _PDF_DATE.fullmatch(value.strip())
    if not match:
        return value
    year, month, day, hour, minute, second, utc, sign, zone_hours, zone_minutes = match.groups()
    text = f"{year}-{month or '01'}-{day or '01'}T{hour or '00'}:{minute or '00'}:{second or '00'}"
    if utc:
        text += "+00:00"
    elif sign:
        text += f"{sign}{zone_hours}:{zone_minutes or '00'}"
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:  # D:20241399...: a month or hour out of range
        return value
