"""Reader for the UK Sanctions List XML published by the FCDO (``UK-Sanctions-List.xml``).

Since 28 January 2026 this is the only official UK list: OFSI's Consolidated List of Asset Freeze
Targets (``ConList``) was closed then, so it is not read here. The FCDO also publishes the list as
CSV, ODS and HTML; the XML is the one with a stable structure. The root ``Designations`` holds a
``DateGenerated`` (DD/MM/YYYY) and ``Designation`` records; ``UniqueID`` (``DPR0001``) is the stable id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, ListInfo, LoadedList, NameKind, Target, TargetName, TargetSchema
from celtrace.lists.values import build_names, clean, country_code, identifier, iso_date, join, single_file, unique
from celtrace.lists.xmlstream import iter_records, read_header, root_name

FORMAT = "uk"
LIST_NAME = "UK Sanctions List"
_ROOT = "Designations"
_RECORD = "Designation"
_SCHEMAS: dict[str, TargetSchema] = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
# Name1..Name5 are given names and Name6 the family name, written in that order by the FCDO.
_NAME_PARTS = tuple(f"Name{i}" for i in range(1, 7))
# Name types as published, lower-cased (the file also has "ALias"). A "primary name variation" is
# another spelling of the primary name: screened like an alias, not shown as the name.
_NAME_TYPES: dict[str, NameKind] = {"primary name": "primary", "primary name variation": "aka", "alias": "aka"}
_IDENTIFIERS = (
    ("PassportNumber", "passportNumber"),
    ("NationalIdentifierNumber", "idNumber"),
    ("BusinessRegistrationNumber", "registrationNumber"),
)


def sniff(path: Path, head: bytes) -> bool:
    """True when the file's root element is the UK list's ``Designations``."""
    return root_name(head) == _ROOT


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """The UK Sanctions List in one XML file; targets are streamed as the file is read.

    ``published`` is the file's ``DateGenerated`` when it has one, else the argument.
    """
    path = single_file(paths, FORMAT)
    _, children = read_header(path, frozenset({_ROOT}), "a UK Sanctions List XML file", frozenset({_RECORD}))
    generated = children.get("DateGenerated")
    issued = iso_date(clean(generated.text)) if generated is not None else None
    info = ListInfo(LIST_NAME, FORMAT, issued or published, (str(path),))
    return LoadedList(info, _targets(path))


def _targets(path: Path) -> Iterator[Target]:
    for number, record in enumerate(iter_records(path, frozenset({_RECORD})), 1):
        yield _target(record, path, number)


def _target(record: Element, path: Path, number: int) -> Target:
    unique_id = clean(record.findtext("UniqueID"))
    if not unique_id:
        raise InputError(f"Designation number {number} has no UniqueID", file=str(path), field="UniqueID")
    names = _names(record)
    if not names:
        raise InputError(f"Designation {unique_id} has no name", file=str(path), field="Names")
    kind = (clean(record.findtext("IndividualEntityShip")) or "").lower()
    countries = [node.text for node in record.iterfind(".//Nationality")]
    countries += [node.findtext("AddressCountry") for node in record.iterfind("Addresses/Address")]
    # A ship's flag is the country it answers to.
    countries += [node.text for node in record.iterfind(".//CurrentBelievedFlagOfShip")]
    return Target(
        id=f"uk-{unique_id}",
        schema=_SCHEMAS.get(kind, "LegalEntity"),
        names=names,
        programs=unique(clean(node.text) for node in record.iterfind("RegimeName")),
        countries=unique(country_code(text) for text in countries),
        addresses=unique(_address(node) for node in record.iterfind("Addresses/Address")),
        identifiers=_identifiers(record),
        birth_dates=unique(iso_date(node.text) for node in record.iterfind(".//DOB")),
        listed_on=iso_date(record.findtext("DateDesignated")),
        remarks=join([record.findtext("OtherInformation"), record.findtext("UKStatementofReasons")], "\n"),
    )


def _names(record: Element) -> list[TargetName]:
    # Primary names first, whatever their order in the file, so the caption is the primary name.
    nodes = sorted(record.iterfind("Names/Name"), key=lambda node: _name_kind(node) != "primary")
    listed = [(join(node.findtext(part) for part in _NAME_PARTS), _name_kind(node)) for node in nodes]
    non_latin: list[tuple[str | None, NameKind]] = [
        (n.text, "primary") for n in record.iterfind(".//NameNonLatinScript")
    ]
    return build_names(listed + non_latin)


def _name_kind(node: Element) -> NameKind:
    kind = _NAME_TYPES.get((clean(node.findtext("NameType")) or "").lower(), "aka")
    if kind == "aka" and "low" in (node.findtext("AliasStrength") or "").lower():
        return "weak"
    return kind


def _address(node: Element) -> str | None:
    lines = [node.findtext(f"AddressLine{i}") for i in range(1, 7)] + [node.findtext("AddressPostalCode")]
    return join([*lines, node.findtext("AddressCountry")], ", ") if join(lines) else None


def _identifiers(record: Element) -> list[Identifier]:
    identifiers = [identifier(type_, node.text) for tag, type_ in _IDENTIFIERS for node in record.iterfind(f".//{tag}")]
    for node in record.iterfind(".//IMONumber"):
        # Written "IMO9562233", "IMO 9562233" or "9562233"; FollowTheMoney's form is "IMO9562233".
        digits = re.sub(r"\D", "", node.text or "")
        identifiers.append(identifier("imoNumber", f"IMO{digits}" if len(digits) == 7 else node.text))
    return unique(identifiers)
