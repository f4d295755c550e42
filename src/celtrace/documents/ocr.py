"""Text in scans and photographs, through Tesseract: a scanned note, a photographed sheet, an image-only PDF.

Tesseract reads Korean, simplified and traditional Chinese and English in one pass (``LANGUAGES``); the
Debian packages ``tesseract-ocr`` and ``tesseract-ocr-kor``, ``-chi-sim``, ``-chi-tra`` provide them (the
set-up command installs them). pytesseract runs the binary, with a time limit per page.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageOps

from celtrace.documents import image_metadata, origin
from celtrace.documents.segments import Collector
from celtrace.errors import InputError

LANGUAGES = "kor+chi_sim+chi_tra+eng"
#: Seconds Tesseract may spend on one page before the file is refused.
TIMEOUT_S = 120
#: Pixels of an image or rendered page given to OCR at most (about 40 megapixels: an A3 scan at 300 dpi).
MAX_PIXELS = 40_000_000


def read_image(data: bytes, out: Collector) -> dict[str, Any]:
    """OCR an image file into ``image line N`` segments; returns the OCR's metadata and what the image's EXIF,
    XMP and PNG text say of where it was made (``documents.image_metadata``, ``documents.origin``)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InputError(f"image of {image.width}×{image.height} pixels is over the OCR limit", file=out.name)
            page = _upright(image).convert("L")
            # After the pixels are loaded: a PNG's text chunks after the image data are read only then.
            found = image_metadata.read(image, data)
    except InputError:
        raise
    except Exception as error:  # Pillow raises many kinds on hostile bytes
        raise InputError(f"cannot decode the image: {error}", file=out.name) from error
    add_page(page, "image", out)
    return origin.add_hints({"ocr": engine(), "width": page.width, "height": page.height, **found})


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; as stored when the EXIF cannot be read, since a
    malformed EXIF block must not cost the text."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # Pillow raises many kinds on a hostile EXIF block
        return image


def add_page(image: Image.Image, where: str, out: Collector) -> None:
    """OCR one page image and add each non-empty line as ``{where} line N``."""
    import pytesseract  # type: ignore[import-untyped]  # ships no type hints

    try:
        text = pytesseract.image_to_string(image, lang=LANGUAGES, timeout=TIMEOUT_S)
    except pytesseract.TesseractNotFoundError as error:
        raise InputError(
            "OCR needs Tesseract: install tesseract-ocr with tesseract-ocr-kor, -chi-sim and -chi-tra", file=out.name
        ) from error
    except (pytesseract.TesseractError, RuntimeError) as error:  # RuntimeError: the time limit
        raise InputError(f"OCR failed on {where}: {error}", file=out.name) from error
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            out.add(line.strip(), f"{where} line {number}")


def engine() -> str:
    """Which OCR read the text, for the metadata: ``tesseract 5.3.0 (kor+chi_sim+chi_tra+eng)``."""
    import pytesseract

    try:
        return f"tesseract {pytesseract.get_tesseract_version()} ({LANGUAGES})"
    except pytesseract.TesseractNotFoundError:
        return "tesseract (not installed)"
