"""``celtrace deliver`` and ``celtrace watermark decode``."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from celtrace.cli.common import JsonOption, WorkspaceOption, opened, print_json, show_progress
from celtrace.errors import InputError

watermark_app = typer.Typer(help="Forensic watermarks: which delivery a found copy came from.", no_args_is_help=True)


def deliver(
    paths: Annotated[list[Path], typer.Argument(help="Drawings or folders of drawings to send.")],
    vendor: Annotated[str, typer.Option(help="The vendor receiving them (id, name or alias in the chain).")],
    out: Annotated[Path, typer.Option(help="Folder the watermarked copies are written to.")],
    production: Annotated[
        str | None, typer.Option(help="Production of drawings not registered yet (they are registered first).")
    ] = None,
    episode: Annotated[str | None, typer.Option(help="Episode of drawings registered now.")] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the delivery record.")] = None,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write watermarked copies carrying one delivery id, and record the delivery with its vendor and drawings."""
    from celtrace.assets.deliveries import deliver as deliver_files

    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("watermarking", total=None)
        summary = deliver_files(
            ws, paths, vendor, out, production, episode, note, on_file=lambda _path: progress.advance(task)
        )
    if json_output:
        print_json(
            {
                "delivery_id": summary.delivery_id,
                "payload": summary.payload,
                "vendor": summary.vendor_name,
                "vendor_id": summary.vendor_id,
                "out": str(out),
                "copies": [{"original": original, "copy": copy} for original, copy in summary.copies],
                "registered": summary.registered,
                "failed": [{"file": file, "error": error} for file, error in summary.failed],
            }
        )
    else:
        if summary.delivery_id is not None:
            typer.echo(
                f"delivery {summary.delivery_id} (payload {summary.payload}) to {summary.vendor_name}: "
                f"{len(summary.copies)} watermarked copies in {out}"
            )
        if summary.vendor_id is None and summary.delivery_id is not None:
            typer.echo(f"note: {summary.vendor_name!r} is no vendor of the chain; recorded by name", err=True)
        for file, error in summary.failed:
            typer.echo(f"error: {file}: {error}", err=True)
    if summary.failed or summary.delivery_id is None:
        raise typer.Exit(1)


@watermark_app.command("decode")
def decode(
    files: Annotated[list[Path], typer.Argument(help="Found images to read the watermark of.")],
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Name the delivery, and so the vendor, a found copy of a delivered drawing came from.

    A delivery is named only when the chance of naming it wrongly is below one in a million; otherwise the
    payload is null.
    """
    from celtrace.assets.attribution import Attributor
    from celtrace.assets.matcher import AssetMatcher
    from celtrace.assets.studio_key import existing_key
    from celtrace.watermark import load_image

    failed = False
    with opened(workspace) as ws, ws.session() as session:
        matcher = AssetMatcher(session)
        attributor = Attributor(session, existing_key(session))
        for path in files:
            try:
                result = attributor.attribute(partial(load_image, path, str(path)), matcher.match(path))
            except InputError as error:
                failed = True
                if json_output:
                    print_json({"file": str(path), **_empty(), "error": error.message})
                else:
                    typer.echo(f"error: {error}", err=True)
                continue
            if json_output:
                unmatched = {**_empty(), "reason": "matches no registered drawing"}
                print_json({"file": str(path), **(result.to_json() if result else unmatched)})
            elif result is None:
                typer.echo(f"{path}: no registered drawing, so no delivery")
            elif result.delivery_id is not None:
                typer.echo(
                    f"{path}: delivery {result.delivery_id} (payload {result.payload}) to {result.vendor_name}, "
                    f"confidence {result.confidence:.12f}"
                )
            else:
                typer.echo(f"{path}: no delivery named ({result.reason})")
    if failed:
        raise typer.Exit(1)


def _empty() -> dict[str, object]:
    return {"payload": None, "delivery_id": None, "vendor": None, "confidence": 0.0}
