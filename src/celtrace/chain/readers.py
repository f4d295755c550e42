"""Readers for chain files: CSV, XLSX and JSON into clean :class:`Record` objects.

Every problem raises :class:`InputError` naming the file (and sheet), the row and the field. Rows are
numbered as a user sees them: the line in a CSV file, the row in a spreadsheet (header = row 1),
the position in a JSON list (first = 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celtrace.chain import records
from celtrace.chain.records import KINDS, Record, RecordKind
from celtrace.errors import InputError

FORMATS = ("csv", "xlsx", "json")
# Cells past this size are refused: a chain record has no reason to be this long, a hostile file does.
MAX_CELL = 100_000
# An XLSX whose parts unpack to more than this is refused before openpyxl reads any of it.
MAX_XLSX_UNPACKED = 200 * 2**20
_BROKEN_XLSX = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, zlib.error, SyntaxError)


@dataclass
class Table:
    """Rows of one kind from one file or sheet, with the user-facing name of where they came from."""

    kind: RecordKind
    label: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]


def read_records(path: Path, kind: RecordKind | None = None, encoding: str = "utf-8") -> list[Record]:
    """Every record in a chain file, cleaned; raises InputError at the first bad row or field."""
    return [record for table in read_tables(path, kind, encoding) for record in clean_table(table)]


def read_tables(path: Path, kind: RecordKind | None = None, encoding: str = "utf-8") -> list[Table]:
    """The tables in a file, their kind given, named by sheet or file, or guessed from the columns."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "xlsx":
        return _xlsx_tables(path, kind)
    if suffix == "json":
        return _json_tables(path, kind)
    if suffix in ("csv", "tsv", "txt"):
        return [_csv_table(path, kind, encoding)]
    raise InputError(f"unsupported file type {path.suffix!r} (use {', '.join(FORMATS)})", file=str(path))


def clean_table(table: Table) -> Iterator[Record]:
    """Records of a table; InputError names the first bad row and field."""
    columns: dict[str, str] = {}
    for header in table.headers:
        name = records.canonical(table.kind, header)
        if name is None:
            raise InputError(records.unknown_column_message(table.kind, header), file=table.label, field=header)
        if name in columns.values():
            raise InputError(f"column {name!r} appears twice", file=table.label, field=header)
        columns[header] = name
    cleaners = records.COLUMNS[table.kind]
    for row_number, raw in table.rows:
        values: dict[str, Any] = {}
        for header, value in raw.items():
            name = columns[header]
            if isinstance(value, str) and len(value) > MAX_CELL:
                raise InputError(
                    f"value longer than {MAX_CELL} characters", file=table.label, row=row_number, field=header
                )
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and ("\x00" in text or not _encodable(text)):
                    raise InputError(
                        "contains a NUL or a lone surrogate: not text", file=table.label, row=row_number, field=header
                    )
            try:
                values[name] = cleaners[name](value)
            except ValueError as error:
                raise InputError(str(error), file=table.label, row=row_number, field=header) from None
        for required in records.REQUIRED[table.kind]:
            if not values.get(required):
                raise InputError("a value is required", file=table.label, row=row_number, field=required)
        yield Record(
            table.kind,
            values,
            origin={"file": table.label, "row": row_number},
            present=frozenset(values),
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _csv_table(path: Path, kind: RecordKind | None, encoding: str) -> Table:
    label = str(path)
    raw = path.read_bytes()
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", file=label) from None
    try:
        text = raw.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid {encoding} text (byte {error.start}); if the file uses another encoding, "
            "pass it with --encoding (for example cp949, gb18030, big5)",
            file=label,
            row=line,
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", file=label) from None
    if "\x00" in text:
        raise InputError("contains NUL bytes: not a text file", file=label)
    dialect: type[csv.Dialect] = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        headers = next(reader, None)
        if not headers or not any(h.strip() for h in headers):
            raise InputError("empty file: the first line must name the columns", file=label, row=1)
        if any(not h.strip() for h in headers):
            raise InputError("a column has no name in the header", file=label, row=1)
        rows: list[tuple[int, dict[str, Any]]] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) > len(headers):
                    raise InputError(f"{len(cells)} values for {len(headers)} columns", file=label, row=line)
                rows.append((line, dict(zip(headers, cells, strict=False))))
            line = reader.line_num + 1
    except csv.Error as error:
        raise InputError(f"malformed CSV: {error}", file=label, row=reader.line_num) from None
    return Table(kind or records.detect_kind(headers, path.stem), label, headers, rows)


def _xlsx_tables(path: Path, kind: RecordKind | None) -> list[Table]:
    from openpyxl import load_workbook

    # The file is opened here and closed here: openpyxl leaves members open when a part is malformed.
    with path.open("rb") as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_XLSX_UNPACKED:
                raise InputError(f"the workbook unpacks to {unpacked} bytes, over {MAX_XLSX_UNPACKED}", file=str(path))
            handle.seek(0)
            workbook = load_workbook(handle, read_only=True, data_only=True)
            try:
                return _sheets(path, workbook, kind)
            finally:
                workbook.close()
        except _BROKEN_XLSX as error:
            raise InputError(f"not a readable XLSX workbook: {error}", file=str(path)) from None


def _sheets(path: Path, workbook: Any, kind: RecordKind | None) -> list[Table]:
    tables: list[Table] = []
    for sheet in workbook.worksheets:
        rows_iter = sheet.iter_rows(values_only=True)
        try:
            header_row = next(rows_iter, None)
            if header_row is None or not any(cell is not None for cell in header_row):
                continue
            label = f"{path} [{sheet.title}]"
            headers = [str(cell).strip() if cell is not None else "" for cell in header_row]
            while headers and not headers[-1]:
                headers.pop()
            if any(not h for h in headers):
                raise InputError("a column has no name in the header", file=label, row=1)
            rows: list[tuple[int, dict[str, Any]]] = []
            for number, cells in enumerate(rows_iter, start=2):
                values = [_cell(cell) for cell in cells]
                if any(values[len(headers) :]):
                    raise InputError(f"a value stands outside the {len(headers)} named columns", file=label, row=number)
                if any(values[: len(headers)]):
                    rows.append((number, dict(zip(headers, values, strict=False))))
            sheet_kind = kind if kind and len(workbook.worksheets) == 1 else None
            tables.append(Table(sheet_kind or records.detect_kind(headers, sheet.title), label, headers, rows))
        finally:
            rows_iter.close()
    if not tables:
        raise InputError("the workbook has no sheet with a header row", file=str(path))
    return tables


def _cell(value: object) -> str | None:
    from datetime import date, datetime

    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json_tables(path: Path, kind: RecordKind | None) -> list[Table]:
    label = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InputError(f"not valid UTF-8 (byte {error.start})", file=label) from None
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg} (column {error.colno})", file=label, row=error.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=label) from None
    except ValueError as error:  # e.g. an integer over sys.get_int_max_str_digits() digits
        raise InputError(f"not valid JSON: {error}", file=label) from None
    if isinstance(data, list):
        data = {kind or "vendors": data}
    if not isinstance(data, dict):
        raise InputError("a chain file holds a list of vendors or an object of lists", file=label)
    tables: list[Table] = []
    for key, items in data.items():
        if key not in KINDS:
            raise InputError(f"unknown key {key!r}; use {', '.join(KINDS)}", file=label, field=key)
        if not isinstance(items, list):
            raise InputError(f"{key} must be a list of objects", file=label, field=key)
        sheet = f"{label} [{key}]"
        rows: list[tuple[int, dict[str, Any]]] = []
        headers: dict[str, None] = {}
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise InputError("each entry must be an object", file=sheet, row=number)
            for name, value in item.items():
                if isinstance(value, dict) or (
                    isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
                ):
                    raise InputError(
                        "values must be text, numbers or lists of them", file=sheet, row=number, field=name
                    )
                headers.setdefault(name)
            rows.append((number, item))
        tables.append(Table(key, sheet, list(headers), rows))
    return tables
