"""The dashboard's defences: signed session cookies, CSRF tokens, login throttling, headers, body limits.

Sessions are stateless: a cookie holding the user, an expiry and a CSRF token, signed with HMAC-SHA256 under
a key kept in the workspace folder (outside ``files/``, so ``/files/`` can never serve it). Every form carries
the session's CSRF token and every unsafe request must send it back (synchroniser token), so a page on another
site cannot post in a signed-in user's name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from celtrace.errors import WorkspaceError

SESSION_COOKIE = "celtrace_session"
SECRET_FILE = ".web-secret"
SESSION_SECONDS = 8 * 3600
#: Largest request body accepted (a review's reason, a login, names to screen): nothing bigger is ever needed.
MAX_BODY = 64 * 1024

#: The Content-Security-Policy: only this origin's scripts, styles and images; no inline code of any kind.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def load_secret(workspace_folder: Path) -> bytes:
    """The workspace's signing key, made on first use and readable by its owner only."""
    path = workspace_folder / SECRET_FILE
    if not path.exists():
        # Written whole under a temporary name, then renamed: a crash never leaves an empty key behind,
        # which would sign sessions with nothing.
        handle, temp = tempfile.mkstemp(prefix=f"{SECRET_FILE}.", dir=workspace_folder)  # mode 0600
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
        Path(temp).replace(path)
    if path.stat().st_mode & 0o077:
        raise WorkspaceError(f"{path} is readable by others: make it private (chmod 600) or delete it")
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise WorkspaceError(f"{path} is not a valid session key: delete it and a new one is made")
    return secret


@dataclass(frozen=True)
class SessionData:
    """Who a session is for, until when, and the CSRF token its forms carry."""

    user: str
    csrf: str
    expires: int


def sign_session(secret: bytes, data: SessionData) -> str:
    """The cookie value: base64 JSON and its HMAC."""
    body = base64.urlsafe_b64encode(
        json.dumps({"u": data.user, "c": data.csrf, "e": data.expires}, separators=(",", ":")).encode()
    ).decode()
    return f"{body}.{_mac(secret, body)}"


def read_session(secret: bytes, value: str | None, now: float | None = None) -> SessionData | None:
    """The session a cookie holds, or None when it is missing, forged, malformed or expired."""
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(body.encode()))
        data = SessionData(str(raw["u"]), str(raw["c"]), int(raw["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    if data.expires < (now if now is not None else time.time()):
        return None
    return data


def new_session(user: str) -> SessionData:
    """A fresh session with a new CSRF token."""
    return SessionData(user, secrets.token_urlsafe(32), int(time.time()) + SESSION_SECONDS)


def _mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token; a missing one never matches."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


class LoginThrottle:
    """At most ``attempts`` failed logins per client address and per user name in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, *keys: str) -> bool:
        """Count an attempt against each of ``keys`` (an address, a name), or return False when any has used
        up its attempts. Counted before the password is checked, under a lock: parallel guesses, each
        checked while the others' slow hashes run, cannot slip past the limit."""
        with self._lock:
            now = time.monotonic()
            if not all(len(self._recent(key, now)) < self.attempts for key in keys):
                return False
            for key in keys:
                self._recent(key, now).append(now)
            return True

    def succeeded(self, *keys: str) -> None:
        """Take back the attempt just counted: a right password is no failure."""
        with self._lock:
            for key in keys:
                stamps = self._failures.get(key)
                if stamps:
                    stamps.pop()
                if not stamps:
                    self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        while stamps and stamps[0] < now - self.window:
            stamps.popleft()
        return stamps


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, by declared length or by what actually arrives."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLargeError:
            await PlainTextResponse("request body too large", status_code=413)(scope, receive, send)


class BodyTooLargeError(Exception):
    """A streamed body went over the limit."""


async def add_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Set the security headers on every answer; pages are never cached (they show the live store)."""
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    if request.url.scheme == "https":
        # Reached over TLS (a proxy forwarding X-Forwarded-Proto from a trusted address): keep it that way.
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
