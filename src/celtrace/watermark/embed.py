"""Embedding: add a delivery's spread-spectrum pattern to the luminance of a copy, where the mask hides it.

delta(x) = strength · mask(x) · chip(x), with chip the ±1 block pattern of the delivery's codeword under the
studio's key (``key.Layout.field``). The same delta is added to every colour channel, so the change is one of
luminance; alpha is never touched. Where a pixel is already black or white the change clips, which leaves
half the chips on those pixels (the ones pointing inwards): enough, because the decoder correlates against
the whole pattern and knows the original.

The strength adapts to the picture: as high as ``MAX_STRENGTH`` levels, but lowered so that the change's
mean square stays under what ``TARGET_PSNR`` allows. Sparse line art gets a few stronger levels on its
strokes; a photograph, masked almost everywhere, a fainter mark spread over every pixel.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PIL import Image

from celtrace.errors import InputError
from celtrace.watermark import payload
from celtrace.watermark.key import WatermarkKey, fits, layout
from celtrace.watermark.pixels import array_luminance, as_array, mask, split, working_mode

MAX_STRENGTH = 10.0
"""Largest change of a pixel, in levels of 255."""

TARGET_PSNR = 42.0
"""The strength is lowered until the change alone would keep the copy at least this far from the original (dB)."""


def embed_image(image: Image.Image, delivery_id: int, key: WatermarkKey) -> Image.Image:
    """A copy of ``image`` carrying ``delivery_id`` under ``key``: same size, mode per ``pixels.MODES``.

    Raises InputError when the image's mode cannot carry a mark or it is too small (see ``key.fits``).
    """
    mode = working_mode(image)
    width, height = image.size
    if not fits(width, height):
        raise InputError(f"image of {width}x{height} pixels is too small to carry a watermark")
    array = as_array(image)
    marked = embed_array(array, payload.encode(delivery_id), key)
    return Image.fromarray(marked, mode)


def embed_array(
    array: npt.NDArray[np.float32], codeword: npt.NDArray[np.int8], key: WatermarkKey
) -> npt.NDArray[np.uint8]:
    """Mark a (height, width, channels) array (L, LA, RGB or RGBA) with a 640-bit codeword; returns uint8."""
    height, width, channels = array.shape
    colour, alpha = split(array)
    weights = mask(array_luminance(array), alpha)
    energy = float(np.mean(weights * weights))
    if energy <= 0.0:
        return np.ascontiguousarray(np.clip(np.rint(array), 0, 255).astype(np.uint8))
    allowed = 255.0**2 / 10.0 ** (TARGET_PSNR / 10.0)
    strength = min(MAX_STRENGTH, math.sqrt(allowed / energy))
    delta = strength * weights * layout(key, width, height).field(codeword)
    out = array.copy()
    out[..., : colour.shape[2]] += delta[..., None]
    result = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return result[..., 0] if channels == 1 else result
