"""Shared fixtures: a fresh workspace per test, on SQLite and on PostgreSQL; a real Chromium.

PostgreSQL tests use the server named by ``CELTRACE_TEST_DATABASE_URL`` (``.ci/run`` starts one on
loopback and sets it); each test gets a schema of its own, dropped afterwards. Without the variable
those tests are skipped locally, and fail under CI so that a missing server never passes silently.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

# FAISS's OpenMP threads spin while they wait; with the database server and Chromium sharing two cores,
# spinning made index searches ten times slower. Set before anything imports FAISS.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from celtrace.config import Settings, load_settings
from celtrace.workspace import Workspace, init_workspace

SHARED = Path(__file__).resolve().parents[2] / "shared"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _postgres_url() -> str:
    url = os.environ.get("CELTRACE_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CELTRACE_TEST_DATABASE_URL is not set under CI: .ci/run must start PostgreSQL")
        pytest.skip("PostgreSQL tests need CELTRACE_TEST_DATABASE_URL")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend a test runs on; tests using ``workspace`` run once per backend."""
    return str(request.param)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One machine cache for the whole session, as a user's machine has: range tables are built once."""
    return tmp_path_factory.getbasetemp() / "cache"


@pytest.fixture
def make_settings(tmp_path: Path, backend: str, shared_cache: Path) -> Iterator[Any]:
    """A factory of settings for fresh workspaces under ``tmp_path`` on the current backend."""
    schemas: list[tuple[str, str]] = []

    def factory(name: str = "ws", **environ: str) -> Settings:
        env = {"CELTRACE_ACTOR": "tester", "CELTRACE_CACHE": str(shared_cache), **environ}
        if backend == "postgresql":
            base = _postgres_url()
            schema = f"t_{uuid.uuid4().hex[:12]}"
            _admin(base, f'CREATE SCHEMA "{schema}"')
            schemas.append((base, schema))
            separator = "&" if "?" in base else "?"
            env["CELTRACE_DATABASE_URL"] = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
        return load_settings(tmp_path / name, environ=env)

    yield factory
    for base, schema in schemas:
        _admin(base, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def workspace(make_settings: Any) -> Iterator[Workspace]:
    """A fresh, initialised workspace on the current backend."""
    ws = init_workspace(make_settings())
    yield ws
    ws.close()


def _admin(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright (no browser download: the system one)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed under CI: .ci/run must install it")
        pytest.skip("needs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def load_chain(workspace: Workspace, tmp_path: Path) -> Any:
    """Import a chain given as a dict (the JSON file format) into ``workspace`` through the real importer."""
    import json

    from celtrace.chain.importer import import_chain_file

    counter = iter(range(1_000_000))

    def load(data: dict[str, Any]) -> Workspace:
        path = tmp_path / f"chain-{next(counter)}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        import_chain_file(workspace, path)
        return workspace

    return load
