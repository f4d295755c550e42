"""Whether Korean text was written in the North (DPRK) or the South (ROK), with the evidence for the answer.

The two standards differ in spelling (no initial-sound law in the North: 로동/노동, 래일/내일; 되였다/되었다),
spacing (할수 있다/할 수 있다), 사이시옷, vocabulary, loanwords and typography (《 》). Those differences are
kept as data (``data/korean_markers.json``: a regular expression, a kind and a reason for each). To them the
classifier adds learned features a reviewer can read and find in the text: character n-grams of Hangul
(spaces included, so spacing habits count), a syllable's final consonant with what follows it (``ㄹ+수``
covers 할수, 볼수, 갈수; an open syllable's vowel stands in for the final, so ``ㅚ+였`` covers 되였), the
first syllable of each word by its initial consonant and vowel (``ㄹㅕ`` covers 려행, 력사, 련락: the
initial-sound law) and words by length (joined bound nouns make longer words). A logistic regression
over all of them, trained on a parallel corpus of DPRK and ROK renderings of the same sentences
(``scripts/train-korean-variant.py``), gives each feature a weight; the weights ship as
``data/korean_weights.json`` with each feature's idf, so answering needs neither scikit-learn nor a model
file beyond that JSON.

A feature's contribution is its weight times its value ((1 + log of its count) x idf, the vector scaled to
unit length), so the score is a sum a reviewer can check, and the verdict lists the features that pushed it most.
Short notes often carry no marker at all: below a number of Hangul syllables, or with a probability too near
0.5 (a margin chosen by cross-validation on the training part of the corpus), the answer is ``unknown``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from celtrace.documents.korean_morphs import morph_features

#: Character n-gram sizes used as learned features.
NGRAM_SIZES = (1, 2, 3)
#: Percentage of corpus pairs held out from training (chosen by a hash of the DPRK sentence).
HELD_OUT_PERCENT = 20
#: Most learned features listed in a verdict as the evidence that drove it (hand-written markers are all listed).
TOP_MARKERS = 8

Label = Literal["dprk", "rok", "unknown"]


@dataclass(frozen=True)
class Marker:
    """A feature found in the text: its name, kind, the text it matched, its span and its contribution.

    ``weight`` is the feature's share of the score at this occurrence, in log-odds: positive pushes towards
    the DPRK, negative towards the ROK.
    """

    name: str
    kind: str
    text: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Verdict:
    """The answer for a text: ``dprk``, ``rok`` or ``unknown``, the probability of DPRK writing, the evidence."""

    label: Label
    score: float
    markers: list[Marker]


@dataclass(frozen=True)
class MarkerRule:
    """A hand-written marker from ``data/korean_markers.json``."""

    name: str
    kind: str
    side: str
    pattern: re.Pattern[str]
    why: str
    source: str
    #: Log-odds added once when found, for a marker the training corpus is too poor in to learn; else None.
    prior: float | None = None


@dataclass(frozen=True)
class Model:
    """Learned weights: per feature key, the intercept and when to abstain."""

    weights: dict[str, float]
    idf: dict[str, float]
    intercept: float
    margin: float
    min_hangul: int


def _is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


@cache
def marker_rules() -> tuple[MarkerRule, ...]:
    """The hand-written markers, compiled, in the order of the data file."""
    text = resources.files("celtrace.data").joinpath("korean_markers.json").read_text("utf-8")
    rules = json.loads(text)["markers"]
    return tuple(
        MarkerRule(
            rule["name"],
            rule["kind"],
            rule["side"],
            re.compile(rule["pattern"]),
            rule["why"],
            rule["source"],
            rule.get("prior"),
        )
        for rule in rules
    )


@cache
def priors() -> dict[str, float]:
    """Feature keys of the markers with a fixed prior (never learned), and the log-odds each adds."""
    return {f"m:{rule.name}": rule.prior for rule in marker_rules() if rule.prior is not None}


@cache
def model() -> Model:
    """The learned weights shipped with the package."""
    text = resources.files("celtrace.data").joinpath("korean_weights.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    table: dict[str, list[float]] = data["features"]
    weights = {key: pair[0] for key, pair in table.items()}
    idf = {key: pair[1] for key, pair in table.items()}
    return Model(weights, idf, data["intercept"], data["margin"], data["min_hangul"])


def _ngrams(text: str) -> Iterator[tuple[str, int, int]]:
    """Hangul n-grams with their spans; any run of non-Hangul characters reads as one space.

    Spaces stay in the n-grams because spacing is one of the differences (하는것 / 하는 것).
    """
    chars: list[tuple[str, int]] = []
    for position, char in enumerate(text):
        if _is_hangul(char):
            chars.append((char, position))
        elif chars and chars[-1][0] != " ":
            chars.append((" ", position))
    while chars and chars[-1][0] == " ":
        chars.pop()
    for size in NGRAM_SIZES:
        for index in range(len(chars) - size + 1):
            window = chars[index : index + size]
            if size == 1 and window[0][0] == " ":
                continue
            gram = "".join(char for char, _ in window)
            yield gram, window[0][1], window[-1][1] + 1


#: Final consonants (jongseong) of a syllable, by index; "-" when it has none.
_FINALS = "-ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


#: Initial consonants (choseong) and vowels (jungseong) of a syllable, by index.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"


def _final(char: str) -> str:
    """The syllable's final consonant, or its vowel when it has none: after ㅣ, ㅐ, ㅚ the DPRK writes 여/였
    where the ROK writes 어/었, so the vowel is what the ending depends on."""
    code = ord(char) - 0xAC00
    final = _FINALS[code % 28]
    return _VOWELS[code // 28 % 21] if final == "-" else final


def _word_initials(text: str) -> Iterator[tuple[str, int, int]]:
    """Each word's first syllable by its initial consonant and vowel: the initial-sound law (로동/노동, 례/예)
    shows as ㄹ and ㄴ+ㅕ at the start of words, which ROK spelling allows only in loanwords."""
    for match in re.finditer(r"(?<![가-힣])[가-힣]", text):
        code = ord(match.group()) - 0xAC00
        yield _INITIALS[code // 588] + _VOWELS[code // 28 % 21], match.start(), match.end()


def _endings(text: str) -> Iterator[tuple[str, int, int]]:
    """Generalised spacing and ending features: a syllable's final (or vowel), then what follows it, with spans.

    ``ㄹ+수`` covers 할수, 볼수 and 갈수 alike, and ``ㄹ+ 수`` their spaced ROK forms, so the habit is learned
    once rather than per verb; each feature also reads as a rule a reviewer can check.
    """
    for match in re.finditer(r"(?=([가-힣])( ?[가-힣]))", text):
        start = match.start()
        pair_end = start + 1 + len(match.group(2))
        yield f"{_final(match.group(1))}+{match.group(2)}", start, pair_end


def _word_lengths(text: str) -> Iterator[tuple[str, int, int]]:
    """Each word (space-separated run of Hangul) by its length: DPRK spacing joins words into longer ones."""
    for match in re.finditer(r"[가-힣]+", text):
        yield f"{min(len(match.group()), 9)}", match.start(), match.end()


def features(text: str) -> dict[str, list[tuple[str, int, int]]]:
    """Every feature found in ``text``: its key (``m:NAME`` for markers, ``g:GRAM``, ``k:MORPHEME``...) and its
    occurrences' spans. Kiwi's features (``documents.korean_morphs``) are read only from text with Hangul."""
    found: dict[str, list[tuple[str, int, int]]] = {}
    for rule in marker_rules():
        for match in rule.pattern.finditer(text):
            if match.end() > match.start():
                found.setdefault(f"m:{rule.name}", []).append((match.group(), match.start(), match.end()))
    for key, start, end in _endings(text):
        found.setdefault(f"e:{key}", []).append((text[start:end], start, end))
    for key, start, end in _word_initials(text):
        found.setdefault(f"i:{key}", []).append((text[start:end], start, end))
    for length, start, end in _word_lengths(text):
        found.setdefault(f"w:{length}", []).append((text[start:end], start, end))
    for gram, start, end in _ngrams(text):
        found.setdefault(f"g:{gram}", []).append((text[start:end], start, end))
    if any(_is_hangul(char) for char in text):
        found.update(morph_features(text))
    return found


def vectorize(found: dict[str, list[tuple[str, int, int]]], idf: Mapping[str, float]) -> dict[str, float]:
    """TF-IDF values of the features known to ``idf``: (1 + log count) x idf, scaled to unit length.

    Features outside the vocabulary are dropped before scaling, as scikit-learn's ``TfidfVectorizer`` does.
    """
    values = {key: (1.0 + math.log(len(spans))) * idf[key] for key, spans in found.items() if key in idf}
    norm = math.sqrt(sum(value * value for value in values.values())) or 1.0
    return {key: value / norm for key, value in values.items()}


def hangul_count(text: str) -> int:
    """How many Hangul syllables ``text`` holds."""
    return sum(1 for char in text if _is_hangul(char))


def classify(text: str) -> Verdict:
    """Whether ``text`` is DPRK or ROK Korean, or ``unknown`` when it carries too little signal.

    The score is the probability of DPRK writing; a known answer lists the features that pushed the score
    its way most, each occurrence with its span in ``text``. An ``unknown`` answer still lists the
    hand-written markers it found (a reviewer may know more than the model), but no learned n-grams.
    """
    learned = model()
    found = features(text)
    values = vectorize(found, learned.idf)
    contributions = {key: learned.weights[key] * value for key, value in values.items()}
    contributions.update({key: prior for key, prior in priors().items() if key in found})
    if hangul_count(text) < learned.min_hangul:
        return Verdict("unknown", 0.5, _rule_markers(found, contributions))
    logit = learned.intercept + sum(contributions.values())
    score = 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))
    if abs(score - 0.5) < learned.margin:
        return Verdict("unknown", score, _rule_markers(found, contributions))
    label: Label = "dprk" if score > 0.5 else "rok"
    sign = 1.0 if label == "dprk" else -1.0
    drivers = sorted(
        (key for key in contributions if contributions[key] * sign > 0), key=lambda k: -abs(contributions[k])
    )
    # Every hand-written marker on the answer's side is listed, since each is a rule a reviewer can look up;
    # of the learned features, only the strongest few.
    rules = [key for key in drivers if key.startswith("m:")]
    learned_keys = [key for key in drivers if not key.startswith("m:")][:TOP_MARKERS]
    shown = sorted(rules + learned_keys, key=lambda k: -abs(contributions[k]))
    markers = [marker for key in shown for marker in _markers(key, found[key], contributions[key])]
    return Verdict(label, score, markers)


def _rule_markers(found: dict[str, list[tuple[str, int, int]]], contributions: dict[str, float]) -> list[Marker]:
    """The hand-written markers among the features found, strongest first, whichever side they point to."""
    keys = sorted((key for key in found if key.startswith("m:")), key=lambda k: -abs(contributions.get(k, 0.0)))
    return [marker for key in keys for marker in _markers(key, found[key], contributions.get(key, 0.0))]


def _markers(key: str, spans: list[tuple[str, int, int]], contribution: float) -> list[Marker]:
    """One marker per occurrence of a feature, sharing its contribution; learned features are named by their text."""
    prefix, name = key.split(":", 1)
    if prefix == "m":
        kind = next(rule.kind for rule in marker_rules() if rule.name == name)
    else:
        kind = _LEARNED_KINDS[prefix]
        if prefix == "w":
            name = f"{name}-syllable word"
        elif prefix == "i":
            name = f"word starting {name}"
        elif prefix == "s":
            name = "no space where the ROK spaces" if name == "*" else f"no space before {name[1:]}"
    share = contribution / len(spans)
    return [Marker(name, kind, matched, start, end, share) for matched, start, end in spans]


#: Kinds of the learned features, by key prefix (what comes before the first colon).
_LEARNED_KINDS = {
    "e": "ending",
    "i": "word-initial",
    "w": "word-length",
    "g": "ngram",
    "k": "morpheme",
    "k2": "morpheme pair",
    "s": "spacing",
}


def is_held_out(nk: str) -> bool:
    """Whether a corpus pair (named by its DPRK sentence) belongs to the held-out part training never sees."""
    digest = hashlib.sha256(nk.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT
