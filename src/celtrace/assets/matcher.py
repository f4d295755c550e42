"""Matching an image against the registry, in two stages.

1. Global: every page's eight PDQ variants are looked up in the exact hash index. A hit within distance 31
   is a near-duplicate (re-saved, rescaled, turned by 90°, mirrored) and is reported as method ``pdq``.
2. Local, for pages the global stage did not place: the registered pages with the most shared keypoint
   descriptors (``feature_index``) are verified geometrically (``local_features``). Those that pass are
   ranked by the share of the common part their inliers hold, and a candidate far below the best is
   dropped: another drawing of the same character can pass on its own, but not next to its source.
   Reported as method ``orb``; this is what finds crops, margins, small turns, rescans and panels.

The steps run apart, so that another engine can place them: :func:`search_pages` needs only the two indexes
(global search, then local candidates), ``verify`` needs a query page and a registered page's full features,
and :func:`assemble` ranks what they found. :class:`AssetMatcher` runs them in turn in this process;
``celtrace.spark.matching`` runs the first two on Spark's executors and the last on the driver.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.assets.feature_index import FeatureIndex
from celtrace.assets.fingerprint import MATCH_DISTANCE
from celtrace.assets.hash_index import HashIndex
from celtrace.assets.local_features import LocalFeatures, Verification, verify
from celtrace.assets.prints import ImagePrints, prints_of_file
from celtrace.errors import InputError
from celtrace.spark.hadoop import local_path
from celtrace.workspace.schema import Asset, AssetFeatures, FingerprintRow

GLOBAL_METHOD = "pdq"
LOCAL_METHOD = "orb"

CANDIDATES = 4
"""Registered pages verified geometrically for each query page."""

RELATIVE_SHARE = 0.5
"""A local match is kept only if its share is at least this part of the best one for the same page."""

_CACHE_PAGES = 256  # registered pages' full features kept in memory between queries


@dataclass(frozen=True)
class AssetMatch:
    """A registered asset a query image matches, with the measurements that say so."""

    asset_id: int
    path: str
    production: str
    episode: str | None
    scene: str | None
    sha256: str
    score: float
    method: str
    distance: int | None = None  # PDQ bits apart, for ``pdq``
    geometry: dict[str, float] | None = None  # inliers, share, scale, rotation, for ``orb``
    page: int = 0  # the query's page (or video frame sample) that matched

    def to_json(self) -> dict[str, Any]:
        """The match as ``match --json`` prints it."""
        return {
            "asset_id": self.asset_id,
            "path": self.path,
            "production": self.production,
            "episode": self.episode,
            "scene": self.scene,
            "score": self.score,
            "method": self.method,
            "distance": self.distance,
            "geometry": self.geometry,
            "page": self.page,
        }

    def explain(self) -> str:
        """One sentence on why this is a match."""
        if self.method == GLOBAL_METHOD:
            return (
                f"their PDQ fingerprints are {self.distance} bits apart of 256, within the {MATCH_DISTANCE} "
                "that PDQ counts as the same picture"
            )
        geometry = self.geometry or {}
        return (
            f"{int(geometry.get('inliers', 0))} keypoints map onto the registered drawing under one rotation "
            f"({geometry.get('rotation', 0):.1f}°) and scale ({geometry.get('scale', 0):.2f}), "
            f"{geometry.get('share', 0):.0%} of those in the part the two images share"
        )


def global_index(session: Session) -> HashIndex:
    """The registry's PDQ codes in a hash index, each under its asset id: the first stage on its own.

    ``trove scan`` asks it whether an image is a registered drawing before spending OCR on it.
    """
    rows = session.execute(
        select(FingerprintRow.asset_id, FingerprintRow.code).where(FingerprintRow.method == GLOBAL_METHOD)
    ).all()
    # The flat scan is exact and, measured at 1,000,000 codes, no slower than multi-index hashing
    # (benchmarks/fingerprint.py).
    index = HashIndex("flat")
    if rows:
        codes = np.frombuffer(b"".join(bytes.fromhex(code) for _, code in rows), dtype=np.uint8)
        index.add([asset_id for asset_id, _ in rows], codes.reshape(len(rows), -1))
    return index


@dataclass(frozen=True)
class PageSearch:
    """One query page after the searches: its global hits, and for a page with none, the local candidates.

    ``candidates`` are :class:`FeatureIndex` keys, best first, still to be verified against their full features.
    """

    page: int
    near: list[tuple[int, int]]  # (asset id, PDQ distance), best first
    query: LocalFeatures | None = None
    candidates: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PageHits:
    """What both stages found for one query page: what :func:`assemble` ranks."""

    page: int
    near: list[tuple[int, int]]  # (asset id, PDQ distance), best first
    verified: list[tuple[int, Verification]] = field(default_factory=list)  # (asset id, a match), candidate order


def search_pages(prints: ImagePrints, index: HashIndex, features: FeatureIndex, limit: int) -> Iterator[PageSearch]:
    """The global stage for every page of ``prints``, and the local candidate search for pages it did not place.

    Needs only the two indexes, so that Spark's executors run it on broadcast copies (``celtrace.spark.matching``).
    """
    local = {page.page: page for page in prints.local}
    for fingerprint in prints.global_prints:
        near = index.search(fingerprint.codes()[None, ...], MATCH_DISTANCE, limit)[0]
        query = local.pop(fingerprint.page) if not near and fingerprint.page in local else None
        if query is None:
            yield PageSearch(fingerprint.page, near)
        else:
            keys = [key for key, _votes in features.candidates(query, CANDIDATES)]
            yield PageSearch(fingerprint.page, near, query, keys)


def assemble(pages: Iterable[PageHits], assets: Mapping[int, Asset], limit: int) -> list[AssetMatch]:
    """The matches of one image from its pages' hits, best first: the last step of both engines.

    Near-duplicates (``pdq``) rank before local matches (``orb``); within a method, by score. An asset found on
    several pages is reported once, by its best page (the first of equals).
    """
    best: dict[int, tuple[float, AssetMatch]] = {}
    for hits in pages:
        for match in _page_matches(hits, assets):
            rank = match.score + (1.0 if match.method == GLOBAL_METHOD else 0.0)
            if match.asset_id not in best or rank > best[match.asset_id][0]:
                best[match.asset_id] = (rank, match)
    ranked = sorted(best.values(), key=lambda entry: (-entry[0], entry[1].asset_id))
    return [match for _rank, match in ranked[:limit]]


def _page_matches(hits: PageHits, assets: Mapping[int, Asset]) -> Iterator[AssetMatch]:
    for asset_id, distance in hits.near:
        # PDQ similarity: the share of the 256 bits that agree; a match is at most 31 bits apart (0.879).
        score = round(1 - distance / 256, 3)
        yield _describe(assets[asset_id], score, GLOBAL_METHOD, hits.page, distance=distance)
    if not hits.verified:
        return
    # Another drawing of the same character can pass verification on its own, but not next to its source.
    top = max(result.share for _, result in hits.verified)
    for asset_id, result in hits.verified:
        if result.share < RELATIVE_SHARE * top:
            continue
        geometry = {
            "inliers": result.inliers,
            "share": round(result.share, 3),
            "scale": round(result.scale, 3),
            "rotation": round(result.rotation, 1) or 0.0,  # not -0.0
        }
        yield _describe(assets[asset_id], round(result.share, 3), LOCAL_METHOD, hits.page, geometry=geometry)


@dataclass
class AssetMatcher:
    """Both indexes over the registry; build once, match many images.

    Registered pages' full keypoints are read from ``session`` when a page is a candidate, so the matcher
    must be used while its session is open.
    """

    session: Session
    assets: dict[int, Asset] = field(init=False)
    index: HashIndex = field(init=False)
    features: FeatureIndex = field(init=False)
    pages: list[tuple[int, int]] = field(init=False, default_factory=list)
    """(asset id, page) of each :attr:`features` key, the key being the position."""
    _cache: dict[int, LocalFeatures] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.assets = {asset.id: asset for asset in self.session.scalars(select(Asset))}
        self.index = global_index(self.session)
        self.features = FeatureIndex()
        for row in self.session.scalars(select(AssetFeatures).order_by(AssetFeatures.asset_id, AssetFeatures.page)):
            key = len(self.pages)
            self.pages.append((row.asset_id, row.page))
            self.features.add(key, _features(row))

    def match(self, path: Path, limit: int = 10) -> list[AssetMatch]:
        """Registered assets that any page of the image at ``path`` copies, best first."""
        return self.match_prints(prints_of_file(path), limit)

    def match_prints(self, prints: ImagePrints, limit: int = 10) -> list[AssetMatch]:
        """Registered assets that any page of an already fingerprinted image copies, best first (:func:`assemble`)."""
        return assemble(
            (self._verified(found) for found in search_pages(prints, self.index, self.features, limit)),
            self.assets,
            limit,
        )

    def reference(self, key: int) -> LocalFeatures:
        """A registered page's full features, read on demand: the index holds only its strongest descriptors."""
        if key not in self._cache:
            if len(self._cache) >= _CACHE_PAGES:
                self._cache.pop(next(iter(self._cache)))
            asset_id, page = self.pages[key]
            self._cache[key] = _features(self.session.get_one(AssetFeatures, (asset_id, page)))
        return self._cache[key]

    def _verified(self, found: PageSearch) -> PageHits:
        verified: list[tuple[int, Verification]] = []
        if found.query is not None:
            for key in found.candidates:
                result = verify(found.query, self.reference(key))
                if result is not None and result.is_match:
                    verified.append((self.pages[key][0], result))
        return PageHits(found.page, found.near, verified)


def match_files(
    matcher: AssetMatcher, files: Sequence[Path | str], engine: str, spark_master: str = "local[*]", limit: int = 10
) -> Iterator[tuple[Path | str, list[AssetMatch] | InputError]]:
    """Each file's matches, or the error that kept it from being read, in order: what ``match`` prints.

    ``engine`` runs the work: ``duckdb`` (the local engine) in this process, or ``spark``, which fingerprints
    and searches on the cluster's executors (``celtrace.spark.matching``) with the same results; there a file
    may also be a URI on one of Spark's Hadoop file systems (``s3a://bucket/leak.png``).
    """
    if engine not in ("duckdb", "spark"):
        raise InputError(f"unknown engine {engine!r}: choose duckdb or spark")
    if engine == "spark":
        from celtrace.spark.matching import match_on_spark

        for path, found in match_on_spark(matcher, files, spark_master, limit):
            yield path, InputError(found, file=str(path)) if isinstance(found, str) else found
        return
    for path in files:
        try:
            yield path, matcher.match(local_path(path), limit)
        except InputError as error:
            yield path, error


def _describe(
    asset: Asset,
    score: float,
    method: str,
    page: int,
    distance: int | None = None,
    geometry: dict[str, float] | None = None,
) -> AssetMatch:
    return AssetMatch(
        asset.id,
        asset.path,
        asset.production,
        asset.episode,
        asset.scene,
        asset.sha256,
        score,
        method,
        distance=distance,
        geometry=geometry,
        page=page,
    )


def _features(row: AssetFeatures) -> LocalFeatures:
    return LocalFeatures.from_blobs(row.points, row.descriptors, row.width, row.height, row.page)
