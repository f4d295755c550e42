"""ASSET.LEAK: an image found in a trove is a copy of a registered asset."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Trove, TroveFeatures, TroveFingerprint, TroveItemRow

if TYPE_CHECKING:
    from celtrace.assets.matcher import AssetMatch
    from celtrace.assets.prints import ImagePrints

RULE = "ASSET.LEAK"


def asset_leaks(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A file in found material is a copy of a drawing the studio registered and sent out.

    Every image a trove scan took in was fingerprinted (PDQ with its rotations and mirrors, and ORB
    keypoints) and is matched against the registry in two stages: a near-duplicate within PDQ's distance,
    or, for crops, margins, small turns, rescans and panels of a larger sheet, keypoints that map onto the
    registered drawing under one rotation and scale. The finding names the production, episode and scene,
    and the trove item's path and SHA-256 tie it to the custody manifest.
    """
    for item, trove, match in trove_matches(view):
        where = ", ".join(part for part in (match.production, match.episode, match.scene) if part)
        yield Finding(
            rule=RULE,
            severity=Severity.HIGH,
            subject=Subject("trove_item", str(item.id), item.display_path),
            title=f"{item.display_path} is a copy of {PurePath(match.path).name} ({where})",
            explanation=f"The file {item.display_path!r} in the trove {trove.case!r} is a copy of the registered "
            f"drawing {match.path!r} ({where}): {match.explain()}.",
            evidence={
                "trove": {"id": trove.id, "case": trove.case, "root": trove.root},
                "item": {"id": item.id, "path": item.display_path, "sha256": item.sha256, "seq": item.seq},
                "asset": {
                    "id": match.asset_id,
                    "path": match.path,
                    "sha256": match.sha256,
                    "production": match.production,
                    "episode": match.episode,
                    "scene": match.scene,
                },
                "method": match.method,
                "score": match.score,
                "distance": match.distance,
                "geometry": match.geometry,
                "page": match.page,
            },
            key=f"{item.id}:{match.asset_id}",
        )


def trove_matches(view: StoreView) -> Iterator[tuple[TroveItemRow, Trove, AssetMatch]]:
    """Every (trove item, its trove, registered asset it copies), in manifest order; computed once per run."""
    return iter(view.shared("trove_matches", lambda: list(_trove_matches(view))))


def _trove_matches(view: StoreView) -> Iterator[tuple[TroveItemRow, Trove, AssetMatch]]:
    from celtrace.assets.matcher import AssetMatcher

    matcher = AssetMatcher(view.session)
    if not matcher.assets:
        return
    items = view.session.execute(
        select(TroveItemRow, Trove)
        .join(Trove, TroveItemRow.trove_id == Trove.id)
        .where(TroveItemRow.id.in_(select(TroveFingerprint.item_id)))
        .order_by(Trove.id, TroveItemRow.seq)
    ).all()
    stored = (_stored_prints(view.session, item) for item, _ in items)
    found: Iterable[list[AssetMatch]]
    if view.engine == "spark" and view.settings is not None and items:
        from celtrace.spark.matching import match_prints_on_spark

        # The registry's indexes go to the executors; the items' prints were made by the scan and are read here.
        found = match_prints_on_spark(matcher, list(stored), view.settings.spark_master)
    else:
        found = (matcher.match_prints(prints) for prints in stored)
    for (item, trove), matches in zip(items, found, strict=True):
        for match in matches:
            yield item, trove, match


def _stored_prints(session: Session, item: TroveItemRow) -> ImagePrints:
    """The prints a trove scan stored for one item, as the scan made them."""
    from celtrace.assets.fingerprint import Fingerprint
    from celtrace.assets.local_features import LocalFeatures
    from celtrace.assets.matcher import GLOBAL_METHOD
    from celtrace.assets.prints import ImagePrints

    prints = [
        Fingerprint(tuple(bytes.fromhex(code) for code in row.variants.split()), quality=0, page=row.page)
        for row in session.scalars(
            select(TroveFingerprint)
            .where(TroveFingerprint.item_id == item.id, TroveFingerprint.method == GLOBAL_METHOD)
            .order_by(TroveFingerprint.page)
        )
    ]
    local = [
        LocalFeatures.from_blobs(row.points, row.descriptors, row.width, row.height, row.page)
        for row in session.scalars(
            select(TroveFeatures).where(TroveFeatures.item_id == item.id).order_by(TroveFeatures.page)
        )
    ]
    return ImagePrints(prints, local)
