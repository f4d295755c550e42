"""The demo case served by a real uvicorn, built once per session, for the end-to-end tests in Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from celtrace.config import load_settings


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Iterator[str]:
    """The dashboard over a freshly built demo workspace (SQLite), listening on a free loopback port."""
    import uvicorn

    from celtrace.demo import build_demo
    from celtrace.web.app import create_app
    from celtrace.workspace import open_workspace

    folder = tmp_path_factory.mktemp("web") / "demo"
    settings = load_settings(folder, environ={"CELTRACE_ACTOR": "tester", "CELTRACE_CACHE": str(shared_cache)})
    build_demo(settings)
    workspace = open_workspace(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(workspace, login_required=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    workspace.close()
