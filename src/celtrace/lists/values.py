"""The values every list reader produces, one way each: text, names and their scripts, dates, countries,
identifiers, and lists without blanks or repeats.

Identifier types are FollowTheMoney property names (``passportNumber``, ``idNumber``,
``registrationNumber``, ``swiftBic``, ``imoNumber``, ``innCode``, ``ogrnCode``, ``taxNumber``), so
targets from every list compare with each other and with OpenSanctions entities.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from followthemoney.types import registry

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, NameKind, TargetName

_T = TypeVar("_T")

# ISO 15924 codes by the first word of a character's Unicode name. unicodedata (the standard
# library) is enough here: a listed name is written in one script, and we only need which one.
_SCRIPTS = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "HANGUL": "Hang", "CJK": "Hani",
    "HIRAGANA": "Hira", "KATAKANA": "Kana", "GREEK": "Grek", "HEBREW": "Hebr", "THAI": "Thai",
    "GEORGIAN": "Geor", "ARMENIAN": "Armn", "DEVANAGARI": "Deva", "BENGALI": "Beng", "TAMIL": "Taml",
    "ETHIOPIC": "Ethi", "MONGOLIAN": "Mong", "TIBETAN": "Tibt", "MYANMAR": "Mymr", "KHMER": "Khmr",
    "LAO": "Laoo", "SYRIAC": "Syrc", "THAANA": "Thaa", "GUJARATI": "Gujr", "GURMUKHI": "Guru",
    "SINHALA": "Sinh", "TELUGU": "Telu", "KANNADA": "Knda", "MALAYALAM": "Mlym", "ORIYA": "Orya",
}  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d])")
# UK style, with "dd" and "mm" standing for an unknown day or month: 27/08/1955, dd/mm/1950.
_DMY_DATE = re.compile(r"(dd|\d{1,2})[/.](mm|\d{1,2})[/.](\d{4})", re.IGNORECASE)
# Whitespace other than the plain space: newlines, tabs, no-break and ideographic spaces...
_OTHER_SPACE = re.compile(r"[^\S ]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_INVERTED = re.compile(r"([^()]+?)\s*\(([^()]+)\)")


def clean(text: str | None) -> str | None:
    """Text with runs of whitespace collapsed to one space; None when nothing is left."""
    if text is None:
        return None
    if not text.isascii() or not text.isprintable():
        if _CONTROL.search(text):
            # Control characters and lone surrogates (JSON can carry both) break the store's encodings.
            text = _CONTROL.sub("", text)
        text = _OTHER_SPACE.sub(" ", text)
    # Replacing beats splitting into words here: a long comment would be a thousand small strings.
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip() or None


def join(parts: Iterable[str | None], sep: str = " ") -> str | None:
    """The cleaned, non-empty parts joined by ``sep``; None when there are none."""
    kept = [part for part in (clean(p) for p in parts) if part]
    return sep.join(kept) if kept else None


def detect_script(text: str) -> str | None:
    """The ISO 15924 code of the script most letters of ``text`` are written in, or None.

    Han mixed with kana is Japanese (``Jpan``): a kanji-only reading would hide that.
    """
    if text.isascii():
        return "Latn" if any(ch.isalpha() for ch in text) else None
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            script = _char_script(ch)
            if script:
                counts[script] += 1
    if not counts:
        return None
    best = counts.most_common(1)[0][0]
    if best in ("Hani", "Hira", "Kana") and (counts["Hira"] or counts["Kana"]):
        return "Jpan"
    return best


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str | None:
    words = unicodedata.name(ch, "").split()
    if words and words[0] in ("FULLWIDTH", "HALFWIDTH"):
        words = words[1:]
    return _SCRIPTS.get(words[0]) if words else None


def iso_date(text: str | None) -> str | None:
    """An ISO 8601 date, maybe partial (``1971``, ``1973-11``), from the forms lists publish; else None.

    Accepts ``YYYY[-MM[-DD]]`` with anything after it (times, time zones) and ``DD/MM/YYYY`` with
    ``dd``/``mm`` for an unknown day or month. Impossible dates give None rather than a wrong one.
    """
    text = (text or "").strip()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _DMY_DATE.fullmatch(text):
        day, month, year = match.groups()
        month = None if month.lower() == "mm" else month
        day = None if day.lower() == "dd" or month is None else day
    else:
        return None
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    if int(year) < 1000:
        return None
    return partial_date(int(year), int(month) if month else None, int(day) if day else None)


def partial_date(year: int, month: int | None = None, day: int | None = None) -> str:
    """An ISO 8601 date cut to the precision known: ``1968``, ``1968-01`` or ``1968-01-12``.

    An impossible day or month is dropped, keeping what is certain: 31 February 1968 is ``1968-02``.
    """
    try:
        return datetime.date(year, month or 1, day or 1).isoformat()[: 10 if day else 7 if month else 4]
    except ValueError:
        return f"{year:04d}-{month:02d}" if month and 1 <= month <= 12 else f"{year:04d}"


def year_range(start: str, end: str, longest: int) -> list[str]:
    """Every year from ``start`` to ``end`` when both are years at most ``longest`` apart, else the two ends.

    Screening compares a birth year with each possible one; a longer range is left as its ends.
    """
    if len(start) == len(end) == 4 and start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) <= longest:
        return [str(year) for year in range(int(start), int(end) + 1)]
    return [start, end]


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """A lower-case ISO 3166 alpha-2 code (FollowTheMoney's) for a country name or code; else None.

    Takes codes and names as lists write them: ``KP``, ``North Korea``, OFAC's ``Korea, North``,
    the UK's ``Congo (Democratic Republic)``.
    """
    text = clean(text)
    if not text or len(text) > 100 or text.upper() in ("UNKNOWN", "00"):
        # No country name is this long; the cache must not keep whatever a hostile file holds.
        return None
    if len(text) == 2 and text.lower() in registry.country.codes:
        # Codes need no name lookup, whose first use costs seconds (it builds its tables then).
        return text.lower()
    code = registry.country.clean_text(text)
    if code is None and (match := _INVERTED.fullmatch(text)):
        # The UK writes "Congo (Democratic Republic)"; the lookup knows "Democratic Republic of the Congo".
        outer, inner = match.groups()
        code = registry.country.clean_text(f"{inner} of the {outer}") or registry.country.clean_text(f"{inner} {outer}")
    return code


def unique(values: Iterable[_T | None]) -> list[_T]:
    """The non-empty values in first-seen order, each once."""
    return list(dict.fromkeys(v for v in values if v))


def build_names(listed: Iterable[tuple[str | None, NameKind]]) -> list[TargetName]:
    """Cleaned names with their scripts, in listed order; a name listed twice keeps its first kind."""
    names: dict[str, TargetName] = {}
    for text, kind in listed:
        name = clean(text)
        if name and len(name) > 2 and name[0] == name[-1] and name[0] in "\"'":
            # UN and EU quote acronyms ("KOMID"); the quotes are not part of the name.
            name = clean(name[1:-1])
        if name and name not in names:
            names[name] = TargetName(name, kind, detect_script(name))
    return list(names.values())


def identifier(type_: str, value: str | None, country: str | None = None) -> Identifier | None:
    """A cleaned identifier, or None when there is no value."""
    value = clean(value)
    return Identifier(type_, value, country) if value else None


def single_file(paths: list[Path], fmt: str) -> Path:
    """The one file a one-file format was given; InputError for none or several."""
    if len(paths) != 1:
        raise InputError(f"the {fmt} format reads one file at a time, got {len(paths)}")
    return paths[0]
