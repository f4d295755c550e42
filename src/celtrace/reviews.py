"""Review decisions on findings: reviewed, dismissed (with a reason) or escalated.

A decision is keyed by the finding's id, which stays the same across ``analyze`` runs, so it still applies
when the fact is found again. The store keeps the latest decision per finding; the audit log keeps all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import FindingReview

STATUSES = ("reviewed", "dismissed", "escalated")
MAX_REASON = 2000


@dataclass(frozen=True)
class Review:
    """One finding's latest review decision."""

    finding_id: str
    status: str
    reason: str | None
    actor: str
    at: str


def review_finding(workspace: Workspace, finding_id: str, status: str, reason: str | None = None) -> Review:
    """Record a decision on a finding; dismissing needs a reason. The actor is the workspace's."""
    reason = (reason or "").strip() or None
    if status not in STATUSES:
        raise InputError(f"unknown review status {status!r}: use {', '.join(STATUSES)}", field="status")
    if status == "dismissed" and not reason:
        raise InputError("dismissing a finding needs a reason", field="reason")
    if reason and len(reason) > MAX_REASON:
        raise InputError(f"the reason is longer than {MAX_REASON} characters", field="reason")
    at = datetime.now(UTC).isoformat(timespec="seconds")
    actor = workspace.settings.actor
    with workspace.change("findings review", finding=finding_id, status=status, reason=reason) as change:
        row = change.session.get(FindingReview, finding_id)
        if row is None:
            row = FindingReview(finding_id=finding_id)
            change.session.add(row)
        row.status, row.reason, row.actor, row.at = status, reason, actor, at
    return Review(finding_id, status, reason, actor, at)


def reviews(workspace: Workspace, finding_ids: Iterable[str] | None = None) -> dict[str, Review]:
    """Latest decisions by finding id: all of them, or those of ``finding_ids``."""
    query = select(FindingReview)
    if finding_ids is not None:
        ids = list(finding_ids)
        if not ids:
            return {}
        query = query.where(FindingReview.finding_id.in_(ids))
    with workspace.session() as session:
        return {
            row.finding_id: Review(row.finding_id, row.status, row.reason, row.actor, row.at)
            for row in session.scalars(query)
        }
