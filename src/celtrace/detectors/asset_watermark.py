"""ASSET.WATERMARK: a found image carries the watermark of one delivery, so of the vendor it went to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from sqlalchemy import select

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.view import StoreView
from celtrace.watermark import MAX_FALSE_ATTRIBUTION, payload_hex
from celtrace.workspace.schema import Asset, Delivery, DeliveryItem, Trove, TroveItemRow, TroveWatermark

RULE = "ASSET.WATERMARK"


def delivery_watermarks(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A file in found material is a watermarked copy that the studio sent to one vendor in one delivery.

    Every copy celtrace delivers carries an invisible mark of its delivery's id, keyed by a secret only this
    workspace holds. When a trove image matched a delivered drawing, the scan read the mark against the
    original; a delivery is named only when the chance that an unmarked or differently marked copy scores as
    high is below one in a million (the bound in the evidence), and only when that delivery did include that
    drawing. So the copy left the studio through that vendor: the vendor, or someone it passed the drawing
    to, put it where it was found. The finding is about the vendor and adds to its risk.
    """
    rows = view.session.execute(
        select(TroveWatermark, TroveItemRow, Trove, Asset, Delivery, DeliveryItem)
        .join(TroveItemRow, TroveWatermark.item_id == TroveItemRow.id)
        .join(Trove, TroveItemRow.trove_id == Trove.id)
        .join(Asset, TroveWatermark.asset_id == Asset.id)
        .join(Delivery, TroveWatermark.delivery_id == Delivery.id)
        .join(
            DeliveryItem,
            (DeliveryItem.delivery_id == Delivery.id) & (DeliveryItem.asset_id == Asset.id),
        )
        .where(TroveWatermark.bound <= MAX_FALSE_ATTRIBUTION)
        .order_by(Trove.id, TroveItemRow.seq, Asset.id)
    ).all()
    vendors = view.chain.vendors
    for mark, item, trove, asset, delivery, delivered in rows:
        known = delivery.vendor_id is not None and delivery.vendor_id in vendors
        # A delivery to a name outside the chain still names someone: a party, as other rules name holders.
        subject = (
            Subject("vendor", delivery.vendor_id or "", vendors[delivery.vendor_id or ""].name)
            if known
            else Subject("party", delivery.vendor_name, delivery.vendor_name)
        )
        where = ", ".join(part for part in (asset.production, asset.episode, asset.scene) if part)
        yield Finding(
            rule=RULE,
            severity=Severity.HIGH,
            subject=subject,
            title=f"{item.display_path} is the copy of {PurePath(asset.path).name} delivered to {subject.name}",
            explanation=f"The file {item.display_path!r} in the trove {trove.case!r} carries the watermark of "
            f"delivery {delivery.id} ({delivery.created_at}), which sent {delivered.file_name!r} ({where}) to "
            f"{delivery.vendor_name}. The mark scores z = {mark.z:.1f}; the chance that a copy without it "
            f"scores as high is at most {mark.bound:.1e}.",
            evidence={
                "payload": payload_hex(delivery.id),
                "delivery": {
                    "id": delivery.id,
                    "vendor": delivery.vendor_name,
                    "vendor_id": delivery.vendor_id,
                    "created_at": delivery.created_at,
                    "actor": delivery.actor,
                    "file": delivered.file_name,
                    "sha256": delivered.sha256,
                },
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
                "z": round(mark.z, 3),
                "confidence": 1.0 - mark.bound,
                "false_attribution_bound": mark.bound,
                "max_false_attribution": MAX_FALSE_ATTRIBUTION,
            },
            key=f"{item.id}:{asset.id}:{delivery.id}",
        )
