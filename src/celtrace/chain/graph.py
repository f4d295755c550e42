"""A read-only snapshot of the chain, with the graph questions detectors, risk and reports ask of it."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.workspace.schema import Account, Link, Person, Vendor

#: Link kinds through which a person or company controls or staffs a vendor.
CONTROL_KINDS = frozenset({"owns", "directs", "employs"})


@dataclass(frozen=True)
class Chain:
    """Vendors, people, links and accounts as loaded from the store at one moment."""

    vendors: dict[str, Vendor]
    people: dict[str, Person]
    links: list[Link]
    accounts: list[Account] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> Chain:
        """Read the whole chain; chains are thousands of rows, not millions, so one read is right."""
        return cls(
            vendors={v.id: v for v in session.scalars(select(Vendor).order_by(Vendor.id))},
            people={p.id: p for p in session.scalars(select(Person).order_by(Person.id))},
            links=list(session.scalars(select(Link).order_by(Link.id))),
            accounts=list(session.scalars(select(Account).order_by(Account.id))),
        )

    def subcontracting(self) -> Iterable[Link]:
        """``subcontracts_to`` links between vendors, declared and observed."""
        return (
            link
            for link in self.links
            if link.kind == "subcontracts_to" and link.source_kind == "vendor" and link.target_kind == "vendor"
        )

    @cached_property
    def subcontractors(self) -> dict[str, list[Link]]:
        """Vendor id → the links to the vendors it hands work to."""
        result: dict[str, list[Link]] = {vendor_id: [] for vendor_id in self.vendors}
        for link in self.subcontracting():
            result.setdefault(link.source_id, []).append(link)
        return result

    @cached_property
    def clients(self) -> dict[str, list[Link]]:
        """Vendor id → the links from the vendors that hand it work."""
        result: dict[str, list[Link]] = {vendor_id: [] for vendor_id in self.vendors}
        for link in self.subcontracting():
            result.setdefault(link.target_id, []).append(link)
        return result

    @cached_property
    def tiers(self) -> dict[str, int]:
        """Vendor id → tier: 1 for the studio's own vendors, 2 for theirs, and so on.

        A vendor nobody hands work to is tier 1. Vendors only reachable through a cycle get the tier of
        the shortest path in; a cycle with no way in starts at tier 1 from its first vendor by id.
        """
        tiers: dict[str, int] = {}
        queue: deque[str] = deque()

        def walk() -> None:
            while queue:
                current = queue.popleft()
                for link in self.subcontractors.get(current, []):
                    if link.target_id in self.vendors and link.target_id not in tiers:
                        tiers[link.target_id] = tiers[current] + 1
                        queue.append(link.target_id)

        for vendor_id in self.vendors:
            if not self.clients.get(vendor_id):
                tiers[vendor_id] = 1
                queue.append(vendor_id)
        walk()
        for vendor_id in self.vendors:
            if vendor_id not in tiers:
                tiers[vendor_id] = 1
                queue.append(vendor_id)
                walk()
        return tiers

    @cached_property
    def person_vendor_links(self) -> list[tuple[str, str, Link]]:
        """(person id, vendor id, link) for each owns, directs or employs link between a person and a vendor.

        Owners and directors point at the vendor, employers at the person: this reads both directions.
        """
        result: list[tuple[str, str, Link]] = []
        for link in self.links:
            if link.kind not in CONTROL_KINDS:
                continue
            if link.source_kind == "person" and link.target_kind == "vendor":
                result.append((link.source_id, link.target_id, link))
            elif link.source_kind == "vendor" and link.target_kind == "person":
                result.append((link.target_id, link.source_id, link))
        return result

    @cached_property
    def _person_vendors(self) -> dict[str, list[str]]:
        index: dict[str, set[str]] = {}
        for person_id, vendor_id, _link in self.person_vendor_links:
            index.setdefault(person_id, set()).add(vendor_id)
        return {person_id: sorted(ids) for person_id, ids in index.items()}

    def vendors_of_person(self, person_id: str) -> list[str]:
        """Ids of the vendors a person owns, directs or works for."""
        return self._person_vendors.get(person_id, [])

    def vendors_of_subject(self, kind: str, subject_id: str) -> list[str]:
        """The vendors whose risk a finding about this subject adds to."""
        if kind == "vendor":
            return [subject_id] if subject_id in self.vendors else []
        if kind == "person":
            return self.vendors_of_person(subject_id)
        if kind == "account":
            return sorted(
                {account.vendor_id for account in self.accounts if account.vendor_id and str(account.id) == subject_id}
            )
        return []
