"""``celtrace users`` and ``celtrace serve`` through Typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from celtrace.cli import app
from celtrace.users import Role, authenticate
from celtrace.workspace import init_workspace

runner = CliRunner()


def test_users_add_list_remove_and_serve_beyond_loopback(make_settings) -> None:
    settings = make_settings()
    init_workspace(settings).close()
    env = {"CELTRACE_ACTOR": "tester", "CELTRACE_DATABASE_URL": settings.database_url or ""}
    ws = str(settings.workspace)

    refused = runner.invoke(app, ["serve", "-w", ws, "--host", "0.0.0.0"], env=env)
    assert refused.exit_code == 1 and "without users" in refused.output

    added = runner.invoke(
        app, ["users", "add", "alice", "--role", "analyst", "-w", ws], input="a long passphrase\n" * 2, env=env
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["users", "list", "-w", ws, "--json"], env=env)
    assert json.loads(listed.output) == {"name": "alice", "role": "analyst", "active": True}
    with init_workspace(settings) as workspace:
        assert authenticate(workspace, "alice", "a long passphrase") is Role.ANALYST

    bad_role = runner.invoke(app, ["users", "add", "bob", "--role", "root", "-w", ws], input="x" * 20 + "\n", env=env)
    assert bad_role.exit_code != 0
    removed = runner.invoke(app, ["users", "remove", "alice", "-w", ws], env=env)
    assert removed.exit_code == 0
    with init_workspace(settings) as workspace:
        assert authenticate(workspace, "alice", "a long passphrase") is None
