"""Attribution: which delivery, so which vendor, a found copy of a registered drawing came from.

The watermark is read non-blind (``watermark.decode_image``): against each registered drawing the copy
matches that was ever delivered, best match first. A delivery is named only when

1. the decoder reads a payload whose CRC holds and whose false-attribution bound, 2³² · exp(-z²/2), is under
   ``MAX_FALSE_ATTRIBUTION``, and that payload is a recorded delivery *of that drawing*; or
2. failing that, one of the m recorded deliveries of the drawing scores a z whose bound m · exp(-z²/2) is
   under the same limit (informed detection: testing m known ids instead of 2³² reaches fainter marks).

Everything else — an unmarked copy, a mark too weak, a payload that is no delivery of the drawing (another
studio's key, a forgery) — names nobody. ``confidence`` is one minus the bound.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.assets.matcher import AssetMatch
from celtrace.errors import InputError
from celtrace.watermark import (
    MAX_FALSE_ATTRIBUTION,
    WatermarkKey,
    decode_image,
    false_attribution_bound,
    load_image,
    payload_hex,
)
from celtrace.workspace.schema import Delivery, DeliveryItem

MAX_CANDIDATES = 3
"""Delivered drawings a found copy is decoded against at most (each decode takes up to seconds)."""


@dataclass(frozen=True)
class Attribution:
    """What a found copy's watermark says, read against one registered drawing."""

    asset_id: int | None
    delivery_id: int | None
    vendor_id: str | None
    vendor_name: str | None
    z: float
    bound: float
    reason: str

    @property
    def confidence(self) -> float:
        """One minus the false-attribution bound; a delivery is named only above 1 - MAX_FALSE_ATTRIBUTION."""
        return 1.0 - self.bound

    @property
    def payload(self) -> str | None:
        """The payload as hex, when a delivery is named."""
        return None if self.delivery_id is None else payload_hex(self.delivery_id)

    def to_json(self) -> dict[str, Any]:
        """The fields ``watermark decode --json`` adds to ``file`` (and ``match --json`` nests)."""
        return {
            "payload": self.payload,
            "delivery_id": self.delivery_id,
            "vendor": self.vendor_name if self.delivery_id is not None else None,
            "confidence": self.confidence,
            "vendor_id": self.vendor_id if self.delivery_id is not None else None,
            "asset_id": self.asset_id,
            "z": round(self.z, 3),
            "false_attribution_bound": self.bound,
            "reason": self.reason,
        }


def nobody(reason: str, asset_id: int | None = None, z: float = 0.0, bound: float = 1.0) -> Attribution:
    """An attribution that names no delivery."""
    return Attribution(asset_id, None, None, None, z, bound, reason)


class Attributor:
    """The recorded deliveries of every drawing, and the key that marked them; build once, read many copies."""

    def __init__(self, session: Session, key: WatermarkKey | None) -> None:
        self.key = key
        self.deliveries: dict[int, Delivery] = {d.id: d for d in session.scalars(select(Delivery))}
        self.of_asset: dict[int, list[int]] = defaultdict(list)
        for delivery_id, asset_id in session.execute(
            select(DeliveryItem.delivery_id, DeliveryItem.asset_id).order_by(DeliveryItem.delivery_id)
        ):
            self.of_asset[asset_id].append(delivery_id)
        self._originals: dict[str, Image.Image | InputError] = {}

    @property
    def empty(self) -> bool:
        """True when nothing was ever delivered: no found copy can carry a mark of this workspace."""
        return self.key is None or not self.of_asset

    def delivered(self, matches: list[AssetMatch]) -> list[AssetMatch]:
        """The matched drawings that were delivered, best first, at most ``MAX_CANDIDATES``."""
        return [m for m in matches if m.asset_id in self.of_asset][:MAX_CANDIDATES]

    def attribute(self, load: Callable[[], Image.Image], matches: list[AssetMatch]) -> Attribution | None:
        """The delivery a found copy carries, read against its delivered matches; None when it matches none.

        ``load`` opens the copy (``watermark.load_image``), called only when a match was ever delivered.
        """
        if not matches:
            return None
        candidates = self.delivered(matches)
        if self.key is None or not candidates:
            return nobody("no delivery of the matched drawing is recorded", matches[0].asset_id)
        found = load()
        best: Attribution | None = None
        for match in candidates:
            result = self.read(found, match, tries=len(candidates))
            if result.delivery_id is not None:
                return result
            if best is None or result.z > best.z:
                best = result
        return best

    def read(self, found: Image.Image, match: AssetMatch, tries: int = 1) -> Attribution:
        """The delivery of ``match``'s drawing that ``found`` carries, or why none is named.

        ``tries``: how many drawings the copy is read against in all; each is one more chance of a false
        attribution, so the informed test's bound is multiplied by it.
        """
        assert self.key is not None
        original = self._original(match.path)
        if isinstance(original, InputError):
            return nobody(f"the registered original cannot be read: {original.message}", match.asset_id)
        try:
            result = decode_image(found, original, self.key)
        except InputError as error:
            return nobody(error.message, match.asset_id)
        except Exception as error:  # a hostile copy can break alignment in OpenCV: nobody is named
            return nobody(f"cannot read the copy: {type(error).__name__}", match.asset_id)
        known = self.of_asset[match.asset_id]
        if result.delivery_id is not None:
            if result.delivery_id in known:
                return self._named(match.asset_id, result.delivery_id, result.z, false_attribution_bound(result.z))
            return nobody(
                f"the mark reads {result.payload}, which is no delivery of this drawing", match.asset_id, result.z
            )
        if result.spread > 0 and known:
            z, delivery_id = max((result.z_for(d), d) for d in known)
            bound = min(1.0, tries * _informed_bound(z, len(known)))
            if bound <= MAX_FALSE_ATTRIBUTION:
                return self._named(match.asset_id, delivery_id, z, bound)
        return nobody(result.reason, match.asset_id, result.z, false_attribution_bound(result.z))

    def _named(self, asset_id: int, delivery_id: int, z: float, bound: float) -> Attribution:
        delivery = self.deliveries[delivery_id]
        return Attribution(asset_id, delivery_id, delivery.vendor_id, delivery.vendor_name, z, bound, "decoded")

    def _original(self, path: str) -> Image.Image | InputError:
        # Several copies of one drawing are often found together: its original is decoded once.
        if path not in self._originals:
            if len(self._originals) >= 16:
                self._originals.pop(next(iter(self._originals)))
            try:
                self._originals[path] = load_image(Path(path), path)
            except InputError as error:
                self._originals[path] = error
        return self._originals[path]


def _informed_bound(z: float, candidates: int) -> float:
    """Chance that one of ``candidates`` known deliveries, none of them in the copy, scores ``z``."""
    if z <= 0.0:
        return 1.0
    return min(1.0, candidates * math.exp(-z * z / 2.0))
