"""The workspace's Ed25519 signing key: files in ``keys/`` of the workspace folder, the private one mode 0600.

Kept as files rather than in the store so that a team database never holds a private key, and so a key can be
backed up, moved to a hardware token or revoked without a schema change. The public key is what a recipient of
an export needs to authenticate it (``celtrace keys export-public``); its fingerprint is the SHA-256 of the raw
32-byte key, which both sides can compare over the phone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from celtrace.errors import CeltraceError, InputError

KEYS_DIR = "keys"
PRIVATE_FILE = "signing-key.pem"
PUBLIC_FILE = "signing-key.pub.pem"


@dataclass(frozen=True)
class KeyInfo:
    """Where a workspace's key pair lies and what its public half's fingerprint is."""

    private: Path
    public: Path
    fingerprint: str


def init_key(workspace_folder: Path, force: bool = False) -> KeyInfo:
    """Create the workspace's key pair; an existing key is kept unless ``force`` (it may have signed exports)."""
    folder = workspace_folder / KEYS_DIR
    private_path, public_path = folder / PRIVATE_FILE, folder / PUBLIC_FILE
    if private_path.exists() and not force:
        raise CeltraceError(
            f"{private_path} already exists: exports signed with it would no longer match a new key. "
            "Pass --force to replace it anyway."
        )
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write_private(private_path, pem)
    public_path.write_bytes(public_pem(key.public_key()))
    return KeyInfo(private_path, public_path, fingerprint(key.public_key()))


def _write_private(path: Path, pem: bytes) -> None:
    """Written under a temporary name created 0600, then renamed: the key is never readable by others."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.unlink(missing_ok=True)
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as stream:
        stream.write(pem)
    temp.replace(path)


def load_private(workspace_folder: Path) -> Ed25519PrivateKey:
    """The workspace's private key, or a clear error saying how to make one."""
    path = workspace_folder / KEYS_DIR / PRIVATE_FILE
    if not path.exists():
        raise CeltraceError(
            f"the workspace has no signing key ({path}): run `celtrace keys init --workspace {workspace_folder}`"
        )
    if path.stat().st_mode & 0o077:
        raise CeltraceError(f"{path} can be read by other users: run `chmod 600 {path}` (or make a new key)")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as error:
        raise CeltraceError(f"{path} is not a readable unencrypted PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CeltraceError(f"{path} is not an Ed25519 key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    """A public key as SubjectPublicKeyInfo PEM, the form ``openssl pkey -pubin`` reads too."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public(pem: bytes, source: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM bytes; ``source`` names the file in the error."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise InputError("not a PEM public key", file=source) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("not an Ed25519 public key", file=source)
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """``ed25519:`` and the SHA-256 of the raw public key, in hex."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()


def signature_holds(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``key``'s signature of ``data``."""
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
