"""How the vendor detectors name countries and cite the vendor record a finding rests on."""

from __future__ import annotations

from celtrace.workspace.schema import Vendor


def vendor_evidence(vendor: Vendor, field: str, value: object, **extra: object) -> dict[str, object]:
    """Evidence for a finding on one field of a vendor: the raw value and where the record came from."""
    return {
        "field": field,
        "value": value,
        **{k: v for k, v in extra.items() if v is not None},
        "record": {"table": "vendors", "id": vendor.id, **vendor.origin},
    }


def country_name(code: str | None) -> str:
    """``"kr"`` → ``"South Korea"``; the code itself when FollowTheMoney does not know it."""
    from followthemoney.types import registry

    if not code:
        return "no country"
    return str(registry.country.caption(code) or code.upper())
