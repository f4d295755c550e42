"""How OFAC writes a party's facts, in its Remarks and in the fields of its XML formats.

Much of a legacy entry lives in its Remarks, facts separated by ``;``: weak aliases, dates and places of
birth, nationality, passports and other numbers under OFAC's own labels, links to other entries,
gender. :func:`parse_remarks` turns them into the target model. The same labels and date forms come
back in sdn.xml (``idType``, ``dateOfBirth``, ``placeOfBirth``) and in the advanced format's document
and feature types, so all three OFAC readers use :func:`make_identifier`, :func:`parse_dates` and
:func:`place_country`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from celtrace.lists.model import Identifier, TargetName
from celtrace.lists.values import country_code, detect_script, partial_date, unique, year_range

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_DATE = re.compile(r"(?:([0-9]{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\.?\s+)?([0-9]{4})")
# "1960 to 1962" is every year between; a range longer than this is kept as its two ends.
_LONGEST_YEAR_RANGE = 20
# Remarks aliases are OFAC's weak a.k.a.s (strong ones are in alt.csv), sometimes in parentheses.
# The name may hold quotes ('ABU-'UMAR'), so it runs to the quote that ends the fact or the bracket.
_ALIAS = re.compile(r"\b[afn]\.k\.a\.,?\s+'(?P<name>.+?)'(?=\s*\)|\.?\s*$)")
_ISSUED = re.compile(r"(?:^|\s+)(?:issued|expires)\b.*$")
_IN_BRACKETS = re.compile(r"(?P<value>.*?)\s*\((?P<country>[^()]+)\)")
_CRYPTO = re.compile(r"Digital Currency Address - [A-Z0-9]+")

# OFAC's identifier labels (in Remarks, sdn.xml's idType, the advanced format's document and feature
# types) as the FollowTheMoney properties every reader uses, so targets from all lists compare.
_ID_GROUPS = {
    "passportNumber": ("Passport", "Diplomatic Passport", "Travel Document Number"),
    "idNumber": (
        "National ID No.", "Cedula No.", "Identification Number", "D.N.I.", "C.U.R.P.", "CURP", "Personal ID Card",
        "National Foreign ID Number", "Kenyan ID No.", "Turkish Identification Number", "Birth Certificate Number",
        "Refugee ID Card", "Stateless Person ID Card", "Public Security and Immigration No.", "Immigration No.",
        "Residency Number", "Electoral Registry No.", "Credencial electoral", "Cartilla de Servicio Militar Nacional",
        "Driver's License No.",
    ),
    "taxNumber": ("Tax ID No.", "NIT #", "RUC #", "R.F.C.", "RFC", "RIF #", "US FEIN", "Italian Fiscal Code"),
    "registrationNumber": (
        "Registration Number", "Registration ID", "Company Number", "UK Company Number", "Commercial Registry Number",
        "Business Registration Number", "Business Registration Document #", "Public Registration Number",
        "Chamber of Commerce Number", "Government Gazette Number", "Folio Mercantil No.", "Matricula Mercantil No",
        "C.R. No.", "Vessel Registration Identification", "Aircraft Tail Number", "Legal Entity Number",
    ),
    "socialSecurityNumber": ("SSN",), "vatCode": ("V.A.T. Number",), "licenseNumber": ("Trade License No.",),
    "uscCode": ("Unified Social Credit Code (USCC)",), "dunsCode": ("D-U-N-S Number",), "isinCode": ("ISIN",),
    "bikCode": ("BIK (RU)",), "swiftBic": ("SWIFT/BIC",), "email": ("Email Address",), "website": ("Website",),
    "phone": ("Phone Number",), "mmsi": ("MMSI",), "callSign": ("Vessel Call Sign", "Call Sign"),
    "serialNumber": ("Aircraft Manufacturer's Serial Number (MSN)",),
}  # fmt: skip
#: OFAC label -> FollowTheMoney property, for every label that names a number identifying the party.
ID_TYPES = {label: prop for prop, labels in _ID_GROUPS.items() for label in labels}
_GUESSES = (("passport", "passportNumber"), ("tax", "taxNumber"), ("regist", "registrationNumber"))
_IMO = re.compile(r"IMO\s*([0-9]{7})")
_LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
_ID_FACT = re.compile(rf"(?P<label>{'|'.join(map(re.escape, sorted(ID_TYPES, key=len, reverse=True)))})\s+(?P<v>.+)")


@dataclass
class RemarkFacts:
    """What :func:`parse_remarks` recognised in an entry's Remarks."""

    names: list[TargetName] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    gender: str | None = None


def parse_remarks(remarks: str) -> RemarkFacts:
    """The facts in a Remarks text: OFAC separates them with ``;`` and ends the text with a full stop."""
    facts = RemarkFacts()
    for fact in remarks.strip().removesuffix(".").split(";"):
        fact = fact.strip()
        aliases = [TargetName(m["name"].strip(), "weak", detect_script(m["name"])) for m in _ALIAS.finditer(fact)]
        if aliases:
            facts.names.extend(aliases)
            continue
        body = fact.removeprefix("alt. ").strip()
        head, _, rest = body.partition(" ")
        if head == "DOB":
            facts.birth_dates.extend(parse_dates(rest))
        elif head in ("POB", "nationality", "citizen"):
            facts.countries.extend(filter(None, [place_country(rest)]))
        elif body.startswith("Nationality of Registration "):
            facts.countries.extend(filter(None, [country_code(body.removeprefix("Nationality of Registration "))]))
        elif body.startswith("Linked To: "):
            facts.linked_to.append(body.removeprefix("Linked To: ").strip())
        elif head == "Gender":
            facts.gender = rest.strip()
        elif found := _ID_FACT.fullmatch(body) or _CRYPTO.match(body):
            label = found["label"] if found.re is _ID_FACT else found[0]
            facts.identifiers.extend(filter(None, [make_identifier(label, body[len(label) :])]))
    facts.names = unique(facts.names)
    return facts


def make_identifier(label: str, value: str, country: str | None = None) -> Identifier | None:
    """An identifier from an OFAC label and its value, which may end in ``(Country)`` and issue dates."""
    value = _ISSUED.sub("", value.strip()).strip()
    found = _IN_BRACKETS.fullmatch(value)
    if found and (code := country_code(found["country"])):
        value, country = found["value"].strip(), code
    kind = ID_TYPES.get(label) or next((prop for word, prop in _GUESSES if word in label.lower()), "idNumber")
    if label.startswith("Digital Currency Address"):
        kind = "cryptoWallet"  # FollowTheMoney's CryptoWallet; the address alone identifies it
    elif imo := _IMO.fullmatch(value):  # a vessel's or a shipping company's, however OFAC labels it
        kind, value = "imoNumber", f"IMO{imo[1]}"
    elif label == "Legal Entity Number" and _LEI.fullmatch(value):
        kind = "leiCode"
    # Not values.identifier: its clean() would also fold runs of spaces inside OFAC's values.
    return Identifier(kind, value, country) if value else None


def parse_dates(text: str) -> list[str]:
    """ISO dates, maybe partial, from ``12 Jan 1968``, ``Jan 1968``, ``circa 1968`` or ``1960 to 1962``."""
    text = text.strip().removeprefix("circa ").strip().rstrip(".")
    found: list[str] = []
    for part in re.split(r"\s+to\s+|(?<=[0-9]{4})\s*-\s*(?=[0-9]{4})", text):
        match = _DATE.fullmatch(part.strip())
        if not match:
            continue
        day, month, year = match.groups()
        number = _MONTHS.get((month or "").lower())
        if month and not number:
            continue
        found.append(partial_date(int(year), number, int(day) if day and number else None))
    return year_range(found[0], found[1], _LONGEST_YEAR_RANGE) if len(found) == 2 else found


def place_country(text: str) -> str | None:
    """The country of a place such as ``Kaesong, DPRK`` or ``Pyongyang, Korea, North``: its longest known tail."""
    parts = [part.strip() for part in text.strip().rstrip(".").split(",")]
    for start in range(len(parts)):
        if code := country_code(", ".join(parts[start:])):
            return code
    return None
