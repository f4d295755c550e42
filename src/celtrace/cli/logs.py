"""``celtrace logs``: import access logs, and see what was read from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from celtrace.cli.common import EngineOption, JsonOption, WorkspaceOption, opened, print_json, show_progress
from celtrace.errors import InputError

logs_app = typer.Typer(help="Access logs of portals, CDNs and file servers.", no_args_is_help=True)


@logs_app.command("import")
def logs_import(
    paths: Annotated[
        list[str],
        typer.Argument(help="Log files or folders; gzip is read transparently. With --engine spark, also s3a:// etc."),
    ],
    source: Annotated[str, typer.Option(help="Where the logs come from, e.g. asset-portal or delivery-bucket.")],
    log_format: Annotated[
        str, typer.Option("--format", help="auto (sniffed from the first lines) or a format name.")
    ] = "auto",
    nginx_format: Annotated[
        str | None, typer.Option("--log-format", help="nginx log_format string, for nginx logs in a custom format.")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(help="COLUMN=FIELD for JSON Lines and CSV logs, e.g. ip=client.address (repeatable)."),
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year of syslog timestamps (default: the file's).")] = None,
    timezone: Annotated[str, typer.Option(help="Zone of timestamps that carry none (syslog, xferlog).")] = "UTC",
    mmdb: Annotated[Path | None, typer.Option(help="MaxMind City database: regions and cities.")] = None,
    asn_mmdb: Annotated[Path | None, typer.Option(help="MaxMind ASN database: AS numbers.")] = None,
    engine: EngineOption = "duckdb",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Read, enrich and store the events of each file; importing a file again changes nothing."""
    from celtrace.logs.formats import ReaderOptions
    from celtrace.logs.importer import FileResult, import_logs
    from celtrace.spark.hadoop import as_input

    field_map: dict[str, str] = {}
    for pair in field or []:
        column, _, name = pair.partition("=")
        if not column or not name:
            raise InputError(f"--field takes COLUMN=FIELD, got {pair!r}")
        field_map[column.strip()] = name.strip()
    options = ReaderOptions(log_format=nginx_format, field_map=field_map, year=year, timezone=timezone)

    def show(result: FileResult) -> None:
        progress.advance(task)
        if json_output:
            print_json(result.to_json())
        elif result.error:
            typer.echo(f"error: {result.error}", err=True)
        else:
            state = "already imported" if result.already else f"{result.events} events, {result.rejected} rejected"
            typer.echo(f"{result.path}: {result.format}, {state}")

    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("importing", total=None)
        results = import_logs(
            ws,
            [as_input(path) for path in paths],
            source,
            log_format,
            options,
            on_file=show,
            mmdb=mmdb,
            asn_mmdb=asn_mmdb,
            engine=engine,
        )
    if any(result.error for result in results):
        raise typer.Exit(1)


@logs_app.command("stats")
def logs_stats(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Lines read, parsed and rejected per file (with samples), and events by country, network and account."""
    from celtrace.logs.stats import log_stats

    with opened(workspace) as ws:
        stats = log_stats(ws)
    if json_output:
        print_json(stats)
        return
    typer.echo(f"{stats['lines']} lines read, {stats['parsed']} parsed, {stats['rejected']} rejected")
    for entry in stats["files"]:
        typer.echo(f"  {entry['source']}: {entry['path']} ({entry['format']}): {entry['parsed']} of {entry['lines']}")
    for title, key, label in (("countries", "by_country", "country"), ("networks", "by_asn", "as_name")):
        rows = ", ".join(f"{row[label] or '?'} {row['events']}" for row in stats[key][:10])
        typer.echo(f"top {title}: {rows or 'none'}")
