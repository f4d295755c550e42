"""celtrace: see who really works on a production, and prove it.

The Python API is the handful of names below; everything else is private. Importing ``celtrace``
stays light: each name loads its module on first use.

    >>> import celtrace
    >>> ws = celtrace.init_workspace(celtrace.load_settings(Path("case")))
    >>> celtrace.import_chain_file(ws, Path("vendors.csv"))
    >>> result = celtrace.analyze(ws)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "CeltraceError": "celtrace.errors",
    "InputError": "celtrace.errors",
    "Settings": "celtrace.config",
    "load_settings": "celtrace.config",
    "Workspace": "celtrace.workspace",
    "init_workspace": "celtrace.workspace",
    "open_workspace": "celtrace.workspace",
    "import_chain_file": "celtrace.chain.importer",
    "Finding": "celtrace.detectors.finding",
    "Severity": "celtrace.detectors.finding",
    "analyze": "celtrace.detectors.runner",
    "score_vendors": "celtrace.risk",
    "write_report": "celtrace.report",
}

__all__ = [
    "CeltraceError",
    "Finding",
    "InputError",
    "Settings",
    "Severity",
    "Workspace",
    "__version__",
    "analyze",
    "import_chain_file",
    "init_workspace",
    "load_settings",
    "open_workspace",
    "score_vendors",
    "write_report",
]

if TYPE_CHECKING:
    from celtrace.chain.importer import import_chain_file
    from celtrace.config import Settings, load_settings
    from celtrace.detectors.finding import Finding, Severity
    from celtrace.detectors.runner import analyze
    from celtrace.errors import CeltraceError, InputError
    from celtrace.report import write_report
    from celtrace.risk import score_vendors
    from celtrace.workspace import Workspace, init_workspace, open_workspace


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'celtrace' has no attribute {name!r}")
