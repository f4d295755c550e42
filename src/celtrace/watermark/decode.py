"""Decoding: align the found copy to the original, subtract, correlate with the key's pattern, decide.

Non-blind: celtrace keeps the original, so the found copy is registered onto it (``align``), and the original
— sent through the same geometry, blur and tone curve the copy went through, estimated here — is subtracted.
What is left is the mark plus compression noise. Each block's residual, weighted by the mask, is summed
(``X_b``); coded bit k's correlation is ``y_k = Σ chip_b · X_b`` over its blocks, and the payload is decoded
from the 640 ``y_k`` (``payload.decode``).

Naming a delivery is a statistical claim, tested here with a bound that needs no calibration. Given the
residual, the key's chip signs are independent fair coins, so for any one fixed codeword s the score
``Z = Σ_b s_b chip_b X_b / sqrt(Σ_b X_b²)`` has mean 0 and variance 1 on a copy that does not carry s, with
tails below exp(-Z²/2) (Hoeffding). The decoder picks s from 2³² candidates, so the chance that *any*
delivery reaches Z by accident is at most 2³² · exp(-Z²/2). A delivery is named only when its CRC holds and
this bound is under ``MAX_FALSE_ATTRIBUTION``; ``confidence`` is one minus the bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from celtrace.errors import InputError
from celtrace.watermark import payload
from celtrace.watermark.align import Alignment, align
from celtrace.watermark.embed import MAX_STRENGTH
from celtrace.watermark.key import WatermarkKey, fits, layout
from celtrace.watermark.pixels import array_luminance, as_array, mask, split

MAX_FALSE_ATTRIBUTION = 1e-6
"""Largest accepted bound on the chance that an unmarked or differently marked copy names this delivery."""

MIN_FOUND_PIXELS = 64 * 64
"""A found copy smaller than this cannot hold enough of the mark to say anything."""

_CLIP = 3.0 * MAX_STRENGTH  # residuals beyond this are misfit edges, not the mark: clipped so they cannot dominate
_BLURS = (0.0, 0.6, 1.0, 1.6, 2.4)  # Gaussian sigmas tried for the copy's blur (sharp, JPEG, rescale, scan)
_LOG_CANDIDATES = payload.ID_BITS * math.log(2.0)


@dataclass(frozen=True)
class DecodeResult:
    """What a found copy says about its delivery.

    ``delivery_id`` is None unless the evidence clears ``MAX_FALSE_ATTRIBUTION``; ``reason`` says why in words.
    ``correlations`` (640 values) and ``spread`` let a caller test any known delivery with :meth:`z_for`.
    """

    delivery_id: int | None
    confidence: float
    z: float
    reason: str
    bit_values: npt.NDArray[np.float64]
    """Per coded bit, the correlation normalised to unit noise: its sign is the bit read."""
    correlations: npt.NDArray[np.float64]
    spread: float
    alignment: Alignment | None

    @property
    def payload(self) -> str | None:
        """The payload as hex, as ``watermark decode --json`` prints it; None when nothing is named."""
        return None if self.delivery_id is None else payload.payload_hex(self.delivery_id)

    def z_for(self, delivery_id: int) -> float:
        """Score of one known delivery (informed detection): N(0, 1)-bounded when the copy does not carry it.

        With m candidate deliveries of an asset, one of them is wrongly named with chance at most
        m · exp(-z²/2); this reaches marks too faint for decoding the payload blind.
        """
        if self.spread <= 0.0:
            return 0.0
        return float(payload.encode(delivery_id) @ self.correlations / self.spread)


def false_attribution_bound(z: float) -> float:
    """Upper bound on the chance that a copy without the decoded mark scores ``z`` for some delivery."""
    if z <= 0.0:
        return 1.0
    return min(1.0, math.exp(_LOG_CANDIDATES - z * z / 2.0))


def decode_image(found: Image.Image, original: Image.Image, key: WatermarkKey) -> DecodeResult:
    """Read the delivery a found copy of ``original`` carries under ``key`` (see the module docstring).

    Raises InputError when the original cannot carry a mark (mode, size); a found copy that is too small,
    unreadable as a copy of the original, or unmarked gives a result with ``delivery_id`` None.
    """
    width, height = original.size
    if not fits(width, height):
        raise InputError(f"original of {width}x{height} pixels is too small to carry a watermark")
    source = as_array(original)
    _, alpha = split(source)
    original_lum = array_luminance(source)
    weights = mask(original_lum, alpha)
    if found.size[0] * found.size[1] < MIN_FOUND_PIXELS:
        return _nothing("found copy too small")
    try:
        found_lum = array_luminance(as_array(found))
    except InputError:
        found_lum = np.asarray(found.convert("L"), dtype=np.float32)  # any mode Pillow can convert is readable
    fit = align(found_lum, original_lum)
    if fit is None:
        return _nothing("copy could not be aligned with the original")
    residual, weight = _residual(found_lum, original_lum, weights, fit)
    blocks = layout(key, width, height)
    sums = blocks.block_sums(residual * weight)
    signed = sums * blocks.chip
    correlations = np.asarray(np.bincount(blocks.bit, weights=signed, minlength=payload.CODE_LENGTH), dtype=np.float64)
    noise = np.sqrt(np.bincount(blocks.bit, weights=sums * sums, minlength=payload.CODE_LENGTH))
    spread = float(np.sqrt(np.sum(sums * sums)))
    bit_values = np.divide(correlations, noise, out=np.zeros_like(correlations), where=noise > 0)
    if spread <= 0.0:
        return _nothing("no marked area of the original is in the copy", fit)
    decision = payload.decode(bit_values)
    z = float(decision.codeword @ correlations / spread)
    bound = false_attribution_bound(z)
    if not decision.crc_ok:
        reason, delivery = "no mark found (check byte does not match)", None
    elif bound > MAX_FALSE_ATTRIBUTION:
        reason, delivery = "mark too weak to name a delivery", None
    else:
        reason, delivery = "decoded", decision.delivery_id
    return DecodeResult(delivery, 1.0 - bound, z, reason, bit_values, correlations, spread, fit)


def _nothing(reason: str, fit: Alignment | None = None) -> DecodeResult:
    empty = np.zeros(payload.CODE_LENGTH)
    return DecodeResult(None, 0.0, 0.0, reason, empty, empty, 0.0, fit)


def _residual(
    found: npt.NDArray[np.float32],
    original: npt.NDArray[np.float32],
    weights: npt.NDArray[np.float32],
    fit: Alignment,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The found copy minus the original as the copy's treatment would have left it, and the matched weights.

    The original goes through the copy's geometry and back (so a halved copy is compared with a halved and
    restored original, not with a sharp one); then the blur and the linear tone curve that best explain the
    copy are fitted. The mask goes through the same treatment, as the mark did.
    """
    height, width = original.shape
    size = (width, height)
    matrix = fit.matrix.astype(np.float64)
    inverse = cv2.invertAffineTransform(matrix)
    found_size = (found.shape[1], found.shape[0])
    warped = cv2.warpAffine(found, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    cover = cv2.warpAffine(np.ones(found.shape, np.float32), matrix, size, flags=cv2.INTER_LINEAR)
    valid = cv2.erode((cover > 0.999).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)

    def round_trip(values: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        if fit.scale > 1.2:  # the copy was shrunk: what it holds was low-passed first, as any resizer does
            values = np.asarray(cv2.GaussianBlur(values, (0, 0), 0.45 * fit.scale), dtype=np.float32)
        small = cv2.warpAffine(values, inverse, found_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return np.asarray(
            cv2.warpAffine(small, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE),
            dtype=np.float32,
        )

    simulated, expected = round_trip(original), round_trip(weights)
    target = warped[valid].astype(np.float64)
    best: tuple[float, float, float, float] | None = None
    for sigma in _BLURS:
        blurred = cv2.GaussianBlur(simulated, (0, 0), sigma) if sigma > 0 else simulated
        sample = blurred[valid].astype(np.float64)
        gain, offset = _linear_fit(sample, target)
        error = float(np.mean((target - gain * sample - offset) ** 2)) if target.size else 0.0
        if best is None or error < best[0]:
            best = (error, sigma, gain, offset)
    assert best is not None
    _, sigma, gain, offset = best
    blurred = cv2.GaussianBlur(simulated, (0, 0), sigma) if sigma > 0 else simulated
    residual = np.clip(warped - (gain * blurred + offset), -_CLIP, _CLIP) * valid
    weight = (cv2.GaussianBlur(expected, (0, 0), sigma) if sigma > 0 else expected) * valid
    return residual.astype(np.float32), weight.astype(np.float32)


def _linear_fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Least-squares gain and offset of y on x; identity when x is constant (a blank area)."""
    if x.size < 2:
        return 1.0, 0.0
    spread = float(np.var(x))
    if spread < 1e-6:
        return 1.0, float(np.mean(y) - np.mean(x))
    gain = float(np.mean((x - x.mean()) * (y - y.mean())) / spread)
    return gain, float(y.mean() - gain * x.mean())
