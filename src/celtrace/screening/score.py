"""Pairwise name comparison with an explanation a reviewer can read.

Two name forms are aligned part by part: each part of one name pairs with at most one part (or run of
joined parts) of the other, best pairs first, whatever the order (``KIM, Jong Un`` / ``Jong Un Kim``).
A pair holds by one rule, in order of strictness:

=====================  ==========  ===========================================================
rule                   similarity  example
=====================  ==========  ===========================================================
exact                  1.0         KIM = Kim
abbreviation           1.0         Tech = Technology, Co. = Company
romanisation variant   0.96-0.98   Chŏng = Jong = Jeong, Lee = Ri, Park = Pak
transliteration        0.97        정은 = Jong Un, 延边 = Yanbian
translation            0.97        网络 = Network, 银星 = Silver Star
joined                 x 0.98      Jongun = Jong Un, Silverstar = Silver Star
typo                   0.9-0.95    one edit in a part of 5+ letters, two in 9+ (not Korean)
initial                0.6         J = Jong (consonant initials only: O and U are Korean names)
=====================  ==========  ===========================================================

The score is the similarity-weighted share of both names' weight that aligned:
``sum(similarity * (weight_a + weight_b)) / (total_a + total_b)``. It is symmetric by construction.
Organisation-type words weigh little (:data:`normalize.WEIGHTS`), and when nothing but such words
aligned while a distinctive part stayed unmatched, the score is capped below any threshold, so
``Korea Trading Company`` never matches ``Korea Sobaeksu Trading Company``. Short parts (IL, SU, U, O)
weigh like any other: unlike OpenSanctions' matcher, nothing is skipped for being short.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA

from celtrace.screening.normalize import NameForm, Token

#: Score given when only organisation-type words aligned: below any sensible alert threshold.
ORG_WORDS_ONLY_CAP = 0.5
_DISTINCTIVE = ("name", "number")
_FOREIGN = ("hangul", "han", "script")
# Lenience order of rules, for naming the method of a match after its most lenient distinctive pair.
_LENIENCE = ("exact", "abbreviation", "joined", "romanisation", "transliteration", "translation", "typo", "initial")


@dataclass(frozen=True, slots=True)
class Pair:
    """Parts ``a_range`` of one name aligned with parts ``b_range`` of the other."""

    a: Token
    b: Token
    a_range: tuple[int, int]
    b_range: tuple[int, int]
    similarity: float
    rule: str
    weight: float  # both sides' weight together


@dataclass(frozen=True, slots=True)
class Alignment:
    """The best alignment of two name forms, its score and what a reviewer needs to check it."""

    score: float
    pairs: tuple[Pair, ...]
    a: NameForm
    b: NameForm
    unmatched_a: tuple[Token, ...]
    unmatched_b: tuple[Token, ...]
    capped: bool

    @property
    def method(self) -> str:
        """The most lenient rule any distinctive pair needed (``exact`` when all were exact)."""
        rules = [p.rule for p in self.pairs if p.a.kind in _DISTINCTIVE or p.b.kind in _DISTINCTIVE]
        rules = rules or [p.rule for p in self.pairs]  # a name of organisation words only
        worst = 0
        for rule in rules:
            for index, name in enumerate(_LENIENCE):
                if rule.startswith(name) or f", {name}" in rule:
                    worst = max(worst, index)
        return _LENIENCE[worst] if rules else "none"

    def explain(self, label_a: str = "A", label_b: str = "B") -> str:
        """One paragraph: aligned parts and rules, discounted words, unmatched parts, cap."""
        shown = [
            f"{p.a.text} = {p.b.text} ({p.rule})"
            for p in self.pairs
            if p.a.kind in _DISTINCTIVE or p.b.kind in _DISTINCTIVE
        ]
        org = [
            f"{p.a.text} = {p.b.text}"
            for p in self.pairs
            if p.a.kind not in _DISTINCTIVE and p.b.kind not in _DISTINCTIVE
        ]
        org += [t.text for t in self.unmatched_a + self.unmatched_b if t.kind not in _DISTINCTIVE]
        lines = [f"aligned: {'; '.join(shown)}" if shown else "no distinctive name part aligned"]
        if org:
            lines.append(f"counted little as organisation-type words: {', '.join(dict.fromkeys(org))}")
        for label, tokens in ((label_a, self.unmatched_a), (label_b, self.unmatched_b)):
            missing = [t.text for t in tokens if t.kind in _DISTINCTIVE]
            if missing:
                lines.append(f"unmatched in {label}: {', '.join(missing)}")
        if self.capped:
            lines.append(f"only organisation-type words align, so the score is capped at {ORG_WORDS_ONLY_CAP}")
        return "; ".join(lines)


def _equal_rule(x: Token, y: Token) -> tuple[float, str]:
    """Similarity and rule for two parts with the same key."""
    if x.raw == y.raw and x.text.casefold() == y.text.casefold():
        return 1.0, "exact"
    for token in (x, y):
        if token.note.startswith("translation"):
            return 0.97, token.note.replace("translation of", "translation:")
    if x.origin in _FOREIGN or y.origin in _FOREIGN:
        if x.origin == y.origin and x.raw == y.raw:
            return 1.0, "exact"
        return 0.97, f"transliteration: {x.raw if x.origin in _FOREIGN else y.raw}"
    if x.raw == y.raw:
        return 1.0, "exact"
    for token in (x, y):
        if token.note.startswith("misspelling"):
            return 0.9, f"typo: {token.note}"
    if "abbreviation" in (x.note, y.note):
        return 1.0, "abbreviation"
    for token in (x, y):
        if "spelling" in token.note:
            return 0.98, f"romanisation variant, {token.note}"
    if x.korean and y.korean:
        return 0.96, f"romanisation variant: {x.raw} and {y.raw} fold to {x.key}"
    return 1.0, "exact"


def similarity(x: Token, y: Token) -> tuple[float, str]:
    """How alike two name parts are (0 to 1), and by which rule; 0 with no rule when unalike."""
    if x.key == y.key:
        return _equal_rule(x, y)
    return _near(x, y)


def _near(x: Token, y: Token) -> tuple[float, str]:
    """Similarity of two parts with different keys: a typo or an initial, else nothing."""
    if x.kind == "number" or y.kind == "number":
        return 0.0, ""  # 532 and 533 are different aircraft, not a typo
    short, long_ = min(len(x.raw), len(y.raw)), max(len(x.raw), len(y.raw))
    if long_ >= 5 and short >= 4 and long_ - short <= 2:
        # Two edits only in long parts, and never between two romanised Korean parts: there two
        # letters are usually a different syllable (Dongbang, Ryongwang), not a slip of the keyboard.
        # One edit between Korean syllables (Myong, Yong) stays a match: it may be another name, but
        # screening errs on the side of a reviewer looking (benchmarks/screening.py measures both ways).
        budget = 2 if short >= 9 and not (x.korean and y.korean) else 1
        edits = OSA.distance(x.raw, y.raw, score_cutoff=budget)
        if edits <= budget:
            # One slip in a long part is likelier a typo than in a short one: 0.9 at 5 letters, 0.95 at 10.
            value = min(0.95, 1.0 - 0.5 * edits / long_)
            return value, f"typo: {edits} edit{'s' if edits > 1 else ''}"
    if short == 1 and long_ > 1:
        initial, full = (x, y) if len(x.raw) == 1 else (y, x)
        if initial.raw not in "aeiouy" and full.kind == "name" and full.raw.startswith(initial.raw):
            return 0.6, "initial"
    return 0.0, ""


# A candidate pair while aligning: (-similarity, -weight, a_start, a_end, b_start, b_end, number);
# plain tuples sort natively, and ``number`` indexes the tokens and rule kept beside them.
_Candidate = tuple[float, float, int, int, int, int, int]


def _candidates(a: NameForm, b: NameForm) -> tuple[list[_Candidate], list[tuple[Token, Token, str]]]:
    """Every pair of parts (or joined parts and a part) that could align, with its similarity."""
    found: list[_Candidate] = []
    about: list[tuple[Token, Token, str]] = []
    distance = OSA.distance
    for i, x in enumerate(a.tokens):
        raw_x, key_x = x.raw, x.key
        size_x = len(raw_x)
        for j, y in enumerate(b.tokens):
            if key_x == y.key:
                value, rule = _equal_rule(x, y)
            else:
                size_y = len(y.raw)
                # Cheap tests first: only long parts can be typos (and most pairs are two edits or
                # more apart, which one call in C settles), only one letter can be an initial.
                initial = size_x == 1 or size_y == 1
                too_far = size_x + size_y < 9 or size_x < 4 or size_y < 4 or not -2 <= size_x - size_y <= 2
                if not initial and (too_far or distance(raw_x, y.raw, score_cutoff=2) > 2):
                    continue
                value, rule = _near(x, y)
                if value < 0.5:
                    continue
            found.append((-value, -(x.weight + y.weight), i, i + 1, j, j + 1, len(about)))
            about.append((x, y, rule))
    # Joined parts (Jong Un = Jongun, Silver Star = Silverstar), by equal keys or one typo.
    for spans, singles, flipped in ((a.spans, b.tokens, False), (b.spans, a.tokens, True)):
        for span in spans:
            joined = span.token
            size_x = len(joined.raw)
            for index, single in enumerate(singles):
                if single.kind not in _DISTINCTIVE:
                    continue
                if joined.key != single.key:
                    size_y = len(single.raw)
                    if size_x < 5 or size_y < 4 or not -1 <= size_x - size_y <= 1:
                        continue
                    if distance(joined.raw, single.raw, score_cutoff=1) > 1:
                        continue
                x, y = (single, joined) if flipped else (joined, single)
                value, rule = similarity(x, y)
                if value < 0.5:
                    continue
                rule = "joined" if rule == "exact" else f"joined, {rule}"
                ranges = (
                    (index, index + 1, span.start, span.end) if flipped else (span.start, span.end, index, index + 1)
                )
                found.append((-value * 0.98, -(span.weight + single.weight), *ranges, len(about)))
                about.append((x, y, rule))
    return found, about


def align(a: NameForm, b: NameForm) -> Alignment:
    """Align two name forms and score the alignment."""
    found, about = _candidates(a, b)
    found.sort()
    used_a = used_b = 0  # bit masks of the parts taken on each side
    chosen: list[Pair] = []
    total = a.total + b.total
    for minus_value, minus_weight, a0, a1, b0, b1, number in found:
        mask_a, mask_b = (1 << a1) - (1 << a0), (1 << b1) - (1 << b0)
        if used_a & mask_a or used_b & mask_b:
            continue
        used_a |= mask_a
        used_b |= mask_b
        x, y, rule = about[number]
        weight = -minus_weight
        # A misspelt organisation word (Limitsd, Korae) is still an organisation word: it weighs as one.
        if rule.startswith("typo") and (x.kind in _DISTINCTIVE) != (y.kind in _DISTINCTIVE):
            word, other = (y, x) if x.kind in _DISTINCTIVE else (x, y)
            total -= other.weight - word.weight
            weight = 2 * word.weight
        chosen.append(Pair(x, y, (a0, a1), (b0, b1), -minus_value, rule, weight))
    score = sum(p.similarity * p.weight for p in chosen) / total if total else 0.0
    unmatched_a = tuple(t for i, t in enumerate(a.tokens) if not used_a >> i & 1)
    unmatched_b = tuple(t for j, t in enumerate(b.tokens) if not used_b >> j & 1)
    distinctive_aligned = any(p.a.kind in _DISTINCTIVE and p.b.kind in _DISTINCTIVE for p in chosen)
    left_out = any(t.kind not in ("legal", "stop") for t in unmatched_a + unmatched_b)
    capped = not distinctive_aligned and left_out and score > ORG_WORDS_ONLY_CAP
    if capped:
        score = ORG_WORDS_ONLY_CAP
    chosen.sort(key=lambda p: p.a_range)
    return Alignment(min(1.0, score), tuple(chosen), a, b, unmatched_a, unmatched_b, capped)


def best_alignment(forms_a: tuple[NameForm, ...], forms_b: tuple[NameForm, ...]) -> Alignment | None:
    """The highest-scoring alignment over every pair of forms, or None when a side has no form."""
    best: Alignment | None = None
    for form_a in forms_a:
        for form_b in forms_b:
            found = align(form_a, form_b)
            if best is None or found.score > best.score:
                best = found
    return best


def date_disagrees(query: str | None, listed: list[str]) -> bool:
    """Whether a birth date disagrees with every listed one (``1964`` agrees with ``1964-06-18``)."""
    if not query or not listed:
        return False
    return not any(date.startswith(query) or query.startswith(date) for date in listed if date)


def adjust(
    score: float, *, weak: bool, countries: tuple[str, str] | None, dates: tuple[str, str] | None
) -> tuple[float, list[str]]:
    """Apply the penalties for a weak alias, a country mismatch and a birth-date mismatch, with notes."""
    notes: list[str] = []
    if weak:
        score -= 0.08
        notes.append("matched a weak alias, which OFAC marks as low quality (-0.08)")
    if countries is not None:
        score -= 0.05
        notes.append(f"countries differ: query {countries[0]}, list {countries[1]} (-0.05)")
    if dates is not None:
        score -= 0.15
        notes.append(f"birth dates differ: query {dates[0]}, list {dates[1]} (-0.15)")
    return max(0.0, score), notes
