"""What every command shares: the workspace option, error reporting, JSON lines and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from celtrace.config import load_settings
from celtrace.errors import CeltraceError
from celtrace.workspace import Workspace, open_workspace

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $CELTRACE_WORKSPACE, else ./celtrace-workspace).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON Lines, one object per input.")]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="duckdb (in process) or spark (where $CELTRACE_SPARK_MASTER says, else all local cores).",
    ),
]

#: Exit status when ``analyze --fail-on`` is reached; 1 is an error, 2 a usage error.
EXIT_FINDINGS = 3


class CeltraceGroup(TyperGroup):
    """The root command group: turns any CeltraceError a command raises into one line on stderr, exit 1."""

    def invoke(self, ctx: Any) -> Any:  # typer.Context is a subclass of the base type it vendors
        try:
            return super().invoke(ctx)
        except CeltraceError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from error


@contextmanager
def opened(workspace: Path | None) -> Iterator[Workspace]:
    """The workspace a command works on, closed afterwards."""
    ws = open_workspace(load_settings(workspace))
    try:
        yield ws
    finally:
        ws.close()


def print_json(obj: Any) -> None:
    """One JSON object on one line of stdout."""
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


def show_progress(quiet: bool) -> bool:
    """Progress bars go to a terminal only, never in --json mode."""
    return not quiet and sys.stderr.isatty()
