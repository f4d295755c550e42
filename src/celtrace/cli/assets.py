"""``celtrace assets add`` and ``celtrace match``."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from celtrace.cli.common import EngineOption, JsonOption, WorkspaceOption, opened, print_json, show_progress
from celtrace.errors import InputError

assets_app = typer.Typer(help="The registry of drawings the studio sends out.", no_args_is_help=True)


@assets_app.command("add")
def assets_add(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Image files or folders (PNG, JPEG, TIFF, BMP, GIF, WebP); with --engine spark also s3a:// etc."
        ),
    ],
    production: Annotated[str, typer.Option(help="The production the drawings belong to.")],
    episode: Annotated[str | None, typer.Option(help="Episode (default: read from the path, e.g. S01E04).")] = None,
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register drawings with their fingerprints; registering the same file again changes nothing."""
    from celtrace.assets.registry import add_assets
    from celtrace.spark.hadoop import as_input

    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("fingerprinting", total=None)
        summary = add_assets(
            ws,
            [as_input(path) for path in paths],
            production,
            episode,
            on_file=lambda _path: progress.advance(task),
            engine=engine,
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
    files: Annotated[
        list[str], typer.Argument(help="Images to look up in the registry; with --engine spark also s3a:// etc.")
    ],
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Find the registered drawings each image copies: re-saved, rescaled, turned, mirrored, cropped or padded.

    With --json, ``watermark`` is the delivery the copy's watermark names (see ``watermark decode``), read
    against its delivered matches; null when no delivered drawing matches.
    """
    from celtrace.assets.attribution import Attributor
    from celtrace.assets.matcher import AssetMatcher, match_files
    from celtrace.assets.studio_key import existing_key
    from celtrace.spark.hadoop import as_input
    from celtrace.watermark import load_image

    failed = False
    # The matcher reads registered pages' keypoints on demand, so the session stays open while it matches.
    with opened(workspace) as ws, ws.session() as session:
        matcher = AssetMatcher(session)
        attributor = Attributor(session, existing_key(session))
        inputs = [as_input(file) for file in files]
        for path, result in match_files(matcher, inputs, engine, ws.settings.spark_master):
            error = result if isinstance(result, InputError) else None
            found = [] if isinstance(result, InputError) else result
            if error is None:
                # Decoding costs up to seconds: only for --json, and only when a match was ever delivered
                # (a drawing never delivered has no mark to read: its watermark is null like no match's).
                try:
                    delivered = json_output and attributor.delivered(found)
                    mark = None
                    if delivered:
                        source = path if isinstance(path, Path) else _remote_bytes(path, ws.settings.spark_master)
                        mark = attributor.attribute(partial(load_image, source, str(path)), found)
                except InputError as problem:
                    error = problem
            if error is not None:
                failed = True
                if json_output:
                    print_json({"file": str(path), "matches": [], "watermark": None, "error": error.message})
                else:
                    typer.echo(f"error: {error}", err=True)
                continue
            if json_output:
                print_json(
                    {
                        "file": str(path),
                        "matches": [m.to_json() for m in found],
                        "watermark": mark.to_json() if mark else None,
                    }
                )
            elif found:
                for m in found:
                    where = ", ".join(part for part in (m.production, m.episode, m.scene) if part)
                    typer.echo(f"{path}: {m.path} ({where}) {m.method} score {m.score}")
            else:
                typer.echo(f"{path}: no registered asset")
    if failed:
        raise typer.Exit(1)


def _remote_bytes(uri: str, master: str) -> bytes:
    """An image's bytes from one of Spark's file systems, for the watermark decoder on this machine."""
    from celtrace.spark.hadoop import HadoopFiles
    from celtrace.spark.session import spark_session

    with HadoopFiles(spark_session(master)).open(uri) as stream:
        return stream.read()
