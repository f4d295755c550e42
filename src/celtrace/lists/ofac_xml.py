"""OFAC's legacy XML files, ``sdn.xml`` and ``consolidated.xml``: one ``sdnEntry`` per listed party.

Current files use the namespace ``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML``,
older ones ``http://tempuri.org/sdnList.xsd``; both are read with namespaces stripped. The file is streamed
safely, one entry in memory at a time, by :mod:`celtrace.lists.xmlstream`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

from celtrace.errors import InputError
from celtrace.lists.model import ListInfo, LoadedList, NameKind, Target, TargetName, TargetSchema
from celtrace.lists.ofac_csv import ENT_NUM, list_name
from celtrace.lists.ofac_remarks import ID_TYPES, make_identifier, parse_dates, parse_remarks, place_country
from celtrace.lists.values import country_code, detect_script, unique
from celtrace.lists.xmlstream import iter_records, read_header, root_name

FORMAT = "ofac-xml"
_SCHEMAS: dict[str, TargetSchema] = {
    "individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Airplane",
}  # fmt: skip
_AKA_KINDS: dict[str, NameKind] = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "aka"}
_US_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ROOTS = frozenset({"sdnList"})
_WHAT = "an OFAC sdn.xml or consolidated.xml file"
#: One party has at most a few hundred elements; a "record" bigger than this is hostile and would fill memory.
#: The advanced format's records include whole id tables, hence a higher cap than the other lists'.
MAX_RECORD_ELEMENTS = 100_000
_ADDRESS_PARTS = ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country")


def sniff(path: Path, head: bytes) -> bool:
    """A legacy OFAC XML file: its root element is ``sdnList`` (in either namespace)."""
    return root_name(head) == "sdnList"


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """The entries of one or more sdn.xml / consolidated.xml files; the file's Publish_Date wins over ``published``."""
    _, header = read_header(paths[0], _ROOTS, _WHAT, stop={"sdnEntry"})
    info = header.get("publshInformation")
    issued = _iso_us_date(info.findtext("Publish_Date") if info is not None else None)
    files = tuple(str(path) for path in paths)
    return LoadedList(ListInfo(list_name(paths), FORMAT, issued or published, files), _targets(paths))


def text_of(elem: Element, path: str) -> str:
    """The stripped text at ``path`` under ``elem``, or an empty string."""
    return (elem.findtext(path) or "").strip()


def _iso_us_date(text: str | None) -> str | None:
    found = _US_DATE.fullmatch((text or "").strip())
    if not found:
        return None
    try:
        return date(int(found[3]), int(found[1]), int(found[2])).isoformat()
    except ValueError:  # 13/45/2024 is no date
        return None


def _targets(paths: list[Path]) -> Iterator[Target]:
    for path in paths:
        for entry in iter_records(path, {"sdnEntry"}, roots=_ROOTS, what=_WHAT, max_elements=MAX_RECORD_ELEMENTS):
            yield _target(entry, path)


def _target(entry: Element, path: Path) -> Target:
    uid = text_of(entry, "uid")
    if not ENT_NUM.fullmatch(uid):
        raise InputError(f"sdnEntry uid {uid[:40]!r} is not an entry number", file=str(path), field="uid")
    sdn_type = text_of(entry, "sdnType").lower()
    person = sdn_type == "individual"
    primary = _name(entry, person)
    if not primary:
        raise InputError(f"sdnEntry {uid} has no name", file=str(path), field="lastName")
    remarks = text_of(entry, "remarks")
    facts = parse_remarks(remarks)
    names = [TargetName(primary, "primary", detect_script(primary))]
    for aka in entry.iterfind("akaList/aka"):
        if name := _name(aka, person):
            weak = text_of(aka, "category").lower() == "weak"
            kind: NameKind = "weak" if weak else _AKA_KINDS.get(text_of(aka, "type").lower(), "aka")
            names.append(TargetName(name, kind, detect_script(name)))
    identifiers = [
        make_identifier(label, text_of(item, "idNumber"), country_code(text_of(item, "idCountry")))
        for item in entry.iterfind("idList/id")
        if (label := text_of(item, "idType")) in ID_TYPES or label.startswith("Digital Currency Address - ")
    ]
    if call_sign := text_of(entry, "vesselInfo/callSign"):
        identifiers.append(make_identifier("Call Sign", call_sign))
    addresses = [_address(item) for item in entry.iterfind("addressList/address")]
    countries: list[str | None] = [
        country_code(text_of(item, "country")) for item in entry.iterfind("addressList/address")
    ]
    countries += [country_code(text_of(item, "country")) for item in entry.iterfind("nationalityList/nationality")]
    countries += [country_code(text_of(item, "country")) for item in entry.iterfind("citizenshipList/citizenship")]
    countries += [place_country(text_of(item, "placeOfBirth")) for item in entry.iterfind(".//placeOfBirthItem")]
    countries += [country_code(text_of(entry, "vesselInfo/vesselFlag"))]
    countries += [item.country for item in identifiers if item]
    countries += facts.countries
    births = [day for item in entry.iterfind(".//dateOfBirthItem") for day in parse_dates(text_of(item, "dateOfBirth"))]
    return Target(
        id=f"ofac-{int(uid)}",
        schema=_SCHEMAS.get(sdn_type, "LegalEntity"),
        names=unique([*names, *facts.names]),
        programs=unique((program.text or "").strip() for program in entry.iterfind("programList/program")),
        countries=unique(countries),
        addresses=unique(addresses),
        identifiers=unique([*identifiers, *facts.identifiers]),
        birth_dates=unique([*births, *facts.birth_dates]),
        remarks=remarks or None,
    )


def _name(elem: Element, person: bool) -> str:
    # OFAC's CSV writes individuals "LAST, First"; the same here keeps one party's names alike across formats.
    first, last = text_of(elem, "firstName"), text_of(elem, "lastName")
    if person and first and last:
        return f"{last}, {first}"
    return last or first


def _address(item: Element) -> str:
    return ", ".join(value for part in _ADDRESS_PARTS if (value := text_of(item, part)))
