"""The case the export tests share: the report tests' chain, a scanned trove, and a signing key.

``build_export_case`` stores one analysis run holding both the chain's findings (one about Kim Chol Su, a
person) and the DOC findings about the trove's notes, so the package carries evidence files and the
redaction has subjects to keep and people to hide. Zhang Wei, no finding's subject, has an e-mail address
and a phone number in his notes and in the audit log.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from celtrace.detectors.runner import latest_findings
from celtrace.export.keys import init_key
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Person
from tests.report.case import add_findings, build_case
from tests.report.documents_case import scan_documents

ZHANG_EMAIL = "zhang.wei@jinxing.example"
ZHANG_PHONE = "+86 24 2345 6789"


def build_export_case(workspace: Workspace, trove_folder: Path, key: bool = True) -> None:
    """The chain, a trove of three notes, one run with every finding, and (by default) the workspace key."""
    build_case(workspace)
    _, chain_findings = latest_findings(workspace)
    with workspace.change("people note", note=f"Zhang Wei answers at {ZHANG_EMAIL}") as change:
        person = change.session.get_one(Person, "zhang")
        person.notes = f"reach at {ZHANG_EMAIL} or {ZHANG_PHONE}"
    scan_documents(workspace, trove_folder)
    _, doc_findings = latest_findings(workspace)
    add_findings(workspace, chain_findings + doc_findings)
    if key:
        init_key(workspace.path)


def members(package: Path) -> dict[str, bytes]:
    """Every member of a zip, by name."""
    with zipfile.ZipFile(package) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rewrite(package: Path, out: Path, files: dict[str, bytes]) -> Path:
    """A zip at ``out`` holding ``files`` in order (the tampered copy of a package)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out
