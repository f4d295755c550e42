"""What the pages read: the report model (built by the same library function as ``celtrace report``), cached.

Building the model reads the whole chain and the latest run; doing it on every page view would make each
view cost as much as a report. Every change to a workspace appends to its audit log (``Workspace.change``),
so the audit log's last sequence number is a cheap, exact version stamp: the model is rebuilt only when it
moves, whether the change came from this dashboard or from the CLI importing into the same store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from celtrace.report.model import Report, build_report
from celtrace.screening import Screener
from celtrace.workspace import Workspace
from celtrace.workspace.schema import AuditEntry, FindingRow, Run

#: Rows per page of the findings and vendors lists.
PAGE_SIZE = 50


@dataclass
class Model:
    """The report model and the indexes pages look things up in."""

    version: int
    report: Report
    vendors: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, version: int, report: Report) -> Model:
        """Index a freshly built report."""
        return cls(
            version,
            report,
            {v["id"]: v for v in report["vendors"]},
            {p["id"]: p for p in report["people"]},
            {f["id"]: f for f in report["findings"]},
        )


#: Audit actions that change nothing the model holds: review decisions and users are read per request.
MODEL_NEUTRAL = frozenset({"findings review", "web login", "users add", "users remove"})


class ModelCache:
    """The latest report model of one workspace, rebuilt when the audit log has moved on.

    Entries appended since the model was built are read by sequence number (the primary key); if all of them
    are :data:`MODEL_NEUTRAL` (an analyst reviewing findings), the model is kept: at 100,000 findings a rebuild
    takes seconds, and a review must not cost one.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._model: Model | None = None
        self._screener: tuple[Model, Screener] | None = None
        self._lock = threading.Lock()

    def get(self) -> Model:
        """The model for the store as it is now."""
        model = self._model
        if model is not None and self._current(model):
            return model
        with self._lock:
            if self._model is None or not self._current(self._model):
                # The stamp is read before building: a change landing during the build triggers the next one.
                version = self.version()
                self._model = Model.of(version, build_report(self.workspace))
            return self._model

    def screener(self) -> Screener:
        """The screener over the active lists, rebuilt with the model."""
        from celtrace.lists.store import build_screener

        model = self.get()
        cached = self._screener
        if cached is not None and cached[0] is model:
            return cached[1]
        with self.workspace.session() as session:
            screener = build_screener(session)
        self._screener = (model, screener)
        return screener

    def version(self) -> int:
        """The audit log's last sequence number: one indexed lookup."""
        with self.workspace.session() as session:
            return session.scalar(select(func.max(AuditEntry.seq))) or 0

    def _current(self, model: Model) -> bool:
        """True when every audit entry after the model's stamp leaves the model as it is (moving the stamp on)."""
        with self.workspace.session() as session:
            newer = session.execute(
                select(AuditEntry.seq, AuditEntry.action).where(AuditEntry.seq > model.version).order_by(AuditEntry.seq)
            ).all()
        if any(action not in MODEL_NEUTRAL for _, action in newer):
            return False
        if newer:
            model.version = newer[-1][0]
        return True


@dataclass(frozen=True)
class FindingFilter:
    """The findings page's filters; empty strings mean "any"."""

    rule: str = ""
    severity: str = ""
    vendor: str = ""
    production: str = ""
    status: str = ""


def filter_findings(
    model: Model, wanted: FindingFilter, statuses: dict[str, str], page: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the findings that pass the filters, most severe first, and how many pass in all."""
    vendor_ids: set[str] | None = None
    if wanted.vendor:
        vendor_ids = {wanted.vendor}
    if wanted.production:
        in_production = {v["id"] for v in model.report["vendors"] if wanted.production in v["productions"]}
        vendor_ids = in_production if vendor_ids is None else vendor_ids & in_production
    allowed_findings: set[str] | None = None
    if vendor_ids is not None:
        allowed_findings = {fid for vid in vendor_ids for fid in model.vendors.get(vid, {}).get("findings", [])}
    matching = [
        f
        for f in model.report["findings"]
        if (not wanted.rule or f["rule"] == wanted.rule)
        and (not wanted.severity or f["severity"] == wanted.severity)
        and (allowed_findings is None or f["id"] in allowed_findings)
        and (not wanted.status or statuses.get(f["id"], "open") == wanted.status)
    ]
    start = max(0, page - 1) * PAGE_SIZE
    return matching[start : start + PAGE_SIZE], len(matching)


def changes_since_previous_run(workspace: Workspace) -> dict[str, Any] | None:
    """Finding ids new in the latest run and gone since the one before, or None with fewer than two runs."""
    with workspace.session() as session:
        runs = session.scalars(select(Run).order_by(Run.id.desc()).limit(2)).all()
        if len(runs) < 2:
            return None
        latest, previous = runs
        now = _ids(session.scalars(select(FindingRow.id).where(FindingRow.run_id == latest.id)))
        before = _ids(session.scalars(select(FindingRow.id).where(FindingRow.run_id == previous.id)))
        gone_rows = session.execute(
            select(FindingRow.id, FindingRow.rule, FindingRow.severity, FindingRow.title)
            .where(FindingRow.run_id == previous.id, FindingRow.id.in_(sorted(before - now)[:PAGE_SIZE]))
            .order_by(FindingRow.id)
        ).all()
    return {
        "previous_run": previous.id,
        "previous_at": previous.started_at,
        "new": sorted(now - before),
        "gone": [{"id": r[0], "rule": r[1], "severity": r[2], "title": r[3]} for r in gone_rows],
        "gone_count": len(before - now),
    }


def _ids(values: Iterable[str]) -> set[str]:
    return set(values)


def productions(model: Model) -> list[str]:
    """Every production a vendor works on, sorted."""
    return sorted({p for v in model.report["vendors"] for p in v["productions"]})


def rules(model: Model) -> list[str]:
    """Every rule with a finding in the latest run, sorted."""
    return sorted({f["rule"] for f in model.report["findings"]})
