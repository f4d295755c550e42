"""Korean names: romanisation folding, Hangul to Latin, and a test of whether a Latin token is Korean.

Korean names reach sanctions lists in at least four spellings of the same sounds: McCune–Reischauer
(MR, ``Ch'ŏng-ŭn``, or in OFAC's ASCII ``Cho'ng-u'n``), Revised Romanization (RR, ``Jeong-eun``), the
DPRK's official system (``Jong Un``) and popular ROK spellings (``Jung``, ``Chul``, ``Lee``, ``Park``).
The systems disagree exactly where Korean phonology is ambiguous to a Latin reader:

* plain and aspirated consonants: MR writes ㄱ ㄷ ㅂ ㅈ as k t p ch (g d b j between vowels) and
  ㅋ ㅌ ㅍ ㅊ as k' t' p' ch'; RR writes g d b j / k t p ch; the DPRK writes k t p j / kh th ph ch;
* the vowels ㅓ (eo / ŏ / o) and ㅡ (eu / ŭ / u);
* the initial-sound law: the DPRK keeps an initial ㄹ (Ri, Ryong, Rim) that the ROK drops or
  turns into ㄴ (Yi/Lee, Yong, Im; No for Ro);
* spaces and hyphens inside the given name (``Jong-un``, ``Jong Un``, ``Jongun``).

:func:`fold` maps every spelling onto one key by rewriting letters, not syllables, so that the fold of
a joined given name equals the fold of its parts joined (``fold("jongun") == fold("jong" + "un")``);
the index and the scorer rely on that. Folding merges sounds the DPRK system already merges (ㅓ/ㅗ,
ㅡ/ㅜ), so it loses nothing a DPRK-spelled list entry still had.

Neither rigour nor followthemoney folds romanisations: rigour transliterates Hangul (RR without
syllable breaks) but compares Latin names letter by letter, so ``Ri`` and ``Lee`` stay different.
Folding is applied only to tokens that :func:`is_plausible` accepts as romanised Korean syllables, so
``Smith`` or ``Vladimir`` are never folded. The tables of surname classes and of popular syllable
spellings live in ``data/korean_names.json``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

# Romanisation onsets, vowels and codas of MR, RR, DPRK and popular spellings (apostrophes and breves
# already removed). A token is plausibly Korean when it splits entirely into such syllables.
_ONSET = "(?:tch|chh|ch|kk|gg|kh|tt|dd|th|pp|bb|ph|ss|sh|jj|rh|[kgntdrlmpbsjh])?"
_VOWEL = "(?:yae|yeo|yoo|you|wae|weo|ya|ye|yo|yu|yi|wa|we|wi|wo|ae|ai|eo|eu|ee|oe|oi|oy|oo|ou|ui|[aeiou])h?"
_CODA = "(?:ng|[nmlrkgtdpbs])?"
_PLAUSIBLE = re.compile(f"(?:{_ONSET}{_VOWEL}{_CODA}){{1,6}}")

# Letter rewrites, longest first: vowel spellings to the DPRK/MR vowel, consonant spellings to one
# letter per place of articulation (plain, tense and aspirated merge: k/g/kk/kh -> k, and so on).
_REWRITES = {
    "yeo": "yo",
    "weo": "wo",
    "eo": "o",
    "eu": "u",
    "oo": "u",
    "ou": "u",
    "ee": "i",
    "yi": "i",
    "ae": "e",
    "ai": "e",
    "oe": "we",
    "oi": "we",
    "oy": "we",
    "tch": "j",
    "chh": "j",
    "ch": "j",
    "jj": "j",
    "sh": "s",
    "kh": "k",
    "th": "t",
    "ph": "p",
    "rh": "r",
    "g": "k",
    "d": "t",
    "b": "p",
}
_REWRITE = re.compile("|".join(sorted(_REWRITES, key=len, reverse=True)))
# The initial-sound law: ㄹ and ㄴ before i/y vanish at the start of a word in the ROK (Ri -> I,
# Nyo -> Yo); inside a word ㄹ stays r in every system (Kuryonggang), so only the start is folded.
_INITIAL_DROP = re.compile(r"^[rln](?=[iy])")
# ...and an initial ㄹ before other vowels becomes ㄴ (Ro -> No, Rodong -> Nodong).
_INITIAL_TO_N = re.compile(r"^[rl](?=[aeouw])")
_DOUBLE = re.compile(r"([kntrmpsj])\1+")
# A silent h after a vowel (Oh, Noh, Ahn) is a popular spelling habit, not a sound.
_SILENT_H = re.compile(r"(?<=[aeiouwy])h(?![aeiouwy])")

_L = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_V = (
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
)
_T = (
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "p",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
)


@lru_cache(maxsize=1)
def _tables() -> dict[str, Any]:
    text = resources.files("celtrace.screening").joinpath("data").joinpath("korean_names.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    classes: dict[str, str] = {}
    for name, members in data["surname_classes"].items():
        for member in members:
            classes.setdefault(member, name)
    data["_member_class"] = classes
    data["_rules"] = [
        (re.compile(pattern), replacement, label) for pattern, replacement, label in data["spelling_rules"]
    ]
    return data


@lru_cache(maxsize=65536)
def table_form(token: str) -> tuple[str, str] | None:
    """The spelling a token's folding starts from when the name tables know it, and why.

    A whole token of a surname class gives the class (``lee`` -> ``("ri", "spelling class
    Ri/Rhee/Lee/Yi")``); popular syllable spellings are rewritten anywhere in the token
    (``jungchul`` -> ``("jongchol", "popular spelling: u for ŏ ...")``).
    """
    data = _tables()
    if token in data["_member_class"]:
        name = data["_member_class"][token]
        members = data["surname_classes"][name]
        shown = "/".join(m.capitalize() for m in members[:4])
        return name, f"spelling class {shown}"
    labels: list[str] = []
    for pattern, replacement, label in data["_rules"]:
        token, count = pattern.subn(replacement, token)
        if count:
            labels.append(label)
    return (token, f"popular spelling: {'; '.join(labels)}") if labels else None


@lru_cache(maxsize=65536)
def is_plausible(token: str) -> bool:
    """Whether an ASCII lower-case token splits entirely into romanised Korean syllables.

    ``jongun``, ``kwang``, ``sobaeksu`` and ``ri`` pass; ``smith``, ``vladimir`` and ``trading`` do not.
    Many short tokens of other languages pass too (``ali``, ``maria``): folding them is harmless
    because both sides of a comparison fold the same way, and a fold only adds equalities between
    spellings that Korean romanisations really produce.
    """
    if not token or len(token) > 24 or not token.isalpha() or not token.isascii():
        return False
    return table_form(token) is not None or _PLAUSIBLE.fullmatch(token) is not None


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """The romanisation-independent key of a romanised Korean token (ASCII, lower case).

    ``Ch'ŏng``, ``chong``, ``jeong``, ``jong`` and ``chung`` all fold to ``jonk``; ``Ri``, ``Lee``,
    ``Yi`` and ``I`` to ``i``; ``Park`` and ``Bak`` to ``pak``; ``Choe`` and ``Choi`` to ``jwe``.
    """
    known = table_form(token)
    if known is not None:
        token = known[0]
    token = _REWRITE.sub(lambda m: _REWRITES[m.group(0)], token)
    token = _INITIAL_DROP.sub("", token)
    token = _INITIAL_TO_N.sub("n", token)
    token = token.replace("l", "r")
    token = _DOUBLE.sub(r"\1", token)
    return _SILENT_H.sub("", token) or token


def is_hangul(char: str) -> bool:
    """Whether a character is a precomposed Hangul syllable."""
    return "\uac00" <= char <= "\ud7a3"


def romanize_syllable(char: str) -> str:
    """A Hangul syllable in an RR-like spelling without breaks (김 -> gim, 정 -> jeong, 룡 -> ryong).

    Only :func:`fold` ever reads the result, so the spelling only needs to fold like the Latin forms.
    """
    index = ord(char) - 0xAC00
    if not 0 <= index < 11172:
        return char
    return _L[index // 588] + _V[(index % 588) // 28] + _T[index % 28]


def split_person(syllables: str) -> tuple[str, str]:
    """Split a Hangul person name written without spaces into surname and given name (김정은 -> 김, 정은)."""
    if len(syllables) >= 3 and syllables[:2] in _tables()["double_surnames"]:
        return syllables[:2], syllables[2:]
    return syllables[:1], syllables[1:]
