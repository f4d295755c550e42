"""One model for every sanctions list: a :class:`Target` per listed party, a :class:`ListInfo` per file set.

Readers (one module per format) turn OFAC, UN, EU, UK and OpenSanctions files into these; the store,
the screening index and the detectors only ever see this model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

#: How a name is listed. ``weak`` is OFAC's "weak a.k.a." (low quality, never screen on it alone).
NameKind = Literal["primary", "aka", "fka", "weak"]
#: FollowTheMoney schema names, so targets export and compare like OpenSanctions entities.
TargetSchema = Literal["Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane"]


@dataclass(frozen=True)
class TargetName:
    """One listed name; ``script`` is ``"Latn"``, ``"Hang"``, ``"Hani"``, ``"Cyrl"``... when known."""

    name: str
    kind: NameKind = "primary"
    script: str | None = None


@dataclass(frozen=True)
class Identifier:
    """A listed identifier: passport, registration number, SWIFT/BIC, IMO number..."""

    type: str
    value: str
    country: str | None = None


@dataclass
class Target:
    """A party on a sanctions list, as one of its entries describes it.

    ``id`` is unique within its list and stable across releases where the source has a stable id
    (OFAC ent_num, UN reference number, EU logical id, UK unique id, OpenSanctions id).
    Countries are lower-case ISO 3166 alpha-2 codes (FollowTheMoney's), dates ISO 8601, maybe partial.
    """

    id: str
    schema: TargetSchema
    names: list[TargetName]
    programs: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    listed_on: str | None = None
    remarks: str | None = None
    #: The list the target was loaded from ("OFAC SDN"...); set by the store, not by readers.
    list_name: str = ""

    @property
    def caption(self) -> str:
        """The name to show: the first primary Latin name, else the first name."""
        for name in self.names:
            if name.kind == "primary" and name.script in (None, "Latn"):
                return name.name
        return self.names[0].name if self.names else self.id


@dataclass(frozen=True)
class ListInfo:
    """Which list a set of files holds, in which format, and as of which date."""

    name: str
    format: str
    published: str | None
    files: tuple[str, ...]


@dataclass
class LoadedList:
    """A reader's result: the list's description and its targets, read lazily (files are streamed)."""

    info: ListInfo
    targets: Iterator[Target]
