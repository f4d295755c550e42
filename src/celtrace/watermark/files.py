"""Writing a marked copy the way the original was written, so vendors' pipelines see the same kind of file.

Kept: the format, PNG text chunks, EXIF, the ICC profile, resolution, and for JPEG the quantisation tables
and chroma subsampling (so the copy is neither much larger nor much smaller than the original). Nothing
about the watermark is written into the metadata.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, JpegImagePlugin, PngImagePlugin

from celtrace.assets.images import decoding
from celtrace.errors import InputError

_LOSSLESS_FALLBACK = "PNG"  # a format Pillow cannot write (PSD, MPO...) becomes PNG, which holds the mark exactly


def load_image(source: Path | bytes, name: str, max_pixels: int | None = None) -> Image.Image:
    """Open and fully decode the first frame of an image file or bytes; any failure is an InputError naming it.

    Delivered originals and found copies alike may be corrupt, truncated or decompression bombs; a bomb is
    refused before its pixels are decoded (``max_pixels``, default Pillow's ``MAX_IMAGE_PIXELS``).
    """
    limit = Image.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    with decoding(name), io.BytesIO(source) if isinstance(source, bytes) else source.open("rb") as fp:
        image = Image.open(fp)
        width, height = image.size
        if width <= 0 or height <= 0:
            raise InputError("image has no pixels", file=name)
        if limit is not None and width * height > limit:
            raise InputError(
                f"image of {width}x{height} pixels exceeds the limit of {limit} (possible decompression bomb)",
                file=name,
            )
        image.load()  # the first frame, decoded while the file is open: the image no longer needs it
        return image


def save_format(original: Image.Image) -> str:
    """The format ``save_like`` writes a copy of ``original`` in: its own, or PNG where that cannot hold the mark."""
    fmt = original.format or _LOSSLESS_FALLBACK
    if fmt == "MPO":
        return "JPEG"
    # GIF: a 256-colour palette cannot hold the mark (see ``pixels.MODES``); others Pillow cannot write.
    return fmt if fmt in ("JPEG", "PNG", "TIFF", "WEBP", "BMP") else _LOSSLESS_FALLBACK


def save_like(copy: Image.Image, original: Image.Image, destination: Path) -> str:
    """Write ``copy`` to ``destination`` in ``original``'s format and metadata; returns the format written.

    ``original`` must be the image as opened from its file (its ``format`` and ``info`` are read).
    """
    fmt = save_format(original)
    options: dict[str, Any] = {}
    for name in ("exif", "icc_profile", "dpi"):
        if name in original.info:
            options[name] = original.info[name]
    if fmt == "JPEG":
        if isinstance(original, JpegImagePlugin.JpegImageFile):
            options["qtables"] = original.quantization
            sampling = JpegImagePlugin.get_sampling(original)
            if sampling >= 0:
                options["subsampling"] = sampling
        if copy.mode not in ("L", "RGB", "CMYK"):
            copy = copy.convert("RGB")
    elif fmt == "PNG":
        text = getattr(original, "text", {})
        if text:
            info = PngImagePlugin.PngInfo()
            for key, value in text.items():
                if value.isascii():
                    info.add_text(key, value)
                else:
                    info.add_itxt(key, value)  # tEXt is Latin-1 only
            options["pnginfo"] = info
    elif fmt == "TIFF":
        if "compression" in original.info:
            options["compression"] = original.info["compression"]
    elif fmt == "WEBP":
        options["lossless"] = True  # a lossy WebP at default quality would blur the mark for nothing
    try:
        copy.save(destination, format=fmt, **options)
    except (OSError, ValueError) as error:
        raise InputError(f"cannot write the marked copy: {error}", file=str(destination)) from error
    return fmt
