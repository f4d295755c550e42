"""Blocking: find the few list names worth scoring for a query, without looking at the others.

An inverted index maps keys to the list names that hold them, each key weighted by its inverse
document frequency over list names (a shared ``Kim`` counts for far less than a shared ``Sobaeksu``):

* every part's comparison key (folded for Korean, canonical for organisation words), so ``Chŏng``
  finds ``Jong`` and ``Tech`` finds ``Technology``;
* the keys of joined neighbours (``jongun`` for ``Jong Un``), so spacing and hyphens do not matter;
* for typos, each part of five letters or more (and each joined Korean given name) under itself
  and every spelling with one letter deleted, a deletion neighbourhood: any single edit leaves the
  query and the listed spelling sharing one such key exactly (see :meth:`NameIndex._typo_keys`).
  Character trigrams alone were tried first: a one-edit typo of a five-letter name keeps as few as
  one of its five trigrams, and the trigrams of common names (Mahmoud, Mohammad) are so frequent
  that the listed spelling fell out of the candidates;
* character trigrams of long parts (eight letters or more), followed only for a query part that
  neither its key nor its deletions found: two typos in a long part.

Keys shared by more than :data:`MAX_POSTINGS` names (``company``) are not followed. A query adds up
the weights of the keys it shares with each list name and keeps the best :data:`CANDIDATES` targets:
the scorer never sees every entry. rigour and followthemoney have no index; nomenklatura's and yente's
live in a database or Elasticsearch. This one is dictionaries in memory, built in about a second for
the whole OFAC SDN list.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from celtrace.lists.model import Target, TargetName
from celtrace.screening.normalize import NameForm, Token, analyze, reading

#: How many targets a query passes on to the scorer.
CANDIDATES = 20
#: Keys shared by more list names than this carry too little information to follow.
MAX_POSTINGS = 1500
#: Names sharing less than this share of the best name's key weight are not worth scoring. On the
#: benchmark's 1,500 variants the listed name always had at least 0.42 of the best weight.
RELATIVE_FLOOR = 0.3
_TYPO_LEN = 5  # typos are forgiven in parts of five letters (a query part may have lost one)
_GRAM_LEN = 8  # two typos only in parts of eight letters or more
_TYPO_SHARE = 0.8  # a one-edit neighbour counts a little less than the part itself
_GRAM_SHARE = 0.5  # all the trigrams of a part together count half as much as the part
_COMMON = 50  # a part listed in this many names is a real spelling, not a typo


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed name of one target, read into forms once at build time."""

    target: int
    name: TargetName
    forms: tuple[NameForm, ...]


@lru_cache(maxsize=131072)
def _deletions(raw: str) -> tuple[str, ...]:
    """A part's one-letter deletions (each once)."""
    return tuple(dict.fromkeys(raw[:i] + raw[i + 1 :] for i in range(len(raw))))


@lru_cache(maxsize=131072)
def _grams(raw: str) -> tuple[str, ...]:
    padded = f"^{raw}$"
    return tuple(f"#{padded[i : i + 3]}" for i in range(len(padded) - 2))


def _skipped(form: NameForm) -> tuple[str, ...]:
    """Kinds of parts not worth a key: legal forms and particles, unless the name has nothing else."""
    if any(t.kind in ("name", "number") for t in form.tokens):
        return ("legal", "stop")
    return ()


def _distinctive(forms: Sequence[NameForm]) -> list[Token]:
    return [t for form in forms for t in form.tokens if t.kind == "name"]


class NameIndex:
    """An inverted index over the names of some targets."""

    def __init__(self, targets: Sequence[Target]) -> None:
        # Building makes ~10^5 small acyclic objects; the cyclic garbage collector would walk them
        # again and again for nothing (about a third of the build time), so it waits until the end.
        paused = gc.isenabled()
        gc.disable()
        try:
            self._build(targets)
        finally:
            if paused:
                gc.enable()

    def _build(self, targets: Sequence[Target]) -> None:
        self.targets = list(targets)
        self.entries: list[Entry] = []
        by_key: defaultdict[str, list[int]] = defaultdict(list)
        by_raw: defaultdict[str, list[int]] = defaultdict(list)
        for number, target in enumerate(self.targets):
            how = reading(target.schema)
            for name in target.names:
                entry_id = len(self.entries)
                entry = Entry(number, name, analyze(name.name, how))
                self.entries.append(entry)
                for form in entry.forms:
                    skipped = _skipped(form)
                    for token in form.tokens:
                        if token.kind in skipped:
                            continue
                        by_key[token.key].append(entry_id)
                        if token.kind == "name" and len(token.raw) >= _TYPO_LEN:
                            by_raw[token.raw].append(entry_id)
                    for span in form.spans:
                        by_key[span.token.key].append(entry_id)
                        # Joined Korean syllables (Kwangchol) get typo keys too: given names are
                        # often written joined, and a typo in them must still find the entry.
                        if span.token.korean and len(span.token.raw) >= _TYPO_LEN:
                            by_raw[span.token.raw].append(entry_id)
        # Typo keys are expanded once per distinct part, not once per name that has it.
        # A listed part is kept under "=part" and under "~deletion" for each of its deletions.
        for raw, entry_ids in by_raw.items():
            expanded = (f"={raw}", *(f"~{d}" for d in _deletions(raw)), *(_grams(raw) if len(raw) >= _GRAM_LEN else ()))
            for key in expanded:
                by_key[key].extend(entry_ids)
        total = max(1, len(self.entries))
        # Inverse document frequency by posting count, computed once rather than once per key.
        self._idf = [0.0] + [math.log(1 + total / count) for count in range(1, MAX_POSTINGS + 1)]
        self._postings: dict[str, tuple[int, ...]] = {}
        for key, entry_ids in by_key.items():
            if len(entry_ids) == 1:
                self._postings[key] = (entry_ids[0],)
            elif len(entry_ids) <= MAX_POSTINGS:
                self._postings[key] = tuple(dict.fromkeys(entry_ids))

    def _weight(self, key: str) -> tuple[float, tuple[int, ...]]:
        """A key's IDF weight and postings; no weight and no postings for an unknown key."""
        postings = self._postings.get(key, ())
        return self._idf[len(postings)], postings

    def _typo_keys(self, token: Token) -> tuple[str, ...]:
        """Index keys a one-edit neighbour of a query part is under.

        A listed part one letter longer has the query part among its deletions (``~part``); one
        letter shorter is among the query part's deletions (``=deletion``); a substitution or a swap
        shares a deletion (``~deletion``). That last kind is looked up only for rare or unknown parts:
        a common part (Mohammad) shares all its deletions with every listing of itself, and its
        one-substitution neighbours are other common names (Khalid, Khalil), not typos.
        """
        deletions = _deletions(token.raw)
        keys = [f"~{token.raw}", *(f"={d}" for d in deletions)]
        if len(self._postings.get(token.key, ())) < _COMMON:
            keys += [f"~{d}" for d in deletions]
        return tuple(keys)

    def _typo_weights(self, token: Token, scores: dict[int, float]) -> None:
        """Add the best typo-key weight per entry for one query part (trigrams if nothing else)."""
        found: dict[int, float] = {}
        for keys, share in ((self._typo_keys(token), _TYPO_SHARE), (_grams(token.raw), _GRAM_SHARE)):
            if share == _GRAM_SHARE:
                if found or len(token.raw) < _GRAM_LEN or token.key in self._postings:
                    break
                share /= len(keys)
            for key in keys:
                weight, postings = self._weight(key)
                weight *= share
                for entry_id in postings:
                    if share == _TYPO_SHARE:
                        if found.get(entry_id, 0.0) < weight:
                            found[entry_id] = weight
                    else:
                        found[entry_id] = found.get(entry_id, 0.0) + weight
        for entry_id, weight in found.items():
            scores[entry_id] = scores.get(entry_id, 0.0) + weight

    def search(
        self, forms: Sequence[NameForm], allowed: Collection[str] | None = None, limit: int = CANDIDATES
    ) -> list[int]:
        """Entry ids of the best ``limit`` targets for a query's forms, best first.

        ``allowed`` restricts targets to those schemas. Only entries that share a key with the query
        are returned, so a target with many aliases is scored on the few that could match.
        """
        keys = {t.key for form in forms for t in form.tokens if t.kind not in _skipped(form)}
        keys.update(span.token.key for form in forms for span in form.spans)
        scores: dict[int, float] = {}
        for key in keys:
            weight, postings = self._weight(key)
            for entry_id in postings:
                scores[entry_id] = scores.get(entry_id, 0.0) + weight
        seen: set[str] = set()
        for token in _distinctive(forms):
            if len(token.raw) >= _TYPO_LEN - 1 and token.raw not in seen:
                seen.add(token.raw)
                self._typo_weights(token, scores)
        if allowed is not None:
            targets, entries = self.targets, self.entries
            scores = {e: value for e, value in scores.items() if targets[entries[e].target].schema in allowed}
        floor = RELATIVE_FLOOR * max(scores.values(), default=0.0)
        scores = {entry_id: value for entry_id, value in scores.items() if value >= floor}
        best: dict[int, float] = {}
        for entry_id, value in scores.items():
            target = self.entries[entry_id].target
            if value > best.get(target, 0.0):
                best[target] = value
        chosen = heapq.nlargest(limit, best, key=lambda t: (best[t], -t))
        order = {t: rank for rank, t in enumerate(chosen)}
        hits = [e for e in scores if self.entries[e].target in order]
        return sorted(hits, key=lambda e: (order[self.entries[e].target], e))
