"""Watermarks of trove images, read during the scan against the delivered drawings each image matches.

The scan is the one moment the image's bytes are at hand (a trove may be an archive member or a web listing
that ``analyze`` cannot open again), so the decode happens here and its result — named delivery or not, z and
bound — is stored in ``trove_watermarks``; ``ASSET.WATERMARK`` only reads that table. A trove scanned before
a drawing was delivered holds no mark of that delivery, so nothing is lost by reading marks only of
deliveries already recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.orm import Session

from celtrace.assets.attribution import Attribution, Attributor
from celtrace.assets.matcher import AssetMatcher
from celtrace.assets.prints import ImagePrints
from celtrace.assets.studio_key import existing_key
from celtrace.errors import InputError
from celtrace.watermark import load_image
from celtrace.workspace.schema import TroveWatermark


@dataclass
class TroveMarks:
    """The registry's matcher and the deliveries, over a session open for the whole scan."""

    matcher: AssetMatcher
    attributor: Attributor

    @classmethod
    def open(cls, session: Session) -> TroveMarks | None:
        """Ready to read marks, or None when this workspace never delivered anything (the usual trove)."""
        attributor = Attributor(session, existing_key(session))
        return None if attributor.empty else cls(AssetMatcher(session), attributor)

    def read(self, data: Callable[[], bytes | None], prints: ImagePrints, name: str) -> Attribution | None:
        """The mark of one image, or None when it matches no delivered drawing or cannot be decoded.

        ``data`` reads the image's bytes, only when a delivered drawing matches."""
        matches = self.attributor.delivered(self.matcher.match_prints(prints))
        if not matches:
            return None
        image = data()
        if image is None:
            return None
        try:
            return self.attributor.attribute(partial(load_image, image, name), matches)
        except InputError:
            return None  # fingerprinted, so decodable; a second decode failing is the file's fault, not the scan's


def trove_watermark(item_id: int, mark: Attribution) -> TroveWatermark:
    """The row that stores a mark read from trove item ``item_id``."""
    assert mark.asset_id is not None
    return TroveWatermark(
        item_id=item_id,
        asset_id=mark.asset_id,
        delivery_id=mark.delivery_id,
        z=mark.z,
        bound=mark.bound,
        reason=mark.reason,
        decoded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
