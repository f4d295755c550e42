"""CHAIN.UNDECLARED_SUBCONTRACTOR: evidence puts a party on a production the declared chain leaves it out of."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rigour.names import remove_org_types
from sqlalchemy import select

from celtrace.chain.graph import Chain
from celtrace.config import Settings
from celtrace.detectors.asset_leak import trove_matches
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Trove, TroveItemRow

RULE = "CHAIN.UNDECLARED_SUBCONTRACTOR"
#: Paths of one trove read for vendor names: a name that matters shows in the folders, well before this.
MAX_PATHS = 200_000
_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass
class Sighting:
    """One party seen working on one production, with every piece of evidence that says so."""

    party: str
    vendor_id: str | None
    production: str | None
    evidence: list[dict[str, Any]] = field(default_factory=list)


def undeclared_subcontractors(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A party works on a production, but the declared chain for that production does not include it.

    The declared chain of a production starts at the vendors that list the production (or, when none
    does, at the studio's direct vendors: those nobody else hands work to) and follows declared
    subcontracting links for that production or for all productions. Evidence that a party works on it:
    an observed subcontracting link (an invoice, a bank statement), or found material holding copies of the
    production's registered drawings (ASSET.LEAK) that was held by the party or that names the party in its
    folder and file names. A party that is no vendor at all is reported under its own name.
    """
    chain = view.chain
    sightings: dict[tuple[str, str | None], Sighting] = {}
    for sighting in [*_observed_links(chain), *_troves(view, chain)]:
        key = (sighting.vendor_id or _fold(sighting.party), _fold(sighting.production or "") or None)
        known = sightings.setdefault(key, Sighting(sighting.party, sighting.vendor_id, sighting.production))
        known.evidence.extend(sighting.evidence)
    declared: dict[str | None, set[str]] = {}
    for (_, production_key), sighting in sorted(sightings.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if production_key not in declared:
            declared[production_key] = declared_chain(chain, sighting.production)
        if sighting.vendor_id is not None and sighting.vendor_id in declared[production_key]:
            continue
        yield _finding(chain, sighting)


def declared_chain(chain: Chain, production: str | None) -> set[str]:
    """Ids of the vendors the declared chain gives work on ``production`` (any production when None)."""
    wanted = _fold(production or "")
    roots = {v.id for v in chain.vendors.values() if wanted and wanted in {_fold(p) for p in v.productions or []}}
    if not roots:
        roots = {vendor_id for vendor_id in chain.vendors if not chain.clients.get(vendor_id)}
    reached, frontier = set(roots), list(roots)
    while frontier:
        for link in chain.subcontractors.get(frontier.pop(), []):
            applies = not link.production or not wanted or _fold(link.production) == wanted
            if link.status == "declared" and applies and link.target_id not in reached:
                reached.add(link.target_id)
                frontier.append(link.target_id)
    return reached


def _observed_links(chain: Chain) -> Iterator[Sighting]:
    for link in chain.subcontracting():
        if link.status == "declared":
            continue
        vendor = chain.vendors.get(link.target_id)
        client = chain.vendors.get(link.source_id)
        yield Sighting(
            vendor.name if vendor else link.target_id,
            vendor.id if vendor else None,
            link.production,
            [
                {
                    "kind": "observed link",
                    "link_id": link.id,
                    "from": client.name if client else link.source_id,
                    "status": link.status,
                    "production": link.production,
                    "evidence": link.evidence,
                    "origin": link.origin,
                }
            ],
        )


def _troves(view: StoreView, chain: Chain) -> Iterator[Sighting]:
    leaks: dict[int, tuple[Trove, dict[str, list[str]]]] = {}
    for item, trove, match in trove_matches(view):
        productions = leaks.setdefault(trove.id, (trove, {}))[1]
        productions.setdefault(match.production, []).append(item.display_path)
    if not leaks:
        return
    forms = _vendor_forms(chain)
    for trove, productions in leaks.values():
        parties: dict[str, tuple[str, str | None, dict[str, Any]]] = {}
        if trove.holder:
            vendor_id = _resolve(forms, trove.holder)
            parties[vendor_id or _fold(trove.holder)] = (
                chain.vendors[vendor_id].name if vendor_id else trove.holder,
                vendor_id,
                {"tie": "holder", "holder": trove.holder},
            )
        for vendor_id, path in _named_in_paths(view, forms, trove.id):
            parties.setdefault(vendor_id, (chain.vendors[vendor_id].name, vendor_id, {"tie": "named", "path": path}))
        for name, vendor_id, tie in parties.values():
            for production, copies in productions.items():
                evidence = {
                    "kind": "trove",
                    "trove": {"id": trove.id, "case": trove.case, "root": trove.root},
                    **tie,
                    "copies": len(copies),
                    "examples": copies[:5],
                }
                yield Sighting(name, vendor_id, production, [evidence])


def _vendor_forms(chain: Chain) -> dict[str, tuple[str, ...]]:
    """Each vendor's name and aliases as word sequences, company-type words removed, for finding in text."""
    forms: dict[str, tuple[str, ...]] = {}
    for vendor in chain.vendors.values():
        for name in [vendor.name, *(vendor.aliases or [])]:
            for variant in {name, remove_org_types(name)}:
                words = _words(variant)
                # One short word ("Lotus", "Ink") is too common in folder names to say which company is meant.
                if len(words) >= 2 or (words and len(words[0]) >= 6):
                    forms.setdefault(" ".join(words), (vendor.id,))
    return forms


def _resolve(forms: dict[str, tuple[str, ...]], name: str) -> str | None:
    """The vendor a holder's name names, by name or alias (company-type words aside), else None."""
    for variant in (name, remove_org_types(name)):
        found = forms.get(" ".join(_words(variant)))
        if found:
            return found[0]
    return None


def _named_in_paths(view: StoreView, forms: dict[str, tuple[str, ...]], trove_id: int) -> Iterator[tuple[str, str]]:
    """(vendor id, first path naming it) for each vendor whose name appears as whole words in a trove path."""
    by_first: dict[str, list[tuple[list[str], str]]] = {}
    for text, (vendor_id,) in forms.items():
        words = text.split()
        by_first.setdefault(words[0], []).append((words, vendor_id))
    seen: set[str] = set()
    paths = view.session.scalars(
        select(TroveItemRow.display_path)
        .where(TroveItemRow.trove_id == trove_id)
        .order_by(TroveItemRow.seq)
        .limit(MAX_PATHS)
        .execution_options(yield_per=5000)
    )
    for path in paths:
        words = _words(path)
        for start, word in enumerate(words):
            for form, vendor_id in by_first.get(word, []):
                if vendor_id not in seen and words[start : start + len(form)] == form:
                    seen.add(vendor_id)
                    yield vendor_id, path


def _words(text: str) -> list[str]:
    """Case-folded words, splitting ``GoldenBrush`` and ``golden_brush`` alike; CJK runs stay whole."""
    spaced = _CAMEL.sub(" ", unicodedata.normalize("NFKC", text))
    return [word.casefold() for word in _WORD.findall(spaced)]


def _fold(text: str) -> str:
    return " ".join(_words(text))


def _finding(chain: Chain, sighting: Sighting) -> Finding:
    production = sighting.production or "a production"
    kinds = sorted({evidence["kind"] for evidence in sighting.evidence})
    trove_evidence = [e for e in sighting.evidence if e["kind"] == "trove"]
    reasons = []
    if "observed link" in kinds:
        sources = sorted({str(e["from"]) for e in sighting.evidence if e["kind"] == "observed link"})
        reasons.append(f"an observed subcontracting link from {', '.join(sources)}")
    for evidence in trove_evidence:
        how = "was held by it" if evidence["tie"] == "holder" else f"names it in {evidence['path']!r}"
        reasons.append(
            f"the found material {evidence['trove']['case']!r}, which holds {evidence['copies']} copies of "
            f"{production}'s registered drawings and {how}"
        )
    if sighting.vendor_id:
        vendor = chain.vendors[sighting.vendor_id]
        subject = Subject("vendor", vendor.id, vendor.name)
        outside = "is not in the declared chain"
    else:
        subject = Subject("party", _fold(sighting.party), sighting.party)
        outside = "is not a vendor in the chain at all"
    # Material in the hands of a party nobody declared is the blind spot this tool exists for.
    severity = Severity.HIGH if trove_evidence else Severity.MEDIUM
    return Finding(
        rule=RULE,
        severity=severity,
        subject=subject,
        title=f"{sighting.party} works on {production} but {outside}",
        explanation=f"{sighting.party} works on {production}, by {'; and '.join(reasons)}, yet it {outside} "
        f"for {production}: no declared subcontracting link leads to it from the production's vendors.",
        evidence={"production": sighting.production, "party": sighting.party, "sightings": sighting.evidence},
        key=f"{subject.kind}:{subject.id}:{_fold(sighting.production or '')}",
    )
