"""The store: migrations against the models, creating and opening workspaces, SQLite settings, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from celtrace.config import CONFIG_FILE_NAME, load_settings
from celtrace.errors import WorkspaceError
from celtrace.workspace import FILES_DIR, MARKER_FILE, Workspace, audit, init_workspace, open_workspace, store
from celtrace.workspace.schema import Account, AuditEntry, Base, Vendor


def _entries(workspace: Workspace) -> list[AuditEntry]:
    with workspace.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _vendor_ids(workspace: Workspace) -> list[str]:
    with workspace.session() as session:
        return list(session.scalars(select(Vendor.id).order_by(Vendor.id)))


def test_migrations_create_exactly_the_declared_schema(workspace: Workspace) -> None:
    with workspace.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []
    assert store.current_revision(workspace.engine) == store.head_revision()


def test_init_lays_out_the_workspace_folder(workspace: Workspace) -> None:
    assert (workspace.path / MARKER_FILE).is_file()
    assert (workspace.path / FILES_DIR).is_dir()
    assert workspace.files == workspace.path / FILES_DIR
    assert (workspace.path / CONFIG_FILE_NAME).is_file()
    [entry] = _entries(workspace)
    assert (entry.seq, entry.action, entry.actor) == (1, "init", "tester")
    assert entry.detail == {"schema": store.head_revision(), "previous_schema": None}


def test_init_twice_is_harmless(make_settings: Any) -> None:
    settings = make_settings()
    with init_workspace(settings) as first, first.change("vendors import") as change:
        change.session.add(Vendor(id="v1", name="Studio One"))
    config = settings.workspace / CONFIG_FILE_NAME
    config.write_text("[risk]\ntier_factor = 0.5\n", encoding="utf-8")

    with init_workspace(settings) as second:
        assert [entry.action for entry in _entries(second)] == ["init", "vendors import"]
        assert _vendor_ids(second) == ["v1"]
    assert config.read_text(encoding="utf-8") == "[risk]\ntier_factor = 0.5\n"

    with open_workspace(settings) as reopened:
        assert [entry.action for entry in _entries(reopened)] == ["init", "vendors import"]
        assert audit.verify(_entries(reopened)) == []


@pytest.mark.parametrize("exists", [False, True], ids=["missing", "empty-folder"])
def test_open_without_a_workspace_says_how_to_make_one(tmp_path: Path, exists: bool) -> None:
    folder = tmp_path / "case"
    if exists:
        folder.mkdir()
    settings = load_settings(folder, environ={"CELTRACE_ACTOR": "tester"})
    with pytest.raises(WorkspaceError) as error:
        open_workspace(settings)
    message = str(error.value)
    assert f"no celtrace workspace at {folder}" in message
    assert f"celtrace init --workspace {folder}" in message
    assert folder.exists() == exists, "opening must not create anything"


def test_open_with_an_empty_store_says_how_to_make_one(make_settings: Any) -> None:
    settings = make_settings()
    settings.workspace.mkdir()
    (settings.workspace / MARKER_FILE).touch()
    with pytest.raises(WorkspaceError, match=r"is empty: run `celtrace init --workspace "):
        open_workspace(settings)


def test_init_refuses_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "case"
    path.write_text("not a folder", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="exists and is not a folder"):
        init_workspace(load_settings(path, environ={}))


def test_a_store_of_a_newer_celtrace_is_refused(tmp_path: Path) -> None:
    # SQLite only: on this error path open_workspace does not dispose its engine, which on PostgreSQL
    # leaves a pooled connection for the garbage collector (reported separately).
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_ACTOR": "tester"})
    with init_workspace(settings) as workspace, workspace.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(WorkspaceError, match="schema 9999_future, newer than this celtrace knows"):
        open_workspace(settings)
    with pytest.raises(WorkspaceError, match="newer than this celtrace knows"):
        init_workspace(settings)


def test_unreachable_database_is_one_clear_error_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://celtrace:s3cret@127.0.0.1:1/nothing"
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_DATABASE_URL": url})
    with pytest.raises(WorkspaceError, match="cannot open the store at") as error:
        init_workspace(settings)
    assert "127.0.0.1:1" in str(error.value)
    assert "s3cret" not in str(error.value)


def test_unknown_database_driver_is_a_workspace_error(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_DATABASE_URL": "nosuchdb://x/y"})
    with pytest.raises(WorkspaceError, match="cannot use database nosuchdb://x/y"):
        init_workspace(settings)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "ws", environ={"CELTRACE_ACTOR": "tester"})
    with init_workspace(settings) as workspace:
        assert workspace.engine.dialect.name == "sqlite"
        assert store.database_url(settings).endswith(f"/ws/{store.DATABASE_FILE}")
        with workspace.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.BUSY_TIMEOUT_S * 1000
    # WAL is a property of the file: a connection opened without celtrace's settings sees it too.
    raw = sqlite3.connect(tmp_path / "ws" / store.DATABASE_FILE)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        raw.close()


def test_foreign_keys_are_enforced(workspace: Workspace) -> None:
    with pytest.raises(IntegrityError), workspace.change("accounts import") as change:
        change.session.add(Account(portal="portal", username="ghost", vendor_id="no-such-vendor"))
    with workspace.session() as session:
        assert session.scalars(select(Account)).all() == []
    assert [entry.action for entry in _entries(workspace)] == ["init"]


def test_change_commits_the_data_and_its_audit_entry(workspace: Workspace) -> None:
    with workspace.change("vendors import", file="vendors.csv") as change:
        change.session.add(Vendor(id="v1", name="Studio One", aliases=["S1"]))
        change.detail["rows"] = 1
    assert _vendor_ids(workspace) == ["v1"]
    entry = _entries(workspace)[-1]
    assert (entry.seq, entry.actor, entry.action) == (2, "tester", "vendors import")
    assert entry.detail == {"file": "vendors.csv", "rows": 1}
    with workspace.session() as session:
        vendor = session.get(Vendor, "v1")
        assert vendor is not None
        assert (vendor.aliases, vendor.phones, vendor.origin) == (["S1"], [], {})


def test_change_rolls_back_data_and_audit_entry_when_the_block_raises(workspace: Workspace) -> None:
    class BoomError(Exception):
        pass

    with pytest.raises(BoomError), workspace.change("vendors import", file="vendors.csv") as change:
        change.session.add(Vendor(id="v1", name="Studio One"))
        change.session.flush()  # the row reaches the database before the failure
        raise BoomError
    assert _vendor_ids(workspace) == []
    assert [entry.action for entry in _entries(workspace)] == ["init"]

    # The workspace is still usable, and the next entry takes the next number.
    with workspace.change("vendors import") as change:
        change.session.add(Vendor(id="v2", name="Studio Two"))
    assert _vendor_ids(workspace) == ["v2"]
    assert [entry.seq for entry in _entries(workspace)] == [1, 2]


def test_a_failing_write_leaves_neither_data_nor_audit_entry(workspace: Workspace) -> None:
    with workspace.change("vendors import") as change:
        change.session.add(Vendor(id="v1", name="Studio One"))
    with pytest.raises(IntegrityError), workspace.change("vendors import") as change:
        change.session.add(Vendor(id="v9", name="Studio Nine"))
        change.session.add(Vendor(id="v1", name="Studio One, again"))
    assert _vendor_ids(workspace) == ["v1"]
    assert [entry.action for entry in _entries(workspace)] == ["init", "vendors import"]


def test_an_unrecorded_change_writes_no_audit_entry(workspace: Workspace) -> None:
    with workspace.change("cache refresh") as change:
        change.session.add(Vendor(id="v1", name="Studio One"))
        change.recorded = False
    assert _vendor_ids(workspace) == ["v1"]
    assert [entry.action for entry in _entries(workspace)] == ["init"]
