"""Global fingerprints: PDQ hashes of a working image and of its 8 rotations and mirrors.

A registered drawing is indexed by its plain hash; a query is looked up with all 8 variants, so a found copy
that was turned by 90° or mirrored still lands within PDQ's match distance. Codes are 32 bytes, bit ``i``
of the PDQ hash being bit ``7 - i % 8`` of byte ``i // 8`` (``numpy.packbits`` order).

PDQ hashes a square working image of ``PDQ_SIZE`` pixels, made in one downscale by ``images``. Measured
on synthetic line art (benchmarks/fingerprint.py): pdqhash's box filter and decimation are not
mirror-symmetric at most sizes, so at 512 × 384 an exactly rotated or mirrored image hashed 22-40 bits from
the matching dihedral variant and often fell past the threshold. At 64 × 64 PDQ's own filter and decimation
are the identity (the antialiasing is Pillow's downscale), the variants are exact, and the PDQ step costs
0.2 ms instead of 3 ms, which is what lets decode + PDQ keep up with decode alone. PDQ reduces every image to
64 × 64 anyway, so the aspect ratio dropped here is information it would not have used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash  # type: ignore[import-untyped]
from PIL import Image

from celtrace.assets.images import WorkingImage, decode_bytes, decode_file, to_working

CODE_BYTES = 32
MATCH_DISTANCE = 31
"""PDQ's recommended match threshold: Hamming distance at most 31 of 256 bits."""

PDQ_SIZE = 64
"""Side of the square working image PDQ hashes; see the module docstring for why 64."""

DIHEDRAL = ("original", "rot90", "rot180", "rot270", "flip_x", "flip_y", "flip_plus1", "flip_minus1")
"""The order of ``Fingerprint.variants``, as pdqhash computes them."""


@dataclass(frozen=True)
class Fingerprint:
    """PDQ fingerprint of one page: ``variants[0]`` is the hash itself, the others its dihedral variants."""

    variants: tuple[bytes, ...]
    quality: int
    page: int = 0

    @property
    def code(self) -> bytes:
        """The plain PDQ hash, 32 bytes: what the registry stores."""
        return self.variants[0]

    def codes(self) -> npt.NDArray[np.uint8]:
        """All 8 variants as an (8, 32) uint8 array: what a query searches with."""
        return np.frombuffer(b"".join(self.variants), dtype=np.uint8).reshape(len(self.variants), CODE_BYTES)

    def hex(self) -> str:
        """The plain hash as 64 hexadecimal digits."""
        return self.code.hex()


def fingerprint_pixels(pixels: npt.NDArray[np.uint8], page: int = 0) -> Fingerprint:
    """Fingerprint RGB pixels, an (height, width, 3) uint8 array.

    Pixels that are not already ``PDQ_SIZE`` square (as :func:`fingerprint_file` decodes them) are resized
    to it first; registry and queries must be fingerprinted along the same path.
    """
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected (height, width, 3) uint8 pixels, got {pixels.shape} {pixels.dtype}")
    if pixels.shape[:2] != (PDQ_SIZE, PDQ_SIZE):
        pixels = to_working(Image.fromarray(pixels), PDQ_SIZE, square=True)
    # pdqhash reads the buffer directly and needs it C-contiguous; its quality is one value for all variants.
    hashes, quality = pdqhash.compute_dihedral(np.ascontiguousarray(pixels))
    variants = tuple(_pack(bits) for bits in hashes)
    return Fingerprint(variants=variants, quality=int(quality), page=page)


def fingerprint_image(image: WorkingImage) -> Fingerprint:
    """Fingerprint one decoded page (best decoded with ``size=PDQ_SIZE, square=True``)."""
    return fingerprint_pixels(image.pixels, image.page)


def fingerprint_file(path: Path, *, max_pixels: int | None = None) -> list[Fingerprint]:
    """Decode the image at ``path`` and fingerprint every page; bad files raise ``InputError``."""
    pages = decode_file(path, size=PDQ_SIZE, square=True, max_pixels=max_pixels)
    return [fingerprint_image(image) for image in pages]


def fingerprint_bytes(data: bytes, name: str, *, max_pixels: int | None = None) -> list[Fingerprint]:
    """Fingerprint every page of an image held in memory; ``name`` is used in errors."""
    pages = decode_bytes(data, name, size=PDQ_SIZE, square=True, max_pixels=max_pixels)
    return [fingerprint_image(image) for image in pages]


def hamming(a: bytes, b: bytes) -> int:
    """Hamming distance between two codes of equal length."""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def _pack(bits: npt.NDArray[np.integer]) -> bytes:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()
