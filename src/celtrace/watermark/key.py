"""The studio's watermark key and the chip layout it gives each image size.

A watermark is only as secret as its pattern. The pattern comes from a key derived from a secret string the
studio keeps (SHA-256 with a version label, so the same secret used elsewhere yields an unrelated key);
without it a vendor can neither read nor forge a delivery's mark, and a second vendor's own watermark is
just noise to ours.

The layout tiles the original into square blocks. Each block carries one of the 640 coded bits (a
key-shuffled, balanced assignment: every bit gets blocks all over the picture, so a crop removes a share of
every bit rather than whole bits) and a key-random ±1 chip sign. Blocks rather than single pixels keep the
mark at low spatial frequencies, which survive JPEG and halving the size; the block grows with the image so
that a 50% rescale of a large picture still leaves each block several pixels wide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from celtrace.watermark.payload import CODE_LENGTH

_LABEL = b"celtrace-watermark-v1\x00"

MIN_BLOCK = 4
"""Smallest block side in pixels."""

BLOCKS_PER_SIDE = 240
"""The block side is the longest image side divided by this (at least ``MIN_BLOCK``): 8 px at 1920."""

MIN_BLOCKS_PER_BIT = 4
"""An image with fewer blocks than this per coded bit is too small to carry a mark (about 200 × 200 px)."""


@dataclass(frozen=True)
class WatermarkKey:
    """A studio's secret watermark key (32 bytes); build it with :meth:`from_secret`."""

    digest: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.digest) != 32:
            raise ValueError("a watermark key is 32 bytes")

    @classmethod
    def from_secret(cls, secret: str) -> WatermarkKey:
        """Derive the key from a secret string; the same secret always gives the same key."""
        if not secret:
            raise ValueError("the watermark secret must not be empty")
        return cls(hashlib.sha256(_LABEL + secret.encode("utf-8")).digest())


@dataclass(frozen=True)
class Layout:
    """Blocks of one image size: ``bit[b]`` is the coded bit block ``b`` carries, ``chip[b]`` its sign."""

    height: int
    width: int
    block: int
    rows: int
    cols: int
    bit: npt.NDArray[np.int64]
    chip: npt.NDArray[np.int8]

    def field(self, codeword: npt.NDArray[np.int8]) -> npt.NDArray[np.float32]:
        """The ±1 pattern of a codeword over the image (height, width)."""
        per_block = (codeword[self.bit] * self.chip).astype(np.float32).reshape(self.rows, self.cols)
        tiled = np.repeat(np.repeat(per_block, self.block, axis=0), self.block, axis=1)
        return np.ascontiguousarray(tiled[: self.height, : self.width])

    def block_sums(self, values: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Sum of a (height, width) array over each block, in block order."""
        padded = np.zeros((self.rows * self.block, self.cols * self.block), dtype=np.float64)
        padded[: self.height, : self.width] = values
        sums: npt.NDArray[np.float64] = padded.reshape(self.rows, self.block, self.cols, self.block).sum(axis=(1, 3))
        return sums.ravel()


def block_size(width: int, height: int) -> int:
    """Block side in pixels for an original of this size."""
    return max(MIN_BLOCK, round(max(width, height) / BLOCKS_PER_SIDE))


def fits(width: int, height: int) -> bool:
    """True when an image of this size has room for every coded bit."""
    side = block_size(width, height)
    return -(-width // side) * -(-height // side) >= CODE_LENGTH * MIN_BLOCKS_PER_BIT


def layout(key: WatermarkKey, width: int, height: int) -> Layout:
    """The layout of an original of ``width`` × ``height`` under ``key``; raises ValueError when it is too small."""
    if not fits(width, height):
        raise ValueError(f"{width}x{height} is too small to carry a watermark")
    side = block_size(width, height)
    rows, cols = -(-height // side), -(-width // side)
    words = np.frombuffer(key.digest, dtype="<u4").tolist()
    rng = np.random.default_rng(np.random.SeedSequence([*words, width, height]))
    count = rows * cols
    bit = rng.permutation(np.arange(count, dtype=np.int64) % CODE_LENGTH)
    chip = (1 - 2 * rng.integers(0, 2, count)).astype(np.int8)
    return Layout(height, width, side, rows, cols, bit, chip)
