"""The workspace: one case or one studio, a store plus a folder for derived files.

    >>> ws = init_workspace(load_settings(Path("case")))
    >>> with ws.change("vendors import", file="vendors.csv") as change:
    ...     change.session.add(...)

Every change runs in one transaction that also appends its audit entry, so a change and its record
land together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from celtrace.config import CONFIG_FILE_NAME, Settings
from celtrace.errors import WorkspaceError
from celtrace.workspace import audit, store

FILES_DIR = "files"
MARKER_FILE = ".celtrace-workspace"

_CONFIG_TEMPLATE = """\
# celtrace settings for this workspace. CELTRACE_* environment variables override them.
# database_url = "postgresql+psycopg://user@localhost/celtrace"   # default: celtrace.db in this folder

[risk]
# Share of a subcontractor's risk that its client inherits, per tier.
tier_factor = 0.6

[risk.points]
# Points a finding of each severity adds to its vendor's own score (capped at 100).
critical = 100
high = 50
medium = 25
low = 10
info = 0
"""


@dataclass
class Change:
    """An open write transaction; ``detail`` goes into the audit entry, unless ``recorded`` is False."""

    session: Session
    detail: dict[str, Any] = field(default_factory=dict)
    recorded: bool = True


class Workspace:
    """An opened workspace: settings, the store's engine, and the folder for derived files."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    @property
    def path(self) -> Path:
        """The workspace folder."""
        return self.settings.workspace

    @property
    def files(self) -> Path:
        """Folder for derived files (reports, thumbnails, deliveries)."""
        return self.path / FILES_DIR

    def session(self) -> Session:
        """A session for reading; use :meth:`change` to write."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def change(self, action: str, /, **detail: Any) -> Iterator[Change]:
        """One write transaction with its audit entry; an exception rolls back both."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            change = Change(session, dict(detail))
            yield change
            if change.recorded:
                audit.append(session, self.settings.actor, action, change.detail)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def init_workspace(settings: Settings) -> Workspace:
    """Create the workspace folder and store (or bring an existing one to the newest schema)."""
    folder = settings.workspace
    if folder.exists() and not folder.is_dir():
        raise WorkspaceError(f"{folder} exists and is not a folder")
    (folder / FILES_DIR).mkdir(parents=True, exist_ok=True)
    (folder / MARKER_FILE).touch()
    config_file = folder / CONFIG_FILE_NAME
    if not config_file.exists():
        config_file.write_text(_CONFIG_TEMPLATE, encoding="utf-8")
    engine = store.make_engine(settings)
    try:
        before = store.current_revision(engine)
        _check_known(before, folder)
        store.upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    workspace = Workspace(settings, engine)
    if before != store.head_revision():
        with workspace.change("init", schema=store.head_revision(), previous_schema=before):
            pass
    return workspace


def open_workspace(settings: Settings) -> Workspace:
    """Open an existing workspace, upgrading its schema if this celtrace is newer."""
    folder = settings.workspace
    if not (folder / MARKER_FILE).exists():
        raise WorkspaceError(f"no celtrace workspace at {folder}: run `celtrace init --workspace {folder}`")
    engine = store.make_engine(settings)
    try:
        revision = store.current_revision(engine)
        if revision is None:
            raise WorkspaceError(f"the store for {folder} is empty: run `celtrace init --workspace {folder}`")
        _check_known(revision, folder)
    except BaseException:
        engine.dispose()
        raise
    if revision != store.head_revision():
        engine.dispose()
        return init_workspace(settings)
    return Workspace(settings, engine)


def _check_known(revision: str | None, folder: Path) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if revision is None:
        return
    scripts = ScriptDirectory(str(store.MIGRATIONS))
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise WorkspaceError(
            f"the workspace at {folder} has schema {revision}, newer than this celtrace knows: upgrade celtrace"
        ) from None


__all__ = ["Change", "Workspace", "init_workspace", "open_workspace"]
