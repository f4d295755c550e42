"""Vendor risk: a 0-100 score from a vendor's own findings, plus a share of its riskiest subcontractor's.

    own(v)   = min(100, Σ points(severity) over findings about v, its people and its accounts)
    total(v) = min(100, own(v) + tier_factor × max(total(s) for s that v hands work to))

Taking the riskiest subcontractor, not the sum, keeps a large vendor with many clean subcontractors from
drifting upwards, while one front company three tiers down still shows at the top:
with tier_factor 0.6 a critical finding there adds 100 × 0.6³ ≈ 22 points to the tier-1 vendor.
Observed subcontracting counts as much as declared: an undeclared subcontractor is the point.
In a cycle (A hands work to B, B back to A) the edge that closes it adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from celtrace.chain.graph import Chain
from celtrace.config import RiskSettings
from celtrace.detectors.finding import Finding

#: Lower bounds of the risk levels shown in reports, highest first.
LEVELS: tuple[tuple[float, str], ...] = ((75.0, "critical"), (50.0, "high"), (25.0, "medium"), (0.1, "low"))


@dataclass(frozen=True)
class Contribution:
    """One reason a vendor's score is what it is."""

    points: float
    reason: str
    finding_id: str | None = None
    rule: str | None = None
    severity: str | None = None
    subject: str | None = None
    via_vendor: str | None = None

    def to_json(self) -> dict[str, object]:
        """The contribution as the JSON report writes it (empty fields left out)."""
        return {key: value for key, value in self.__dict__.items() if value is not None}


@dataclass(frozen=True)
class VendorRisk:
    """A vendor's score and every contribution to it."""

    vendor_id: str
    score: float
    own: float
    inherited: float
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def level(self) -> str:
        """``none``, ``low``, ``medium``, ``high`` or ``critical``."""
        return next((name for bound, name in LEVELS if self.score >= bound), "none")


def score_vendors(chain: Chain, findings: Iterable[Finding], settings: RiskSettings) -> dict[str, VendorRisk]:
    """Every vendor's risk, own and carried up the subcontracting chain."""
    own_parts: dict[str, list[Contribution]] = {vendor_id: [] for vendor_id in chain.vendors}
    for finding in findings:
        points = settings.severity_points.get(finding.severity.label, 0.0)
        for vendor_id in chain.vendors_of_subject(finding.subject.kind, finding.subject.id):
            own_parts[vendor_id].append(
                Contribution(
                    points=points,
                    reason=finding.title,
                    finding_id=finding.id,
                    rule=finding.rule,
                    severity=finding.severity.label,
                    subject=None
                    if finding.subject.kind == "vendor"
                    else f"{finding.subject.kind}:{finding.subject.name}",
                )
            )

    results: dict[str, VendorRisk] = {}
    in_progress: set[str] = set()

    def total(vendor_id: str) -> VendorRisk:
        if vendor_id in results:
            return results[vendor_id]
        in_progress.add(vendor_id)
        parts = sorted(own_parts[vendor_id], key=lambda c: (-c.points, c.rule or "", c.finding_id or ""))
        own = min(100.0, sum(part.points for part in parts))
        best: tuple[float, str] | None = None
        for link in chain.subcontractors.get(vendor_id, []):
            target = link.target_id
            if target not in chain.vendors or target in in_progress:
                continue
            candidate = total(target).score
            if candidate > 0 and (best is None or candidate > best[0]):
                best = (candidate, target)
        inherited = 0.0
        if best is not None:
            inherited = settings.tier_factor * best[0]
            sub = chain.vendors[best[1]]
            parts.append(
                Contribution(
                    points=round(inherited, 1),
                    reason=f"riskiest subcontractor {sub.name} scores {best[0]:.0f}"
                    f" × tier factor {settings.tier_factor:g}",
                    via_vendor=best[1],
                )
            )
        in_progress.discard(vendor_id)
        risk = VendorRisk(
            vendor_id=vendor_id,
            score=round(min(100.0, own + inherited), 1),
            own=round(own, 1),
            inherited=round(inherited, 1),
            contributions=parts,
        )
        results[vendor_id] = risk
        return risk

    for vendor_id in chain.vendors:
        total(vendor_id)
    return results
