"""The dashboard's FastAPI application: ``create_app`` wires the state, the defences and the pages.

Errors map to answers in one place (:data:`_ERRORS`), as the CLI maps them to one line on stderr.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Form, HTTPException, Request
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from celtrace.errors import CeltraceError, InputError
from celtrace.report.html import render_stylesheet
from celtrace.users import authenticate
from celtrace.web import evidence, pages
from celtrace.web.data import ModelCache
from celtrace.web.security import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    BodyLimit,
    LoginThrottle,
    add_headers,
    load_secret,
    new_session,
    sign_session,
)
from celtrace.web.state import (
    AppState,
    LoginRedirectError,
    Viewer,
    acting_as,
    check_csrf,
    make_templates,
    redirect,
    render,
    session_of,
    state_of,
    viewer,
)
from celtrace.workspace import Workspace

STATIC = Path(__file__).parent / "static"
#: Host names a loopback-only dashboard answers to: others are DNS rebinding attempts.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1", "testserver"]
#: File types /files/ shows in the page; everything else is sent as a download.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def create_app(workspace: Workspace, *, login_required: bool) -> FastAPI:
    """The dashboard over ``workspace``; ``login_required`` when it listens beyond loopback."""
    app = FastAPI(title="celtrace", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.celtrace = AppState(
        workspace=workspace,
        cache=ModelCache(workspace),
        templates=make_templates(),
        secret=load_secret(workspace.path),
        login_required=login_required,
        throttle=LoginThrottle(),
    )
    app.middleware("http")(_session_cookie)
    app.middleware("http")(add_headers)
    if not login_required:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)
    app.add_middleware(BodyLimit)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/static-report.css", _report_css, methods=["GET"])
    app.add_api_route("/login", _login_page, methods=["GET"])
    app.add_api_route("/login", _login, methods=["POST"])
    app.add_api_route("/logout", _logout, methods=["POST"])
    app.add_api_route("/files/{path:path}", _files, methods=["GET"])
    app.include_router(pages.router)
    app.include_router(evidence.router)
    app.add_exception_handler(LoginRedirectError, _to_login)  # type: ignore[arg-type]
    app.add_exception_handler(CeltraceError, _celtrace_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    return app


async def _session_cookie(request: Request, call_next: pages.CallNext) -> Response:
    """Send the session cookie a request was given (first visit, or a login)."""
    response = await call_next(request)
    session = getattr(request.state, "new_session", None)
    if session is not None:
        response.set_cookie(
            SESSION_COOKIE,
            sign_session(state_of(request).secret, session),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=state_of(request).login_required and request.url.scheme == "https",
            path="/",
        )
    return response


def _report_css() -> Response:
    return Response(render_stylesheet(), media_type="text/css")


def _login_page(request: Request) -> Response:
    if not state_of(request).login_required:
        return redirect("/")
    return render(request, "login.html.j2", None, error=None)


def _login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    state = state_of(request)
    check_csrf(request, csrf)
    if not state.login_required:
        return redirect("/")
    address = request.client.host if request.client else "unknown"
    keys = (f"ip:{address}", f"user:{name.casefold()}")
    if not state.throttle.attempt(*keys):
        return render(request, "login.html.j2", None, status=429, error="Too many failed attempts: wait a few minutes.")
    role = authenticate(state.workspace, name, password)
    if role is None:
        return render(request, "login.html.j2", None, status=401, error="Wrong name or password.")
    state.throttle.succeeded(*keys)
    # A new session (and CSRF token) on login, so a token planted before login is worthless after it.
    request.state.new_session = new_session(name)
    with acting_as(state.workspace, Viewer(name, role, "")).change("web login", address=address):
        pass
    return redirect("/")


def _logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(request, csrf)
    response = redirect("/login" if state_of(request).login_required else "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _files(request: Request, path: str) -> Response:
    """A file of the workspace's files folder; nothing outside it, whatever the path or its links say."""
    viewer(request)
    root = state_of(request).workspace.files.resolve()
    target = _inside(root, path)
    if target is None:
        raise HTTPException(404, "no such file")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if media_type in INLINE_TYPES:
        return FileResponse(target, media_type=media_type)
    # HTML, SVG and the rest are downloaded, never rendered as a page of this origin.
    return FileResponse(target, media_type=media_type, filename=target.name, content_disposition_type="attachment")


def _inside(root: Path, path: str) -> Path | None:
    """``root/path`` with every link resolved, if it is a regular file under ``root``; else None."""
    if not path or "\x00" in path or path.startswith(("/", "\\")) or "\\" in path:
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    try:
        target = (root / path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def _to_login(request: Request, _error: LoginRedirectError) -> Response:
    return RedirectResponse("/login", status_code=303)


# One table from library errors to HTTP answers.
_ERRORS: dict[type[CeltraceError], int] = {InputError: 400}


def _celtrace_error(request: Request, error: CeltraceError) -> Response:
    # Anything else celtrace reports is about the workspace's state (nothing loaded yet, a newer schema).
    status = next((code for kind, code in _ERRORS.items() if isinstance(error, kind)), 409)
    return _error_page(request, status, str(error))


def _http_error(request: Request, error: HTTPException) -> Response:
    return _error_page(request, error.status_code, str(error.detail))


def _error_page(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith(("/api/", "/files/", "/static")):
        return PlainTextResponse(message, status_code=status)
    session_of(request)
    return render(request, "error.html.j2", None, status=status, message=message)
