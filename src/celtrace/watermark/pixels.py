"""Pixels as the watermark sees them: luminance on white, alpha, and the perceptual mask.

The mark is a change of luminance, the same number of levels added to R, G and B. That keeps hue, survives a
conversion to greyscale, and leaves pure white paper alone where the mask says so: the measured failure of
colour-channel methods on line art is that the change they make to white clips away (image-provenance.md).

The mask says where a change hides: on and right next to strokes and edges, and in texture. Flat areas — the
white of the paper, a flat cel colour, a black fill — get nothing, so an artist zooming in sees no specks.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from celtrace.errors import InputError

EDGE_LEVELS = 16.0
"""A gradient of this many levels per pixel counts as a full edge (a drawn stroke's edge has ~100)."""

EDGE_REACH = 5
"""Side of the dilation that spreads the edge mask onto the stroke and its neighbours (2 px each way)."""

TEXTURE_LEVELS = (2.0, 18.0)
"""Local standard deviation (5 × 5) below the first is flat; at the second it is full texture."""

MODES = {"1": "L", "L": "L", "LA": "LA", "P": "RGB", "PA": "RGBA", "RGB": "RGB", "RGBA": "RGBA"}
"""Modes that can be watermarked, and the mode of the marked copy.

A palette image (P, PA) cannot hold a change of a few levels without being quantised again, which would
erase the mark or speckle it, so its copy is RGB (RGBA when the palette has transparency); a bilevel image
(mode 1) becomes greyscale for the same reason.
"""


def working_mode(image: Image.Image) -> str:
    """The mode a copy of ``image`` is marked and written in; raises InputError for other modes."""
    mode = image.mode
    if mode == "P" and "transparency" in image.info:
        return "RGBA"
    if mode not in MODES:
        raise InputError(f"cannot watermark an image of mode {mode} (supported: {', '.join(MODES)})")
    return MODES[mode]


def luminance(image: Image.Image) -> npt.NDArray[np.float32]:
    """Luminance (ITU-R 601, as Pillow's ``convert("L")``) of ``image`` composed on white, as float32."""
    return array_luminance(as_array(image))


def array_luminance(array: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Luminance on white of a (height, width, channels) array in a working mode (see :func:`as_array`)."""
    colour, alpha = split(array)
    lum = colour[..., 0] if colour.shape[2] == 1 else colour @ np.array([0.299, 0.587, 0.114], np.float32)
    if alpha is not None:
        # Transparent parts show the white the drawing is laid on (as ``assets.images`` composes them).
        lum = lum * alpha + 255.0 * (1.0 - alpha)
    return np.ascontiguousarray(lum, dtype=np.float32)


def as_array(image: Image.Image) -> npt.NDArray[np.float32]:
    """Pixels of ``image`` in its working mode, as float32 (height, width, channels)."""
    mode = working_mode(image)
    converted = image if image.mode == mode else image.convert(mode)
    array = np.asarray(converted, dtype=np.float32)
    return array[..., None] if array.ndim == 2 else array


def split(array: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
    """Colour channels, and alpha in 0..1 (None when there is none)."""
    if array.shape[2] in (2, 4):
        return array[..., :-1], array[..., -1] / 255.0
    return array, None


def mask(lum: npt.NDArray[np.float32], alpha: npt.NDArray[np.float32] | None = None) -> npt.NDArray[np.float32]:
    """Embedding strength per pixel, 0..1: edges (spread onto their neighbours) and texture, nothing on flat.

    A function of the original alone, so the decoder rebuilds exactly the weights the embedder used.
    """
    gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    edge = np.clip(np.sqrt(gx * gx + gy * gy) / EDGE_LEVELS, 0.0, 1.0)
    edge = cv2.dilate(edge, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (EDGE_REACH, EDGE_REACH)))
    mean = cv2.blur(lum, (5, 5))
    spread = np.sqrt(np.maximum(cv2.blur(lum * lum, (5, 5)) - mean * mean, 0.0))
    low, high = TEXTURE_LEVELS
    texture = np.clip((spread - low) / (high - low), 0.0, 1.0)
    strength = np.maximum(edge, texture).astype(np.float32)
    if alpha is not None:
        strength *= alpha  # nothing where the pixel is not seen; alpha itself is never changed
    return strength
