"""Literals for the SQL the NET rules run over the ``events`` view.

Values that come from data (region codes, account names) go into the statements as quoted literals rather
than bound parameters, so the same text can run on DuckDB and, later, on Spark SQL.
"""

from __future__ import annotations

from collections.abc import Iterable


def sql_list(values: Iterable[str]) -> str:
    """Values as a list of SQL string literals, for ``IN (...)`` and ``VALUES`` in the event queries."""
    return ", ".join(sql_text(value) for value in sorted(values))


def sql_text(value: str) -> str:
    """One SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
