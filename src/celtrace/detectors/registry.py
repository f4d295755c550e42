"""The detectors celtrace runs, in one explicit list.

Each detector is a plain function ``(view, settings) -> Iterable[Finding]``; its docstring is the
explanation users read in reports and in ``celtrace analyze --help``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from celtrace.config import Settings
from celtrace.detectors import (
    account_places,
    asset_leak,
    asset_watermark,
    chain_links,
    documents,
    endless_sessions,
    network_origin,
    remote_desktop,
    sanctions,
    shared_infra,
    undeclared_geo,
    undeclared_subcontractor,
    vendor_identity,
    vendor_payment,
)
from celtrace.detectors.finding import Finding
from celtrace.detectors.view import StoreView
from celtrace.errors import CeltraceError

DetectorFunc = Callable[[StoreView, Settings], Iterable[Finding]]


@dataclass(frozen=True)
class Detector:
    """A rule code and the function that finds it."""

    rule: str
    func: DetectorFunc

    @property
    def explanation(self) -> str:
        """The detector's docstring, unindented: what the rule means, for a non-specialist."""
        import inspect

        return inspect.cleandoc(self.func.__doc__ or "")


DETECTORS: tuple[Detector, ...] = (
    Detector("SANCTIONS.MATCH", sanctions.sanctions_matches),
    Detector("CHAIN.SANCTIONED_LINK", chain_links.sanctioned_links),
    Detector("CHAIN.UNDECLARED_SUBCONTRACTOR", undeclared_subcontractor.undeclared_subcontractors),
    Detector("NET.DPRK", network_origin.dprk_access),
    Detector("NET.HIGH_RISK_REGION", network_origin.high_risk_region_access),
    Detector("NET.ANONYMIZER", network_origin.anonymizer_access),
    Detector("NET.IMPOSSIBLE_TRAVEL", account_places.impossible_travel),
    Detector("NET.MANY_COUNTRIES", account_places.many_countries),
    Detector("NET.SHARED_INFRA", shared_infra.shared_infrastructure),
    Detector("NET.UNDECLARED_GEO", undeclared_geo.undeclared_geography),
    Detector("NET.ENDLESS_SESSION", endless_sessions.endless_sessions),
    Detector("NET.REMOTE_DESKTOP", remote_desktop.remote_desktop),
    Detector("ASSET.LEAK", asset_leak.asset_leaks),
    Detector("ASSET.WATERMARK", asset_watermark.delivery_watermarks),
    Detector("DOC.DPRK_KOREAN", documents.dprk_korean),
    Detector("DOC.JUCHE_DATE", documents.juche_dates),
    Detector("DOC.LANGUAGE_MISMATCH", documents.language_mismatch),
    Detector("VENDOR.PAYMENT_RED_FLAG", vendor_payment.payment_red_flags),
    Detector("VENDOR.IDENTITY_RED_FLAG", vendor_identity.identity_red_flags),
)


def select_detectors(only: Sequence[str] | None) -> list[Detector]:
    """The detectors named by ``only`` (rule codes or family prefixes such as ``VENDOR``), else all."""
    if not only:
        return list(DETECTORS)
    chosen: list[Detector] = []
    for wanted in only:
        code = wanted.strip().upper().removesuffix(".*")
        matches = [d for d in DETECTORS if d.rule == code or d.rule.startswith(code + ".")]
        if not matches:
            known = ", ".join(d.rule for d in DETECTORS)
            raise CeltraceError(f"unknown rule {wanted!r}: known rules are {known}")
        chosen.extend(d for d in matches if d not in chosen)
    return chosen
