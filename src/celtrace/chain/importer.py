"""Import chain files into the store: one transaction per file, idempotent, nothing half-imported.

Records are matched to what the store holds by id, else by name, so importing the same file twice
changes nothing and a later file can add columns to vendors an earlier one created. Only the columns
a file has are written: a ``name,country`` file never erases phone numbers imported before.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.chain.readers import read_records
from celtrace.chain.records import Record, RecordKind
from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Account, Link, Person, Vendor

Party = Vendor | Person
_PARTY_FIELDS = {"id", "client", "client_status", "vendor", "relation"}
# Which ends each link kind may join: (source kinds, target kinds).
_ENDS: dict[str, tuple[set[str], set[str]]] = {
    "subcontracts_to": ({"vendor"}, {"vendor"}),
    "owns": ({"vendor", "person"}, {"vendor"}),
    "directs": ({"vendor", "person"}, {"vendor"}),
    "employs": ({"vendor"}, {"person"}),
    "pays": ({"vendor", "person"}, {"vendor", "person"}),
}
_NO_CLIENT = {"", "-", "studio", "none"}


@dataclass
class ImportSummary:
    """What one file changed: counts of created, updated and unchanged records by kind."""

    file: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        """How many records were created or updated."""
        return sum(n for key, n in self.counts.items() if not key.endswith(" unchanged"))

    def to_json(self) -> dict[str, Any]:
        """The summary as ``vendors import --json`` prints it."""
        return {"file": self.file, "changed": self.changed, "counts": dict(sorted(self.counts.items()))}


def import_chain_file(
    workspace: Workspace, path: Path, kind: RecordKind | None = None, encoding: str = "utf-8"
) -> ImportSummary:
    """Import one CSV, XLSX or JSON chain file in one transaction; raises InputError and keeps nothing."""
    records = read_records(path, kind, encoding)
    summary = ImportSummary(str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with workspace.change("vendors import", file=str(path), sha256=digest) as change:
        importer = _Importer(change.session, summary)
        for wanted in ("vendors", "people"):
            for record in records:
                if record.kind == wanted:
                    importer.party(record)
        for record in records:
            if record.kind == "vendors" and "client" in record.present:
                importer.client_link(record)
            elif record.kind == "people" and record.values.get("vendor"):
                importer.person_link(record)
            elif record.kind == "links":
                importer.link(record)
            elif record.kind == "accounts":
                importer.account(record)
        change.detail["counts"] = dict(sorted(summary.counts.items()))
        change.recorded = summary.changed > 0
    return summary


class _Importer:
    def __init__(self, session: Session, summary: ImportSummary) -> None:
        self.session = session
        self.summary = summary
        self.ids: dict[str, dict[str, Party]] = {"vendor": {}, "person": {}}
        self.names: dict[str, dict[str, list[Party]]] = {"vendor": {}, "person": {}}
        self.rows: dict[tuple[str, str], int] = {}
        for vendor in session.scalars(select(Vendor)):
            self._remember("vendor", vendor)
        for person in session.scalars(select(Person)):
            self._remember("person", person)

    def _remember(self, kind: str, party: Party) -> None:
        self.ids[kind][party.id] = party
        for name in {party.name, *party.aliases}:
            bucket = self.names[kind].setdefault(_name_key(name), [])
            if party not in bucket:
                bucket.append(party)

    def _count(self, kind: str, outcome: str) -> None:
        self.summary.counts[f"{kind} {outcome}"] += 1

    def party(self, record: Record) -> None:
        kind = "vendor" if record.kind == "vendors" else "person"
        model: type[Party] = Vendor if kind == "vendor" else Person
        values = {k: v for k, v in record.values.items() if k not in _PARTY_FIELDS}
        existing = self._match(kind, record)
        if existing is not None:
            key = (kind, existing.id)
            if key in self.rows:
                raise InputError(
                    f"the same {kind} as row {self.rows[key]}",
                    file=record.origin["file"],
                    row=record.origin["row"],
                    field="id" if record.values.get("id") else "name",
                )
        if existing is None:
            new_id = record.values.get("id") or self._free_id(kind, record.values["name"])
            party = model(id=new_id, origin=record.origin, **{**_defaults(model), **values})
            self.session.add(party)
            self._remember(kind, party)
            self.rows[(kind, party.id)] = record.origin["row"]
            self._count(kind, "created")
            return
        if not record.values.get("id") and _name_key(values["name"]) != _name_key(existing.name):
            # Matched through an alias: the file names the party by another of its names, not a new one.
            del values["name"]
        changed = False
        for name, value in values.items():
            if getattr(existing, name) != value:
                setattr(existing, name, value)
                changed = True
        if changed:
            existing.origin = record.origin
            self._remember(kind, existing)
        self.rows[(kind, existing.id)] = record.origin["row"]
        self._count(kind, "updated" if changed else "unchanged")

    def _match(self, kind: str, record: Record) -> Party | None:
        given = record.values.get("id")
        if given:
            return self.ids[kind].get(given)
        candidates = self.names[kind].get(_name_key(record.values["name"]), [])
        if len(candidates) > 1:
            raise InputError(
                f"several {kind}s are named {record.values['name']!r}: add an id column",
                file=record.origin["file"],
                row=record.origin["row"],
                field="name",
            )
        return candidates[0] if candidates else None

    def _free_id(self, kind: str, name: str) -> str:
        from normality import slugify

        base = slugify(name) or "x-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
        base = base[:180]
        candidate, n = base, 1
        while candidate in self.ids[kind]:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def resolve(self, reference: str, kinds: set[str], record: Record, field_name: str) -> tuple[str, Party]:
        """A party named by id or name; InputError when none or several fit."""
        for kind in sorted(kinds, reverse=True):  # vendors before people
            if reference in self.ids[kind]:
                return kind, self.ids[kind][reference]
        found = [
            (kind, p) for kind in sorted(kinds, reverse=True) for p in self.names[kind].get(_name_key(reference), [])
        ]
        if len(found) == 1:
            return found[0]
        what = " or ".join(sorted(kinds))
        problem = f"several parties are named {reference!r}: use an id" if found else f"no {what} {reference!r}"
        raise InputError(problem, file=record.origin["file"], row=record.origin["row"], field=field_name)

    def client_link(self, record: Record) -> None:
        client = (record.values.get("client") or "").strip()
        if client.lower() in _NO_CLIENT:
            return
        _, source = self.resolve(client, {"vendor"}, record, "client")
        _, target = self.resolve(record.values.get("id") or record.values["name"], {"vendor"}, record, "name")
        status = record.values.get("client_status") or "declared"
        self._link("subcontracts_to", ("vendor", source.id), ("vendor", target.id), status, {}, record, "client")

    def person_link(self, record: Record) -> None:
        _, vendor = self.resolve(record.values["vendor"], {"vendor"}, record, "vendor")
        _, person = self.resolve(record.values.get("id") or record.values["name"], {"person"}, record, "name")
        relation = record.values.get("relation") or "employs"
        ends = (("vendor", vendor.id), ("person", person.id))
        source, target = ends if relation == "employs" else ends[::-1]
        self._link(relation, source, target, "declared", {}, record, "vendor")

    def link(self, record: Record) -> None:
        kind = record.values["kind"]
        source_kinds, target_kinds = _ENDS[kind]
        source_kind, source = self.resolve(record.values["source"], source_kinds, record, "source")
        target_kind, target = self.resolve(record.values["target"], target_kinds, record, "target")
        extra: dict[str, Any] = {k: record.values[k] for k in ("production", "evidence") if k in record.present}
        status = record.values.get("status") or "declared"
        self._link(kind, (source_kind, source.id), (target_kind, target.id), status, extra, record, "target")

    def _link(
        self,
        kind: str,
        source: tuple[str, str],
        target: tuple[str, str],
        status: str,
        extra: dict[str, Any],
        record: Record,
        field_name: str,
    ) -> None:
        if source == target:
            raise InputError(
                "a party cannot link to itself", file=record.origin["file"], row=record.origin["row"], field=field_name
            )
        existing = self.session.scalars(
            select(Link).where(
                Link.kind == kind,
                Link.source_kind == source[0],
                Link.source_id == source[1],
                Link.target_kind == target[0],
                Link.target_id == target[1],
                Link.status == status,
            )
        ).first()
        if existing is None:
            self.session.add(
                Link(
                    kind=kind,
                    source_kind=source[0],
                    source_id=source[1],
                    target_kind=target[0],
                    target_id=target[1],
                    status=status,
                    production=extra.get("production"),
                    evidence=extra.get("evidence"),
                    origin=record.origin,
                )
            )
            self.session.flush()
            self._count("link", "created")
            return
        changed = any(getattr(existing, k) != v for k, v in extra.items())
        for k, v in extra.items():
            setattr(existing, k, v)
        self._count("link", "updated" if changed else "unchanged")

    def account(self, record: Record) -> None:
        portal = record.values.get("portal") or ""
        vendor_id = person_id = None
        if record.values.get("vendor"):
            vendor_id = self.resolve(record.values["vendor"], {"vendor"}, record, "vendor")[1].id
        if record.values.get("person"):
            person_id = self.resolve(record.values["person"], {"person"}, record, "person")[1].id
        existing = self.session.scalars(
            select(Account).where(Account.portal == portal, Account.username == record.values["username"])
        ).first()
        if existing is None:
            self.session.add(
                Account(
                    portal=portal,
                    username=record.values["username"],
                    vendor_id=vendor_id,
                    person_id=person_id,
                    origin=record.origin,
                )
            )
            self.session.flush()
            self._count("account", "created")
            return
        wanted = {"vendor_id": vendor_id, "person_id": person_id}
        wanted = {k: v for k, v in wanted.items() if k.removesuffix("_id") in record.present}
        changed = any(getattr(existing, k) != v for k, v in wanted.items())
        for k, v in wanted.items():
            setattr(existing, k, v)
        self._count("account", "updated" if changed else "unchanged")


def _defaults(model: type[Party]) -> dict[str, Any]:
    lists = (
        ("aliases", "registration_numbers", "email_domains", "phones", "payment_methods", "languages", "productions")
        if model is Vendor
        else ("aliases",)
    )
    return {name: [] for name in lists}


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())
