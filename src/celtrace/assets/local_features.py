"""Local features: ORB keypoints of a working image, and geometric verification of one image against another.

PDQ sees a drawing whole, so a 10% crop, a white margin or a 5° turn moves it past its threshold. Keypoints
see corners and line ends, which survive all of those; a copy is confirmed when many of its keypoints map onto
the candidate's under one similarity transform (rotation, uniform scale, translation), found by RANSAC.

Why ORB, and why these numbers (measured on synthetic line art in benchmarks/fingerprint.py, and in
``../shared/reference/image-provenance.md`` on real drawings): ORB extracts in a few milliseconds where SIFT
takes ~120 ms, and matched crops better on sparse line art. 1,000 keypoints on a 512-pixel working image keep
~50 inliers on a crop that keeps a quarter of the drawing, where 500 kept as few as 15.

Raw inlier counts do not separate a source from another drawing of the same character, which can share
many corners. A match must therefore hold a real share of the keypoints in the part the two images have in
common (``Verification.share``), and the matcher ranks candidates against each other (``registry``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from celtrace.assets.images import WorkingImage, decode_bytes, decode_file

WORKING_SIZE = 512
"""Longest side of the image keypoints are taken from."""

FEATURES = 1000
"""Keypoints kept per page, strongest first."""

MIN_INLIERS = 30
"""Fewest RANSAC inliers for a match: unrelated synthetic drawings reached 24 (benchmarks/fingerprint.py)."""

MIN_SHARE = 0.1
"""Least share of the overlap's keypoints that must be inliers for a match."""

_RATIO = 0.75  # Lowe's ratio test: a match must be clearly better than the second best
_REPROJECTION = 3.0  # RANSAC tolerance in working-image pixels
_SCALES = (0.2, 5.0)  # a copy rescaled beyond these is not a plausible reuse of the drawing
_MIN_OVERLAP = 20  # an overlap holding fewer keypoints than this says nothing about the share

_orb = cv2.ORB.create(nfeatures=FEATURES)
_matcher = cv2.BFMatcher(cv2.NORM_HAMMING)


@dataclass(frozen=True)
class LocalFeatures:
    """Keypoints of one page: ``points`` (n, 2) float32 in working pixels, ``descriptors`` (n, 32) uint8."""

    points: npt.NDArray[np.float32]
    descriptors: npt.NDArray[np.uint8]
    width: int
    height: int
    page: int = 0

    def __len__(self) -> int:
        return len(self.points)

    def to_blobs(self) -> tuple[bytes, bytes]:
        """Points as float16 (a quarter pixel at 512 is well inside RANSAC's tolerance) and descriptors."""
        return self.points.astype("<f2").tobytes(), self.descriptors.tobytes()

    @classmethod
    def from_blobs(cls, points: bytes, descriptors: bytes, width: int, height: int, page: int = 0) -> LocalFeatures:
        """The inverse of :meth:`to_blobs`."""
        xy = np.frombuffer(points, dtype="<f2").astype(np.float32).reshape(-1, 2)
        codes = np.frombuffer(descriptors, dtype=np.uint8).reshape(-1, 32)
        if len(xy) != len(codes):
            raise ValueError(f"{len(xy)} keypoints but {len(codes)} descriptors")
        return cls(xy, codes, width, height, page)


@dataclass(frozen=True)
class Verification:
    """How well a query maps onto a reference: RANSAC inliers, and their share of the common part."""

    inliers: int
    share: float
    scale: float
    rotation: float
    transform: tuple[tuple[float, float, float], tuple[float, float, float]] | None = None
    """The fitted 2×3 similarity from query to reference, in working-image pixels (``watermark`` aligns with it)."""

    @property
    def is_match(self) -> bool:
        """True when the geometry says the query is a copy of (part of) the reference, or it of the query."""
        return self.inliers >= MIN_INLIERS and self.share >= MIN_SHARE


def extract(image: WorkingImage) -> LocalFeatures:
    """ORB keypoints of one working image, strongest first."""
    grey = cv2.cvtColor(image.pixels, cv2.COLOR_RGB2GRAY)
    height, width = grey.shape
    # ORB finds no keypoint within its edge threshold of a border, so a picture this thin has none; and
    # OpenCV's pyramid fails an assertion outright on a side that shrinks to 0 pixels (a 1-pixel line).
    keypoints: Sequence[cv2.KeyPoint] = ()
    descriptors = None
    if min(width, height) > 2 * _orb.getEdgeThreshold():
        keypoints, descriptors = _orb.detectAndCompute(grey, None)
    if descriptors is None or not keypoints:
        return LocalFeatures(np.empty((0, 2), np.float32), np.empty((0, 32), np.uint8), width, height, image.page)
    order = _by_scale_then_strength(keypoints)
    points = np.array([keypoints[i].pt for i in order], dtype=np.float32).reshape(-1, 2)
    return LocalFeatures(points, np.ascontiguousarray(descriptors[order]), width, height, image.page)


def extract_file(path: Path, *, max_pixels: int | None = None) -> list[LocalFeatures]:
    """Local features of every page of the image at ``path``; bad files raise ``InputError``."""
    return [extract(page) for page in decode_file(path, size=WORKING_SIZE, max_pixels=max_pixels)]


def extract_bytes(data: bytes, name: str, *, max_pixels: int | None = None) -> list[LocalFeatures]:
    """Local features of every page of an image held in memory; ``name`` is used in errors."""
    return [extract(page) for page in decode_bytes(data, name, size=WORKING_SIZE, max_pixels=max_pixels)]


def verify(query: LocalFeatures, reference: LocalFeatures) -> Verification | None:
    """Fit one similarity transform from the query onto the reference; None when there is no plausible one."""
    if len(query) < MIN_INLIERS or len(reference) < MIN_INLIERS:
        return None
    # Matches are taken in both directions and pooled: a small panel's keypoints pass the ratio test more
    # often from the reference's side, a crop's from the query's.
    pairs = {(q, r) for q, r in _distinct(query.descriptors, reference.descriptors)}
    pairs |= {(q, r) for r, q in _distinct(reference.descriptors, query.descriptors)}
    if len(pairs) < MIN_INLIERS:
        return None
    matched = np.array(sorted(pairs), dtype=np.int64)
    source, target = query.points[matched[:, 0]], reference.points[matched[:, 1]]
    fitted, mask = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=_REPROJECTION)
    if fitted is None:
        return None
    transform: npt.NDArray[np.float64] = np.asarray(fitted, dtype=np.float64)
    scale = float(np.hypot(transform[0, 0], transform[1, 0]))
    if not _SCALES[0] < scale < _SCALES[1]:
        return None
    inliers = int(mask.sum())
    # The common part: query keypoints that land inside the reference, and reference keypoints that land
    # inside the query. The smaller count is what a true copy can repeat; a crop's is its own area, a sheet
    # holding the drawing as one panel has the drawing's.
    forward = _inside(_apply(transform, query.points), reference.width, reference.height)
    backward = _inside(
        _apply(np.asarray(cv2.invertAffineTransform(transform), dtype=np.float64), reference.points),
        query.width,
        query.height,
    )
    overlap = max(_MIN_OVERLAP, min(forward, backward))
    rotation = float(np.degrees(np.arctan2(transform[1, 0], transform[0, 0])))
    rows = (
        (float(transform[0, 0]), float(transform[0, 1]), float(transform[0, 2])),
        (float(transform[1, 0]), float(transform[1, 1]), float(transform[1, 2])),
    )
    return Verification(inliers, min(1.0, inliers / overlap), scale, rotation, rows)


def _by_scale_then_strength(keypoints: Sequence[cv2.KeyPoint]) -> list[int]:
    """Indices taking the strongest keypoint of each pyramid level in turn, then the next of each, and so on.

    The candidate index keeps only a page's first descriptors (``feature_index``); ranked by strength alone
    they all come from the finest levels, and a copy drawn at half the size (a panel of a sheet) shares
    almost none of them. Taken level by level, every scale a copy may come at is represented.
    """
    levels: dict[int, list[int]] = {}
    for index in sorted(range(len(keypoints)), key=lambda i: -keypoints[i].response):
        levels.setdefault(keypoints[index].octave, []).append(index)
    rounds = itertools.zip_longest(*(levels[level] for level in sorted(levels)))
    return [index for round_ in rounds for index in round_ if index is not None]


def _distinct(queries: npt.NDArray[np.uint8], train: npt.NDArray[np.uint8]) -> list[tuple[int, int]]:
    """Nearest-neighbour matches that pass Lowe's ratio test, as (query index, train index)."""
    found = _matcher.knnMatch(queries, train, k=2)
    return [
        (pair[0].queryIdx, pair[0].trainIdx)
        for pair in found
        if len(pair) == 2 and pair[0].distance < _RATIO * pair[1].distance
    ]


def _apply(transform: npt.NDArray[np.float64], points: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    return points @ transform[:, :2].T + transform[:, 2]


def _inside(points: npt.NDArray[np.float64], width: int, height: int) -> int:
    x, y = points[:, 0], points[:, 1]
    return int(np.count_nonzero((x >= 0) & (x < width) & (y >= 0) & (y < height)))
