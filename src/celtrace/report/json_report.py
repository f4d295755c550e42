"""The JSON report: the document :func:`celtrace.report.model.build_report` makes, and its schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

SCHEMA_FILE = "report.schema.json"


def render_json(report: Mapping[str, Any]) -> str:
    """The report as indented UTF-8 JSON (names stay readable: no ``\\uXXXX`` escapes), ending in a newline."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every JSON report validates against."""
    text = resources.files("celtrace.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
