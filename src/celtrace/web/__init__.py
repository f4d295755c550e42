"""The local web dashboard (``celtrace serve``): FastAPI pages over the same library functions as the CLI.

FastAPI, uvicorn and argon2 are imported only here and below, so ``import celtrace`` stays light.
"""

from __future__ import annotations

import ipaddress

from celtrace.errors import CeltraceError
from celtrace.workspace import Workspace


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(workspace: Workspace, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the dashboard until interrupted; beyond loopback only once the workspace has users."""
    try:
        import uvicorn

        from celtrace.web.app import create_app
    except ImportError as error:  # pragma: no cover - depends on the install
        raise CeltraceError(
            f"the dashboard needs its extra: pip install 'celtrace[web]' ({error.name} missing)"
        ) from None
    from celtrace.users import active_user_count

    login_required = not is_loopback(host)
    if login_required and active_user_count(workspace) == 0:
        raise CeltraceError(
            f"refusing to listen on {host} without users: add one with `celtrace users add NAME --role admin`, "
            "or serve on 127.0.0.1"
        )
    app = create_app(workspace, login_required=login_required)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


__all__ = ["is_loopback", "serve"]
