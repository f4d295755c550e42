"""ASSET.LEAK: an image found in a trove is a copy of a registered asset."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sqlalchemy import select

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Trove, TroveFingerprint, TroveItemRow

RULE = "ASSET.LEAK"


def asset_leaks(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A file in found material is a copy of a drawing the studio registered and sent out.

    Every image a trove scan took in is fingerprinted (PDQ, with its rotations and mirrors) and compared
    with the registry; a copy within PDQ's match distance (31 of 256 bits) names the production, the
    episode and the registered file it comes from, even after re-saving, rescaling, rotating by 90° or
    mirroring. The trove item's path and SHA-256 tie the finding to the custody manifest.
    """
    from celtrace.assets.fingerprint import MATCH_DISTANCE
    from celtrace.assets.registry import METHOD, AssetMatcher

    matcher = AssetMatcher(view.session)
    if not matcher.assets:
        return
    rows = view.session.execute(
        select(TroveFingerprint.variants, TroveItemRow, Trove)
        .join(TroveItemRow, TroveFingerprint.item_id == TroveItemRow.id)
        .join(Trove, TroveItemRow.trove_id == Trove.id)
        .where(TroveFingerprint.method == METHOD)
        .order_by(TroveItemRow.id, TroveFingerprint.page)
    ).all()
    best: dict[tuple[int, int], int] = {}
    items: dict[int, tuple[TroveItemRow, Trove]] = {}
    for variants, item, trove in rows:
        items[item.id] = (item, trove)
        codes = np.frombuffer(b"".join(bytes.fromhex(code) for code in variants.split()), dtype=np.uint8)
        for asset_id, distance in matcher.index.search(codes.reshape(1, -1, 32), MATCH_DISTANCE, 5)[0]:
            key = (item.id, asset_id)
            best[key] = min(distance, best.get(key, distance))
    for (item_id, asset_id), distance in sorted(best.items()):
        item, trove = items[item_id]
        asset = matcher.assets[asset_id]
        where = ", ".join(part for part in (asset.production, asset.episode, asset.scene) if part)
        yield Finding(
            rule=RULE,
            severity=Severity.HIGH,
            subject=Subject("trove_item", str(item.id), item.display_path),
            title=f"{item.display_path} is a copy of {asset.path} ({where})",
            explanation=f"The file {item.display_path!r} in the trove {trove.case!r} is a copy of the registered "
            f"drawing {asset.path!r} ({where}): their fingerprints are {distance} bits apart of 256, within "
            f"the {MATCH_DISTANCE} that PDQ counts as the same picture.",
            evidence={
                "trove": {"id": trove.id, "case": trove.case, "root": trove.root},
                "item": {"id": item.id, "path": item.display_path, "sha256": item.sha256, "seq": item.seq},
                "asset": {
                    "id": asset.id,
                    "path": asset.path,
                    "sha256": asset.sha256,
                    "production": asset.production,
                    "episode": asset.episode,
                    "scene": asset.scene,
                },
                "distance": distance,
                "score": round(1 - distance / 256, 3),
                "method": METHOD,
            },
            key=f"{item.id}:{asset.id}",
        )
