"""Small helpers shared by the chain tests: writing files, catching InputError cleanly, reading the store."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook
from sqlalchemy import func, inspect, select

from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Account, AuditEntry, Link, Person, Vendor

T = TypeVar("T")

MODELS: dict[str, Any] = {"vendors": Vendor, "people": Person, "links": Link, "accounts": Account}


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """A file in ``folder``; text is written as UTF-8 without any newline translation."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An XLSX file with one sheet per entry, rows appended as given."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def attempt(call: Callable[[], T]) -> T | InputError:
    """What ``call`` returns, or the InputError it raises; any other exception fails the test.

    The frames of a failed call are cleared at once: an XLSX reader that fails mid-sheet keeps the
    sheet open in them, and a late garbage collection would report that in some unrelated test.
    """
    try:
        return call()
    except InputError as error:
        _clear_frames(error)
        return error
    except Exception as error:
        _clear_frames(error)
        raise AssertionError(f"expected InputError, got {type(error).__name__}: {error}") from None


def _clear_frames(error: BaseException | None) -> None:
    """Clear the frames of an exception and of those it was raised from (or while handling)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        traceback.clear_frames(error.__traceback__)
        error = error.__cause__ or error.__context__


def expect_input_error(call: Callable[[], object]) -> InputError:
    """The InputError ``call`` raises; any other outcome fails the test."""
    outcome = attempt(call)
    if not isinstance(outcome, InputError):
        raise AssertionError(f"expected InputError, got {outcome!r}")
    return outcome


def counts(workspace: Workspace) -> dict[str, int]:
    """Rows in each chain table and in the audit log."""
    with workspace.session() as session:
        result = {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in MODELS.items()}
        result["audit"] = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return result


def snapshot(workspace: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Every row of the chain tables and the audit log, as plain dicts in a stable order."""
    tables = {**MODELS, "audit": AuditEntry}
    result: dict[str, list[dict[str, Any]]] = {}
    with workspace.session() as session:
        for name, model in tables.items():
            columns = [attr.key for attr in inspect(model).column_attrs]
            rows = [{key: getattr(row, key) for key in columns} for row in session.scalars(select(model))]
            result[name] = sorted(rows, key=repr)
    return result


def audit_actions(workspace: Workspace) -> list[str]:
    with workspace.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
