"""What a file's own metadata says of where it was made: the UTC offset of its times, and fonts made in or for
the DPRK.

Both are hints a reviewer weighs, never proof (a clock or a font can be set by hand), so each comes with
the reason it is given. The offsets and font names are data (``data/origin_hints.json``, with a source for
each), so they can be corrected without a release.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

#: Fonts a result lists at most; a document rarely names more than a dozen.
MAX_FONTS = 50
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")


@dataclass(frozen=True)
class FontRule:
    """A DPRK font family from the data file, matched anywhere in a font's name."""

    family: str
    pattern: re.Pattern[str]
    confidence: str
    source: str


@cache
def _hints() -> dict[str, Any]:
    text = resources.files("celtrace.data").joinpath("origin_hints.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def font_rules() -> tuple[FontRule, ...]:
    """The DPRK font rules, most specific first: a font takes the first rule that matches it."""
    return tuple(
        FontRule(rule["family"], re.compile(rule["pattern"], re.IGNORECASE), rule["confidence"], rule["source"])
        for rule in _hints()["dprk_fonts"]
    )


def dprk_fonts(fonts: list[str]) -> list[dict[str, str]]:
    """The fonts among ``fonts`` made in or for the DPRK, each with the family it was taken for and how sure
    that is."""
    found: list[dict[str, str]] = []
    for font in fonts:
        name = unicodedata.normalize("NFKC", font).strip()
        for rule in font_rules():
            if rule.pattern.search(name):
                found.append({"font": font, "family": rule.family, "confidence": rule.confidence})
                break
    return found


def utc_offset(time: str) -> str | None:
    """The offset an ISO 8601 time was written with (``+09:00``), or None when it gives none."""
    match = _OFFSET.search(time)
    return match.group() if match else None


def zone_hint(offset: str, time: str | None = None) -> str | None:
    """Where a UTC offset is used, from the data file; for Pyongyang Time, whether ``time`` falls in the years
    the DPRK used it."""
    entry = _hints()["utc_offsets"].get(offset)
    if entry is None:
        return None
    hint: str = entry["hint"]
    if entry.get("dprk") and time:
        try:
            day = datetime.fromisoformat(time).date()
        except ValueError:
            return hint
        inside = date.fromisoformat(entry["from"]) <= day <= date.fromisoformat(entry["until"])
        hint += "; this time falls " + ("in that period" if inside else "outside that period (a clock set by hand?)")
    return hint


def add_hints(metadata: dict[str, Any], fonts: list[str] | None = None) -> dict[str, Any]:
    """Add ``utc_offset`` and ``time_zone_hint`` from the creation time (else the modification time), and
    ``fonts`` and ``dprk_fonts`` from ``fonts``; returns ``metadata``.

    A local offset is preferred to +00:00: programs that keep times in UTC write +00:00 wherever they run
    (Office writes every core time so), so the other time's local offset says more.
    """
    times = [value for key in ("created", "modified") if isinstance(value := metadata.get(key), str)]
    offsets = [(offset, time) for time in times if (offset := utc_offset(time))]
    local = [pair for pair in offsets if pair[0] not in ("+00:00", "-00:00")]
    if offsets:
        offset, time = (local or offsets)[0]
        metadata["utc_offset"] = offset
        hint = zone_hint(offset, time)
        if hint:
            metadata["time_zone_hint"] = hint
    if fonts:
        unique = sorted(set(fonts), key=str.casefold)
        metadata["fonts"] = unique[:MAX_FONTS]
        flagged = dprk_fonts(unique)
        if flagged:
            metadata["dprk_fonts"] = flagged
    return metadata
