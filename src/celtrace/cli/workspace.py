"""``celtrace init`` and ``celtrace audit``."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from celtrace.cli.common import JsonOption, WorkspaceOption, opened, print_json
from celtrace.config import load_settings
from celtrace.workspace import audit, init_workspace
from celtrace.workspace.schema import AuditEntry

audit_app = typer.Typer(help="Read and check the workspace's append-only audit log.", no_args_is_help=True)


def init(workspace: WorkspaceOption = None) -> None:
    """Create a workspace (or bring an existing one to this version's schema)."""
    ws = init_workspace(load_settings(workspace))
    ws.close()
    typer.echo(f"workspace ready at {ws.path}")


@audit_app.command("verify")
def audit_verify(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """Check the audit log's hash chain; exit 1 and name each broken entry when it does not hold.

    The chain shows any change, removal or reordering of entries, but not the removal of the newest ones:
    note the printed head hash somewhere else (a ticket, an e-mail) to be able to check that too.
    """
    with opened(workspace) as ws, ws.session() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    problems = audit.verify(entries)
    head = entries[-1].hash if entries else audit.GENESIS
    if json_output:
        print_json(
            {"entries": len(entries), "ok": not problems, "head": head, "problems": [p.__dict__ for p in problems]}
        )
    elif problems:
        for problem in problems:
            typer.echo(f"entry {problem.seq}: {problem.problem}", err=True)
    else:
        typer.echo(f"audit log intact: {len(entries)} entries, head {head}")
    if problems:
        raise typer.Exit(1)


@audit_app.command("show")
def audit_show(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """List the audit log, oldest first."""
    with opened(workspace) as ws, ws.session() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    if json_output:
        for e in entries:
            print_json(
                {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail, "hash": e.hash}
            )
        return
    table = Table("seq", "at", "actor", "action", "detail")
    for e in entries:
        table.add_row(str(e.seq), e.at[:19], e.actor, e.action, ", ".join(f"{k}={v}" for k, v in e.detail.items()))
    Console().print(table)
