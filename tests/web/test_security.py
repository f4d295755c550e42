"""The dashboard beyond loopback: login, roles, throttling, sessions; and /files/ never leaving the workspace."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from celtrace.errors import CeltraceError, InputError, WorkspaceError
from celtrace.users import Role, add_user, authenticate, remove_user
from celtrace.web import is_loopback, serve
from celtrace.web.security import LoginThrottle, load_secret, read_session, sign_session
from celtrace.workspace import Workspace
from celtrace.workspace.schema import AuditEntry, User
from tests.web.case import SECOND_RUN, build, client, csrf_of

PASSWORD = "correct horse battery"


def login(workspace: Workspace, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    web = client(workspace, login_required=True, base_url="https://dashboard.example")
    token = csrf_of(web.get("/login").text)
    answer = web.post("/login", data={"name": name, "password": password, "csrf": token}, follow_redirects=False)
    return web, answer


def test_pages_need_login_beyond_loopback(workspace: Workspace) -> None:
    web = client(workspace, login_required=True)
    for path in ["/", "/findings", "/vendors/x", "/api/chain", "/files/reports/report.html"]:
        answer = web.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path


def test_passwords_are_stored_as_argon2id_hashes(workspace: Workspace) -> None:
    add_user(workspace, "alice", PASSWORD, Role.ANALYST)
    with workspace.session() as session:
        user = session.get(User, "alice")
    assert user is not None and user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert authenticate(workspace, "alice", PASSWORD) is Role.ANALYST
    assert authenticate(workspace, "alice", "wrong password!") is None
    assert authenticate(workspace, "nobody", PASSWORD) is None
    with workspace.session() as session:
        details = [e.detail for e in session.query(AuditEntry).filter_by(action="users add")]
    assert details == [{"user": "alice", "role": "analyst"}]  # the password never reaches the log


def test_bad_users_are_refused(workspace: Workspace) -> None:
    with pytest.raises(InputError):
        add_user(workspace, "<b>x</b>", PASSWORD, Role.VIEWER)
    with pytest.raises(InputError):
        add_user(workspace, "bob", "short", Role.VIEWER)
    add_user(workspace, "bob", PASSWORD, Role.VIEWER)
    with pytest.raises(InputError):
        add_user(workspace, "bob", PASSWORD, Role.VIEWER)


def test_login_then_roles(workspace: Workspace) -> None:
    build(workspace)
    add_user(workspace, "vera", PASSWORD, Role.VIEWER)
    add_user(workspace, "alice", PASSWORD, Role.ANALYST)
    target = SECOND_RUN[0].id

    viewer, answer = login(workspace, "vera")
    assert answer.status_code == 303
    answer = viewer.get("/findings")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    page = answer.text
    assert "vera (viewer)" in page and "Escalate" not in page  # read-only: no review buttons
    refused = viewer.post(f"/findings/{target}/review", data={"status": "reviewed", "csrf": csrf_of(page)})
    assert refused.status_code == 403

    analyst, _ = login(workspace, "alice")
    page = analyst.get("/findings").text
    done = analyst.post(f"/findings/{target}/review", data={"status": "reviewed", "csrf": csrf_of(page)})
    assert done.status_code == 200 and "reviewed by alice" in done.text
    with workspace.session() as session:
        actions = [(e.actor, e.action) for e in session.query(AuditEntry).order_by(AuditEntry.seq)]
    assert ("vera", "web login") in actions and ("alice", "findings review") in actions


def test_a_removed_user_loses_access_at_once(workspace: Workspace) -> None:
    add_user(workspace, "alice", PASSWORD, Role.ANALYST)
    web, _ = login(workspace, "alice")
    assert web.get("/", follow_redirects=False).status_code == 200
    remove_user(workspace, "alice")
    assert web.get("/", follow_redirects=False).status_code == 303


def test_login_is_throttled(workspace: Workspace) -> None:
    add_user(workspace, "alice", PASSWORD, Role.ANALYST)
    web = client(workspace, login_required=True)
    token = csrf_of(web.get("/login").text)
    codes = [
        web.post("/login", data={"name": "alice", "password": f"guess number {n}", "csrf": token}).status_code
        for n in range(6)
    ]
    assert codes == [401] * 5 + [429]
    # Even the right password waits now: the throttle does not tell a guesser when they are right.
    assert web.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": token}).status_code == 429


def test_login_needs_its_csrf_token(workspace: Workspace) -> None:
    add_user(workspace, "alice", PASSWORD, Role.ANALYST)
    web = client(workspace, login_required=True)
    web.get("/login")
    assert web.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 403


def test_forged_session_cookie_is_ignored(workspace: Workspace) -> None:
    add_user(workspace, "alice", PASSWORD, Role.ADMIN)
    web = client(workspace, login_required=True)
    forged = sign_session(b"not the key", read_session(b"k", sign_session(b"k", _session("alice"))))  # type: ignore[arg-type]
    web.cookies.set("celtrace_session", forged)
    assert web.get("/", follow_redirects=False).status_code == 303


def _session(user: str):  # type: ignore[no-untyped-def]
    from celtrace.web.security import new_session

    return new_session(user)


def test_serve_refuses_to_listen_beyond_loopback_without_users(workspace: Workspace) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    with pytest.raises(CeltraceError, match="without users"):
        serve(workspace, host="0.0.0.0", port=0)


@pytest.mark.parametrize(
    "path",
    [
        "/files/../celtrace.toml",
        "/files/%2e%2e/celtrace.toml",
        "/files/%2E%2E/%2E%2E/etc/passwd",
        "/files/reports/..%2f..%2fceltrace.toml",
        "/files//etc/passwd",
        "/files/%2fetc%2fpasswd",
        "/files/..%5cceltrace.toml",
        "/files/outside-link/passwd",
        "/files/secret-link",
        "/files/reports",
        "/files/%00",
    ],
)
def test_files_never_serves_outside_the_workspace(workspace: Workspace, path: str) -> None:
    (workspace.files / "reports").mkdir(exist_ok=True)
    (workspace.files / "reports" / "r.json").write_text("{}", encoding="utf-8")
    (workspace.files / "outside-link").symlink_to("/etc")
    (workspace.files / "secret-link").symlink_to(workspace.path / ".web-secret")
    web = client(workspace)
    web.get("/")  # makes the secret
    answer = web.get(path)
    assert answer.status_code == 404, path
    assert "root:" not in answer.text
    assert web.get("/files/reports/r.json").status_code == 200


def test_files_sends_html_as_a_download(workspace: Workspace) -> None:
    (workspace.files / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    answer = client(workspace).get("/files/page.html")
    assert answer.status_code == 200 and answer.headers["content-disposition"].startswith("attachment")


def test_the_signing_key_is_private(workspace: Workspace) -> None:
    client(workspace).get("/")
    secret = Path(workspace.path) / ".web-secret"
    assert secret.exists() and (secret.stat().st_mode & 0o077) == 0


def test_parallel_guesses_cannot_pass_the_limit() -> None:
    throttle = LoginThrottle(attempts=5)
    with ThreadPoolExecutor(max_workers=16) as pool:
        granted = list(pool.map(lambda _: throttle.attempt("ip:x", "user:alice"), range(64)))
    assert sum(granted) == 5
    throttle.succeeded("ip:x", "user:alice")  # a right password takes its own attempt back
    assert throttle.attempt("ip:x", "user:alice") and not throttle.attempt("ip:x", "user:alice")


@pytest.mark.parametrize("content", ["", "00", "not hex"])
def test_an_empty_or_short_signing_key_is_refused(tmp_path: Path, content: str) -> None:
    secret = tmp_path / ".web-secret"
    secret.write_text(content, encoding="ascii")
    secret.chmod(0o600)
    with pytest.raises(WorkspaceError, match="not a valid session key"):
        load_secret(tmp_path)


def test_a_signing_key_others_can_read_is_refused(tmp_path: Path) -> None:
    load_secret(tmp_path)
    (tmp_path / ".web-secret").chmod(0o644)
    with pytest.raises(WorkspaceError, match="readable by others"):
        load_secret(tmp_path)
