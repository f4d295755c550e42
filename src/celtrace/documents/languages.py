"""Which languages a document's text is in, and how much of it each: per run of one script, not per file.

Editing sheets in the 2024 case put Chinese notes and their Korean translation side by side, often in one
cell. A detector given the whole cell answers one language (lingua calls ``머리를 작게 / 头部缩小`` Chinese),
so text is first cut into runs of one writing system. Hangul is only ever Korean and kana only Japanese, so
those runs need no model; Han characters are Chinese unless kana sit in the same segment (Japanese writes
kanji with kana). Runs in Latin, Cyrillic and other alphabets go to lingua, limited to the languages of the
outsourcing trade (``LATIN_LANGUAGES``), which keeps it fast and its answers among the plausible ones.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: Languages lingua chooses among for alphabetic runs (ISO 639-1), in the trade's usual order.
LATIN_LANGUAGES = ("en", "fr", "es", "pt", "de", "it", "ru", "vi", "tl", "id", "ms", "th")
#: Letters a run needs before lingua is asked about it; shorter runs are counted as undetermined.
MIN_LETTERS = 4


@dataclass(frozen=True)
class Run:
    """A stretch of one language in a text: its ISO 639-1 code (``und`` when unknown) and character span."""

    lang: str
    start: int
    end: int
    letters: int


@dataclass(frozen=True)
class Share:
    """A language's share of the letters of a text, and how many runs it had."""

    lang: str
    share: float
    letters: int
    runs: int

    def to_json(self) -> dict[str, object]:
        """As ``docs inspect --json`` writes it."""
        return {"lang": self.lang, "share": round(self.share, 3), "letters": self.letters, "runs": self.runs}


def runs(text: str) -> list[Run]:
    """The text cut into runs of one language, in order; spaces, digits and punctuation join their run."""
    pieces = list(_script_runs(text))
    japanese = any(script == "kana" for script, _, _, _ in pieces)
    found: list[Run] = []
    for script, start, end, letters in pieces:
        if script == "hangul":
            lang = "ko"
        elif script == "kana" or (script == "han" and japanese):
            lang = "ja"
        elif script == "han":
            lang = "zh"
        elif letters >= MIN_LETTERS:
            lang = _alphabetic(text[start:end])
        else:
            lang = "und"
        if found and found[-1].lang == lang:
            # Kanji then kana, or a word in another script's neighbour: one language, one run.
            found[-1] = Run(lang, found[-1].start, end, found[-1].letters + letters)
        else:
            found.append(Run(lang, start, end, letters))
    return found


def shares(texts: Iterable[str]) -> list[Share]:
    """Each language's share of the letters in ``texts``, largest first; undetermined runs count as ``und``."""
    return tally(run for text in texts for run in runs(text))


def tally(found: Iterable[Run]) -> list[Share]:
    """Each language's share of the letters of runs already found, largest first."""
    letters: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for run in found:
        letters[run.lang] += run.letters
        counts[run.lang] += 1
    total = sum(letters.values())
    return [
        Share(lang, count / total, count, counts[lang])
        for lang, count in sorted(letters.items(), key=lambda item: (-item[1], item[0]))
        if total
    ]


def _script(char: str) -> str | None:
    """The writing system of a letter, or None for what belongs to no script (spaces, digits, punctuation)."""
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
        return "kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F:
        return "han"
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("THAI"):
        return "thai"
    return "alphabet"


def _script_runs(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(script, start, end, letters) for each run; characters of no script join the run before them."""
    current: str | None = None
    start = letters = 0
    for index, char in enumerate(text):
        script = _script(char)
        if script is None or script == current:
            letters += script is not None
            continue
        if current is not None:
            yield current, start, index, letters
        current, start, letters = script, index, 1
    if current is not None:
        yield current, start, len(text), letters


def _alphabetic(text: str) -> str:
    found = _detector().detect_language_of(text)
    return "und" if found is None else found.iso_code_639_1.name.lower()


@cache
def _detector() -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LATIN_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
