"""``celtrace analyze`` and ``celtrace report``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from celtrace.cli.common import (
    EXIT_FINDINGS,
    EngineOption,
    JsonOption,
    WorkspaceOption,
    opened,
    print_json,
    show_progress,
)
from celtrace.errors import InputError

_COLOURS = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def analyze(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this rule or family (e.g. VENDOR.PAYMENT_RED_FLAG or VENDOR); repeat."),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", help="Exit 3 when a finding is at least this severe (info, low, medium, high, critical)."
        ),
    ] = None,
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the detectors, store this run's findings and print them, most severe first."""
    from celtrace.detectors.finding import Severity
    from celtrace.detectors.runner import analyze as run_analysis

    threshold = None
    if fail_on is not None:
        try:
            threshold = Severity.parse(fail_on)
        except ValueError as error:
            raise InputError(f"--fail-on: {error}") from None
    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("analysing", total=None)
        result = run_analysis(ws, only, on_detector=lambda d: progress.update(task, description=d.rule), engine=engine)
    if json_output:
        for finding in result.findings:
            print_json(finding.to_json())
    else:
        table = Table(
            "severity", "rule", "subject", "title", title=f"run {result.run_id}: {len(result.findings)} findings"
        )
        for f in result.findings:
            colour = _COLOURS[f.severity.label]
            table.add_row(f"[{colour}]{f.severity.label}[/]", f.rule, f.subject.name, f.title)
        Console().print(table)
    if threshold is not None and any(f.severity >= threshold for f in result.findings):
        raise typer.Exit(EXIT_FINDINGS)


def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="html, json, pdf or ftm (default: from the file's suffix, else html)."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Write the report of the latest analysis (running one first if there is none)."""
    from celtrace.report import write_report

    chosen = (
        fmt or {".json": "json", ".pdf": "pdf", ".ftm": "ftm", ".jsonl": "ftm"}.get(output.suffix.lower(), "html")
    ).lower()
    with opened(workspace) as ws:
        written = write_report(ws, chosen, output)  # type: ignore[arg-type]  # write_report names bad formats
    typer.echo(str(written))
