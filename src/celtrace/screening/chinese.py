"""Han (Chinese character) names: pinyin, organisation words, and the English a list gives for them.

A front company in north-east China appears on a list as ``Yanbian Silverstar Network Technology Co.,
Ltd.`` and in a contract as ``延边银星网络科技有限公司``. Read aloud the Han name is ``Yanbian Yinxing
Wangluo Keji Youxian Gongsi``: the place name is transcribed, the distinctive part (银星, Silver Star)
is translated, and the organisation words (网络 network, 科技 technology, 有限公司 Co., Ltd.) are
translated too. So a Han name is rendered twice: once with the distinctive part in pinyin, once with it
translated where a glossary knows the morpheme; organisation words are always translated, so that the
scorer can discount them like their English forms.

rigour transliterates Han to pinyin one syllable at a time (``yan bian yin xing ...``) and has no list
of Chinese organisation words; followthemoney matches on that. Joining the syllables of one word
(``yanbian``) is what makes the pinyin line up with the way lists write Chinese place and company
names. The lexicons are data (``data/cjk_words.json``); Hangul organisation words live there as well
and go through the same :func:`segment`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import normality


class Rendered(NamedTuple):
    """One Latin token rendered from CJK text: the characters, their Latin form, and how it was made."""

    surface: str
    latin: str
    rule: str  # "transliteration" or "translation"


@lru_cache(maxsize=1)
def lexicons() -> dict[str, dict[str, str]]:
    """The CJK word lists: ``han_org``, ``han_gloss`` and ``hangul_org``, each word -> English."""
    path = resources.files("celtrace.screening").joinpath("data").joinpath("cjk_words.json")
    data = json.loads(path.read_text("utf-8"))
    return {name: dict(words) for name, words in data.items() if not name.startswith("_")}


@lru_cache(maxsize=1)
def _longest() -> dict[str, int]:
    return {name: max(map(len, words)) for name, words in lexicons().items()}


def is_han(char: str) -> bool:
    """Whether a character is a CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@lru_cache(maxsize=65536)
def pinyin(chars: str) -> str:
    """Toneless pinyin of Han characters, syllables joined: ``延边`` -> ``yanbian``."""
    # A character ICU has no reading for stands for itself, so that it still matches itself.
    return "".join(normality.ascii_text(char).strip().lower() or char for char in chars if not char.isspace())


def segment(text: str, *lexicon_names: str) -> list[tuple[str, str | None, str]]:
    """Split a run of CJK characters by longest match against the named lexicons.

    Returns ``(surface, english, lexicon)`` pieces in order; characters that no word covers come back
    as runs with ``english=None`` and ``lexicon=""``, so ``延边`` stays one piece.
    """
    pieces: list[tuple[str, str | None, str]] = []
    pending = ""
    index = 0
    while index < len(text):
        found: tuple[str, str, str] | None = None
        for name in lexicon_names:
            words = lexicons()[name]
            for size in range(min(_longest()[name], len(text) - index), 0, -1):
                word = text[index : index + size]
                if word in words and (found is None or size > len(found[0])):
                    found = (word, words[word], name)
                    break
        if found is None:
            pending += text[index]
            index += 1
            continue
        if pending:
            pieces.append((pending, None, ""))
            pending = ""
        pieces.append(found)
        index += len(found[0])
    if pending:
        pieces.append((pending, None, ""))
    return pieces


def _english(surface: str, english: str) -> list[Rendered]:
    return [Rendered(surface, word, "translation") for word in english.split()]


def han_renderings(run: str, *, person: bool) -> list[list[Rendered]]:
    """The Latin renderings of one run of Han characters, one list of tokens per rendering.

    A person name is split into surname (first character) and given name (the rest, joined), as
    lists write Chinese names (``金铁三`` -> ``jin``, ``tiesan``). An organisation name yields a
    pinyin rendering and, when the glossary knows some of its morphemes, a translated one.
    """
    if person:
        if len(run) == 1:
            return [[Rendered(run, pinyin(run), "transliteration")]]
        return [
            [Rendered(run[0], pinyin(run[0]), "transliteration"), Rendered(run[1:], pinyin(run[1:]), "transliteration")]
        ]
    plain: list[Rendered] = []
    glossed: list[Rendered] = []
    pieces = segment(run, "han_org", "han_gloss")
    index = 0
    while index < len(pieces):
        surface, english, lexicon = pieces[index]
        index += 1
        if english is not None and lexicon == "han_org":
            plain += _english(surface, english)
            glossed += _english(surface, english)
        elif english is None:
            plain.append(Rendered(surface, pinyin(surface), "transliteration"))
            glossed.append(Rendered(surface, pinyin(surface), "transliteration"))
        else:
            # Neighbouring glossary morphemes are one word: pinyin "yinxing", glossed "silver", "star".
            glossed += _english(surface, english)
            while index < len(pieces) and pieces[index][2] == "han_gloss":
                surface += pieces[index][0]
                glossed += _english(pieces[index][0], pieces[index][1] or "")
                index += 1
            plain.append(Rendered(surface, pinyin(surface), "transliteration"))
    return [plain] if glossed == plain else [plain, glossed]
