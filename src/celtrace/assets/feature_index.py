"""Candidate search for local features: registered pages vote by the keypoint descriptors a query shares.

Verifying a query against every registered page would cost a few milliseconds a page; instead each page's
strongest descriptors go into one FAISS binary index, each query descriptor votes for the pages holding a
near descriptor, and only the pages with the most votes are verified geometrically (``local_features``).
Votes are a shortlist, not a decision: unrelated line art shares many similar corners.

A flat scan of 500 query descriptors costs ~25 ms per 100,000 indexed ones on 2 cores, so past
``IVF_ABOVE`` descriptors (about a thousand pages) the index is an inverted file over binary k-means cells:
approximate, which a vote can afford (a true source holds hundreds of shared descriptors, not one).
"""

from __future__ import annotations

import faiss
import numpy as np
import numpy.typing as npt

from celtrace.assets.local_features import LocalFeatures

INDEXED = 256
"""Descriptors of each registered page put in the index (its strongest keypoints)."""

QUERIED = 1000
"""Descriptors of a query that vote."""

NEIGHBOURS = 4
"""Nearest descriptors each query descriptor looks at: a shared corner may exist in several pages."""

MAX_DISTANCE = 64
"""Hamming distance (of 256 bits) at most for a vote; ORB's own matching uses about this bound."""

IVF_ABOVE = 250_000
"""Indexed descriptors past which the index is an inverted file rather than a flat scan."""

_PROBES = 16


class FeatureIndex:
    """Binary index of registered pages' strongest ORB descriptors, keyed by an integer per page.

    Add every page first, then search: the index is built on the first search.
    """

    def __init__(self, ivf_above: int = IVF_ABOVE) -> None:
        self._ivf_above = ivf_above
        self._pending: list[tuple[int, npt.NDArray[np.uint8]]] = []
        self._index: faiss.IndexBinary | None = None
        self._quantizer: faiss.IndexBinary | None = None
        self._owners: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._owners) + sum(len(descriptors) for _, descriptors in self._pending)

    def add(self, key: int, features: LocalFeatures) -> None:
        """Queue the strongest descriptors of one page under ``key``."""
        if self._index is not None:
            raise RuntimeError("the index is built on the first search; add every page before searching")
        if len(features):
            self._pending.append((key, features.descriptors[:INDEXED]))

    def candidates(self, query: LocalFeatures, limit: int = 8) -> list[tuple[int, int]]:
        """Up to ``limit`` keys with the most votes from the query's strongest descriptors, most first."""
        index = self._build()
        if not index.ntotal or not len(query):
            return []
        descriptors = np.ascontiguousarray(query.descriptors[:QUERIED])
        distances, positions = index.search(descriptors, min(NEIGHBOURS, int(index.ntotal)))
        near = (distances <= MAX_DISTANCE) & (positions >= 0)
        rows, owners = np.nonzero(near)[0], self._owners[positions[near]]
        # One vote a page per query descriptor, however many of the page's descriptors are near it.
        span = int(owners.max(initial=0)) + 1
        keys, counts = np.unique(np.unique(rows * span + owners) % span, return_counts=True)
        ranked = sorted(zip(keys.tolist(), counts.tolist(), strict=True), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def _build(self) -> faiss.IndexBinary:
        if self._index is not None:
            return self._index
        codes = np.concatenate([d for _, d in self._pending]) if self._pending else np.empty((0, 32), np.uint8)
        self._owners = np.concatenate(
            [np.full(len(d), key, dtype=np.int64) for key, d in self._pending] or [self._owners]
        )
        self._pending = []
        index: faiss.IndexBinary
        if len(codes) > self._ivf_above:
            cells = int(4 * np.sqrt(len(codes)))
            quantizer = faiss.IndexBinaryFlat(256)
            ivf = faiss.IndexBinaryIVF(quantizer, 256, cells)
            self._quantizer = quantizer  # FAISS does not own it: it must live as long as the index
            # k-means on a fixed sample: deterministic, and training on millions of codes is wasted time.
            sample = codes[np.random.default_rng(0).choice(len(codes), min(len(codes), cells * 64), replace=False)]
            ivf.train(np.ascontiguousarray(sample))
            ivf.nprobe = _PROBES
            index = ivf
        else:
            index = faiss.IndexBinaryFlat(256)
        if len(codes):
            index.add(np.ascontiguousarray(codes))
        self._index = index
        return index
