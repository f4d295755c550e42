"""Decode a drawing into working images: 8-bit RGB on white, downscaled once to a fixed size.

A working image has its longest side at most ``size`` (``WORKING_SIZE`` by default, aspect kept), or is
exactly ``size`` × ``size`` when ``square`` is asked (what PDQ hashes, see ``fingerprint``). Registry and
queries must go through exactly this code: two preprocessing paths would differ by more bits than a re-encode.

The one downscale is done as cheaply as the format allows, because on 2 cores resampling a 1024 × 768 drawing
with Pillow's bicubic filter (7 ms) costs more than decoding it as PNG (5 ms): JPEG is decoded at 1/2, 1/4 or
1/8 scale by libjpeg (``draft``), and everything else is reduced by whole factors with a box filter (one
pass over the pixels, ``reducing_gap=1``) before a bilinear resample of what is left.

Besides raster images, a PSD gives its merged composite (Pillow reads it; layers are never parsed, so their
number costs nothing), a PDF every page rendered by PDFium (``pdf_pages``) and an MP4 or MOV video the frames
that show a new picture (``video_frames``). The format is told by magic bytes, as ``trove.items.sniff`` does.

Found files are hostile input: every failure, decompression bombs included, becomes an ``InputError`` that
names the file, so a scan records the item and goes on.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageSequence, UnidentifiedImageError

from celtrace.errors import InputError
from celtrace.trove.items import HEAD_BYTES, sniff

WORKING_SIZE = 512
"""Default longest side of a working image (PDQ's reference hasher works at 512; PDQ here uses its own
square size, see ``fingerprint.PDQ_SIZE``)."""

MAX_PAGES = 256
"""More pages than this in one TIFF or PDF is treated as hostile (each page could be a small bomb)."""

FORMATS = frozenset({"PNG", "JPEG", "MPO", "TIFF", "BMP", "DIB", "GIF", "WEBP", "PSD"})
"""Pillow format names accepted; MPO is what Pillow calls many camera JPEGs."""

SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".psd", ".pdf", ".mp4", ".m4v", ".mov"}
)
"""File suffixes worth registering as drawings (decoding itself goes by content, not by name)."""

DECODABLE_KINDS = frozenset({"png", "jpeg", "gif", "tiff", "bmp", "webp", "psd", "pdf", "mp4", "mov"})
"""Kinds named by ``celtrace.trove.items.sniff`` that ``decode_bytes`` takes."""

_VIDEO_KINDS = frozenset({"mp4", "mov"})

_MULTI_PAGE = frozenset({"TIFF"})  # every page is a drawing; GIF frames are animation, so only the first


@dataclass(frozen=True)
class WorkingImage:
    """One page of a drawing after preprocessing; ``pixels`` is a (height, width, 3) uint8 array."""

    pixels: npt.NDArray[np.uint8]
    page: int
    source_size: tuple[int, int]
    """Width and height in pixels; for a PDF page, in points."""
    source_format: str
    time_s: float | None = None
    """For a video frame, where it is in the video, in seconds."""


def decode_file(
    path: Path, *, size: int = WORKING_SIZE, square: bool = False, max_pixels: int | None = None
) -> list[WorkingImage]:
    """Decode every page of the image at ``path`` into working images (see the module docstring).

    ``max_pixels`` (default ``PIL.Image.MAX_IMAGE_PIXELS``) bounds width × height of each page; a larger
    page raises ``InputError`` before any pixel is decoded. It can only tighten Pillow's own limit, which
    ``Image.open`` enforces first.
    """
    try:
        with path.open("rb") as fp:
            return _decode(fp, str(path), _Shape(size, square), max_pixels)
    except OSError as error:  # unreadable file; decoding errors are already InputError
        raise InputError(f"cannot read image: {error.strerror or error}", file=str(path)) from error


def decode_bytes(
    data: bytes, name: str, *, size: int = WORKING_SIZE, square: bool = False, max_pixels: int | None = None
) -> list[WorkingImage]:
    """Decode an image held in memory (an archive member, a download); ``name`` is used in errors."""
    return _decode(io.BytesIO(data), name, _Shape(size, square), max_pixels)


def to_working(image: Image.Image, size: int = WORKING_SIZE, *, square: bool = False) -> npt.NDArray[np.uint8]:
    """Preprocess an opened (possibly not yet loaded) Pillow image into working pixels.

    Transparent pixels are composed on white because line art is drawn on white paper: a transparent
    background rendered black would invert the drawing for the hash.
    """
    if size < 1:
        raise ValueError(f"working size must be positive, got {size}")
    target = (size, size) if square else _fit(image.size, size)
    if image.format in ("JPEG", "MPO") and (image.size[0] > target[0] or image.size[1] > target[1]):
        # libjpeg picks the smallest DCT scale that still covers the target: less to decode and to resize.
        image.draft("RGB", target)
    # Colour conversion comes before the downscale: Pillow resizes palette and bilevel images with
    # nearest-neighbour, which would drop thin lines.
    image = _on_white(image)
    if image.size != target:
        image = image.resize(target, Image.Resampling.BILINEAR, reducing_gap=1.0)
    return np.asarray(image, dtype=np.uint8)


@dataclass(frozen=True)
class _Shape:
    size: int
    square: bool


def _decode(fp: IO[bytes], name: str, shape: _Shape, max_pixels: int | None) -> list[WorkingImage]:
    limit = Image.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    with decoding(name):
        kind = sniff(fp.read(HEAD_BYTES))
        fp.seek(0)
        # PDFium and OpenCV are imported only when a PDF or a video turns up (together ~0.16 s).
        if kind == "pdf":
            from celtrace.assets.pdf_pages import decode_pages

            return decode_pages(fp, name, shape.size, shape.square, limit)
        if kind in _VIDEO_KINDS:
            from celtrace.assets.video_frames import decode_frames

            return decode_frames(fp, name, kind.upper(), shape.size, shape.square, limit)
        with Image.open(fp) as image:
            if image.format not in FORMATS:
                raise InputError(f"unsupported image format {image.format}", file=name)
            return _pages(image, name, shape, limit)


@contextmanager
def decoding(name: str) -> Iterator[None]:
    """Decode an image inside this block: whatever goes wrong comes out as one ``InputError`` naming ``name``.

    Pillow's other warnings (odd EXIF, truncated chunks) on hostile files would only flood a scan's output,
    so they are silenced; a bomb, which Pillow merely warns about up to twice ``MAX_IMAGE_PIXELS``, is an error.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InputError(f"image too large, possible decompression bomb ({error})", file=name) from error
    except UnidentifiedImageError as error:
        raise InputError("not a recognised image", file=name) from error
    except FileNotFoundError as error:
        raise InputError("no such file", file=name) from error
    except MemoryError as error:
        raise InputError("image needs more memory than is available", file=name) from error
    except Exception as error:
        # Pillow's plugins raise many types on malformed data (OSError, ValueError, SyntaxError, EOFError,
        # struct.error, IndexError...), as do PDFium (PdfiumError) and OpenCV (cv2.error); for a found file
        # they all mean "this item is broken".
        raise InputError(f"cannot decode image: {type(error).__name__}: {error}", file=name) from error


def _pages(image: Image.Image, name: str, shape: _Shape, limit: int | None) -> list[WorkingImage]:
    fmt = str(image.format)
    frames = ImageSequence.Iterator(image) if fmt in _MULTI_PAGE else iter([image])
    pages: list[WorkingImage] = []
    for number, frame in enumerate(frames):
        if number >= MAX_PAGES:
            raise InputError(f"more than {MAX_PAGES} pages", file=name)
        width, height = frame.size
        check_pixels(width, height, name, limit)
        size = (width, height)
        # A TIFF page must be copied before preprocessing, which changes the frame in place and would
        # break seeking to the next page; single-page images are preprocessed in place (no copy).
        source = frame.copy() if fmt in _MULTI_PAGE else frame
        pages.append(WorkingImage(to_working(source, shape.size, square=shape.square), number, size, fmt))
    return pages


def check_pixels(width: int, height: int, name: str, limit: int | None, what: str = "image") -> None:
    """Refuse a page or frame with no pixels, or with more than ``limit`` (a likely decompression bomb)."""
    if width <= 0 or height <= 0:
        raise InputError(f"{what} has no pixels", file=name)
    if limit is not None and width * height > limit:
        raise InputError(
            f"{what} of {width}x{height} pixels exceeds the limit of {limit} (possible decompression bomb)",
            file=name,
        )


def _fit(size: tuple[int, int], longest: int) -> tuple[int, int]:
    width, height = size
    if max(width, height) <= longest:
        return size  # small drawings are not upscaled: that would only blur them
    scale = longest / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _on_white(image: Image.Image) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Deep greyscale (16-bit scans): scale to 8 bits rather than let convert() clip at 255.
        array = np.asarray(image, dtype=np.float64)
        top = float(array.max()) if array.size else 0.0
        scaled = (array * (255.0 / top) if top > 0 else array).clip(0, 255).astype(np.uint8)
        return Image.fromarray(scaled).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")
