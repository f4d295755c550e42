"""Candidate search for local features: registered pages vote by the keypoint descriptors a query shares.

Verifying a query against every registered page would cost a few milliseconds a page; instead each page's
first descriptors go into one FAISS binary index, each query descriptor votes for the pages holding a near
descriptor, and the pages with the most votes are shortlisted. Votes alone rank poorly: a busy drawing
shares similar corners with everything. So the shortlist is re-ranked by how many of its votes agree on one
placement (a RANSAC fit on the voting pairs alone, a fraction of a millisecond a page), and only the best
few go on to full verification (``local_features``).

A flat scan of 500 query descriptors costs ~25 ms per 100,000 indexed ones on 2 cores, so past
``IVF_ABOVE`` descriptors (about 100 pages) the index is an inverted file over binary k-means cells,
probing 32 of them: approximate, which a vote can afford (a true source holds dozens of shared
descriptors, not one). Measured on 280 pages: 20 ms a query instead of 60, the same sources found. The
index lives in memory and is built on each run, 24 KB a page: right for an episode's or a season's
thousands of drawings, not yet for a whole catalogue.
"""

from __future__ import annotations

from typing import Any

import cv2
import faiss
import numpy as np
import numpy.typing as npt

from celtrace.assets.local_features import LocalFeatures

_REPROJECTION = 4.0  # working-image pixels; looser than verification's, the shortlist only ranks

INDEXED = 768
"""Descriptors of each registered page put in the index: its first, strongest at every scale (``local_features``)."""

QUERIED = 500
"""Descriptors of a query that vote, taken the same way. Measured on crops keeping a quarter of a drawing
(60 a seed, 2 seeds) and on half-size panels of a sheet: 768 indexed and 500 voting put the source among the
4 candidates verified in all but one case, where 512 indexed missed 4 and 256 a quarter of the crops."""

SHORTLIST = 32
"""Pages with the most votes that are re-ranked by the geometry of their votes."""

NEIGHBOURS = 4
"""Nearest descriptors each query descriptor looks at: a shared corner may exist in several pages."""

MAX_DISTANCE = 64
"""Hamming distance (of 256 bits) at most for a vote; ORB's own matching uses about this bound."""

IVF_ABOVE = 50_000
"""Indexed descriptors past which the index is an inverted file rather than a flat scan."""

_PROBES = 32


class FeatureIndex:
    """Binary index of registered pages' strongest ORB descriptors, keyed by an integer per page.

    Add every page first, then search: the index is built on the first search.
    """

    def __init__(self, ivf_above: int = IVF_ABOVE) -> None:
        self._ivf_above = ivf_above
        self._pending: list[tuple[int, npt.NDArray[np.uint8], npt.NDArray[np.float32]]] = []
        self._index: faiss.IndexBinary | None = None
        self._quantizer: faiss.IndexBinary | None = None
        self._owners: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._points: npt.NDArray[np.float32] = np.empty((0, 2), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._owners) + sum(len(descriptors) for _, descriptors, _ in self._pending)

    def add(self, key: int, features: LocalFeatures) -> None:
        """Queue the first descriptors of one page (and where they are) under ``key``."""
        if self._index is not None:
            raise RuntimeError("the index is built on the first search; add every page before searching")
        if len(features):
            # Copies, so that the page's other keypoints are not kept alive by views of them.
            self._pending.append((key, features.descriptors[:INDEXED].copy(), features.points[:INDEXED].copy()))

    def candidates(self, query: LocalFeatures, limit: int = 8) -> list[tuple[int, int]]:
        """Up to ``limit`` keys whose votes agree best on one placement of the query: (key, agreeing votes)."""
        index = self._build()
        if not index.ntotal or not len(query):
            return []
        descriptors = np.ascontiguousarray(query.descriptors[:QUERIED])
        distances, positions = index.search(descriptors, min(NEIGHBOURS, int(index.ntotal)))
        near = (distances <= MAX_DISTANCE) & (positions >= 0)
        rows, hits = np.nonzero(near)[0], positions[near]
        owners = self._owners[hits]
        # One vote a page per query descriptor (its nearest descriptor on that page): FAISS lists neighbours
        # nearest first, so the first of each (descriptor, page) pair is kept.
        span = int(owners.max(initial=0)) + 1
        _, first = np.unique(rows * span + owners, return_index=True)
        rows, hits, owners = rows[first], hits[first], owners[first]
        keys, counts = np.unique(owners, return_counts=True)
        shortlist = keys[np.argsort(-counts, kind="stable")[:SHORTLIST]]
        agreeing = [
            (int(key), _agreeing(query.points[rows[owners == key]], self._points[hits[owners == key]]))
            for key in shortlist
        ]
        return sorted(agreeing, key=lambda item: (-item[1], item[0]))[:limit]

    def __getstate__(self) -> dict[str, object]:
        """The built index, for pickling (a Spark broadcast): FAISS's own serialisation, not a rebuild.

        Rebuilding elsewhere would train the inverted file's k-means again, which need not give the same cells.
        """
        index = self._build()
        return {
            "ivf_above": self._ivf_above,
            "index": faiss.serialize_index_binary(index),
            "owners": self._owners,
            "points": self._points,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        """The inverse of :meth:`__getstate__`: a built index, ready to search."""
        self._ivf_above = state["ivf_above"]
        self._pending = []
        self._index = faiss.deserialize_index_binary(state["index"])
        self._quantizer = None  # the deserialised inverted file owns its quantizer
        self._owners = state["owners"]
        self._points = state["points"]

    def _build(self) -> faiss.IndexBinary:
        if self._index is not None:
            return self._index
        firsts = self._pending
        codes = np.concatenate([d for _, d, _ in firsts]) if firsts else np.empty((0, 32), np.uint8)
        self._owners = np.concatenate([np.full(len(d), key, dtype=np.int64) for key, d, _ in firsts] or [self._owners])
        self._points = np.concatenate([p for _, _, p in firsts] or [self._points])
        self._pending = []
        index: faiss.IndexBinary
        if len(codes) > self._ivf_above:
            cells = int(2 * np.sqrt(len(codes)))
            quantizer = faiss.IndexBinaryFlat(256)
            ivf = faiss.IndexBinaryIVF(quantizer, 256, cells)
            self._quantizer = quantizer  # FAISS does not own it: it must live as long as the index
            # k-means on a fixed sample of 40 codes a cell (FAISS asks for 39): deterministic, and training on
            # millions of codes would be wasted time.
            sample = codes[np.random.default_rng(0).choice(len(codes), min(len(codes), cells * 40), replace=False)]
            ivf.train(np.ascontiguousarray(sample))
            ivf.nprobe = _PROBES
            index = ivf
        else:
            index = faiss.IndexBinaryFlat(256)
        if len(codes):
            index.add(np.ascontiguousarray(codes))
        self._index = index
        return index


def _agreeing(query_points: npt.NDArray[np.float32], page_points: npt.NDArray[np.float32]) -> int:
    """How many voting pairs one similarity transform explains (0 when too few to fit one)."""
    if len(query_points) < 3:
        return 0
    transform, mask = cv2.estimateAffinePartial2D(
        query_points, page_points, method=cv2.RANSAC, ransacReprojThreshold=_REPROJECTION, maxIters=200
    )
    return 0 if transform is None else int(mask.sum())
