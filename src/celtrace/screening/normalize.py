"""Turn a name into comparable tokens: scripts, transliteration, organisation-type words, keys.

:func:`analyze` returns one or more :class:`NameForm` per name (a Han name has a pinyin and a
translated form; ``Jin Tiesan (金铁三)`` has a Latin and a Han form). Each token keeps the text as
written, for explanations, and a comparison ``key``:

* organisation-type words get their canonical spelling (``Co.`` -> ``company``, ``Tech`` ->
  ``technology``) and a kind (``legal``, ``generic``, ``stop``) that the scorer discounts;
* tokens that read as romanised Korean get :func:`korean.fold` (``Ch'ŏng`` -> ``jonk``);
* Hangul is romanised syllable by syllable (rigour's transliteration runs the syllables of a name
  together and breaks them at the wrong place for folding: ``gimjeong-eun``), Han goes through
  :mod:`chinese`, other scripts through rigour's ``ascii_text``.

``spans`` are adjacent tokens joined (``Jong`` + ``Un`` -> ``jongun``, ``Silver`` + ``Star``), so that
hyphenation and spacing differences align; the index and the scorer both use them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from rapidfuzz.distance import OSA
from rigour.names import extract_org_types
from rigour.text import ascii_text

from celtrace.screening import chinese, korean

TokenKind = Literal["name", "number", "generic", "legal", "stop"]
#: How a query or target is read: a person's name, an organisation's, or a vessel's or aircraft's.
Reading = Literal["person", "org", "object"]

#: Weight of each kind of token in a score: organisation-type words count little, so that they can
#: never carry a match on their own.
WEIGHTS: dict[str, float] = {"name": 1.0, "number": 1.0, "generic": 0.35, "legal": 0.05, "stop": 0.1}

# Latin (and other alphabetic) words with inner apostrophes kept together (Ch'ŏng, O'Brien), Hangul
# runs and Han runs: a name is split at script boundaries as well as at spaces and punctuation.
_PIECE = re.compile(
    r"[\uac00-\ud7a3]+|[\u3400-\u4dbf\u4e00-\u9fff]+"
    r"|[^\W_\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff]+(?:['’ʼ`´][^\W_\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff]+)*"
)
# Most list names are plain ASCII: a simpler pattern splits them several times faster.
_ASCII_PIECE = re.compile(r"[A-Za-z0-9]+(?:['`][A-Za-z0-9]+)*")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NOT_WORD = re.compile(r"[\W_]+")
_MAX_JOINED = 16  # longest joined spelling worth an alignment (Silverstar, Kuryonggang, Kimjongun)
_MAX_NAME = 400  # longer input is cut: no listed name comes near it, and work stays bounded


@dataclass(frozen=True, slots=True)
class Token:
    """One name part: as written (``text``), as ASCII (``raw``) and as compared (``key``)."""

    text: str
    raw: str
    key: str
    kind: TokenKind
    origin: str  # "latin", "script" (another alphabet, transliterated), "hangul" or "han"
    note: str  # why key differs from raw: "abbreviation", "spelling class ...", "translation of 网络"...
    korean: bool  # read as romanised Korean, so key is folded
    weight: float  # how much this part counts in a score: WEIGHTS[kind]


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens ``start`` to ``end`` (exclusive) of a form joined into one ``token``."""

    start: int
    end: int
    token: Token
    weight: float  # the joined tokens' weights together


@dataclass(frozen=True, slots=True)
class NameForm:
    """One way of reading a name: its tokens and their joined neighbours."""

    text: str
    tokens: tuple[Token, ...]
    spans: tuple[Span, ...]
    total: float  # the tokens' weights together


@lru_cache(maxsize=1)
def _org_words() -> dict[str, Any]:
    path = resources.files("celtrace.screening").joinpath("data").joinpath("org_words.json")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    kinds: dict[str, str] = {}
    for kind in ("stop", "generic", "legal"):
        kinds.update(dict.fromkeys(data[kind], kind))
    data["_kinds"] = kinds
    # Organisation words by their one-letter deletions, to recognise them misspelt.
    near: dict[str, list[str]] = {}
    for word in kinds:
        if len(word) >= 6:
            for i in range(len(word)):
                near.setdefault(word[:i] + word[i + 1 :], []).append(word)
    data["_near"] = near
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted((tuple(p) for p in data["phrases"]), key=len, reverse=True):
        phrases.setdefault(phrase[0], []).append(phrase)
    data["_phrases"] = phrases
    return data


def reading(schema: str | None) -> Reading:
    """How names of a schema are read; an unknown schema reads like an organisation's."""
    if schema == "Person":
        return "person"
    if schema in ("Vessel", "Airplane"):
        return "object"
    return "org"


@lru_cache(maxsize=131072)
def token_key(raw: str, kind: str = "name") -> tuple[str, str, bool]:
    """``(key, note, korean)`` for an ASCII token of a kind."""
    if kind != "name":
        canonical, note = _org_canonical(raw) or (raw, "")
        return canonical, note, False
    if raw.isdigit() or not korean.is_plausible(raw):
        return raw, "", False
    known = korean.table_form(raw)
    return korean.fold(raw), (known[1] if known else ""), True


@lru_cache(maxsize=65536)
def _org_canonical(raw: str) -> tuple[str, str] | None:
    """The organisation word a token spells, with how: ``tech`` -> ``("technology", "abbreviation")``.

    A token of six letters or more one edit away from an organisation word of six letters or more is
    that word misspelt (``Compnay``, ``Limitsd``): left as a distinctive part it would weigh as much
    as a name and sink the match.
    """
    data = _org_words()
    canonical = data["abbreviations"].get(raw, raw)
    if canonical in data["_kinds"]:
        return canonical, ("abbreviation" if canonical != raw else "")
    if len(raw) < 6 or not raw.isalpha():
        return None
    near = data["_near"]
    deletions = {raw[:i] + raw[i + 1 :] for i in range(len(raw))}
    found = set(near.get(raw, ())) | {d for d in deletions if d in data["_kinds"]}
    for deletion in deletions:
        found.update(near.get(deletion, ()))
    for word in sorted(found):
        if len(word) >= 6 and OSA.distance(raw, word, score_cutoff=1) <= 1:
            return word, f"misspelling of {word}"
    return None


def _word_kind(raw: str) -> TokenKind:
    if raw.isdigit():
        return "number"
    known = _org_canonical(raw)
    kind: TokenKind = _org_words()["_kinds"][known[0]] if known else "name"
    return kind


def _classify(raws: list[str], how: Reading) -> list[TokenKind]:
    """The kind of each Latin token: organisation-type words only count as such in organisation names."""
    kinds: list[TokenKind] = ["number" if raw.isdigit() else "name" for raw in raws]
    if how == "person":
        return [("stop" if _word_kind(raw) == "stop" else kind) for raw, kind in zip(raws, kinds, strict=True)]
    if how == "object":
        return kinds
    kinds = [_word_kind(raw) for raw in raws]
    in_phrase: set[int] = set()
    phrases = _org_words()["_phrases"]
    for start, raw in enumerate(raws):
        for phrase in phrases.get(raw, ()):
            size = len(phrase)
            if tuple(raws[start : start + size]) == phrase:
                kinds[start : start + size] = ["legal"] * size
                in_phrase.update(range(start, start + size))
                break
    # rigour knows legal forms from many countries (GmbH, OOO, TOV...); trust it at either end of a
    # name only, where legal forms stand, so that a Korean syllable mid-name is never taken for one.
    # Matches are taken from the end, so that a chain of legal forms (D.O.O. LLC) counts as the end.
    for found, _ in reversed(extract_org_types(" ".join(raws))):
        parts = _NOT_ALNUM.sub(" ", found.lower()).split()
        size = len(parts)
        end = len(raws)
        while end > 0 and kinds[end - 1] == "legal" and raws[end - size : end] != parts:
            end -= 1
        for start in (0, end - size):
            if 0 < size < len(raws) and start >= 0 and raws[start : start + size] == parts:
                kinds[start : start + size] = ["legal"] * size
    # A name that is one organisation word is all the name there is (OFFICE, AIRKORYO...).
    if len(raws) == 1 and kinds[0] != "number":
        kinds = ["name"]
    # Short legal forms (SA, AG, AS...) are Korean syllables too: legal only at the end of a name.
    abbreviations = _org_words()["abbreviations"]
    for index, raw in enumerate(raws):
        short = kinds[index] == "legal" and len(raw) <= 2 and index not in in_phrase and raw not in abbreviations
        if short and any(kind not in ("legal", "stop") for kind in kinds[index + 1 :]):
            kinds[index] = "name"
    return kinds


@lru_cache(maxsize=262144)
def _make(text: str, raw: str, kind: TokenKind, origin: str, note: str = "") -> Token:
    # Cached: list names repeat their parts, and equal parts then share one object.
    key, key_note, is_korean = token_key(raw, "name" if kind in ("name", "number") else kind)
    # A lone consonant is an initial (the F of John F. Kennedy) and says less than a whole part; a lone
    # vowel may be a Korean name (O, U), which counts in full.
    weight = WEIGHTS[kind] / 2 if len(raw) == 1 and kind == "name" and raw not in "aeiouy" else WEIGHTS[kind]
    return Token(text, raw, key, kind, origin, note or key_note, is_korean or origin == "hangul", weight)


def _latin(pieces: list[str], how: Reading) -> list[Token]:
    texts: list[str] = []
    raws: list[str] = []
    origins: list[str] = []
    for piece in pieces:
        if piece.isascii():
            raw, origin = piece.lower(), "latin"
            if not raw.isalnum():
                raw = _NOT_ALNUM.sub("", raw)
        else:
            raw = _NOT_ALNUM.sub("", ascii_text(piece).lower())
            origin = "latin" if unicodedata.name(piece[0], "").startswith("LATIN") else "script"
            # Letters no transliteration knows still compare with themselves.
            raw = raw or _NOT_WORD.sub("", piece.casefold())
        if raw:
            texts.append(piece)
            raws.append(raw)
            origins.append(origin)
    kinds = _classify(raws, how)
    return [_make(t, r, k, o) for t, r, k, o in zip(texts, raws, kinds, origins, strict=True)]


def _translated(surface: str, english: str, origin: str) -> list[Token]:
    note = f"translation of {surface}"
    return [_make(surface, word, _word_kind(word), origin, note) for word in english.split()]


def _hangul(pieces: list[str], how: Reading) -> list[Token]:
    tokens: list[Token] = []
    segmented = [chinese.segment(piece, "hangul_org") if how == "org" else [(piece, None, "")] for piece in pieces]
    has_org_word = any(english is not None for parts in segmented for _, english, _ in parts)
    as_person = how == "person" or (how == "org" and not has_org_word and len(pieces) == 1 and 2 <= len(pieces[0]) <= 4)
    for parts in segmented:
        for surface, english, _ in parts:
            if english is not None:
                tokens += _translated(surface, english, "hangul")
                continue
            words = korean.split_person(surface) if as_person and len(pieces) == 1 else (surface, "")
            for word in words:
                if word:
                    roman = "".join(korean.romanize_syllable(char) for char in word)
                    tokens.append(_make(word, roman, "name", "hangul", "transliteration"))
    return tokens


def _han(pieces: list[str], how: Reading) -> list[list[Token]]:
    has_org_word = any(english is not None for piece in pieces for _, english, _ in chinese.segment(piece, "han_org"))
    as_person = how == "person" or (how == "org" and not has_org_word and len(pieces) == 1 and 2 <= len(pieces[0]) <= 4)
    forms: list[list[Token]] = [[]]
    for piece in pieces:
        renderings = chinese.han_renderings(piece, person=as_person)
        forms = [form + _rendered(r) for form in forms for r in renderings][:4]
    return forms


def _rendered(rendering: list[chinese.Rendered]) -> list[Token]:
    return [
        _make(item.surface, item.latin, _word_kind(item.latin), "han", f"translation of {item.surface}")
        if item.rule == "translation"
        else _make(item.surface, item.latin, "name", "han", "transliteration")
        for item in rendering
        if item.latin
    ]


@lru_cache(maxsize=262144)
def _joined(text: str, raw: str, origin: str, note: str, korean_parts: bool) -> Token:
    """A token for joined parts. Korean parts joined are Korean: fold without testing plausibility
    again (the test is the costly part on long strings); other parts joined keep the raw letters."""
    key = korean.fold(raw) if korean_parts else raw
    return Token(text, raw, key, "name", origin, note, korean_parts or origin == "hangul", WEIGHTS["name"])


def _spans(tokens: tuple[Token, ...]) -> tuple[Span, ...]:
    spans: list[Span] = []
    for start in range(len(tokens) - 1):
        first = tokens[start]
        if first.kind not in ("name", "number"):
            continue
        joiner = "" if first.origin in ("han", "hangul") else " "
        raw, text, weight, all_korean = first.raw, first.text, first.weight, first.korean
        longest = len(raw)
        for end in range(start + 1, min(start + 3, len(tokens))):
            part = tokens[end]
            if part.kind not in ("name", "number") or part.origin != first.origin:
                break
            # Joined spellings are of short parts: syllables (Jong Un), or two words (Silver Star).
            longest = max(longest, len(part.raw))
            if len(raw) + len(part.raw) > _MAX_JOINED or (end > start + 1 and longest > 4):
                break
            raw, text, weight = raw + part.raw, text + joiner + part.text, weight + part.weight
            all_korean = all_korean and part.korean
            note = first.note if first.origin in ("han", "hangul") else ""
            if note.startswith("translation"):
                note = f"translation of {text}"
            spans.append(Span(start, end + 1, _joined(text, raw, first.origin, note, all_korean), weight))
    return tuple(spans)


@lru_cache(maxsize=65536)
def analyze(name: str, how: Reading = "org") -> tuple[NameForm, ...]:
    """The forms of a name, read as a person's, an organisation's or an object's name.

    Never raises; a name with no letters or digits has no forms.
    """
    text = unicodedata.normalize("NFC", name or "")[:_MAX_NAME]
    groups: dict[str, list[str]] = {"latin": [], "hangul": [], "han": []}
    for piece in (_ASCII_PIECE if text.isascii() else _PIECE).findall(text):
        script = "hangul" if korean.is_hangul(piece[0]) else "han" if chinese.is_han(piece[0]) else "latin"
        groups[script].append(piece)
    candidates: list[list[Token]] = []
    if groups["latin"]:
        candidates.append(_latin(groups["latin"], how))
    if groups["hangul"]:
        candidates.append(_hangul(groups["hangul"], how))
    if groups["han"]:
        candidates += _han(groups["han"], how)
    forms: list[NameForm] = []
    for tokens in candidates:
        frozen = tuple(tokens)
        if frozen and all(form.tokens != frozen for form in forms):
            forms.append(NameForm(text, frozen, _spans(frozen), sum(t.weight for t in frozen)))
    return tuple(forms)
