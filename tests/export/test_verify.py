"""``verify_package`` on a sealed package and on every way of tampering with one: each names what changed."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from celtrace.errors import InputError
from celtrace.export.verify import Verification, verify_package
from tests.export.case import members, rewrite
from tests.export.conftest import Sealed


def _problems(result: Verification) -> list[str]:
    return [str(problem) for problem in result.problems]


def _flip(data: bytes, at: int = 40) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_an_intact_package_verifies(sealed: Sealed) -> None:
    result = verify_package(sealed.package)
    assert result.ok and result.problems == []
    assert result.signer and result.signer.startswith("ed25519:") and not result.authenticated
    assert result.audit_entries > 0 and result.case == "found-server"
    with_key = verify_package(sealed.package, sealed.public_key.read_bytes())
    assert with_key.ok and with_key.authenticated and with_key.signer == result.signer


@pytest.mark.parametrize(
    "name", ["report.json", "report.pdf", "audit-log.jsonl", "custody/01-found-server.jsonl", "signer.pub.pem"]
)
def test_a_changed_byte_in_any_file_is_named(sealed: Sealed, tmp_path: Path, name: str) -> None:
    files = members(sealed.package)
    files[name] = _flip(files[name])
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert not result.ok
    assert any(p.startswith(f"{name}: ") for p in _problems(result)), _problems(result)


def test_a_changed_evidence_file_is_named(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    evidence = next(name for name in files if name.startswith("evidence/"))
    files[evidence] = files[evidence] + b"x"
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert _problems(result) == [f"{evidence}: its SHA-256 does not match the manifest (changed)"]


def test_a_removed_file_is_named(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    evidence = next(name for name in files if name.startswith("evidence/"))
    del files[evidence]
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert _problems(result) == [f"{evidence}: listed in the manifest but missing from the package (removed)"]


def test_an_added_file_is_named(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package) | {"evidence/planted.png": b"\x89PNG not really"}
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert _problems(result) == ["evidence/planted.png: in the package but not in the signed manifest (added)"]


def test_a_changed_manifest_breaks_the_signature(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    manifest = json.loads(files["manifest.json"])
    manifest["case"] = "another-case"
    files["manifest.json"] = json.dumps(manifest, indent=2).encode()
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert _problems(result) == [
        "manifest.sig: the signature does not match manifest.json (the manifest or the signature was changed)"
    ]


def _sign_with(private_pem: Path, data: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem.read_bytes(), password=None)
    return base64.b64encode(key.sign(data)) + b"\n"  # type: ignore[union-attr,call-arg]


def test_a_swapped_signature_is_named(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    files["manifest.sig"] = _sign_with(sealed.other_private, files["manifest.json"])
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert [p.file for p in result.problems] == ["manifest.sig"]


def test_a_different_key_is_named(sealed: Sealed) -> None:
    result = verify_package(sealed.package, sealed.other_key.read_bytes(), str(sealed.other_key))
    assert not result.ok and result.authenticated
    (problem,) = _problems(result)
    assert problem.startswith(f"manifest.sig: not signed by the key in {sealed.other_key}")


def test_a_package_resigned_by_someone_else_passes_only_unauthenticated(sealed: Sealed, tmp_path: Path) -> None:
    # Whoever rewrites a package can re-sign it with a key of their own: only the sender's key tells.
    files = members(sealed.package)
    del files["evidence/" + next(n for n in files if n.startswith("evidence/")).split("/", 1)[1]]
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = [entry for entry in manifest["files"] if entry["path"] in files]
    files["signer.pub.pem"] = sealed.other_key.read_bytes()
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
        entry["size"] = len(files[entry["path"]])
    files["manifest.json"] = json.dumps(manifest).encode()
    files["manifest.sig"] = _sign_with(sealed.other_private, files["manifest.json"])
    forged = rewrite(sealed.package, tmp_path / "t.zip", files)
    alone = verify_package(forged)
    assert alone.ok and not alone.authenticated
    checked = verify_package(forged, sealed.public_key.read_bytes(), "sender.pem")
    assert [p.file for p in checked.problems] == ["manifest.sig"]
    assert "not signed by the key in sender.pem" in str(checked.problems[0])


def test_a_truncated_audit_log_is_named(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    lines = files["audit-log.jsonl"].splitlines(keepends=True)
    files["audit-log.jsonl"] = b"".join(lines[:-2])
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert _problems(result) == [
        "audit-log.jsonl: its SHA-256 does not match the manifest (changed)",
        f"audit-log.jsonl: holds {len(lines) - 2} entries, the manifest says {len(lines)}: the last 2 were removed",
    ]


def test_a_rewritten_audit_entry_breaks_the_chain(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package)
    lines = [json.loads(line) for line in files["audit-log.jsonl"].splitlines()]
    lines[1]["actor"] = "someone-else"
    files["audit-log.jsonl"] = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert _problems(result) == [
        "audit-log.jsonl: its SHA-256 does not match the manifest (changed)",
        "audit-log.jsonl: entry 2 its content was changed after it was written",
    ]


def test_a_rewound_custody_manifest_is_named(sealed: Sealed, tmp_path: Path) -> None:
    name = "custody/01-found-server.jsonl"
    files = members(sealed.package)
    files[name] = b"".join(files[name].splitlines(keepends=True)[:1])
    problems = _problems(verify_package(rewrite(sealed.package, tmp_path / "t.zip", files)))
    assert problems[0] == f"{name}: its SHA-256 does not match the manifest (changed)"
    assert problems[1].startswith(f"{name}: holds 1 items, the manifest says ")


def test_not_a_zip_and_a_corrupt_zip_are_clear_problems(sealed: Sealed, tmp_path: Path) -> None:
    text = tmp_path / "notes.celtrace.zip"
    text.write_text("just some text\n")
    assert [p.file for p in verify_package(text).problems] == ["notes.celtrace.zip"]
    assert "not a readable zip file" in str(verify_package(text).problems[0])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(sealed.package.read_bytes()[:-300])  # the central directory is gone
    assert "not a readable zip file" in str(verify_package(cut).problems[0])
    data = bytearray(sealed.package.read_bytes())
    with zipfile.ZipFile(sealed.package) as archive:
        info = archive.getinfo("report.json")
    start = info.header_offset + 30 + len(info.filename) + 200
    data[start : start + 64] = bytes(64)  # inside report.json's deflate stream
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    problems = verify_package(damaged).problems
    assert problems and problems[0].file == "report.json"


def test_path_traversal_and_zip_bombs_are_refused(sealed: Sealed, tmp_path: Path) -> None:
    files = members(sealed.package) | {"../../etc/evil.sh": b"echo owned", "/abs/path.txt": b"x"}
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert sorted(p.file for p in result.problems) == ["../../etc/evil.sh", "/abs/path.txt"]
    assert all("unsafe name" in p.problem for p in result.problems)
    bomb = members(sealed.package) | {"evidence/zeros.bin": bytes(40 * 2**20)}
    result = verify_package(rewrite(sealed.package, tmp_path / "bomb.zip", bomb))
    assert _problems(result) == ["evidence/zeros.bin: expands far beyond its compressed size: refused as a zip bomb"]


def test_a_bad_key_file_is_an_input_error(sealed: Sealed, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a PEM public key"):
        verify_package(sealed.package, b"-----BEGIN NOTHING-----", "pub.pem")


@pytest.mark.parametrize("name", ["manifest.json", "manifest.sig", "signer.pub.pem"])
def test_a_missing_manifest_signature_or_key_is_named(sealed: Sealed, tmp_path: Path, name: str) -> None:
    files = members(sealed.package)
    del files[name]
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert [p.file for p in result.problems] == [name], _problems(result)
    assert "missing from the package" in result.problems[0].problem


@pytest.mark.parametrize(
    ("where", "value"),
    [("audit-seq", "1"), ("audit-seq", [1]), ("manifest-audit", "x"), ("manifest-custody", ["x"])],
)
def test_fields_of_the_wrong_type_are_problems_not_crashes(
    sealed: Sealed, tmp_path: Path, where: str, value: object
) -> None:
    files = members(sealed.package)
    if where == "audit-seq":
        lines = [json.loads(line) for line in files["audit-log.jsonl"].splitlines()]
        lines[0]["seq"] = value
        files["audit-log.jsonl"] = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    else:
        manifest = json.loads(files["manifest.json"])
        manifest[where.split("-")[1]] = value
        files["manifest.json"] = json.dumps(manifest).encode()
    result = verify_package(rewrite(sealed.package, tmp_path / "t.zip", files))
    assert not result.ok and result.problems


def test_a_folder_entry_holding_data_is_named(sealed: Sealed, tmp_path: Path) -> None:
    forged = tmp_path / "t.zip"
    forged.write_bytes(sealed.package.read_bytes())
    with zipfile.ZipFile(forged, "a") as archive:
        archive.writestr("hidden/", b"smuggled bytes")
    assert "hidden/: a folder entry that holds data (added)" in _problems(verify_package(forged))
