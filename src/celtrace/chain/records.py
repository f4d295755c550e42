"""The columns of each kind of chain record, and how a raw row becomes a clean record.

Four kinds: vendors, people, links and accounts (see docs/chain-import.md). Column names are matched
case-insensitively with spaces and hyphens read as underscores; a few common synonyms are accepted.
A column no kind knows is an error, so that a typo never drops data silently.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from celtrace.chain import fields

RecordKind = Literal["vendors", "people", "links", "accounts"]
KINDS: tuple[RecordKind, ...] = ("vendors", "people", "links", "accounts")
LINK_KINDS = ("owns", "directs", "employs", "subcontracts_to", "pays")
LINK_STATUSES = ("declared", "observed")
PERSON_RELATIONS = ("employs", "directs", "owns")

_Cleaner = Callable[[object], Any]


def _one(clean: Callable[[str], Any]) -> _Cleaner:
    def cleaner(value: object) -> Any:
        text = "" if value is None else str(value).strip()
        return clean(text) if text else None

    return cleaner


def _many(clean: Callable[[str], Any] | None = None) -> _Cleaner:
    def cleaner(value: object) -> list[Any]:
        items = fields.text_list(value)
        return sorted({clean(item) for item in items}) if clean else list(dict.fromkeys(items))

    return cleaner


def _choice(allowed: tuple[str, ...], default: str | None) -> _Cleaner:
    def cleaner(value: object) -> str | None:
        text = "" if value is None else str(value).strip().lower().replace(" ", "_").replace("-", "_")
        if not text:
            return default
        if text not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return text

    return cleaner


_text = _one(str)


def _limited(size: int) -> _Cleaner:
    def clean(text: str) -> str:
        if len(text) > size:
            raise ValueError(f"longer than {size} characters")
        return text

    return _one(clean)


COLUMNS: Mapping[RecordKind, Mapping[str, _Cleaner]] = {
    "vendors": {
        "id": _limited(200),
        "name": _text,
        "aliases": _many(),
        "country": _one(fields.country),
        "city": _text,
        "address": _text,
        "registration_numbers": _many(),
        "website": _text,
        "email_domains": _many(fields.domain),
        "phones": _many(),
        "bank_country": _one(fields.country),
        "payee": _text,
        "payment_methods": _many(),
        "languages": _many(fields.language),
        "productions": _many(),
        "notes": _text,
        "client": _text,
        "client_status": _choice(LINK_STATUSES, "declared"),
    },
    "people": {
        "id": _limited(200),
        "name": _text,
        "aliases": _many(),
        "nationality": _one(fields.country),
        "birth_date": _one(fields.partial_date),
        "role": _text,
        "vendor": _text,
        "relation": _choice(PERSON_RELATIONS, "employs"),
        "notes": _text,
    },
    "links": {
        "source": _text,
        "target": _text,
        "kind": _choice(LINK_KINDS, None),
        "status": _choice(LINK_STATUSES, "declared"),
        "production": _text,
        "evidence": _text,
    },
    "accounts": {
        "username": _limited(320),
        "portal": _limited(200),
        "vendor": _text,
        "person": _text,
    },
}

REQUIRED: Mapping[RecordKind, tuple[str, ...]] = {
    "vendors": ("name",),
    "people": ("name",),
    "links": ("source", "target", "kind"),
    "accounts": ("username",),
}

SYNONYMS: Mapping[str, str] = {
    "company": "name",
    "vendor_name": "name",
    "alias": "aliases",
    "registration_number": "registration_numbers",
    "registration": "registration_numbers",
    "phone": "phones",
    "telephone": "phones",
    "email": "email_domains",
    "emails": "email_domains",
    "email_domain": "email_domains",
    "e_mail": "email_domains",
    "language": "languages",
    "declared_languages": "languages",
    "payment_method": "payment_methods",
    "production": "productions",
    "subcontractor_of": "client",
    "date_of_birth": "birth_date",
    "dob": "birth_date",
    "user": "username",
    "login": "username",
    "type": "kind",
    "relation_kind": "kind",
}


def column_name(header: str) -> str:
    """A header cell as a canonical column name: ``"Bank Country"`` → ``"bank_country"``."""
    return "_".join(header.strip().lower().replace("-", " ").split())


def canonical(kind: RecordKind, header: str) -> str | None:
    """The column of ``kind`` that a header names, or None."""
    name = column_name(header)
    known = COLUMNS[kind]
    if name in known:
        return name
    # "production" is a vendor's list but a link's single value: synonyms apply only where they fit.
    synonym = SYNONYMS.get(name)
    if kind == "links" and name == "production":
        return name
    return synonym if synonym in known else None


def unknown_column_message(kind: RecordKind, header: str) -> str:
    """A helpful message for a column ``kind`` does not have."""
    known = list(COLUMNS[kind])
    close = difflib.get_close_matches(column_name(header), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; {kind} columns are: {', '.join(known)}"
    return f"unknown column {header!r} for {kind}{hint}"


def detect_kind(headers: list[str], hint: str = "") -> RecordKind:
    """Which kind a table holds, from its sheet or file name, else its columns; vendors by default."""
    # Whole words only: "personnel.csv" is no hint, "q3-people.csv" and "Vendors 2024" are.
    words = set(re.split(r"[^a-z]+", hint.lower()))
    for kind, names in (
        ("people", {"people", "persons", "person"}),
        ("links", {"links", "relations", "edges"}),
        ("accounts", {"accounts"}),
        ("vendors", {"vendors", "companies"}),
    ):
        if words & names:
            return kind  # type: ignore[return-value]
    names = {column_name(h) for h in headers}
    if {"source", "target"} <= names:
        return "links"
    if names & {"username", "login", "user"}:
        return "accounts"
    if names & {"nationality", "birth_date", "date_of_birth", "dob", "relation", "role"}:
        return "people"
    return "vendors"


@dataclass
class Record:
    """One clean row: its kind, values by column, and where it came from."""

    kind: RecordKind
    values: dict[str, Any]
    origin: dict[str, Any] = field(default_factory=dict)
    present: frozenset[str] = frozenset()
