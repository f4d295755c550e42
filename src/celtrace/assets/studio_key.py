"""The workspace's watermark key: a random secret made on first use and kept in the store.

Kept in the store, not in a file beside it, so that a team whose workspace is on PostgreSQL marks and reads
with one key. The secret is never printed nor written to the audit log; whoever can read the store can read
it, exactly as they can read the deliveries it would forge.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from celtrace.watermark import WatermarkKey
from celtrace.workspace import Workspace
from celtrace.workspace.schema import WorkspaceSecret

SECRET_NAME = "watermark"


def existing_key(session: Session) -> WatermarkKey | None:
    """The key, or None when this workspace has never delivered (so nothing can carry its mark)."""
    row = session.get(WorkspaceSecret, SECRET_NAME)
    return None if row is None else WatermarkKey.from_secret(row.value)


def watermark_key(workspace: Workspace) -> WatermarkKey:
    """The key, made now if this is the workspace's first delivery."""
    with workspace.session() as session:
        key = existing_key(session)
    if key is not None:
        return key
    try:
        with workspace.change("watermark key created") as change:
            # 256 random bits: the key derivation hashes it, so its length, not its alphabet, is what counts.
            value = secrets.token_hex(32)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            change.session.add(WorkspaceSecret(name=SECRET_NAME, value=value, created_at=now))
    except IntegrityError:
        pass  # another process made it first: use theirs, or the two would mark with different keys
    with workspace.session() as session:
        made = existing_key(session)
    assert made is not None
    return made
