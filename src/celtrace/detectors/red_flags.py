"""The advisory red flags the vendor detectors use, read from ``celtrace/data/red_flags.json``.

The lists live in a data file, not in code, so that a compliance team can update them (new payment
platforms, new front-company cities) without a release; each entry names its public source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from celtrace.detectors.finding import Severity


@dataclass(frozen=True)
class Flag:
    """A red flag: how severe, why, and which public source says so."""

    severity: Severity
    why: str
    source: str


@dataclass(frozen=True)
class MethodFlag:
    """A payment-method category and the words that name it."""

    category: str
    flag: Flag
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class RemoteAccessFlag:
    """A sign of remote-desktop use in access events: SQL LIKE patterns (case aside) over one event column."""

    name: str
    field: str
    like: tuple[str, ...]
    flag: Flag


@dataclass(frozen=True)
class RedFlags:
    """Everything in the red-flag data file, parsed."""

    sources: dict[str, str]
    bank_countries: dict[str, Flag]
    payment_methods: list[MethodFlag]
    third_party_payee: Flag
    dprk_countries: frozenset[str]
    korean_speaking: frozenset[str]
    generic_cctlds: frozenset[str]
    webmail: dict[str, str]
    places: dict[str, dict[str, str]]
    place_pattern: re.Pattern[str]
    remote_access: list[RemoteAccessFlag]

    def cite(self, flag: Flag) -> str:
        """The full name of the source behind a flag."""
        return self.sources.get(flag.source, flag.source)


def _flag(data: dict[str, Any]) -> Flag:
    return Flag(Severity.parse(data["severity"]), data["why"], data["source"])


def words_pattern(words: list[str]) -> re.Pattern[str]:
    """A case-insensitive pattern that finds any of ``words`` as whole words."""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@cache
def load() -> RedFlags:
    """The packaged red-flag data, parsed once."""
    data = json.loads(resources.files("celtrace.data").joinpath("red_flags.json").read_text("utf-8"))
    return RedFlags(
        sources=data["sources"],
        bank_countries={code: _flag(entry) for code, entry in data["bank_countries"].items()},
        payment_methods=[
            MethodFlag(entry["category"], _flag(entry), words_pattern(entry["words"]))
            for entry in data["payment_methods"]
        ],
        third_party_payee=_flag(data["third_party_payee"]),
        dprk_countries=frozenset(data["dprk_countries"]),
        korean_speaking=frozenset(data["korean_speaking_countries"]),
        generic_cctlds=frozenset(data["generic_cctlds"]),
        webmail={domain: country for country, domains in data["national_webmail"].items() for domain in domains},
        places=data["places"]["names"],
        place_pattern=words_pattern(list(data["places"]["names"])),
        remote_access=[
            RemoteAccessFlag(entry["name"], entry["field"], tuple(entry["like"]), _flag(entry))
            for entry in data["remote_access"]["patterns"]
        ],
    )
