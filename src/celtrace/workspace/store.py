"""Connections and migrations: SQLite in the workspace folder by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from celtrace.config import Settings
from celtrace.errors import WorkspaceError

DATABASE_FILE = "celtrace.db"
MIGRATIONS = Path(__file__).with_name("migrations")
# Seconds a writer waits for another writer (serve and the CLI share the file) before it gives up.
BUSY_TIMEOUT_S = 30


def database_url(settings: Settings) -> str:
    """The store's URL: ``CELTRACE_DATABASE_URL`` when set, else the SQLite file in the workspace."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(settings.workspace / DATABASE_FILE).resolve()}"


def make_engine(settings: Settings) -> Engine:
    """An engine for the workspace's store, with SQLite set up for one writer and many readers."""
    url = database_url(settings)
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as error:
        raise WorkspaceError(f"cannot use database {_redacted(url)}: {error}") from error
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `serve` read while a CLI command writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest schema revision this version of celtrace knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at, or None when it holds no celtrace schema."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise WorkspaceError(f"cannot open the store at {_redacted(str(engine.url))}: {error.orig}") from error


def upgrade(engine: Engine) -> None:
    """Bring the store's schema to the newest revision, in one transaction."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "<unparsable URL>"
