"""One sealed package per session, built on SQLite, for the tests that only read or tamper with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from celtrace.config import load_settings
from celtrace.export.package import export_case
from celtrace.workspace import init_workspace
from tests.export.case import build_export_case


@dataclass(frozen=True)
class Sealed:
    """A package, the public key that signed it, and another key that did not."""

    package: Path
    public_key: Path
    other_key: Path
    other_private: Path


@pytest.fixture(scope="session")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sealed]:
    from celtrace.export.keys import KEYS_DIR, PRIVATE_FILE, PUBLIC_FILE, init_key

    root = tmp_path_factory.mktemp("sealed")
    environ = {"CELTRACE_ACTOR": "tester", "CELTRACE_CACHE": str(root / "cache")}
    workspace = init_workspace(load_settings(root / "ws", environ=environ))
    try:
        build_export_case(workspace, root / "trove")
        package = export_case(workspace, root / "case.celtrace.zip", case="found-server").path
    finally:
        workspace.close()
    other = init_key(root / "other")
    yield Sealed(
        package,
        root / "ws" / KEYS_DIR / PUBLIC_FILE,
        other.public,
        root / "other" / KEYS_DIR / PRIVATE_FILE,
    )
