"""Dates written in a document: the Juche calendar's, converted, and the usual Korean, Chinese and ISO forms.

North Korea numbers years from Kim Il Sung's birth (1912 is Juche 1) and writes them ``주체113(2024)년``,
``주체 113년``, or ``주체113년 3월 5일``. Nobody else does, so a Juche date is a strong sign of where a document
was written (DOC.JUCHE_DATE). The Gregorian year in brackets, when present, is checked against the
conversion: a mismatch is kept and flagged, since a forger or a careless copy makes exactly that mistake.
No date library reads the Juche calendar, hence the patterns here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: Juche year 1 is 1912.
JUCHE_OFFSET = 1911

_JUCHE = re.compile(
    r"주체\s*(?P<juche>\d{1,3})\s*(?:[(（]\s*(?P<year>\d{4})\s*[)）])?\s*년"
    r"(?:\s*(?P<month>\d{1,2})\s*월(?:\s*(?P<day>\d{1,2})\s*일)?)?"
)
_CALENDAR = re.compile(
    r"(?<![\d주체])(?P<year>(?:19|20)\d{2})\s*(?:년|年)\s*(?P<month>\d{1,2})\s*(?:월|月)(?:\s*(?P<day>\d{1,2})\s*(?:일|日))?"
    r"|(?<!\d)(?P<iso_year>(?:19|20)\d{2})-(?P<iso_month>\d{2})-(?P<iso_day>\d{2})(?!\d)"
)


@dataclass(frozen=True)
class FoundDate:
    """A date in the text: what was written, where, and what it means in the Gregorian calendar."""

    text: str
    start: int
    end: int
    calendar: str  # "juche" or "gregorian"
    year: int
    month: int | None = None
    day: int | None = None
    juche_year: int | None = None
    #: For a Juche date with a Gregorian year in brackets: whether the two agree.
    consistent: bool | None = None

    @property
    def iso(self) -> str:
        """The date as far as it is given: ``2024``, ``2024-03`` or ``2024-03-05``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def to_json(self) -> dict[str, object]:
        """As ``docs inspect --json`` writes it."""
        found: dict[str, object] = {"text": self.text, "calendar": self.calendar, "date": self.iso}
        if self.juche_year is not None:
            found["juche_year"] = self.juche_year
        if self.consistent is not None:
            found["consistent"] = self.consistent
        return found


def find_dates(text: str) -> list[FoundDate]:
    """Every Juche and Gregorian date in ``text``, in order; impossible months or days are skipped."""
    found = []
    for match in _JUCHE.finditer(text):
        juche = int(match["juche"])
        if juche < 1:
            continue
        year = juche + JUCHE_OFFSET
        written = int(match["year"]) if match["year"] else None
        month, day = _valid(year, match["month"], match["day"])
        if match["month"] and month is None:
            continue
        found.append(
            FoundDate(
                match.group(0),
                match.start(),
                match.end(),
                "juche",
                year,
                month,
                day,
                juche_year=juche,
                consistent=None if written is None else written == year,
            )
        )
    for match in _CALENDAR.finditer(text):
        year = int(match["year"] or match["iso_year"])
        month, day = _valid(year, match["month"] or match["iso_month"], match["day"] or match["iso_day"])
        if month is None:
            continue
        found.append(FoundDate(match.group(0), match.start(), match.end(), "gregorian", year, month, day))
    return sorted(found, key=lambda item: item.start)


def _valid(year: int, month_text: str | None, day_text: str | None) -> tuple[int | None, int | None]:
    """The month and day if they make a real date (the day dropped if only it is wrong)."""
    if not month_text:
        return None, None
    month = int(month_text)
    if not 1 <= month <= 12:
        return None, None
    if not day_text:
        return month, None
    try:
        date(year, month, int(day_text))
    except ValueError:
        return month, None
    return month, int(day_text)
