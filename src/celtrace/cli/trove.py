"""``celtrace trove``: take found material in, with its custody manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from celtrace.cli.common import EngineOption, JsonOption, WorkspaceOption, opened, print_json, show_progress
from celtrace.errors import InputError
from celtrace.trove.limits import OCR_IMAGES

trove_app = typer.Typer(
    help="Found material: scan it into the workspace, check its custody manifest.", no_args_is_help=True
)


@trove_app.command("scan")
def trove_scan(
    root: Annotated[
        str,
        typer.Argument(
            help="A folder, an archive, the http(s):// URL of a directory listing, or with --engine spark an "
            "s3a://, hdfs:// (any Hadoop file system's) folder."
        ),
    ],
    case: Annotated[str | None, typer.Option(help="Case name (default: the folder's name).")] = None,
    holder: Annotated[
        str | None,
        typer.Option(help="Who held the material (a server's operator, a vendor's drive); checked against the chain."),
    ] = None,
    ocr_images: Annotated[
        int,
        typer.Option(
            min=0,
            help="Images read by OCR at most (seconds each); registered drawings are never read. 0 turns it off.",
        ),
    ] = OCR_IMAGES,
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record every file and archive member with its SHA-256, size and type; resumable and idempotent.

    Documents are examined for their languages, North Korean spelling and Juche dates; so are images that
    are no registered drawing, read by OCR, up to --ocr-images of them.

    With --engine spark a folder's files are hashed and fingerprinted on Spark; the manifest is the same.
    Web listings are scanned with the local engine only; s3a:// and other Hadoop URIs with Spark only.
    """
    from celtrace.spark.hadoop import is_uri
    from celtrace.trove.manifest import scan_trove
    from celtrace.workspace.schema import TroveItemRow

    target: Path | str
    if root.lower().startswith(("http://", "https://")):
        target = root  # an HTTP directory listing, walked by celtrace.trove.listing
    elif is_uri(root):
        target = root  # a Hadoop file system's (s3a://, hdfs://), read by Spark: scan_trove says if it cannot
    else:
        target = Path(root)
        if not target.exists():
            raise InputError("no such file or folder", file=root)

    def show(row: TroveItemRow) -> None:
        progress.advance(task)
        if json_output:
            print_json(
                {
                    "path": row.display_path,
                    "sha256": row.sha256,
                    "size": row.size,
                    "kind": row.kind,
                    "extension_lies": row.extension_lies,
                    "status": row.status,
                    "message": row.message,
                }
            )

    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("scanning", total=None)
        summary = scan_trove(
            ws,
            target,
            case,
            holder=holder,
            on_item=show,
            ocr_images=ocr_images,
            engine=engine,
            spark_master=ws.settings.spark_master,
        )
    if not json_output:
        typer.echo(
            f"{summary.case}: {summary.recorded} items recorded, {summary.already} already in the manifest, "
            f"{summary.problems} with problems"
        )
        if summary.ocr_over_limit:
            typer.echo(
                f"{summary.ocr_images} images read by OCR; {summary.ocr_over_limit} more were not, over the limit "
                "(--ocr-images)"
            )


@trove_app.command("verify")
def trove_verify(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Check every trove's custody manifest; exit 1 and name each broken line when one does not hold."""
    from sqlalchemy import select

    from celtrace.trove.manifest import manifest, verify_manifest
    from celtrace.workspace.schema import Trove

    broken = False
    with opened(workspace) as ws, ws.session() as session:
        for trove in session.scalars(select(Trove).order_by(Trove.id)):
            rows = manifest(session, trove.id)
            problems = verify_manifest(rows)
            broken = broken or bool(problems)
            if json_output:
                print_json(
                    {
                        "case": trove.case,
                        "root": trove.root,
                        "items": len(rows),
                        "ok": not problems,
                        "problems": [p.__dict__ for p in problems],
                    }
                )
            else:
                state = "intact" if not problems else f"{len(problems)} problems"
                typer.echo(f"{trove.case} ({trove.root}): {len(rows)} items, {state}")
                for problem in problems:
                    typer.echo(f"  line {problem.seq}: {problem.problem}", err=True)
    if broken:
        raise typer.Exit(1)
