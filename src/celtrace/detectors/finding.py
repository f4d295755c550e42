"""The Finding: what a detector says, about whom, how sure, and on what evidence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

SubjectKind = Literal["vendor", "person", "account", "asset", "trove_item", "party", "address"]
"""``party``: someone evidence names who is not in the chain (a trove's holder, say); ``address``: an IP
address in access logs that no account goes with."""


class Severity(IntEnum):
    """How urgently a finding needs a person's attention; ordered, so ``>=`` compares."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lower-case name used in JSON, the store and on the command line."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"high"`` → ``Severity.HIGH``; raises ValueError naming the allowed values."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            allowed = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (one of {allowed})") from None


@dataclass(frozen=True)
class Subject:
    """The record a finding is about."""

    kind: SubjectKind
    id: str
    name: str


@dataclass(frozen=True)
class Finding:
    """One fact a detector found, with the raw values that triggered it.

    ``key`` tells apart findings of one rule on one subject (a phone number, a payment method); together
    with the rule and the subject it makes :attr:`id`, which stays the same across runs so that a review
    decision made on a finding still applies when ``analyze`` runs again.
    """

    rule: str
    severity: Severity
    subject: Subject
    title: str
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    key: str = ""

    @property
    def id(self) -> str:
        """A stable 16-hex-digit id for this fact."""
        raw = json.dumps([self.rule, self.subject.kind, self.subject.id, self.key], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        """The finding as DESIGN.md's ``analyze --json`` contract spells it."""
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity.label,
            "subject": {"kind": self.subject.kind, "id": self.subject.id, "name": self.subject.name},
            "title": self.title,
            "explanation": self.explanation,
            "evidence": self.evidence,
        }
