"""Literals for the SQL the NET rules run over the ``events`` view.

Values that come from data (region codes, account names) go into the statements as quoted literals rather
than bound parameters, so the same text runs on DuckDB and, transpiled, on Spark SQL (``celtrace.spark.events``).

``min_by`` and ``max_by`` order by ``(ts, file, line)``, not ``ts`` alone: two events in the same second would
otherwise let each engine (or each run) pick either, and a finding's evidence name a different line.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Events in which a named account was really used: not a failed or refused attempt on it, which anyone
#: anywhere can make (a scanner trying ``root`` from forty countries says nothing of root's owner). Web logs
#: name the attempted user on a 401 or 407; sshd and PAM log failures under their own actions.
ACCOUNT_USED = (
    "ok AND account IS NOT NULL "
    "AND coalesce(action, '') NOT IN ('login-failed', 'auth-failure', 'invalid-user', 'login-denied') "
    "AND coalesce(status, 0) NOT IN (401, 407)"
)


def sql_list(values: Iterable[str]) -> str:
    """Values as a list of SQL string literals, for ``IN (...)`` and ``VALUES`` in the event queries."""
    return ", ".join(sql_text(value) for value in sorted(values))


def sql_text(value: str) -> str:
    """One SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
