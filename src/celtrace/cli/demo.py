"""``celtrace demo``."""

from __future__ import annotations

from typing import Annotated

import typer

from celtrace.cli.common import EngineOption, WorkspaceOption, opened
from celtrace.config import load_settings


def demo(
    workspace: WorkspaceOption = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only build and report; do not serve the dashboard.")
    ] = False,
    engine: EngineOption = "duckdb",
) -> None:
    """Build the synthetic demo case in a fresh workspace, analyse it, write its report and serve the dashboard.

    With --engine spark the drawings, the found dump and the portal log are read, and the log queries run, on
    Spark: the same findings, and the report says which engine read each log and ran the analysis.
    """
    from celtrace.demo import build_demo

    settings = load_settings(workspace)
    case = build_demo(settings, engine)
    typer.echo(f"demo workspace: {case.workspace}")
    typer.echo(f"findings: {case.findings}")
    typer.echo(f"report: {case.report.resolve()}")
    if not no_serve:
        from celtrace.web import serve

        typer.echo("celtrace dashboard on http://127.0.0.1:8000/ (Ctrl+C stops it)")
        with opened(case.workspace) as ws:
            serve(ws)
