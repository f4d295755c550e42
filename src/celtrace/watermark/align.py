"""Registration of a found copy onto its original: local features for the rough fit, ECC for the exact one.

Reading a non-blind watermark means subtracting the original, and on line art an edge shifted by a tenth of a
pixel leaves a residual ten times the mark. So the fit must be sub-pixel, which RANSAC over ORB keypoints on
512-pixel working images is not (a working pixel is 3.75 pixels of a 1920-wide original). The rough similarity
comes from ``assets.local_features.verify`` (the same features that found the match); OpenCV's ECC
(enhanced correlation coefficient, Evangelidis & Psarakis 2008) then refines it to a full affine transform by
maximising the correlation of the two pictures, which is invariant to the brightness and contrast changes of
a print, a scan or a gamma curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from celtrace.assets.images import WORKING_SIZE, WorkingImage, to_working
from celtrace.assets.local_features import extract, verify

ECC_SIZE = 1024
"""Longest side the ECC refinement works at: sub-pixel at full size, and ~4× cheaper than 1920."""

MIN_CORRELATION = 0.6
"""ECC correlation below this means the refinement wandered off; the rough fit is kept."""

MIN_SIDE = 32
"""Shortest side, in working pixels, of a picture worth looking for features in."""

SNAP = 0.25
"""A same-size copy whose fit moves no corner farther than this (pixels) is taken as not moved."""

_ECC_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-5)


@dataclass(frozen=True)
class Alignment:
    """How a found copy maps onto the original: ``matrix`` (2 × 3) takes found pixels to original pixels."""

    matrix: npt.NDArray[np.float64]
    method: str
    """``features`` (local features, then ECC), ``identity`` (same size, no features fit; then ECC) or
    ``translation`` (a crop found by template matching, confirmed by ECC)."""
    correlation: float
    """ECC's correlation coefficient after refinement (1 is a perfect fit); 0 when it did not converge."""

    @property
    def scale(self) -> float:
        """Original pixels per found pixel."""
        return float(np.sqrt(abs(np.linalg.det(self.matrix[:, :2]))))


def align(found: npt.NDArray[np.float32], original: npt.NDArray[np.float32]) -> Alignment | None:
    """Fit the found luminance onto the original's; None when no plausible transform exists."""
    rough = _features(found, original)
    method = "features"
    if rough is None and found.shape == original.shape:
        rough, method = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), "identity"
    elif rough is None:
        # Smooth, noisy pictures (photographs) can leave ORB without a fit on a crop; a plain crop is
        # still found by sliding the copy over the original. Only ECC's confirmation makes it count.
        rough, method = _translation(found, original), "translation"
        if rough is None:
            return None
    refined, correlation = _refine(found, original, rough)
    if refined is None:
        return None if method == "translation" else Alignment(rough, method, 0.0)
    if found.shape == original.shape and _displacement(refined, found.shape) < SNAP:
        # A re-encoded or recoloured copy of the same size is not moved at all; ECC's last hundredths of a
        # pixel would only add edge residue.
        return Alignment(np.eye(2, 3), method, correlation)
    return Alignment(refined, method, correlation)


def _displacement(matrix: npt.NDArray[np.float64], shape: tuple[int, ...]) -> float:
    """Largest distance, in pixels, that ``matrix`` moves a corner of a picture of ``shape``."""
    height, width = shape[:2]
    corners = np.array([[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0], [width - 1.0, height - 1.0]])
    moved = corners @ matrix[:, :2].T + matrix[:, 2]
    return float(np.max(np.hypot(*(moved - corners).T)))


def _features(found: npt.NDArray[np.float32], original: npt.NDArray[np.float32]) -> npt.NDArray[np.float64] | None:
    query, query_scale = _working(found)
    reference, reference_scale = _working(original)
    if min(*query.pixels.shape[:2], *reference.pixels.shape[:2]) < MIN_SIDE:
        return None  # ORB's pyramid fails on slivers (OpenCV asserts), and they carry too little to align
    try:
        result = verify(extract(query), extract(reference))
    except cv2.error:
        return None  # hostile pictures must not crash a scan; no fit is the honest answer
    if result is None or not result.is_match or result.transform is None:
        return None
    working = np.vstack([np.array(result.transform, dtype=np.float64), [0.0, 0.0, 1.0]])
    full: npt.NDArray[np.float64] = np.linalg.inv(_scaling(*reference_scale)) @ working @ _scaling(*query_scale)
    return full[:2]


def _translation(found: npt.NDArray[np.float32], original: npt.NDArray[np.float32]) -> npt.NDArray[np.float64] | None:
    """Where an unscaled crop sits in the original (template matching at 256 px); None when nowhere clearly."""
    if found.shape[0] > original.shape[0] or found.shape[1] > original.shape[1]:
        return None
    factor = min(1.0, 256 / max(original.shape))
    small_found, small_original = _shrink(found, factor), _shrink(original, factor)
    if min(small_found.shape) < 8:
        return None
    scores = cv2.matchTemplate(small_original, small_found, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(scores)
    if not best >= 0.5:
        return None
    return np.array([[1.0, 0.0, x / factor], [0.0, 1.0, y / factor]])


def _working(lum: npt.NDArray[np.float32]) -> tuple[WorkingImage, tuple[float, float]]:
    from PIL import Image

    height, width = lum.shape
    grey = Image.fromarray(np.clip(np.rint(lum), 0, 255).astype(np.uint8), "L")
    pixels = to_working(grey, WORKING_SIZE)
    scale = (pixels.shape[1] / width, pixels.shape[0] / height)
    return WorkingImage(pixels, 0, (width, height), "PNG"), scale


def _refine(
    found: npt.NDArray[np.float32], original: npt.NDArray[np.float32], rough: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64] | None, float]:
    """ECC between the original and the copy laid onto it by the rough fit; returns the refined matrix.

    Both work at the same reduced size (``ECC_SIZE``). The copy is first warped into the original's frame,
    so ECC (which wants pictures of one size) only has to find the small correction left.
    """
    height, width = original.shape
    factor = min(1.0, ECC_SIZE / max(height, width))
    template = _shrink(original, factor)
    shrink = _scaling(factor, factor)
    onto = (shrink @ np.vstack([rough, [0.0, 0.0, 1.0]]))[:2]
    size = (template.shape[1], template.shape[0])
    moving = cv2.warpAffine(found, onto, size, flags=cv2.INTER_AREA if factor < 1.0 else cv2.INTER_LINEAR)
    # Only the part of the original the copy covers takes part (a crop covers less, a turn leaves corners).
    cover = cv2.warpAffine(np.ones(found.shape, np.uint8), onto, size, flags=cv2.INTER_NEAREST)
    cover = np.asarray(cv2.erode(cover, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    start = np.eye(2, 3, dtype=np.float32)
    try:
        correlation, warp = cv2.findTransformECC(template, moving, start, cv2.MOTION_AFFINE, _ECC_CRITERIA, cover, 5)
    except cv2.error:
        return None, 0.0  # did not converge (flat picture, wild start)
    if not np.isfinite(correlation) or correlation < MIN_CORRELATION:
        return None, 0.0
    # ECC's warp takes original coordinates to the laid copy's; the copy's own are the rough fit's inverse.
    correction = np.linalg.inv(np.vstack([np.asarray(warp, dtype=np.float64), [0.0, 0.0, 1.0]]))
    refined = np.linalg.inv(shrink) @ correction @ np.vstack([onto, [0.0, 0.0, 1.0]])
    return refined[:2], float(correlation)


def _scaling(x: float, y: float) -> npt.NDArray[np.float64]:
    """The 3 × 3 matrix of a resize by (x, y): pixel centres, not corners, are what a resizer maps."""
    return np.array([[x, 0.0, 0.5 * x - 0.5], [0.0, y, 0.5 * y - 0.5], [0.0, 0.0, 1.0]])


def _shrink(lum: npt.NDArray[np.float32], factor: float) -> npt.NDArray[np.float32]:
    if factor >= 1.0:
        return lum
    height, width = lum.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(cv2.resize(lum, size, interpolation=cv2.INTER_AREA), dtype=np.float32)
