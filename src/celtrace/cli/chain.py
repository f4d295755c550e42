"""``celtrace vendors``: import and list the supply chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from celtrace.cli.common import JsonOption, WorkspaceOption, opened, print_json, show_progress

vendors_app = typer.Typer(help="The supply chain: vendors, people, links and accounts.", no_args_is_help=True)


@vendors_app.command("import")
def vendors_import(
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX or JSON files (see docs/chain-import.md).")],
    kind: Annotated[
        str | None,
        typer.Option(help="What a CSV holds: vendors, people, links or accounts (default: from its name or columns)."),
    ] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of CSV files, e.g. cp949 or gb18030.")] = "utf-8",
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import chain files, one transaction per file; importing the same file again changes nothing."""
    from celtrace.chain.importer import import_chain_file
    from celtrace.chain.records import KINDS
    from celtrace.errors import InputError

    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}")
    with opened(workspace) as ws, Progress(disable=not show_progress(json_output), transient=True) as progress:
        task = progress.add_task("importing", total=len(files))
        for path in files:
            summary = import_chain_file(ws, path, kind, encoding)
            progress.advance(task)
            if json_output:
                print_json(summary.to_json())
            else:
                counts = ", ".join(f"{n} {what}" for what, n in sorted(summary.counts.items())) or "nothing"
                typer.echo(f"{path}: {counts}")


@vendors_app.command("list")
def vendors_list(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """List vendors with their tier in the chain and their country."""
    from celtrace.chain.graph import Chain

    with opened(workspace) as ws, ws.session() as session:
        chain = Chain.load(session)
    rows = sorted(chain.vendors.values(), key=lambda v: (chain.tiers.get(v.id, 0), v.name.casefold()))
    if json_output:
        for v in rows:
            clients = [link.source_id for link in chain.clients.get(v.id, [])]
            print_json(
                {"id": v.id, "name": v.name, "country": v.country, "tier": chain.tiers.get(v.id), "clients": clients}
            )
        return
    table = Table("tier", "id", "name", "country", "city")
    for v in rows:
        table.add_row(str(chain.tiers.get(v.id, "")), v.id, v.name, (v.country or "").upper(), v.city or "")
    Console().print(table)
