"""SANCTIONS.MATCH: vendors, their aliases, people and payees that match a sanctions list entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.view import StoreView

if TYPE_CHECKING:
    from celtrace.screening import Match

RULE = "SANCTIONS.MATCH"
_FIELD_WORDS = {"name": "name", "aliases": "alias", "payee": "payee"}
#: At or above this score (and not on a weak alias) a match is critical; below it, high.
STRONG = 0.92


@dataclass(frozen=True)
class Hit:
    """One screened name of a chain party and the list entry it matched."""

    subject: Subject
    field: str
    query: str
    match: Match
    record: dict[str, object]


def chain_hits(view: StoreView) -> list[Hit]:
    """Every match of every vendor name, alias and payee and every person name and alias; once per run."""
    return view.shared("sanctions.hits", lambda: list(_screen_chain(view)))


def _screen_chain(view: StoreView) -> Iterator[Hit]:
    screener = view.screener
    if screener is None:
        return
    for vendor in view.chain.vendors.values():
        subject = Subject("vendor", vendor.id, vendor.name)
        record = {"table": "vendors", "id": vendor.id, **vendor.origin}
        countries = [vendor.country] if vendor.country else []
        fields = [("name", vendor.name)] + [("aliases", alias) for alias in vendor.aliases]
        for field, name in fields:
            for match in screener.screen(name, schema="Organization", countries=countries):
                yield Hit(subject, field, name, match, record)
        if vendor.payee:
            # The payee may be a company or a person: screen it against both.
            for match in screener.screen(vendor.payee):
                yield Hit(subject, "payee", vendor.payee, match, record)
    for person in view.chain.people.values():
        subject = Subject("person", person.id, person.name)
        record = {"table": "people", "id": person.id, **person.origin}
        countries = [person.nationality] if person.nationality else []
        for field, name in [("name", person.name)] + [("aliases", alias) for alias in person.aliases]:
            for match in screener.screen(name, schema="Person", countries=countries, birth_date=person.birth_date):
                yield Hit(subject, field, name, match, record)


def sanctions_matches(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A party in the chain matches an entry on a loaded sanctions list.

    Vendors are screened by name and every alias, people by name, alias, nationality and birth date,
    and a vendor's payee (who it asks payment to go to) by name. Names are compared across Korean and
    Chinese romanisations and scripts; each finding carries the score and the explanation of how the
    names align, for a reviewer to confirm. Dealing with a party on the OFAC SDN or UN list is
    prohibited to US persons and UN member states; a match is a lead to confirm, not yet a conclusion.
    """
    best: dict[tuple[str, str, str, str], Hit] = {}
    for hit in chain_hits(view):
        key = (hit.subject.kind, hit.subject.id, hit.field if hit.field == "payee" else "name", hit.match.target.id)
        if key not in best or hit.match.score > best[key].match.score:
            best[key] = hit
    for hit in best.values():
        target = hit.match.target
        strong = hit.match.score >= STRONG and "weak" not in hit.match.method
        programs = ", ".join(target.programs) or "no program given"
        role = "Payee " if hit.field == "payee" else ""
        yield Finding(
            rule=RULE,
            severity=Severity.CRITICAL if strong else Severity.HIGH,
            subject=hit.subject,
            title=f"{role}{hit.query} matches {target.caption} on {target.list_name}",
            explanation=f"{hit.subject.name}'s {_FIELD_WORDS[hit.field]} {hit.query!r} matches {target.caption!r} "
            f"({target.list_name}, {programs}) with score {hit.match.score:.2f}: {hit.match.explanation}",
            evidence={
                "field": hit.field,
                "query": hit.query,
                "target_id": target.id,
                "target_name": target.caption,
                "matched_name": hit.match.matched_name,
                "score": round(hit.match.score, 3),
                "method": hit.match.method,
                "list": target.list_name,
                "programs": target.programs,
                "schema": target.schema,
                "explanation": hit.match.explanation,
                "record": hit.record,
            },
            key=f"{hit.field if hit.field == 'payee' else 'name'}:{target.list_name}:{target.id}",
        )
