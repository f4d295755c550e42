"""The files and log lines the findings point at, read back from where the workspace found them.

A finding names a trove item by its manifest row and SHA-256, a registered drawing by its path, and log
events by file and line number. The PDF shows a matched image beside its original and quotes the log lines;
the sealed export packs the trove items themselves. Both read through here, and both check each file's
SHA-256 against the one recorded, so a file that changed since it was taken in is reported, never shown as
evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from celtrace.trove.limits import DEFAULT_LIMITS
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Trove, TroveItemRow

#: A single evidence file larger than this is named but not read (the trove copy stays the original).
MAX_EVIDENCE_BYTES = 64 * 2**20
#: Log lines quoted per finding, and the longest quoted line.
MAX_LOG_LINES = 8
MAX_LINE_CHARS = 400


@dataclass(frozen=True)
class EvidenceFile:
    """A trove item a finding names: its bytes when they could be read and still match, else why not."""

    item_id: int
    case: str
    path: str
    sha256: str | None
    data: bytes | None
    problem: str | None = None


def named_trove_items(findings: Iterable[Mapping[str, Any]]) -> list[int]:
    """The trove item ids the findings name (as subject or as ``evidence.item``), in first-seen order."""
    ids: dict[int, None] = {}
    for finding in findings:
        subject = finding.get("subject") or {}
        if subject.get("kind") == "trove_item" and str(subject.get("id", "")).isdigit():
            ids[int(subject["id"])] = None
        item = (finding.get("evidence") or {}).get("item")
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            ids[item["id"]] = None
    return list(ids)


def read_trove_items(
    workspace: Workspace, item_ids: Iterable[int], max_bytes: int = MAX_EVIDENCE_BYTES
) -> Iterator[EvidenceFile]:
    """Read each named item again from its trove, one at a time, in the order the troves are walked.

    A generator, so that only one item's bytes are held at a time. The trove is walked as ``trove scan``
    walked it (archives included) and the walk stops once every wanted item was seen. An item whose trove was
    a web listing, whose root is gone, or whose bytes no longer have the recorded SHA-256 comes without data
    and with the reason; so does an id that no custody manifest holds.
    """
    from celtrace.trove.walk import walk

    wanted = list(dict.fromkeys(item_ids))
    if not wanted:
        return
    with workspace.session() as session:
        rows = session.execute(
            select(TroveItemRow, Trove)
            .join(Trove, Trove.id == TroveItemRow.trove_id)
            .where(TroveItemRow.id.in_(wanted))
            .order_by(Trove.id, TroveItemRow.seq)
        ).all()
    by_root: dict[str, list[tuple[TroveItemRow, Trove]]] = {}
    for item, trove in rows:
        by_root.setdefault(trove.root, []).append((item, trove))
    for root, items in by_root.items():
        pending = {item.display_path: (item, trove) for item, trove in items}
        root_path = Path(root)
        if "://" in root or not root_path.exists():
            reason = "taken from a web listing; not kept" if "://" in root else f"the trove {root} is no longer there"
            for item, trove in pending.values():
                yield _missing(item, trove, reason)
            continue
        for walked in walk(root_path, DEFAULT_LIMITS):
            hit = pending.pop(walked.display_path, None)
            if hit is not None:
                yield _read(walked.opener, *hit, max_bytes)
                if not pending:
                    break
        for item, trove in pending.values():
            yield _missing(item, trove, "no longer in the trove")
    known = {item.id for item, _ in rows}
    for item_id in wanted:
        if item_id not in known:
            yield EvidenceFile(item_id, "", f"item {item_id}", None, None, "not in any custody manifest")


def _read(opener: Any, item: TroveItemRow, trove: Trove, max_bytes: int) -> EvidenceFile:
    if opener is None:
        return _missing(item, trove, f"not readable ({item.status}: {item.message})")
    if (item.size or 0) > max_bytes:
        return _missing(item, trove, f"larger than {max_bytes // 2**20} MiB; left in the trove")
    try:
        with opener() as stream:
            data = stream.read(max_bytes + 1)
    except Exception as error:  # hostile archives raise almost anything; the item is reported, not fatal
        return _missing(item, trove, f"could not be read again ({type(error).__name__})")
    if hashlib.sha256(data).hexdigest() != item.sha256:
        return _missing(item, trove, "its bytes no longer have the SHA-256 in the custody manifest")
    return EvidenceFile(item.id, trove.case, item.display_path, item.sha256, data)


def _missing(item: TroveItemRow, trove: Trove, reason: str) -> EvidenceFile:
    return EvidenceFile(item.id, trove.case, item.display_path, item.sha256, None, reason)


def read_registered(path: str, sha256: str | None, max_bytes: int = MAX_EVIDENCE_BYTES) -> bytes | None:
    """A registered drawing's bytes, or None when the file is gone, too large or changed since registration."""
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size > max_bytes:
            return None
        data = file.read_bytes()
    except OSError:
        return None
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data


def log_lines(
    findings: Iterable[Mapping[str, Any]], per_finding: int = MAX_LOG_LINES
) -> dict[str, list[dict[str, Any]]]:
    """The log lines each finding's evidence cites (``{"file": ..., "line": n}``), quoted from the log files.

    Each file is read once, streaming, up to the last line any finding wants; a file that is gone leaves
    its lines out.
    """
    wanted: dict[str, list[tuple[str, str, int]]] = {}
    for finding in findings:
        seen: set[tuple[str, int]] = set()
        for file, line in _citations(finding.get("evidence")):
            if (file, line) in seen or len(seen) >= per_finding:
                continue
            seen.add((file, line))
            wanted.setdefault(file, []).append((finding["id"], file, line))
    quoted: dict[str, list[dict[str, Any]]] = {}
    for file, citations in wanted.items():
        texts = _lines(Path(file), {line for _, _, line in citations})
        for finding_id, _, line in sorted(citations, key=lambda c: c[2]):
            if line in texts:
                quoted.setdefault(finding_id, []).append({"file": file, "line": line, "text": texts[line]})
    return quoted


def _citations(value: Any) -> Iterator[tuple[str, int]]:
    """Every ``{"file": str, "line": int}`` pair inside an evidence value, depth first."""
    if isinstance(value, dict):
        file, line = value.get("file"), value.get("line")
        if isinstance(file, str) and isinstance(line, int) and not isinstance(line, bool):
            yield file, line
        for inner in value.values():
            yield from _citations(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _citations(inner)


def _lines(path: Path, numbers: set[int]) -> dict[int, str]:
    last = max(numbers)
    texts: dict[int, str] = {}
    try:
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                if number in numbers:
                    text = raw[: MAX_LINE_CHARS * 4].decode("utf-8", "replace").rstrip("\r\n")
                    texts[number] = text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + "…"
                if number >= last:
                    break
    except OSError:
        return {}
    return texts
