"""Sealed case exports: a signed package of the reports, custody manifests, evidence and audit log.

    >>> export_case(workspace, Path("case.celtrace.zip"), case="dump-2026-11")
    >>> verify_package(Path("case.celtrace.zip"), key_pem=Path("sender.pub.pem").read_bytes()).ok

``package`` writes, ``verify`` checks (offline, without a workspace), ``keys`` holds the workspace's Ed25519
key, ``redact`` replaces people no finding is about.
"""

from __future__ import annotations

from celtrace.export.keys import init_key
from celtrace.export.package import export_case
from celtrace.export.verify import verify_package

__all__ = ["export_case", "init_key", "verify_package"]
