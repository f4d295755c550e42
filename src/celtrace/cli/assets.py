"""``celtrace assets add`` and ``celtrace match``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from celtrace.cli.common import EngineOption, JsonOption, WorkspaceOption, opened, print_json, show_progress
from celtrace.errors import InputError

assets_app = typer.Typer(help="The registry of drawings the studio sends out.", no_args_is_help=True)


@assets_app.command("add")
def assets_add(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders (PNG, JPEG, TIFF, BMP, GIF, WebP).")],
    production: Annotated[str, typer.Option(help="The production the drawings belong to.")],
    episode: Annotated[str | None, typer.Option(help="Episode (default: read from the path, e.g. S01E04).")] = None,
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register drawings with their fingerprints; registering the same file again changes nothing."""
    from celtrace.assets.registry import add_assets

    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("fingerprinting", total=None)
        summary = add_assets(
            ws, paths, production, episode, on_file=lambda _path: progress.advance(task), engine=engine
        )
    if json_output:
        print_json(
            {
                "registered": summary.registered,
                "already": summary.already,
                "failed": [{"file": file, "error": error} for file, error in summary.failed],
            }
        )
    else:
        typer.echo(f"{summary.registered} registered, {summary.already} already registered")
        for file, error in summary.failed:
            typer.echo(f"error: {file}: {error}", err=True)
    if summary.failed:
        raise typer.Exit(1)


def match(
    files: Annotated[list[Path], typer.Argument(help="Images to look up in the registry.")],
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Find the registered drawings each image copies: re-saved, rescaled, turned, mirrored, cropped or padded."""
    from celtrace.assets.matcher import AssetMatcher
    from celtrace.assets.registry import fingerprints

    failed = False
    # The matcher reads registered pages' keypoints on demand, so the session stays open while it matches.
    with opened(workspace) as ws, ws.session() as session:
        matcher = AssetMatcher(session)
        for path, prints in fingerprints(files, engine, ws.settings.spark_master):
            if isinstance(prints, InputError):
                error = prints
                failed = True
                if json_output:
                    print_json({"file": str(path), "matches": [], "watermark": None, "error": error.message})
                else:
                    typer.echo(f"error: {error}", err=True)
                continue
            found = matcher.match_prints(prints)
            if json_output:
                print_json({"file": str(path), "matches": [m.to_json() for m in found], "watermark": None})
            elif found:
                for m in found:
                    where = ", ".join(part for part in (m.production, m.episode, m.scene) if part)
                    typer.echo(f"{path}: {m.path} ({where}) {m.method} score {m.score}")
            else:
                typer.echo(f"{path}: no registered asset")
    if failed:
        raise typer.Exit(1)
