"""The exceptions celtrace raises, all under one base.

    CeltraceError            anything celtrace reports to a user as one clear line
    ├── InputError           a file, row or field a user gave is wrong; carries where
    ├── WorkspaceError       the workspace is missing, locked, or of a newer schema
    ├── ConfigError          a setting in the TOML file or a CELTRACE_* variable is wrong
    └── EngineError          the query engine a user chose (Spark) cannot start or run

The CLI prints ``str(error)`` and exits non-zero; the web app maps them to HTTP answers.
"""

from __future__ import annotations


class CeltraceError(Exception):
    """Base of every error celtrace reports to its user."""


class InputError(CeltraceError):
    """Bad input: names the file and, where known, the row and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = [part for part in (self.file, _maybe("row", self.row), _maybe("field", self.field)) if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class WorkspaceError(CeltraceError):
    """The workspace cannot be opened or used as asked."""


class ConfigError(CeltraceError):
    """A setting has a wrong value; the message names the setting and where it came from."""


class EngineError(CeltraceError):
    """The engine asked for (``--engine spark``) is not installed, cannot start, or failed a statement."""


def _maybe(label: str, value: object) -> str | None:
    return None if value is None else f"{label} {value}"
