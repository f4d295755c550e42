"""``analyze``: run the detectors over the store and keep each run's findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.registry import Detector, select_detectors
from celtrace.detectors.view import StoreView
from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import FindingRow, Run


@dataclass(frozen=True)
class Analysis:
    """The outcome of one run: its id and its findings, most severe first."""

    run_id: int
    findings: list[Finding]


def analyze(
    workspace: Workspace,
    only: Sequence[str] | None = None,
    on_detector: Callable[[Detector], None] | None = None,
    engine: str = "duckdb",
) -> Analysis:
    """Run the chosen detectors (all by default) and store their findings as a new run.

    ``engine`` runs the queries over the logs' events: ``duckdb`` in process, or ``spark`` where
    ``Settings.spark_master`` says; the findings, and how they are stored, are the same.
    """
    from celtrace.logs.engine import ENGINES, engine_label

    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: choose {' or '.join(ENGINES)}")
    detectors = select_detectors(only)
    started = _now()
    findings: dict[str, Finding] = {}
    with workspace.session() as session:
        view = StoreView(session, workspace.files, engine, workspace.settings)
        try:
            for detector in detectors:
                if on_detector:
                    on_detector(detector)
                for finding in detector.func(view, workspace.settings):
                    findings.setdefault(finding.id, finding)
        finally:
            view.close()
    label = engine_label(engine, workspace.settings)
    return store_run(workspace, [d.rule for d in detectors], findings.values(), started, label)


def store_run(
    workspace: Workspace, rules: Sequence[str], findings: Iterable[Finding], started: str, engine: str = "duckdb"
) -> Analysis:
    """Store findings as one run of ``rules``, most severe first, in one transaction.

    ``analyze`` calls this after the local detectors; any other engine that finds the same facts
    stores them through it too, so that every run lands in the store the same way.
    """
    ordered = sorted(findings, key=_order)
    with workspace.change("analyze", rules=list(rules), engine=engine) as change:
        run = Run(
            started_at=started,
            finished_at=_now(),
            rules=list(rules),
            finding_count=len(ordered),
            actor=workspace.settings.actor,
            engine=engine,
        )
        change.session.add(run)
        change.session.flush()
        change.session.add_all(_to_row(run.id, finding) for finding in ordered)
        change.detail.update(run=run.id, findings=len(ordered))
    return Analysis(run.id, ordered)


def latest_findings(workspace: Workspace) -> tuple[Run | None, list[Finding]]:
    """The most recent run and its findings, most severe first; (None, []) before any run."""
    with workspace.session() as session:
        run = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).first()
        if run is None:
            return None, []
        rows = session.scalars(select(FindingRow).where(FindingRow.run_id == run.id))
        return run, sorted((_from_row(row) for row in rows), key=_order)


def _order(finding: Finding) -> tuple[int, str, str, str]:
    return (-finding.severity, finding.rule, finding.subject.id, finding.id)


def _to_row(run_id: int, finding: Finding) -> FindingRow:
    return FindingRow(
        run_id=run_id,
        id=finding.id,
        rule=finding.rule,
        severity=finding.severity.label,
        subject_kind=finding.subject.kind,
        subject_id=finding.subject.id,
        subject_name=finding.subject.name,
        key=finding.key,
        title=finding.title,
        explanation=finding.explanation,
        evidence=finding.evidence,
    )


def _from_row(row: FindingRow) -> Finding:
    return Finding(
        rule=row.rule,
        severity=Severity.parse(row.severity),
        subject=Subject(row.subject_kind, row.subject_id, row.subject_name),  # type: ignore[arg-type]
        title=row.title,
        explanation=row.explanation,
        evidence=dict(row.evidence),
        key=row.key,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
