"""Reader for the UN Security Council consolidated list XML (``consolidated.xml``).

The root ``CONSOLIDATED_LIST`` holds ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY`` records. The
reference number (``KPi.033``, ``KPe.001``) is the stable id; ``DATAID`` is only a fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, ListInfo, LoadedList, NameKind, Target
from celtrace.lists.values import (
    build_names,
    clean,
    country_code,
    identifier,
    iso_date,
    join,
    single_file,
    unique,
    year_range,
)
from celtrace.lists.xmlstream import iter_records, read_header, root_name

FORMAT = "un-xml"
LIST_NAME = "UN Security Council"
_ROOT = "CONSOLIDATED_LIST"
_RECORDS = frozenset({"INDIVIDUAL", "ENTITY"})
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# Individuals' aliases say Good or Low; entities' say a.k.a. or f.k.a. "Low" is the UN's weak alias.
_QUALITY: dict[str, NameKind] = {"good": "aka", "a.k.a.": "aka", "low": "weak", "f.k.a.": "fka"}
# A birth-year range wider than this is listed by its ends only, not year by year.
_MAX_YEAR_RANGE = 10


def sniff(path: Path, head: bytes) -> bool:
    """True when the file's root element is the UN's ``CONSOLIDATED_LIST``."""
    return root_name(head) == _ROOT


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """The UN list in one XML file; targets are streamed as the file is read.

    ``published`` is the file's ``dateGenerated`` when it has one, else the argument.
    """
    path = single_file(paths, FORMAT)
    attrib, _ = read_header(
        path, frozenset({_ROOT}), "a UN Security Council consolidated list", _RECORDS | {"INDIVIDUALS", "ENTITIES"}
    )
    info = ListInfo(LIST_NAME, FORMAT, iso_date(attrib.get("dateGenerated")) or published, (str(path),))
    return LoadedList(info, _targets(path))


def _targets(path: Path) -> Iterator[Target]:
    for number, record in enumerate(iter_records(path, _RECORDS), 1):
        yield _target(record, path, number)


def _target(record: Element, path: Path, number: int) -> Target:
    ref = clean(record.findtext("REFERENCE_NUMBER")) or clean(record.findtext("DATAID"))
    if not ref:
        raise InputError(
            f"{record.tag} number {number} has neither REFERENCE_NUMBER nor DATAID",
            file=str(path),
            field="REFERENCE_NUMBER",
        )
    person = record.tag == "INDIVIDUAL"
    names = build_names(
        [
            # Parts in published order: the UN writes Korean names family name first, and so must we.
            (join(record.findtext(tag) for tag in _NAME_PARTS), "primary"),
            (record.findtext("NAME_ORIGINAL_SCRIPT"), "primary"),
            *(
                (alias.findtext("ALIAS_NAME"), _QUALITY.get((clean(alias.findtext("QUALITY")) or "").lower(), "aka"))
                for alias in record.findall(f"{record.tag}_ALIAS")
            ),
        ]
    )
    if not names:
        raise InputError(f"{record.tag} {ref} has no name", file=str(path), field="FIRST_NAME")
    # findall with a plain tag runs in C; iterfind and paths go through ElementPath in Python.
    places = record.findall(f"{record.tag}_ADDRESS")
    countries = [value.text for node in record.findall("NATIONALITY") for value in node.findall("VALUE")]
    countries += [node.findtext("COUNTRY") for node in places]
    return Target(
        id=f"un-{ref}",
        schema="Person" if person else "Organization",
        names=names,
        programs=unique([clean(record.findtext("UN_LIST_TYPE"))]),
        countries=unique(country_code(text) for text in countries),
        addresses=unique(_address(node) for node in places),
        identifiers=_documents(record),
        birth_dates=unique(date for node in record.findall("INDIVIDUAL_DATE_OF_BIRTH") for date in _dates(node)),
        listed_on=iso_date(record.findtext("LISTED_ON")),
        remarks=clean(record.findtext("COMMENTS1")),
    )


def _address(node: Element) -> str | None:
    # An address that names only a country says no more than the country list does.
    parts = [node.findtext(tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE")]
    return join([*parts, node.findtext("COUNTRY")], ", ") if join(parts) else None


def _documents(record: Element) -> list[Identifier]:
    identifiers = []
    for node in record.findall("INDIVIDUAL_DOCUMENT"):
        # The type is free text, in English, French or Spanish: "Passport", "Numéro de passeport".
        kind = (clean(node.findtext("TYPE_OF_DOCUMENT")) or "").lower()
        type_ = "passportNumber" if "pas" in kind else "idNumber"
        country = country_code(node.findtext("ISSUING_COUNTRY")) or country_code(node.findtext("COUNTRY_OF_ISSUE"))
        identifiers.append(identifier(type_, node.findtext("NUMBER"), country))
    return unique(identifiers)


def _dates(node: Element) -> list[str | None]:
    if date := iso_date(node.findtext("DATE")) or iso_date(node.findtext("YEAR")):
        return [date]
    start, end = iso_date(node.findtext("FROM_YEAR")), iso_date(node.findtext("TO_YEAR"))
    return [*year_range(start, end, _MAX_YEAR_RANGE)] if start and end else [start, end]
