"""``celtrace export``: a sealed case package that anyone can check offline with ``celtrace verify``.

The package is one zip::

    manifest.json          what the package holds: each file's SHA-256 and size, the case, the signer,
                           the audit log's and custody manifests' length and head, the evidence left out
    manifest.sig           the Ed25519 signature of manifest.json's exact bytes (base64)
    signer.pub.pem         the public key that signed it (a recipient should compare its fingerprint)
    report.json            the JSON report (report.schema.json)
    report.pdf             the PDF report
    audit-log.jsonl        the workspace's audit log, one hash-chained entry a line
    custody/NN-CASE.jsonl  each trove's custody manifest, one hash-chained line per item
    evidence/ID-NAME       the trove items the findings name, byte for byte, when still at hand

Every file but the signature and manifest.json itself is listed in the manifest, so a changed, removed or
added file shows; the signature covers the manifest, so nobody can re-list a changed file without the key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from celtrace.errors import CeltraceError
from celtrace.export.keys import fingerprint, load_private, public_pem
from celtrace.export.redact import Redactor
from celtrace.workspace import Workspace
from celtrace.workspace.schema import AuditEntry, Trove, TroveItemRow

FORMAT = "celtrace-case-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNER_KEY = "signer.pub.pem"
AUDIT_LOG = "audit-log.jsonl"
REPORT_JSON = "report.json"
REPORT_PDF = "report.pdf"
#: The audit entry and custody line fields a package copies (the sealed ones and the chain's two hashes).
AUDIT_FIELDS = ("seq", "at", "actor", "action", "detail", "prev_hash", "hash")
#: What ``--redact`` accepts.
REDACTIONS = ("people",)

_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True)
class ExportSummary:
    """What ``export`` wrote."""

    path: Path
    case: str
    files: int
    evidence_included: int
    evidence_missing: int
    signer: str
    redacted: bool


def export_case(workspace: Workspace, out: Path, case: str | None = None, redact: str | None = None) -> ExportSummary:
    """Write the sealed package of ``case`` (a trove case name; default: every trove) to ``out``.

    The reports cover the whole workspace; the custody manifests and evidence files are those of the
    case's troves. Runs ``analyze`` first when the workspace has none, as ``report`` does.
    """
    from celtrace.detectors.runner import analyze, latest_findings
    from celtrace.report.evidence import named_trove_items, read_trove_items
    from celtrace.report.json_report import render_json
    from celtrace.report.model import build_report
    from celtrace.report.pdf import collect_evidence, render_pdf
    from celtrace.trove.manifest import manifest

    if redact is not None and redact not in REDACTIONS:
        raise CeltraceError(f"--redact {redact!r}: choose one of {', '.join(REDACTIONS)}")
    out = Path(out)
    if out.is_dir() or not out.parent.is_dir():
        raise CeltraceError(f"cannot write the export to {out}: name a file in an existing folder")
    key = load_private(workspace.path)  # before any work: no key, no package
    with workspace.session() as session:
        troves = list(session.scalars(select(Trove).order_by(Trove.id)))
    chosen = [t for t in troves if case is None or t.case == case]
    if case is not None and not chosen:
        known = ", ".join(sorted({t.case for t in troves})) or "none: run `celtrace trove scan` first"
        raise CeltraceError(f"no trove under the case {case!r}; cases in this workspace: {known}")
    case_name = case or workspace.path.name

    run, _ = latest_findings(workspace)
    if run is None:
        analyze(workspace)
    report = build_report(workspace)
    pdf_evidence = collect_evidence(workspace, report)
    with workspace.session() as session:
        audit = [
            {name: getattr(entry, name) for name in AUDIT_FIELDS}
            for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
        ]
        custody = [(trove, manifest(session, trove.id)) for trove in chosen]
    redactor = Redactor(report) if redact else None
    if redactor is not None:
        report = redactor.report(report)
        pdf_evidence.log_lines = redactor.value(pdf_evidence.log_lines)
        audit = [_redacted_entry(redactor, entry) for entry in audit]

    public = key.public_key()
    with _atomic_zip(out) as archive:
        package = _Package(archive)
        package.add(REPORT_JSON, render_json(report).encode("utf-8"))
        package.add(REPORT_PDF, render_pdf(report, pdf_evidence, case=case_name))
        package.add(AUDIT_LOG, _jsonl(audit))
        custody_summary = [
            _add_custody(package, index, trove, rows, redactor) for index, (trove, rows) in enumerate(custody, start=1)
        ]
        in_case = {row.id for _, rows in custody for row in rows}
        wanted = [item_id for item_id in named_trove_items(report["findings"]) if item_id in in_case]
        included, missing = [], []
        # One evidence file in memory at a time: each is written as soon as it is read.
        for found in read_trove_items(workspace, wanted):
            entry = {"item_id": found.item_id, "case": found.case, "path": found.path, "sha256": found.sha256}
            if found.data is None:
                missing.append({**entry, "reason": found.problem})
                continue
            name = f"evidence/{found.item_id}-{_safe(found.path.rsplit('/', 1)[-1].rsplit(' > ', 1)[-1])}"
            package.add(name, found.data)
            included.append({**entry, "file": name})
        package.add(SIGNER_KEY, public_pem(public))
        manifest_doc = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "case": case_name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool": report["tool"],
            "signer": {"algorithm": "ed25519", "fingerprint": fingerprint(public), "public_key": SIGNER_KEY},
            "redaction": redactor.summary() if redactor else None,
            "audit": {
                "file": AUDIT_LOG,
                "entries": len(audit),
                "head": audit[-1]["hash"] if audit else None,
                "redacted_entries": sum(1 for entry in audit if entry.get("redacted")),
            },
            "custody": custody_summary,
            "evidence": {"included": included, "missing": missing},
            "files": sorted(package.listed, key=lambda entry: entry["path"]),
        }
        manifest_bytes = (json.dumps(manifest_doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, base64.b64encode(key.sign(manifest_bytes)) + b"\n")
    with workspace.change(
        "export",
        case=case_name,
        file=str(out),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        signer=fingerprint(public),
        redacted=redact,
    ):
        pass
    files = len(package.listed) + 2
    return ExportSummary(out, case_name, files, len(included), len(missing), fingerprint(public), bool(redact))


class _Package:
    """The zip being written, and each member's SHA-256 and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.listed: list[dict[str, Any]] = []

    def add(self, name: str, data: bytes) -> None:
        self.archive.writestr(name, data)
        self.listed.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})


def _add_custody(
    package: _Package, index: int, trove: Trove, rows: list[TroveItemRow], redactor: Redactor | None
) -> dict[str, Any]:
    """Pack one trove's custody manifest; returns what the package manifest says of it."""
    from celtrace.trove.manifest import SEALED

    name = f"custody/{index:02d}-{_safe(trove.case)}.jsonl"
    lines = [
        {**{key: getattr(row, key) for key in SEALED}, "prev_hash": row.prev_hash, "hash": row.hash} for row in rows
    ]
    package.add(name, _jsonl(lines))
    return {
        "file": name,
        "case": trove.case,
        "root": trove.root,
        # The custody lines themselves stay as sealed (redacting them would break their chain); the holder
        # named here is the export's own summary, and may be a person.
        "holder": redactor.text(trove.holder) if redactor is not None and trove.holder else trove.holder,
        "items": len(rows),
        "head": rows[-1].hash if rows else None,
    }


def _redacted_entry(redactor: Redactor, entry: dict[str, Any]) -> dict[str, Any]:
    """An audit entry with its detail redacted; marked so, since its hash then covers text no longer shown."""
    detail = redactor.value(entry["detail"])
    actor = redactor.text(entry["actor"])
    if detail == entry["detail"] and actor == entry["actor"]:
        return entry
    return {**entry, "actor": actor, "detail": detail, "redacted": True}


def _jsonl(rows: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows).encode("utf-8")


def _safe(name: str) -> str:
    """A file name safe in any zip tool and file system: word characters, dots and dashes only."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._") or "item"
    return cleaned[:80]


@contextmanager
def _atomic_zip(out: Path) -> Iterator[zipfile.ZipFile]:
    """A zip written beside ``out`` and renamed: an interrupted export never leaves half a package under the name."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            yield archive
        # mkstemp made it 0600; the package gets what the user's umask allows a new file, as any file they write.
        umask = os.umask(0)
        os.umask(umask)
        temp.chmod(0o666 & ~umask)
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
