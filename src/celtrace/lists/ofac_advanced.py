"""OFAC's "advanced" XML (``SDN_ADVANCED.XML``, ``CONS_ADVANCED.XML``), the UN-developed sanctions data model.

A party (``DistinctParty``) refers by id to values defined elsewhere in the file: alias types, scripts and
countries in ``ReferenceValueSets``, addresses in ``Locations``, documents in ``IDRegDocuments``, and its
programs in ``SanctionsEntries``, which follow the parties. So the file is read twice, both times
streamed: the first pass keeps those small id tables, the second turns each party into a Target as it
goes. The parties, most of the file, are never held in memory together.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, ListInfo, LoadedList, NameKind, Target, TargetName, TargetSchema
from celtrace.lists.ofac_csv import ENT_NUM, list_name
from celtrace.lists.ofac_remarks import ID_TYPES, make_identifier, place_country
from celtrace.lists.ofac_xml import MAX_RECORD_ELEMENTS, text_of
from celtrace.lists.values import country_code, detect_script, partial_date, unique, year_range
from celtrace.lists.xmlstream import iter_records, read_header, root_name

FORMAT = "ofac-advanced"
_ROOTS = frozenset({"Sanctions"})
_WHAT = "an OFAC advanced XML file"
_TABLES = frozenset({"ReferenceValueSets", "Location", "IDRegDocument", "SanctionsEntry"})
_ALIAS_KINDS: dict[str, NameKind] = {"Name": "primary", "A.K.A.": "aka", "F.K.A.": "fka", "N.K.A.": "aka"}
_SCHEMAS: dict[str, TargetSchema] = {
    "Vessel": "Vessel", "Aircraft": "Airplane", "Individual": "Person", "Entity": "Organization",
}  # fmt: skip
_GIVEN = ("First Name", "Middle Name", "Patronymic", "Matronymic")
# Scripts that write a family name and a given name together, without a space or a comma.
_UNSPACED = frozenset({"Hang", "Hani", "Hans", "Hant", "Jpan", "Kore"})
_COUNTRY_FEATURES = frozenset(
    {"Nationality Country", "Citizenship Country", "Place of Birth", "Nationality of Registration", "Vessel Flag"}
)
_YEAR = re.compile(r"[0-9]{1,4}")
# A period of whole years as long as this or shorter is every year in it; a longer one, its two ends.
_LONGEST_YEAR_RANGE = 20
_DAY = re.compile(r"[0-9]{1,2}")
_ADDRESS_ORDER = ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE/PROVINCE", "POSTAL CODE", "REGION", "Unknown")


@dataclass
class _Tables:
    """The id tables of one file, raw: they are resolved when a party uses them, whatever the section order."""

    refs: dict[tuple[str, str], tuple[str, dict[str, str]]] = field(default_factory=dict)
    locations: dict[str, tuple[list[tuple[str, str]], list[str]]] = field(default_factory=dict)
    documents: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    entries: dict[str, tuple[list[tuple[str, str]], str | None]] = field(default_factory=dict)

    def text(self, kind: str, ref: str | None) -> str:
        """The value a reference id stands for, e.g. ``text("AliasType", "1400")`` is ``A.K.A.``."""
        return self.refs.get((kind, ref or ""), ("", {}))[0]

    def attr(self, kind: str, ref: str | None, name: str) -> str | None:
        """An attribute of a reference value, e.g. a Script's ``ScriptCode``."""
        return self.refs.get((kind, ref or ""), ("", {}))[1].get(name)

    def country(self, ref: str | None) -> str | None:
        """A country id as FollowTheMoney's code: OFAC gives ISO2 codes for most, names for the rest."""
        iso2 = self.attr("Country", ref, "ISO2")
        return country_code(iso2) or country_code(self.text("Country", ref))

    def location(self, ref: str | None) -> tuple[str, str | None]:
        """A location id as an address line and a country code."""
        parts, country_ids = self.locations.get(ref or "", ([], []))
        typed = {self.text("LocPartType", kind): value for kind, value in parts}
        country = next(filter(None, map(self.country, country_ids)), None)
        if country is None and typed.get("Unknown"):
            country = place_country(typed["Unknown"])
        names = [self.text("Country", country_id) for country_id in country_ids]
        return ", ".join(unique([*(typed.get(kind) for kind in _ADDRESS_ORDER), *names])), country


def sniff(path: Path, head: bytes) -> bool:
    """An OFAC advanced XML file: its root element is ``Sanctions``."""
    return root_name(head) == "Sanctions"


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """The parties of one or more advanced XML files; the file's DateOfIssue wins over ``published``."""
    _, header = read_header(paths[0], _ROOTS, _WHAT, stop={"ReferenceValueSets", "DistinctParties"})
    issued = _ymd(header.get("DateOfIssue"))
    files = tuple(str(path) for path in paths)
    return LoadedList(ListInfo(list_name(paths), FORMAT, issued or published, files), _targets(paths))


def _targets(paths: list[Path]) -> Iterator[Target]:
    for path in paths:
        tables = _read_tables(path)
        parties = iter_records(
            path,
            {"DistinctParty"},
            roots=_ROOTS,
            what=_WHAT,
            until={"DistinctParties"},
            max_elements=MAX_RECORD_ELEMENTS,
        )
        for party in parties:
            yield _target(party, tables, path)


def _read_tables(path: Path) -> _Tables:
    tables = _Tables()
    for elem in iter_records(path, _TABLES, roots=_ROOTS, what=_WHAT, max_elements=MAX_RECORD_ELEMENTS):
        if elem.tag == "ReferenceValueSets":
            for values in elem:
                for value in values:
                    tables.refs[(value.tag, value.get("ID", ""))] = ((value.text or "").strip(), dict(value.attrib))
        elif elem.tag == "Location":
            parts = [(part.get("LocPartTypeID", ""), text_of(part, "LocationPartValue/Value")) for part in elem]
            countries = [country.get("CountryID", "") for country in elem.iterfind("LocationCountry")]
            tables.locations[elem.get("ID", "")] = ([part for part in parts if part[1]], countries)
        elif elem.tag == "IDRegDocument":
            document = (
                elem.get("IDRegDocTypeID", ""),
                text_of(elem, "IDRegistrationNo"),
                elem.get("IssuedBy-CountryID", ""),
            )
            tables.documents.setdefault(elem.get("IdentityID", ""), []).append(document)
        else:
            measures = [
                (item.get("SanctionsTypeID", ""), text_of(item, "Comment"))
                for item in elem.iterfind("SanctionsMeasure")
            ]
            dates = sorted(filter(None, (_ymd(event.find("Date")) for event in elem.iterfind("EntryEvent"))))
            tables.entries[elem.get("ProfileID", "")] = (measures, dates[0] if dates else None)
    return tables


def _target(party: Element, tables: _Tables, path: Path) -> Target:
    ref = party.get("FixedRef", "")
    if not ENT_NUM.fullmatch(ref):
        raise InputError(
            f"DistinctParty FixedRef {ref[:40]!r} is not an entry number", file=str(path), field="FixedRef"
        )
    profile = party.find("Profile")
    if profile is None:
        raise InputError(f"DistinctParty {ref} has no Profile", file=str(path))
    schema = _schema(tables, profile.get("PartySubTypeID"))
    names: list[TargetName] = []
    identifiers: list[Identifier | None] = []
    for identity in profile.iterfind("Identity"):
        names += _names(identity, tables, schema == "Person")
        for kind, number, country in tables.documents.get(identity.get("ID", ""), []):
            identifiers.append(make_identifier(tables.text("IDRegDocType", kind), number, tables.country(country)))
    if not names:
        raise InputError(f"DistinctParty {ref} has no name", file=str(path))
    births: list[str] = []
    places: list[tuple[str, str | None]] = []
    countries: list[str | None] = []
    for feature in profile.iterfind("Feature"):
        label = tables.text("FeatureType", feature.get("FeatureTypeID"))
        for version in feature.iterfind("FeatureVersion"):
            location = version.find("VersionLocation")
            place = tables.location(location.get("LocationID")) if location is not None else None
            detail = version.find("VersionDetail")
            value = _detail(detail, tables) if detail is not None else ""
            if label == "Birthdate":
                births += _period(version.find("DatePeriod"))
            elif label == "Location" and place:
                places.append(place)
            elif label in _COUNTRY_FEATURES:
                countries.append(place[1] if place else place_country(value))
            elif value and (label in ID_TYPES or label.startswith("Digital Currency Address - ")):
                identifiers.append(make_identifier(label, value))
    measures, listed_on = tables.entries.get(profile.get("ID", ref), ([], None))
    found = [item for item in identifiers if item]
    return Target(
        id=f"ofac-{int(ref)}",
        schema=schema,
        names=unique(names),
        programs=unique(text for kind, text in measures if tables.text("SanctionsType", kind) == "Program"),
        countries=unique([*countries, *(country for _, country in places), *(item.country for item in found)]),
        addresses=unique(address for address, _ in places),
        identifiers=unique(found),
        birth_dates=unique(births),
        listed_on=listed_on,
        remarks=text_of(party, "Comment") or None,
    )


def _schema(tables: _Tables, sub_type: str | None) -> TargetSchema:
    # Sub-types are Vessel and Aircraft; individuals and entities have sub-type "Unknown" and say it in the type.
    text = tables.text("PartySubType", sub_type)
    if text not in _SCHEMAS:
        text = tables.text("PartyType", tables.attr("PartySubType", sub_type, "PartyTypeID"))
    return _SCHEMAS.get(text, "LegalEntity")


def _names(identity: Element, tables: _Tables, person: bool) -> list[TargetName]:
    groups = {
        group.get("ID", ""): tables.text("NamePartType", group.get("NamePartTypeID"))
        for group in identity.iterfind("NamePartGroups/MasterNamePartGroup/NamePartGroup")
    }
    names = []
    for alias in identity.iterfind("Alias"):
        kind = _ALIAS_KINDS.get(tables.text("AliasType", alias.get("AliasTypeID")), "aka")
        if alias.get("LowQuality") == "true":  # OFAC's weak a.k.a.
            kind = "weak"
        for documented in alias.iterfind("DocumentedName"):
            parts = [
                (groups.get(value.get("NamePartGroupID", ""), ""), (value.text or "").strip(), value.get("ScriptID"))
                for value in documented.iterfind("DocumentedNamePart/NamePartValue")
            ]
            parts = [part for part in parts if part[1]]
            if parts:
                code = tables.attr("Script", parts[0][2], "ScriptCode") or detect_script(parts[0][1])
                names.append(TargetName(_compose([(kind, text) for kind, text, _ in parts], code, person), kind, code))
    return names


def _compose(parts: list[tuple[str, str]], script: str | None, person: bool) -> str:
    """One name from its typed parts: a person's Latin name as "LAST, Given" (as OFAC's CSV writes it)."""
    last = [text for kind, text in parts if kind == "Last Name"]
    given = [text for name in _GIVEN for kind, text in parts if kind == name]
    if person and last and given and len(last) + len(given) == len(parts):
        if script in _UNSPACED:
            return "".join(last + given)
        return f"{' '.join(last)}, {' '.join(given)}"
    return ("" if script in _UNSPACED and person else " ").join(text for _, text in parts)


def _detail(detail: Element, tables: _Tables) -> str:
    reference = detail.get("DetailReferenceID")
    return tables.text("DetailReference", reference) if reference else (detail.text or "").strip()


def _ymd(elem: Element | None) -> str | None:
    if elem is None:
        return None
    year, month, day = (text_of(elem, part) for part in ("Year", "Month", "Day"))
    if not _YEAR.fullmatch(year) or int(year) < 1:
        return None
    number = int(month) if _DAY.fullmatch(month) and 1 <= int(month) <= 12 else None
    return partial_date(int(year), number, int(day) if number and _DAY.fullmatch(day) else None)


def _period(period: Element | None) -> list[str]:
    """Dates from a DatePeriod: OFAC writes a year as 1 Jan to 31 Dec of it, and a month likewise."""
    if period is None:
        return []
    start = _ymd(period.find("Start/From")) or _ymd(period.find("Start/To"))
    end = _ymd(period.find("End/To")) or _ymd(period.find("End/From"))
    if not start or not end or start == end or len(start) < 10 or len(end) < 10:
        return unique([start, end])
    last_day = calendar.monthrange(int(end[:4]), int(end[5:7]))[1]
    if start[:7] == end[:7] and start.endswith("-01") and int(end[8:]) == last_day:
        return [start[:7]]
    if start.endswith("-01-01") and end.endswith("-12-31"):
        return year_range(start[:4], end[:4], _LONGEST_YEAR_RANGE)  # one year, or a range of years
    return [start, end]
