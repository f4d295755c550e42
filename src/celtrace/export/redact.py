"""Redaction of people in an export: ``export --redact people``.

What is replaced, consistently (the same person or address gets the same placeholder everywhere):

- people no finding is about (neither its subject nor a party its evidence names): their name and aliases
  wherever they appear as words, their id wherever it is a whole value, and their birth date and notes
  (dropped);
- e-mail addresses and phone numbers in international form (``+86 ...``) anywhere, except those that are
  evidence: in a finding (its title, explanation or evidence) or in a vendor's own record, which the
  identity and payment red flags rest on.

Subjects of findings stay named: the report is about them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_VENDOR_CONTACT_FIELDS = ("phones", "website", "email_domains", "address")


class Redactor:
    """Replaces the people and contact details a report's recipient need not see; built from the report."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        subjects = _people_in_findings(report["findings"])
        self.ids: dict[str, str] = {}
        names: dict[str, str] = {}
        hidden = sorted((p for p in report["people"] if p["id"] not in subjects), key=lambda p: p["id"])
        for number, person in enumerate(hidden, start=1):
            self.ids[person["id"]] = f"redacted-person-{number}"
            for name in [person["name"], *(person.get("aliases") or [])]:
                if name and name.strip():
                    names.setdefault(name.strip(), f"[person {number}]")
        self.people = len(hidden)
        # Longest first, so "Claire Dubois" is replaced whole before "Claire" could be.
        ordered = sorted(names, key=len, reverse=True)
        self._names = names
        self._name_pattern = (
            re.compile("|".join(rf"(?<!\w){re.escape(name)}(?!\w)" for name in ordered)) if ordered else None
        )
        self._keep = _evidence_contacts(report)
        self.emails: dict[str, str] = {}
        self.phones: dict[str, str] = {}

    def report(self, report: Mapping[str, Any]) -> dict[str, Any]:
        """A redacted copy of a report document."""
        copy: dict[str, Any] = self.value(dict(report))
        for person in copy["people"]:
            if person["id"].startswith("redacted-person-"):
                person.update(aliases=[], birth_date=None, notes=None)
        copy["redaction"] = self.summary()
        return copy

    def summary(self) -> dict[str, Any]:
        """What was replaced, as counts (the export's manifest and report carry it)."""
        return {"scope": "people", "people": self.people, "emails": len(self.emails), "phones": len(self.phones)}

    def value(self, value: Any) -> Any:
        """Any JSON value with every string redacted; keys are left as they are."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def text(self, text: str) -> str:
        """One string with hidden people, e-mail addresses and phone numbers replaced."""
        if text in self.ids:
            return self.ids[text]
        if self._name_pattern is not None:
            text = self._name_pattern.sub(lambda match: self._names[match.group(0)], text)
        if "@" in text:
            text = _EMAIL.sub(lambda match: self._placeholder(match.group(0), self.emails, "email"), text)
        if "+" in text and any(ch.isdigit() for ch in text):
            text = self._phones(text)
        return text

    def _phones(self, text: str) -> str:
        spans = [(m.start, m.end, m.raw_string) for m in phonenumbers.PhoneNumberMatcher(text, None)]
        for start, end, raw in reversed(spans):
            text = text[:start] + self._placeholder(raw, self.phones, "phone") + text[end:]
        return text

    def _placeholder(self, found: str, seen: dict[str, str], kind: str) -> str:
        if _normal(found) in self._keep:
            return found
        key = _normal(found)
        if key not in seen:
            seen[key] = f"[{kind} {len(seen) + 1}]"
        return seen[key]


def _people_in_findings(findings: Iterable[Mapping[str, Any]]) -> set[str]:
    """Ids of the people findings are about: their subjects, and the parties their evidence names (a path's ends)."""
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("kind") == "person" and isinstance(value.get("id"), str):
                found.add(value["id"])
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    for finding in findings:
        visit(finding["subject"])
        visit(finding.get("evidence"))
    return found


def _normal(contact: str) -> str:
    """An address or number as compared: case and separators ignored (``+86 411-1234`` = ``+864111234``)."""
    if "@" in contact:
        return contact.casefold()
    return "".join(ch for ch in contact if ch.isdigit() or ch == "+")


def _evidence_contacts(report: Mapping[str, Any]) -> set[str]:
    """The addresses and numbers that are evidence, and so are kept."""
    kept: set[str] = set()
    for text in _strings([report["findings"], [_vendor_contacts(v) for v in report["vendors"]]]):
        kept.update(_normal(m) for m in _EMAIL.findall(text))
        if "+" in text:
            kept.update(_normal(m.raw_string) for m in phonenumbers.PhoneNumberMatcher(text, None))
        if text.startswith("+"):
            kept.add(_normal(text))
    return kept


def _vendor_contacts(vendor: Mapping[str, Any]) -> list[Any]:
    return [vendor.get(name) for name in _VENDOR_CONTACT_FIELDS]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
