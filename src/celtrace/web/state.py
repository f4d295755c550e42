"""What every request handler shares: the workspace, the model cache, templates, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fastapi import HTTPException, Request
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse, RedirectResponse

from celtrace.report.html import add_filters
from celtrace.users import Role, user_role
from celtrace.web.data import ModelCache
from celtrace.web.security import (
    SESSION_COOKIE,
    LoginThrottle,
    SessionData,
    new_session,
    read_session,
    tokens_match,
)
from celtrace.workspace import Workspace

#: The user name changes made without login (dashboard on loopback) are recorded under, before the OS login.
LOCAL_PREFIX = "local:"


@dataclass
class AppState:
    """One dashboard process: its workspace and the pieces built once for it."""

    workspace: Workspace
    cache: ModelCache
    templates: Environment
    secret: bytes
    login_required: bool
    throttle: LoginThrottle


@dataclass(frozen=True)
class Viewer:
    """The person behind a request: name, role and the CSRF token of their session."""

    name: str
    role: Role
    csrf: str

    def may(self, role: Role) -> bool:
        """True if the viewer holds ``role`` or a higher one."""
        return self.role >= role


def make_templates() -> Environment:
    """The dashboard's templates, with the report's templates behind them (for shared macros and filters)."""
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader("celtrace.web", "templates"), PackageLoader("celtrace.report", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    add_filters(env)
    return env


def state_of(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.celtrace
    return state


def session_of(request: Request) -> SessionData:
    """The request's session; a fresh anonymous one (set on the answer by the app) when it has none."""
    cached = getattr(request.state, "session", None)
    if isinstance(cached, SessionData):
        return cached
    state = state_of(request)
    session = read_session(state.secret, request.cookies.get(SESSION_COOKIE))
    if session is None:
        user = "" if state.login_required else LOCAL_PREFIX + state.workspace.settings.actor
        session = new_session(user)
        request.state.new_session = session
    request.state.session = session
    return session


class LoginRedirectError(Exception):
    """Raised by :func:`viewer` when a page needs a signed-in user; the app answers with a redirect."""


def viewer(request: Request) -> Viewer:
    """Who is asking: a signed-in user, or the local user when the dashboard listens on loopback only."""
    state = state_of(request)
    session = session_of(request)
    if not state.login_required:
        return Viewer(session.user or LOCAL_PREFIX + state.workspace.settings.actor, Role.ADMIN, session.csrf)
    if not session.user:
        raise LoginRedirectError
    role = user_role(state.workspace, session.user)
    if role is None:
        raise LoginRedirectError
    return Viewer(session.user, role, session.csrf)


def require(who: Viewer, role: Role) -> None:
    """Refuse with 403 unless ``who`` holds ``role``."""
    if not who.may(role):
        raise HTTPException(403, f"this needs the {role.label} role")


def check_csrf(request: Request, given: str | None) -> None:
    """Refuse with 403 unless ``given`` is the session's CSRF token."""
    if not tokens_match(session_of(request).csrf, given):
        raise HTTPException(403, "the form's security token is missing or wrong: reload the page and try again")


def acting_as(workspace: Workspace, who: Viewer) -> Workspace:
    """The same workspace (same engine) with changes recorded under ``who``'s name in the audit log."""
    return Workspace(replace(workspace.settings, actor=who.name), workspace.engine)


def render(request: Request, template: str, who: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``template`` with what every page needs (the viewer, the CSRF token, the nav)."""
    state = state_of(request)
    html = state.templates.get_template(template).render(
        viewer=who,
        csrf=session_of(request).csrf,
        path=request.url.path,
        login_required=state.login_required,
        link_statuses=("declared", "observed"),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def redirect(url: str) -> RedirectResponse:
    """See-other after a form post, so reloading the page does not post again."""
    return RedirectResponse(url, status_code=303)
