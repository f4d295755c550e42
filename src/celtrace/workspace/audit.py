"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
reordering any entry breaks every hash after it. The first entry chains to a fixed genesis value.
Append-only is also enforced by database triggers (see the first migration).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from celtrace.workspace.schema import AuditEntry

GENESIS = "0" * 64


def seal(fields: dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 of canonical JSON of ``fields`` and the previous link's hash: one link of a hash chain."""
    body = json.dumps({**fields, "prev": prev_hash}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def entry_hash(seq: int, at: str, actor: str, action: str, detail: dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 that seals one audit entry."""
    return seal({"seq": seq, "at": at, "actor": actor, "action": action, "detail": detail}, prev_hash)


def append(session: Session, actor: str, action: str, detail: dict[str, Any]) -> AuditEntry:
    """Add one entry in the caller's transaction; concurrent appenders collide on ``seq`` and one fails."""
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    # Round-trip through JSON so the hash covers exactly what the store will give back.
    detail = _storable(json.loads(json.dumps(detail, default=str)))
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        detail=detail,
        prev_hash=prev_hash,
        hash=entry_hash(seq, at, actor, action, detail, prev_hash),
    )
    session.add(entry)
    session.flush()
    return entry


def _storable(value: Any) -> Any:
    """Lone surrogates (from undecodable file names) become U+FFFD: no database stores them as text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


@dataclass(frozen=True)
class ChainProblem:
    """One place where the audit chain does not hold."""

    seq: int
    problem: str


def verify(entries: Iterable[AuditEntry]) -> list[ChainProblem]:
    """Every break in the chain, in order; an empty list means the log is intact."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash = 1, GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(ChainProblem(entry.seq, f"expected entry {expected_seq}: entries missing"))
        if entry.prev_hash != prev_hash:
            problems.append(ChainProblem(entry.seq, "does not chain to the entry before it"))
        recomputed = entry_hash(entry.seq, entry.at, entry.actor, entry.action, entry.detail, entry.prev_hash)
        if recomputed != entry.hash:
            problems.append(ChainProblem(entry.seq, "its content was changed after it was written"))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return problems


def count(session: Session) -> int:
    """How many entries the log holds."""
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0
