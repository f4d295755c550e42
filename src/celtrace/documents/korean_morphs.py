"""Kiwi's reading of Korean text, as features of the DPRK/ROK classifier (``documents.korean``).

Kiwi (kiwipiepy) is a Korean morphological analyser built on South Korean text and spelling, so where a text
departs from the ROK standard, Kiwi shows where and how:

- ``s:+수``: Kiwi's spacing puts a space before 수 where the text has none (할수 있다, the DPRK's joined bound
  nouns and auxiliaries; Kiwi knows every such word, where the hand-written markers list a few);
- ``k:였/EP``: the morphemes it reads (되였다 is 되/VV 였/EP; the ROK's 되었다 is 되/VV 었/EP), and
  ``k2:ᆯ/ETM 수/NNB`` pairs of them, which carry grammar and vocabulary a character n-gram cannot see whole.

Each feature keeps the span of the text it came from, so a reviewer sees the words behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from kiwipiepy import Kiwi  # type: ignore[import-untyped]  # kiwipiepy ships no type information

Spans = dict[str, list[tuple[str, int, int]]]

#: A sentence: Kiwi's time grows faster than the length of what it is given, so it reads one at a time.
_SENTENCE = re.compile(r"[^.!?。\n]+[.!?。]*")


@cache
def _kiwi() -> Kiwi:
    # Loading the model takes about a second and 300 MB; one analyser serves the whole process.
    return Kiwi()


def morph_features(text: str) -> Spans:
    """Morphemes (``k:FORM/TAG``), morpheme pairs (``k2:``) and missing ROK spaces (``s:+SYLLABLE``) of ``text``."""
    found: Spans = {}
    for sentence in _SENTENCE.finditer(text):
        if not sentence.group().strip():
            continue
        offset = sentence.start()
        for key, start, end in _morphemes(sentence.group()):
            found.setdefault(key, []).append((text[offset + start : offset + end], offset + start, offset + end))
        for key, start, end in _missing_spaces(sentence.group()):
            span = (text[offset + start : offset + end], offset + start, offset + end)
            found.setdefault(key, []).append(span)
            # Also counted together: how often the text joins what the ROK standard spaces, whatever the word.
            found.setdefault("s:*", []).append(span)
    return found


def _morphemes(text: str) -> Iterator[tuple[str, int, int]]:
    previous: tuple[str, int] | None = None
    for token in _kiwi().tokenize(text):
        name = f"{token.form}/{token.tag}"
        start, end = token.start, token.end
        if end <= start:
            # A morpheme Kiwi restores without a letter of its own (the copula in 학생다): the syllable before.
            start = max(start - 1, 0)
            end = start + 1
        yield f"k:{name}", start, end
        if previous is not None:
            yield f"k2:{previous[0]} {name}", previous[1], end
        previous = (name, start)


def _missing_spaces(text: str) -> Iterator[tuple[str, int, int]]:
    """Where Kiwi's ROK spacing inserts a space the text lacks, keyed by the syllable after it.

    Kiwi is asked only to add spaces (``reset_whitespace=False``); its output is walked against the text,
    and any other difference (a rare removed space) is stepped over, so spans always index ``text``.
    """
    spaced = _kiwi().space(text, reset_whitespace=False)
    here = there = 0
    while here < len(text) and there < len(spaced):
        if text[here] == spaced[there]:
            here += 1
            there += 1
        elif spaced[there].isspace():
            # Only between two syllables: a space Kiwi puts before a digit or a Latin word says nothing of
            # Korean spelling rules (주체113 is no joined bound noun).
            if here > 0 and _is_syllable(text[here - 1]) and _is_syllable(text[here]):
                yield f"s:+{text[here]}", here - 1, here + 1
            there += 1
        elif text[here].isspace():
            here += 1
        else:
            here += 1
            there += 1


def _is_syllable(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"
