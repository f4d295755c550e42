"""``celtrace demo``."""

from __future__ import annotations

from typing import Annotated

import typer

from celtrace.cli.common import WorkspaceOption
from celtrace.config import load_settings


def demo(
    workspace: WorkspaceOption = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only build and report; do not serve the dashboard.")
    ] = False,
) -> None:
    """Build the synthetic demo case in a fresh workspace, analyse it and write its report."""
    from celtrace.demo import build_demo

    settings = load_settings(workspace)
    case = build_demo(settings)
    typer.echo(f"demo workspace: {case.workspace}")
    typer.echo(f"findings: {case.findings}")
    typer.echo(f"report: {case.report.resolve()}")
    if not no_serve:
        # The dashboard (celtrace serve) is not part of this version yet; the report is the way in.
        typer.echo("open the report in a browser to see the chain, the risks and the evidence")
