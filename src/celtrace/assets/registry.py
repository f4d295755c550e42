"""The asset registry: drawings a studio sends out, with their global fingerprints, and matching against it.

``add_assets`` is idempotent (an asset is known by its SHA-256) and commits in batches, so an interrupted
registration keeps what it did. ``match_files`` fingerprints query images exactly as registration does and
searches every page's eight dihedral variants, so rotated and mirrored copies are found too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.assets.fingerprint import MATCH_DISTANCE, Fingerprint, fingerprint_file
from celtrace.assets.hash_index import HashIndex
from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Asset, FingerprintRow

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})
METHOD = "pdq"
BATCH = 200
_EPISODE = re.compile(r"(?i)(?<![a-z0-9])(s\d{1,2}e\d{1,3}|ep?\d{2,4})(?![a-z0-9])")
_SCENE = re.compile(r"(?i)(?<![a-z])(?:sc|scene)[_-]?(\d{1,4})(?!\d)")
_CUT = re.compile(r"(?i)(?<![a-z])(?:cut|c)[_-]?(\d{1,4})(?!\d)")


@dataclass
class AddSummary:
    """What one ``assets add`` did."""

    registered: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def add_assets(
    workspace: Workspace,
    paths: Iterable[Path],
    production: str,
    episode: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> AddSummary:
    """Register the images under ``paths`` for ``production``; a file that cannot be read is reported, not fatal."""
    if not production.strip():
        raise InputError("--production must name the production")
    summary = AddSummary()
    with workspace.session() as session:
        known = set(session.scalars(select(Asset.sha256)))
    batch: list[tuple[Path, str, int, list[Fingerprint]]] = []
    for path in _image_files(paths):
        if on_file:
            on_file(path)
        digest, size = _sha256(path)
        if digest in known:
            summary.already += 1
            continue
        try:
            prints = fingerprint_file(path)
        except InputError as error:
            summary.failed.append((str(path), error.message))
            continue
        known.add(digest)
        batch.append((path, digest, size, prints))
        if len(batch) >= BATCH:
            summary.registered += _store(workspace, batch, production, episode)
            batch = []
    summary.registered += _store(workspace, batch, production, episode)
    return summary


def _store(
    workspace: Workspace, batch: list[tuple[Path, str, int, list[Fingerprint]]], production: str, episode: str | None
) -> int:
    if not batch:
        return 0
    with workspace.change("assets add", production=production, files=len(batch)) as change:
        for path, digest, size, prints in batch:
            asset = Asset(
                sha256=digest,
                path=str(path),
                production=production,
                episode=episode or _find(_EPISODE, path),
                scene=_scene(path),
                size=size,
                pages=len(prints),
                registered_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            change.session.add(asset)
            change.session.flush()
            change.session.add_all(
                FingerprintRow(asset_id=asset.id, page=fp.page, method=METHOD, code=fp.hex(), quality=fp.quality)
                for fp in prints
            )
    return len(batch)


def _sha256(path: Path) -> tuple[str, int]:
    """Digest and size, streamed: a multi-page TIFF can be hundreds of megabytes."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _find(pattern: re.Pattern[str], path: Path) -> str | None:
    """The last match of ``pattern`` in the path (the file name wins over its folders)."""
    found = pattern.findall(str(path))
    return found[-1].upper() if found else None


def _scene(path: Path) -> str | None:
    """Scene and cut as the file name gives them: ``sc012_cut003.png`` → ``SC012 CUT003``."""
    scene, cut = _find(_SCENE, Path(path.name)), _find(_CUT, Path(path.name))
    return " ".join(part for part in (scene and f"SC{scene}", cut and f"CUT{cut}") if part) or None


def _image_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", file=str(path))
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path


@dataclass(frozen=True)
class AssetMatch:
    """A registered asset a query image matches."""

    asset_id: int
    path: str
    production: str
    episode: str | None
    distance: int
    score: float
    method: str

    def to_json(self) -> dict[str, Any]:
        """The match as ``match --json`` prints it."""
        return {
            "asset_id": self.asset_id,
            "path": self.path,
            "production": self.production,
            "episode": self.episode,
            "score": self.score,
            "distance": self.distance,
            "method": self.method,
        }


class AssetMatcher:
    """An index over every registered fingerprint; build once, match many files."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(FingerprintRow.asset_id, FingerprintRow.code).where(FingerprintRow.method == METHOD)
        ).all()
        self.assets = {asset.id: asset for asset in session.scalars(select(Asset))}
        # The flat scan is exact and, measured at 1,000,000 codes, no slower than multi-index hashing
        # (benchmarks/fingerprint.py).
        self.index = HashIndex("flat")
        if rows:
            codes = np.frombuffer(b"".join(bytes.fromhex(code) for _, code in rows), dtype=np.uint8)
            self.index.add([asset_id for asset_id, _ in rows], codes.reshape(len(rows), -1))

    def match(self, path: Path, limit: int = 10) -> list[AssetMatch]:
        """Registered assets within PDQ's match distance of any page of the image, best first."""
        best: dict[int, int] = {}
        for fp in fingerprint_file(path):
            for asset_id, distance in self.index.search(fp.codes()[None, ...], MATCH_DISTANCE, limit)[0]:
                best[asset_id] = min(distance, best.get(asset_id, distance))
        ranked = sorted(best.items(), key=lambda item: (item[1], item[0]))[:limit]
        return [self._describe(asset_id, distance) for asset_id, distance in ranked]

    def _describe(self, asset_id: int, distance: int) -> AssetMatch:
        asset = self.assets[asset_id]
        # PDQ similarity: the share of the 256 bits that agree; a match is at most 31 bits apart (0.879).
        return AssetMatch(
            asset.id, asset.path, asset.production, asset.episode, distance, round(1 - distance / 256, 3), METHOD
        )
