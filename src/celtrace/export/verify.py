"""``celtrace verify``: check a sealed case package offline, and say exactly what does not hold.

Checks, each failure one :class:`Problem` naming the file:

- the zip itself: readable, no unsafe member names (absolute, ``..``, backslashes), no duplicates, no member
  that expands past the limits (a zip bomb); nothing is ever extracted to disk;
- the signature of ``manifest.json``, with the key given (``--key``) or else the package's own, in which case
  the signer is reported as unauthenticated: anyone can sign a package with a key of their own;
- every file's SHA-256 and size against the manifest; files listed but absent, and present but not listed;
- the audit log's and each custody manifest's hash chain, and their length and head against the manifest,
  which catches a log rewound to an earlier state or cut short.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from celtrace.errors import InputError
from celtrace.export.keys import fingerprint, load_public, signature_holds
from celtrace.export.package import AUDIT_LOG, FORMAT, MANIFEST, SIGNATURE, SIGNER_KEY
from celtrace.workspace import audit
from celtrace.workspace.schema import AuditEntry, TroveItemRow

#: Limits on what a package may hold; a real case is far below them, a bomb far above.
MAX_MEMBERS = 100_000
MAX_MEMBER_BYTES = 4 * 2**30
MAX_TOTAL_BYTES = 32 * 2**30
#: A member that expands more than this many times and past BOMB_FLOOR bytes is refused as a bomb.
MAX_RATIO = 200
BOMB_FLOOR = 16 * 2**20
#: Largest manifest, log or custody file read into memory.
MAX_TEXT_BYTES = 512 * 2**20
_CHUNK = 2**20
#: What reading a damaged member raises (zlib on a corrupt deflate stream, zipfile on a CRC or size mismatch).
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold, and the file it is in."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass
class Verification:
    """The outcome of checking one package."""

    package: str
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    signer: str | None = None
    authenticated: bool = False
    audit_entries: int = 0
    redacted_entries: int = 0
    case: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every check held."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The outcome as ``verify --json`` prints it."""
        data = asdict(self)
        data["problems"] = [asdict(p) for p in self.problems]
        return {"ok": self.ok, **data}


def verify_package(package: Path, key_pem: bytes | None = None, key_source: str = "--key") -> Verification:
    """Check ``package``; ``key_pem`` is the signer's public key as the recipient got it, out of band.

    A bad ``key_pem`` raises :class:`InputError`; everything wrong with the package is a problem in the result.
    """
    trusted = load_public(key_pem, key_source) if key_pem is not None else None
    result = Verification(str(package))
    if not package.is_file():
        raise InputError("no such file", file=str(package))
    try:
        archive = zipfile.ZipFile(package)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as error:
        result.problems.append(Problem(package.name, f"not a readable zip file ({error})"))
        return result
    except OSError as error:
        raise InputError(f"cannot read it: {error.strerror or error}", file=str(package)) from None
    with archive:
        members = _members(archive, result)
        if members is None:
            return result
        _verify_contents(archive, members, result, trusted, key_source)
    return result


def _members(archive: zipfile.ZipFile, result: Verification) -> dict[str, zipfile.ZipInfo] | None:
    """The members safe to read, by name; unsafe ones are problems. None when the zip cannot be trusted at all."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        result.problems.append(Problem("(zip)", f"{len(infos)} members, more than {MAX_MEMBERS}: refused"))
        return None
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        result.problems.append(Problem("(zip)", f"expands past {MAX_TOTAL_BYTES // 2**30} GiB: refused as a zip bomb"))
        return None
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        unsafe = _unsafe(name)
        if unsafe:
            result.problems.append(Problem(name, f"unsafe name in the zip ({unsafe}); not read"))
        elif name in members:
            result.problems.append(Problem(name, "appears twice in the zip"))
        elif info.is_dir():
            if info.file_size:  # a "folder" holding bytes would hide them from the digest check
                result.problems.append(Problem(name, "a folder entry that holds data (added)"))
            continue
        elif info.file_size > MAX_MEMBER_BYTES or (
            info.file_size > BOMB_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            result.problems.append(Problem(name, "expands far beyond its compressed size: refused as a zip bomb"))
        else:
            members[name] = info
    return members


def _unsafe(name: str) -> str | None:
    if "\\" in name:
        return "a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "'..' leads outside the package"
    if any(ord(ch) < 32 for ch in name):
        return "a control character"
    return None


def _verify_contents(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    result: Verification,
    trusted: Any,
    key_source: str,
) -> None:
    manifest_bytes = _read(archive, members, MANIFEST, result)
    if manifest_bytes is None:
        return
    try:
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("not a celtrace case export manifest")
        listed = {entry["path"]: entry for entry in manifest["files"]}
    except (ValueError, KeyError, TypeError) as error:
        result.problems.append(Problem(MANIFEST, f"unreadable: {error}"))
        return
    result.case = manifest.get("case")
    _verify_signature(archive, members, manifest_bytes, result, trusted, key_source)
    for name, entry in listed.items():
        if name not in members:
            if not any(p.file == name for p in result.problems):  # already named when it was read (the key)
                result.problems.append(Problem(name, "listed in the manifest but missing from the package (removed)"))
            continue
        digest, size = _digest(archive, members[name], result)
        if digest is None:
            continue
        if digest != entry.get("sha256") or size != entry.get("size"):
            result.problems.append(Problem(name, "its SHA-256 does not match the manifest (changed)"))
    for name in members:
        if name not in listed and name not in (MANIFEST, SIGNATURE):
            result.problems.append(Problem(name, "in the package but not in the signed manifest (added)"))
    result.files = len(listed)
    for check, name in ((_verify_audit, AUDIT_LOG), (_verify_custody, "custody")):
        try:
            check(archive, members, manifest, result)
        except (TypeError, AttributeError, ValueError, KeyError) as error:
            # A field of the wrong type (a text where a number belongs, a list for a summary): a package
            # changed by hand, or not made by celtrace. Said, never raised.
            result.problems.append(Problem(name, f"malformed: {type(error).__name__}: {error}"))


def _verify_signature(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    manifest_bytes: bytes,
    result: Verification,
    trusted: Any,
    key_source: str,
) -> None:
    signature_text = _read(archive, members, SIGNATURE, result)
    embedded_pem = _read(archive, members, SIGNER_KEY, result)
    embedded = None
    if embedded_pem is not None:
        try:
            embedded = load_public(embedded_pem, SIGNER_KEY)
        except InputError as error:
            result.problems.append(Problem(SIGNER_KEY, error.message))
    key = trusted or embedded
    if key is None or signature_text is None:
        return
    result.signer = fingerprint(key)
    result.authenticated = trusted is not None
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except (binascii.Error, ValueError):
        result.problems.append(Problem(SIGNATURE, "not a base64 signature"))
        return
    if signature_holds(key, signature, manifest_bytes):
        return
    if trusted is not None and embedded is not None and fingerprint(embedded) != fingerprint(trusted):
        result.problems.append(
            Problem(
                SIGNATURE,
                f"not signed by the key in {key_source} ({fingerprint(trusted)}); the package names "
                f"another signer ({fingerprint(embedded)})",
            )
        )
    else:
        result.problems.append(
            Problem(SIGNATURE, "the signature does not match manifest.json (the manifest or the signature was changed)")
        )


def _verify_audit(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any], result: Verification
) -> None:
    expected = manifest.get("audit") or {}
    lines = _jsonl(archive, members, AUDIT_LOG, result)
    if lines is None:
        return
    try:
        entries = [
            AuditEntry(**{key: line[key] for key in ("seq", "at", "actor", "action", "detail", "prev_hash", "hash")})
            for line in lines
        ]
    except (KeyError, TypeError):
        result.problems.append(Problem(AUDIT_LOG, "an entry lacks the fields of an audit entry"))
        return
    redacted = {line["seq"] for line in lines if line.get("redacted")}
    result.audit_entries, result.redacted_entries = len(entries), len(redacted)
    for problem in audit.verify(entries):
        # A redacted entry's hash covers the text before redaction: only its place in the chain can be checked.
        if problem.seq in redacted and problem.problem.startswith("its content was changed"):
            continue
        result.problems.append(Problem(AUDIT_LOG, f"entry {problem.seq} {problem.problem}"))
    _against_manifest(AUDIT_LOG, "entries", len(entries), entries[-1].hash if entries else None, expected, result)


def _verify_custody(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict[str, Any], result: Verification
) -> None:
    from celtrace.trove.manifest import SEALED, verify_manifest

    for expected in manifest.get("custody") or []:
        name = expected.get("file", "")
        lines = _jsonl(archive, members, name, result)
        if lines is None:
            continue
        try:
            rows = [TroveItemRow(**{key: line[key] for key in (*SEALED, "prev_hash", "hash")}) for line in lines]
        except (KeyError, TypeError):
            result.problems.append(Problem(name, "a line lacks the fields of a custody manifest line"))
            continue
        for problem in verify_manifest(rows):
            result.problems.append(Problem(name, f"line {problem.seq} {problem.problem}"))
        _against_manifest(name, "items", len(rows), rows[-1].hash if rows else None, expected, result)


def _against_manifest(
    name: str, unit: str, count: int, head: str | None, expected: dict[str, Any], result: Verification
) -> None:
    """A chain that holds may still be cut short or rewound: its length and last hash must be the signed ones."""
    want = expected.get(unit)
    if isinstance(want, int) and count < want:
        result.problems.append(
            Problem(name, f"holds {count} {unit}, the manifest says {want}: the last {want - count} were removed")
        )
    elif isinstance(want, int) and count > want:
        result.problems.append(Problem(name, f"holds {count} {unit}, the manifest says {want}: {unit} were added"))
    elif expected.get("head") != head:
        result.problems.append(Problem(name, "its last hash is not the one in the manifest: the chain was rewritten"))


def _read(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, result: Verification
) -> bytes | None:
    info = members.get(name)
    if info is None:
        if not any(p.file == name for p in result.problems):
            result.problems.append(Problem(name, "missing from the package"))
        return None
    if info.file_size > MAX_TEXT_BYTES:
        result.problems.append(Problem(name, "too large to read"))
        return None
    try:
        with archive.open(info) as stream:
            return stream.read(MAX_TEXT_BYTES + 1)
    except _READ_ERRORS as error:
        result.problems.append(Problem(name, f"cannot be read from the zip ({error})"))
        return None


def _jsonl(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, result: Verification
) -> list[dict[str, Any]] | None:
    data = _read(archive, members, name, result)
    if data is None:
        return None
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        try:
            row = json.loads(line)
        except ValueError:
            result.problems.append(Problem(name, f"line {number} is not JSON"))
            return None
        if not isinstance(row, dict):
            result.problems.append(Problem(name, f"line {number} is not a JSON object"))
            return None
        rows.append(row)
    return rows


def _digest(archive: zipfile.ZipFile, info: zipfile.ZipInfo, result: Verification) -> tuple[str | None, int]:
    """SHA-256 and size of a member, streamed: evidence files may be large."""
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > info.file_size:
                    raise zipfile.BadZipFile("more data than its header declares")
                digest.update(chunk)
    except _READ_ERRORS as error:
        result.problems.append(Problem(info.filename, f"cannot be read from the zip ({error})"))
        return None, size
    return digest.hexdigest(), size
