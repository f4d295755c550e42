"""Screen names against sanctions targets: romanisation-aware matching with explanations.

    >>> screener = Screener(targets)
    >>> [m.target.id for m in screener.screen("Kim Chŏng-ŭn", schema="Person")]
    >>> compare_names("김정은", "KIM, Jong Un").explanation

A query is read into name forms (:mod:`normalize`, with :mod:`korean` and :mod:`chinese`), the index
(:mod:`index`) picks a few dozen candidate targets, and each candidate's names are aligned with the
query part by part (:mod:`score`). Only matches at or above :data:`ALERT_THRESHOLD` are returned.

Why not nomenklatura's logic-v2 (OpenSanctions' matcher) directly: it does not romanise Han
(``延边银星网络科技有限公司`` scores 0 against its English name), it skips name parts of two letters or
less (Korean syllables such as IL, SU, U), it reaches Korean spellings by edit distance, which also
lets ``Kim Jong Un`` match ``Kim Jong Il`` (0.81 against its 0.7 threshold), and it scores one pair
at a time with no index. rigour and followthemoney are used where they fit: rigour transliterates
other scripts and knows legal forms of many countries; celtrace adds the Korean folding, Han
segmentation and translation, organisation-word weighting, the alignment and the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from celtrace.lists.model import Target
from celtrace.screening.index import NameIndex
from celtrace.screening.normalize import analyze, reading
from celtrace.screening.score import adjust, best_alignment, date_disagrees

__all__ = ["ALERT_THRESHOLD", "Comparison", "Match", "Screener", "compare_names"]

#: Scores at or above this alert. Chosen on the benchmark (benchmarks/screening.py): every variant
#: class of a listed name scores above it, while one differing syllable of a three-part Korean name
#: (Kim Jong Un / Kim Jong Il: 0.67) or an extra given name (Kim Il / Kim Il Su: 0.80) stays below.
ALERT_THRESHOLD = 0.85

# Which target schemas a query schema may match: people never match organisations or vessels.
_PERSON = frozenset({"Person", "LegalEntity"})
_ORG = frozenset({"Organization", "Company", "LegalEntity"})
_COMPATIBLE: dict[str | None, frozenset[str] | None] = {
    None: None,
    "LegalEntity": _PERSON | _ORG,
    "Person": _PERSON,
    "Organization": _ORG,
    "Company": _ORG,
    "Vessel": frozenset({"Vessel"}),
    "Airplane": frozenset({"Airplane"}),
}


@dataclass(frozen=True)
class Match:
    """A target a query matched: the listed name that matched best, the score and how it was reached."""

    target: Target
    score: float
    matched_name: str
    explanation: str
    method: str


@dataclass(frozen=True)
class Comparison:
    """Two names compared: the score, whether it would alert, and why."""

    a: str
    b: str
    score: float
    match: bool
    explanation: str


def _allowed(schema: str | None) -> frozenset[str] | None:
    if schema not in _COMPATIBLE:
        raise ValueError(f"unknown schema {schema!r}: use one of {', '.join(s for s in _COMPATIBLE if s)}")
    return _COMPATIBLE[schema]


def compare_names(a: str, b: str, *, schema: str | None = None) -> Comparison:
    """Compare two names as screening does; symmetric in ``a`` and ``b``."""
    how = reading(schema)
    _allowed(schema)
    # Align in a fixed order so that compare_names(a, b) and compare_names(b, a) agree exactly.
    first, second = sorted((a, b))
    best = best_alignment(analyze(first, how), analyze(second, how))
    if best is None:
        return Comparison(a, b, 0.0, False, "nothing to compare: a name has no letters or digits")
    labels = ("A", "B") if first == a else ("B", "A")
    score = round(best.score, 12)
    text = f"{best.explain(*labels)}; score {score:.2f} ({best.method})"
    return Comparison(a, b, score, score >= ALERT_THRESHOLD, text)


class Screener:
    """Screens names against a fixed set of targets; build once, screen many."""

    def __init__(self, targets: Iterable[Target]) -> None:
        self._index = NameIndex(list(targets))

    def candidates(self, name: str, *, schema: str | None = None) -> list[Target]:
        """The targets blocking passes to the scorer for a query (a few dozen at most), best first."""
        forms = analyze(name, reading(schema))
        seen: dict[int, None] = {}
        for entry_id in self._index.search(forms, _allowed(schema)):
            seen.setdefault(self._index.entries[entry_id].target, None)
        return [self._index.targets[number] for number in seen]

    def screen(
        self,
        name: str,
        *,
        schema: str | None = None,
        countries: Sequence[str] = (),
        birth_date: str | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """Matches at or above :data:`ALERT_THRESHOLD`, best first, at most ``limit``."""
        forms = analyze(name, reading(schema))
        wanted = {c.lower() for c in countries if c}
        best: dict[int, Match] = {}
        for entry_id in self._index.search(forms, _allowed(schema)):
            entry = self._index.entries[entry_id]
            alignment = best_alignment(forms, entry.forms)
            if alignment is None or alignment.score < ALERT_THRESHOLD - 0.001:
                continue  # penalties only lower a score: nothing below the threshold can come back
            target = self._index.targets[entry.target]
            listed = {c.lower() for c in target.countries}
            country_clash = (
                (", ".join(sorted(wanted)), ", ".join(sorted(listed)))
                if wanted and listed and not wanted & listed
                else None
            )
            date_clash = (
                (birth_date or "", ", ".join(target.birth_dates))
                if date_disagrees(birth_date, target.birth_dates)
                else None
            )
            weak = entry.name.kind == "weak"
            score, notes = adjust(alignment.score, weak=weak, countries=country_clash, dates=date_clash)
            if score < ALERT_THRESHOLD or (entry.target in best and best[entry.target].score >= score):
                continue
            explanation = "; ".join([alignment.explain("query", "list"), *notes, f"score {score:.2f}"])
            method = f"weak alias, {alignment.method}" if weak else alignment.method
            best[entry.target] = Match(target, score, entry.name.name, explanation, method)
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.target.id))
        return ranked[: max(0, limit)]
