"""Render every page of a PDF (a storyboard, a layout book) into working images with PDFium.

A page is vector data, so there is no source bitmap to downscale: each page is rendered directly near the
working size, at a scale computed from its size in points, on white. Rendering at ``OVERSAMPLE`` times the
working size and letting ``images.to_working`` do the final box-filtered downscale keeps thin lines as
Pillow's path would for the same drawing saved as PNG; PDFium's own image smoothing at the final size loses
them (measured: the fingerprint of a rendered page lands farther from its PNG's).

PDFium is not thread-safe and pypdfium2 adds no lock, so one module lock is held while a document is open:
PDFs decoded from several threads (the web app serves requests from a pool) render one at a time. Use
processes for parallel PDF decoding.
"""

from __future__ import annotations

import math
import threading
from typing import IO

import pypdfium2 as pdfium

from celtrace.assets.images import MAX_PAGES, WorkingImage, to_working
from celtrace.errors import InputError

OVERSAMPLE = 2
"""The page is rendered with its longest side this many times the working size, then downscaled once."""

MAX_SCALE = 8.0
"""Pixels per point at most (576 dpi): a postage-stamp page is not blown up to the working size."""

_WHITE = (255, 255, 255, 255)
_PDFIUM = threading.Lock()


def decode_pages(fp: IO[bytes], name: str, size: int, square: bool, limit: int | None) -> list[WorkingImage]:
    """Render each page of the PDF read from ``fp`` (see the module docstring); errors name ``name``.

    ``limit`` bounds the rendered width × height of each page. Errors other than ``InputError`` are left to
    the caller, which turns them into ``InputError``.
    """
    with _PDFIUM:
        return _decode_locked(fp, name, size, square, limit)


def _decode_locked(fp: IO[bytes], name: str, size: int, square: bool, limit: int | None) -> list[WorkingImage]:
    try:
        document = pdfium.PdfDocument(fp)
    except pdfium.PdfiumError as error:
        # PDFium says why: "Incorrect password error", "Data format error", "File not in PDF format"...
        raise InputError(f"cannot open PDF: {error}", file=name) from error
    try:
        count = len(document)
        if count == 0:
            raise InputError("PDF has no pages", file=name)
        if count > MAX_PAGES:
            raise InputError(f"more than {MAX_PAGES} pages", file=name)
        return [_render(document, number, name, size, square, limit) for number in range(count)]
    finally:
        # Pages and the document hold native memory; pypdfium2 would free them at garbage collection, which
        # during a long scan comes late. Closing the document also closes pages left open by an error.
        document.close()


def _render(
    document: pdfium.PdfDocument, number: int, name: str, size: int, square: bool, limit: int | None
) -> WorkingImage:
    page = document[number]
    try:
        width, height = page.get_size()
        if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
            raise InputError(f"page {number + 1} has no area ({width} x {height} points)", file=name)
        scale = min(MAX_SCALE, size * OVERSAMPLE / max(width, height))
        # PDFium rounds the bitmap up; its /Rotate may swap the sides, which does not change the product.
        pixels = math.ceil(width * scale) * math.ceil(height * scale)
        if limit is not None and pixels > limit:
            raise InputError(f"page {number + 1} would render to {pixels} pixels, over the limit of {limit}", file=name)
        bitmap = page.render(scale=scale, fill_color=_WHITE, may_draw_forms=False)
        try:
            image = bitmap.to_pil()
            working = to_working(image, size, square=square)
        finally:
            bitmap.close()
    finally:
        page.close()
    return WorkingImage(working, number, (round(width), round(height)), "PDF")
