"""One document examined: its text's languages, whether its Korean is North or South Korean, its dates, its
metadata, each with the place in the file where it was found.

This is ``celtrace docs inspect``'s result (DESIGN.md, command-line contract). The Korean variant is judged
on the Korean runs of the whole document together, since one cell rarely carries enough signal; every marker
is reported with the segment (page, sheet and cell, paragraph) it came from.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celtrace.documents import dates, korean, languages
from celtrace.documents.extract import Extracted, Limits, Segment, extract

#: Occurrences of one marker, and markers in all, that a result lists; the score counts every one.
MAX_PER_MARKER = 3
MAX_MARKERS = 40
#: Korean characters the variant is judged on: a long document settles the question well before this (ten
#: pages), and judging costs time linear in the text, most of it Kiwi's (about 1 s for 20,000 characters).
MAX_KOREAN_CHARS = 20_000


@dataclass(frozen=True)
class Inspection:
    """What ``docs inspect`` says of one file."""

    file: str
    kind: str
    languages: list[languages.Share]
    korean_variant: korean.Verdict
    dates: list[tuple[dates.FoundDate, str]]
    metadata: dict[str, Any]
    segments: int
    #: The Korean variant's markers, each with the segment it came from.
    markers: list[tuple[korean.Marker, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the command-line contract."""
        verdict = self.korean_variant
        return {
            "file": self.file,
            "kind": self.kind,
            "languages": [share.to_json() for share in self.languages],
            "korean_variant": {
                "label": verdict.label,
                "score": round(verdict.score, 3),
                "markers": [
                    {
                        "name": marker.name,
                        "kind": marker.kind,
                        "text": marker.text,
                        "where": place,
                        "weight": round(marker.weight, 3),
                    }
                    for marker, place in self.markers
                ],
            },
            "dates": [{**found.to_json(), "where": place} for found, place in self.dates],
            "metadata": self.metadata,
            "segments": self.segments,
        }


def inspect_document(path: Path, limits: Limits | None = None) -> Inspection:
    """Extract ``path``'s text and examine it; raises InputError for a file that cannot be read."""
    extracted = extract(path, limits or Limits())
    return examine(extracted)


def examine(extracted: Extracted) -> Inspection:
    """Languages, Korean variant and dates of text already extracted."""
    segments = extracted.segments
    # Each segment is cut into runs once: the language shares and the Korean text both come from them.
    runs = [(segment, languages.runs(segment.text)) for segment in segments]
    korean_text, offsets = _korean_text(runs)
    verdict = korean.classify(korean_text[:MAX_KOREAN_CHARS])
    markers = [(marker, _place(offsets, marker.start)) for marker in _listed(verdict.markers)]
    found = [(date, segment.where) for segment in segments for date in dates.find_dates(segment.text)]
    return Inspection(
        file=extracted.path,
        kind=extracted.kind,
        languages=languages.tally(run for _, found in runs for run in found),
        korean_variant=verdict,
        dates=found,
        metadata=extracted.metadata,
        segments=len(segments),
        markers=markers,
    )


def _korean_text(runs: list[tuple[Segment, list[languages.Run]]]) -> tuple[str, list[tuple[int, str]]]:
    """The Korean runs of every segment, one a line, and where each line starts and which segment it is."""
    lines: list[str] = []
    offsets: list[tuple[int, str]] = []
    position = 0
    for segment, found in runs:
        for run in found:
            if run.lang != "ko":
                continue
            line = segment.text[run.start : run.end].strip()
            if not line:
                continue
            offsets.append((position, segment.where))
            lines.append(line)
            position += len(line) + 1
    return "\n".join(lines), offsets


def _place(offsets: list[tuple[int, str]], start: int) -> str:
    index = bisect_right(offsets, start, key=lambda offset: offset[0]) - 1
    return offsets[index][1] if index >= 0 else ""


def _listed(markers: list[korean.Marker]) -> list[korean.Marker]:
    """The markers to show: a long document has thousands of occurrences, and a reviewer needs a few of each."""
    shown: list[korean.Marker] = []
    seen: dict[str, int] = {}
    for marker in markers:
        seen[marker.name] = seen.get(marker.name, 0) + 1
        if seen[marker.name] <= MAX_PER_MARKER and len(shown) < MAX_MARKERS:
            shown.append(marker)
    return shown
