"""``celtrace serve`` and ``celtrace users``."""

from __future__ import annotations

from typing import Annotated

import typer

from celtrace.cli.common import JsonOption, WorkspaceOption, opened, print_json

users_app = typer.Typer(help="Dashboard users: needed before `celtrace serve` listens beyond loopback.")

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on; anything but loopback needs users.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def serve(workspace: WorkspaceOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the dashboard (http://127.0.0.1:8000 by default; no login on loopback)."""
    from celtrace.web import serve as serve_dashboard

    with opened(workspace) as ws:
        typer.echo(f"celtrace dashboard on http://{host}:{port}/ (Ctrl+C stops it)")
        serve_dashboard(ws, host, port)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst or admin.")] = "viewer",
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="CELTRACE_NEW_PASSWORD",
            help="Asked for when not given (or read from CELTRACE_NEW_PASSWORD).",
        ),
    ] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Add a dashboard user with a role; the password is stored as an Argon2id hash."""
    from celtrace.users import Role, add_user

    parsed = Role.parse(role)
    with opened(workspace) as ws:
        add_user(ws, name, password, parsed)
    typer.echo(f"added {name} ({parsed.label})")


@users_app.command("list")
def users_list(workspace: WorkspaceOption = None, json_output: JsonOption = False) -> None:
    """List the dashboard's users and their roles."""
    from celtrace.users import list_users

    with opened(workspace) as ws:
        for name, role, active in list_users(ws):
            if json_output:
                print_json({"name": name, "role": role, "active": active})
            else:
                typer.echo("\t".join([name, role] if active else [name, role, "(removed)"]))


@users_app.command("remove")
def users_remove(name: str, workspace: WorkspaceOption = None) -> None:
    """Take away a user's access (the user stays named in the audit log)."""
    from celtrace.users import remove_user

    with opened(workspace) as ws:
        remove_user(ws, name)
    typer.echo(f"removed {name}")
