"""Dashboard users: names, Argon2id password hashes and roles, kept in the workspace's store.

Roles nest: a ``viewer`` reads, an ``analyst`` also reviews findings, an ``admin`` also manages users.
Every change goes through :meth:`Workspace.change`, so the audit log records who added whom; passwords
and hashes never enter the log.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import IntEnum

from sqlalchemy import func, select

from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import User


class Role(IntEnum):
    """What a user may do; a higher role may do everything a lower one may."""

    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        """The role's name as users type it."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named ``text`` (``viewer``, ``analyst`` or ``admin``)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise InputError(f"unknown role {text!r}: use viewer, analyst or admin", field="role") from None


#: Names people type at a login prompt: no spaces or markup, so they are safe in logs and pages alike.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` with argon2-cffi's recommended parameters."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def add_user(workspace: Workspace, name: str, password: str, role: Role) -> None:
    """Add a user, or raise InputError if the name is taken or the password too short."""
    if not _NAME.match(name):
        raise InputError(f"user name {name!r} must be 1-64 letters, digits, '.', '_', '@' or '-'", field="name")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters", field="password")
    with workspace.change("users add", user=name, role=role.label) as change:
        if change.session.get(User, name) is not None:
            raise InputError(f"user {name!r} exists already", field="name")
        change.session.add(
            User(
                name=name,
                password_hash=hash_password(password),
                role=role.label,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                active=True,
            )
        )


def remove_user(workspace: Workspace, name: str) -> None:
    """Deactivate a user (kept, so the audit log's names keep meaning someone)."""
    with workspace.change("users remove", user=name) as change:
        user = change.session.get(User, name)
        if user is None:
            raise InputError(f"no user {name!r}", field="name")
        user.active = False


def authenticate(workspace: Workspace, name: str, password: str) -> Role | None:
    """The user's role if ``password`` is theirs and they are active, else None.

    An unknown name still costs one hash verification, so response times do not tell which names exist.
    """
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    with workspace.session() as session:
        user = session.get(User, name) if _NAME.match(name) else None
    hasher = PasswordHasher()
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    return Role.parse(user.role)


def user_role(workspace: Workspace, name: str) -> Role | None:
    """The role of an active user, or None (a signed-in user removed since loses access at once)."""
    with workspace.session() as session:
        user = session.get(User, name)
        return Role.parse(user.role) if user is not None and user.active else None


def list_users(workspace: Workspace) -> list[tuple[str, str, bool]]:
    """Every user as (name, role, active), by name."""
    with workspace.session() as session:
        return [(u.name, u.role, u.active) for u in session.scalars(select(User).order_by(User.name))]


def active_user_count(workspace: Workspace) -> int:
    """How many users can sign in; the dashboard refuses to listen beyond loopback while this is 0."""
    with workspace.session() as session:
        return session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0


# A hash of a random password, verified against for unknown names (see authenticate).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$Ri5El52Vu2Wyuo694bI9FQ$rB7sh71pK91Sk55sef9Nxokna+AoiM91xd00nukLpMY"
