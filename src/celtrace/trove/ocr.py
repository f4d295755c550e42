"""Which images of a trove are read by OCR: scanned or photographed notes, not the drawings.

A trove's images are mostly drawings, and Tesseract takes seconds an image, so a scan reads an image only
when it is no near-duplicate of a registered drawing (its PDQ fingerprints, which the scan computes anyway,
looked up in the registry's hash index: the cheap first stage of matching, not the keypoint stage that
``analyze`` runs), and at most ``OCR_IMAGES`` of them in manifest order. An image larger than
``MAX_OCR_PIXELS`` is scaled down to it first: a phone photo of a note reads as well, in a fraction of the
time. What OCR reads is examined like any document and kept in ``trove_documents``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps

from celtrace.assets.fingerprint import MATCH_DISTANCE
from celtrace.assets.hash_index import HashIndex
from celtrace.assets.prints import ImagePrints
from celtrace.trove.documents import DocumentResult, examine_spooled
from celtrace.trove.items import TroveItem
from celtrace.trove.limits import OCR_IMAGES

#: Pixels an image is read at most; larger ones are scaled down to this (a 12-megapixel photo, 4000 × 3000).
MAX_OCR_PIXELS = 12_000_000
#: The kinds OCR reads (those ``documents.extract`` takes for images); PDFs are documents already.
OCR_KINDS = frozenset({"png", "jpeg", "gif", "tiff", "webp"})


@dataclass
class ImageOcr:
    """One scan's OCR of images: the registry to leave out, and how many images it may still read."""

    registry: HashIndex
    limit: int = OCR_IMAGES
    #: Images read so far, and images OCR would have read but for ``limit``.
    read: int = 0
    over_limit: int = 0

    def wants(self, item: TroveItem, prints: ImagePrints | None) -> bool:
        """Whether the image is one OCR should read: decodable, of a kind OCR reads, not a registered drawing."""
        if item.kind not in OCR_KINDS or prints is None or not prints.global_prints:
            return False
        if len(self.registry):
            for fingerprint in prints.global_prints:
                if self.registry.search(fingerprint.codes()[None, ...], MATCH_DISTANCE, 1)[0]:
                    return False
        return True

    def examine(
        self, item: TroveItem, data: Callable[[], bytes | None], prints: ImagePrints | None, spool: Path
    ) -> DocumentResult | None:
        """OCR the image (its bytes read by ``data`` only then) and examine its text if it is wanted and the limit
        allows; None otherwise."""
        if not self.wants(item, prints):
            return None
        if self.read >= self.limit:
            self.over_limit += 1
            return None
        image = data()
        if image is None:
            return None  # not readable a second time: the item stays recorded without a text
        self.read += 1
        return examine_spooled(item, lambda out: _bounded(image, out), spool)


def _bounded(data: bytes, out: IO[bytes]) -> None:
    """Write the image as it is, or scaled down to ``MAX_OCR_PIXELS`` as a PNG when it is larger."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height <= MAX_OCR_PIXELS:
                page = None
            else:
                scale = math.sqrt(MAX_OCR_PIXELS / (image.width * image.height))
                image.draft("L", (int(image.width * scale), int(image.height * scale)))  # a JPEG decodes smaller
                # Turned upright here: the PNG written below keeps no EXIF orientation for OCR to apply.
                page = ImageOps.exif_transpose(image).convert("L")
    except (OSError, ValueError, Image.DecompressionBombError):
        page = None  # the OCR reader names what is wrong with it
    if page is None:
        out.write(data)
        return
    scale = min(1.0, math.sqrt(MAX_OCR_PIXELS / (page.width * page.height)))
    page.thumbnail((max(1, int(page.width * scale)), max(1, int(page.height * scale))), Image.Resampling.LANCZOS)
    page.save(out, "PNG")
