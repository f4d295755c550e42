"""Reader for the EU Financial Sanctions Files XML ("FSF" full list, v1.1).

The root ``export`` (namespace ``http://eu.europa.ec/fpi/fsd/export``) holds ``sanctionEntity``
records whose data sits in attributes: ``nameAlias``, ``citizenship``, ``birthdate``,
``identification``, ``address`` and ``regulation``. The ``logicalId`` is the stable id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, ListInfo, LoadedList, NameKind, Target, TargetName, TargetSchema
from celtrace.lists.values import build_names, clean, country_code, identifier, iso_date, join, single_file, unique
from celtrace.lists.xmlstream import iter_records, read_header, root_name

FORMAT = "eu-xml"
LIST_NAME = "EU Financial Sanctions"
_RECORD = "sanctionEntity"
_SCHEMAS: dict[str, TargetSchema] = {"person": "Person", "enterprise": "Organization"}
# identificationTypeCode to FollowTheMoney property; any other code is some national id or permit.
_IDENTIFIERS = {
    "passport": "passportNumber",
    "regnumber": "registrationNumber",
    "swiftbic": "swiftBic",
    "imo": "imoNumber",
    "fiscalcode": "taxNumber",
}
# The root element name alone is too common to tell this format apart; these say it is the EU's.
_MARKERS = (b"eu.europa.ec/fpi/fsd", b"sanctionEntity", b"generationDate")


def sniff(path: Path, head: bytes) -> bool:
    """True for an ``export`` root that carries the FSF namespace, a ``sanctionEntity`` or its date."""
    return root_name(head) == "export" and any(marker in head for marker in _MARKERS)


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """The EU list in one XML file; targets are streamed as the file is read.

    ``published`` is the file's ``generationDate`` when it has one, else the argument.
    """
    path = single_file(paths, FORMAT)
    attrib, _ = read_header(path, frozenset({"export"}), "an EU Financial Sanctions Files list", frozenset({_RECORD}))
    info = ListInfo(LIST_NAME, FORMAT, iso_date(attrib.get("generationDate")) or published, (str(path),))
    return LoadedList(info, _targets(path))


def _targets(path: Path) -> Iterator[Target]:
    for number, record in enumerate(iter_records(path, frozenset({_RECORD})), 1):
        yield _target(record, path, number)


def _target(record: Element, path: Path, number: int) -> Target:
    logical_id = clean(record.get("logicalId"))
    if not logical_id:
        raise InputError(f"sanctionEntity number {number} has no logicalId", file=str(path), field="logicalId")
    names = _names(record)
    if not names:
        raise InputError(f"sanctionEntity {logical_id} has no name", file=str(path), field="nameAlias")
    subject = record.find("subjectType")
    code = (subject.get("code") or "").lower() if subject is not None else ""
    countries = [_country(node) for node in record.findall("citizenship")]
    countries += [_country(node) for node in record.findall("address")]
    regulations = record.findall("regulation")
    # Older entries lack a designation date; their first regulation's publication is the listing.
    published = sorted(date for node in regulations if (date := iso_date(node.get("publicationDate"))))
    return Target(
        id=f"eu-{logical_id}",
        # Any other subject type is still a listed party; LegalEntity claims no more than that.
        schema=_SCHEMAS.get(code, "LegalEntity"),
        names=names,
        programs=unique(clean(node.get("programme")) for node in regulations),
        countries=unique(countries),
        addresses=unique(_address(node) for node in record.findall("address")),
        identifiers=_identifiers(record),
        birth_dates=unique(_birth_date(node) for node in record.findall("birthdate")),
        listed_on=iso_date(record.get("designationDate")) or next(iter(published), None),
        remarks=join((node.text for node in record.findall("remark")), "\n"),
    )


def _names(record: Element) -> list[TargetName]:
    """Names in listed order: the first strong name is primary, and so is the first in each other script.

    The EU marks no primary name; it lists the main one first and its original-script forms
    (``nameLanguage`` RU, KO...) beside it. ``strong="false"`` is the EU's weak alias.
    """
    listed: list[tuple[str | None, NameKind]] = []
    for node in record.findall("nameAlias"):
        text = clean(node.get("wholeName")) or join(node.get(part) for part in ("firstName", "middleName", "lastName"))
        remark = (node.findtext("remark") or "").lower()
        weak = node.get("strong", "true").lower() == "false" or "low quality" in remark
        listed.append((text, "weak" if weak else "aka"))
    names = build_names(listed)
    primary_scripts: set[str | None] = set()
    for index, name in enumerate(names):
        if name.kind == "aka" and name.script not in primary_scripts:
            primary_scripts.add(name.script)
            names[index] = TargetName(name.name, "primary", name.script)
    return names


def _country(node: Element) -> str | None:
    return country_code(node.get("countryIso2Code")) or country_code(node.get("countryDescription"))


def _address(node: Element) -> str | None:
    box = clean(node.get("poBox"))
    parts = [node.get("street"), f"P.O. Box {box}" if box else None, node.get("zipCode"), node.get("city")]
    parts += [node.get("region"), node.get("place")]
    if not join(parts):
        return None
    country = clean(node.get("countryDescription"))
    return join([*parts, None if country == "UNKNOWN" else country], ", ")


def _identifiers(record: Element) -> list[Identifier]:
    identifiers = []
    for node in record.findall("identification"):
        type_ = _IDENTIFIERS.get((node.get("identificationTypeCode") or "").lower(), "idNumber")
        country = _country(node)
        identifiers.append(identifier(type_, node.get("number"), country))
        identifiers.append(identifier(type_, node.get("latinNumber"), country))
    return unique(identifiers)


def _birth_date(node: Element) -> str | None:
    if date := iso_date(node.get("birthdate")):
        return date
    parts = [clean(node.get(key)) for key in ("year", "monthOfYear", "dayOfMonth")]
    if not parts[0] or not parts[0].isdigit():
        return None
    # A day without its month means nothing, so stop at the first missing part.
    kept = [parts[0]]
    for part in parts[1:]:
        if not part or not part.isdigit():
            break
        kept.append(part.zfill(2))
    return iso_date("-".join(kept))
