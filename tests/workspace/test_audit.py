"""The audit log: hash chain, tamper detection, and append-only enforcement in the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.exc import DBAPIError

from celtrace.workspace import Workspace, audit, store
from celtrace.workspace.audit import GENESIS, ChainProblem
from celtrace.workspace.schema import AuditEntry

CHANGED = "its content was changed after it was written"

# JSON as the store keeps it on both backends. Floats are left out here: PostgreSQL's JSONB rewrites some
# of them (see test_detail_values_survive_the_store); NUL and lone surrogates likewise.
_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
store_details = st.dictionaries(_text, _json, max_size=4)
# In memory, any finite float is fine.
details = st.dictionaries(
    _text, st.recursive(_scalars | st.floats(allow_nan=False), lambda inner: st.lists(inner, max_size=3))
)


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _entries(workspace: Workspace) -> list[AuditEntry]:
    with workspace.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _chain(detail_list: list[dict[str, Any]]) -> list[AuditEntry]:
    """An honest chain built in memory, as :func:`audit.append` would write it."""
    entries, prev_hash = [], GENESIS
    for seq, detail in enumerate(detail_list, start=1):
        at = f"2025-03-01T12:00:{seq:02d}.000000+00:00"
        digest = audit.entry_hash(seq, at, "tester", "act", detail, prev_hash)
        entries.append(
            AuditEntry(seq=seq, at=at, actor="tester", action="act", detail=detail, prev_hash=prev_hash, hash=digest)
        )
        prev_hash = digest
    return entries


@pytest.fixture
def attacker(workspace: Workspace) -> Iterator[Connection]:
    """A connection of someone with direct access to the database, outside celtrace."""
    engine = create_engine(store.database_url(workspace.settings))
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _drop_append_only_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
    else:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("DROP TRIGGER audit_log_no_delete"))
    connection.commit()


def _record(workspace: Workspace, count: int) -> None:
    for number in range(count):
        with workspace.change("vendors import", file=f"vendors-{number}.csv", rows=number):
            pass


# --- the chain as written by a workspace ---------------------------------------------------------------


def test_a_fresh_chain_starts_at_genesis_and_verifies(workspace: Workspace) -> None:
    _record(workspace, 2)
    entries = _entries(workspace)
    assert [entry.seq for entry in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert [entry.prev_hash for entry in entries[1:]] == [entry.hash for entry in entries[:-1]]
    assert audit.verify(entries) == []
    with workspace.session() as session:
        assert audit.count(session) == 3


def test_detail_is_stored_as_json(workspace: Workspace) -> None:
    with workspace.change("assets add", path=Path("ep01/cut_012.png"), episodes=(1, 2)):
        pass
    entry = _entries(workspace)[-1]
    assert entry.detail == {"path": "ep01/cut_012.png", "episodes": [1, 2]}
    assert audit.verify(_entries(workspace)) == []


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(store_details, min_size=1, max_size=3))
def test_any_appended_details_verify_after_a_store_round_trip(
    workspace: Workspace, batch: list[dict[str, Any]]
) -> None:
    # Examples share the workspace, so the chain grows across them; it must verify every time.
    for detail in batch:
        with workspace.change("property") as change:
            change.detail = dict(detail)
    entries = _entries(workspace)
    assert audit.verify(entries) == []
    assert [_canonical(entry.detail) for entry in entries[-len(batch) :]] == [_canonical(d) for d in batch]


@pytest.mark.parametrize(
    "value",
    [0.1, 2**70, 1e16, -0.0, "a\x00b"],
    ids=["decimal-float", "big-int", "big-float", "negative-zero", "nul-char"],
)
def test_detail_values_survive_the_store(workspace: Workspace, value: object) -> None:
    with workspace.change("docs inspect", value=value):
        pass
    assert audit.verify(_entries(workspace)) == []


def test_an_undecodable_file_name_can_be_recorded(workspace: Workspace) -> None:
    with workspace.change("trove scan", path="trove/\udcc4\udce9.png"):
        pass
    assert audit.verify(_entries(workspace)) == []
    assert _entries(workspace)[-1].detail == {"path": "trove/\ufffd\ufffd.png"}


# --- tampering by someone with database access ---------------------------------------------------------


def test_append_only_triggers_refuse_update_and_delete(workspace: Workspace, attacker: Connection) -> None:
    _record(workspace, 2)
    before = [(entry.seq, entry.hash, entry.detail) for entry in _entries(workspace)]
    for statement in (
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DBAPIError, match="audit_log is append-only"):
            attacker.execute(text(statement))
        attacker.rollback()
    assert [(entry.seq, entry.hash, entry.detail) for entry in _entries(workspace)] == before

    # Appending still works.
    _record(workspace, 1)
    assert [entry.seq for entry in _entries(workspace)] == [1, 2, 3, 4]


def test_append_only_also_holds_through_the_orm(workspace: Workspace) -> None:
    with pytest.raises(DBAPIError, match="audit_log is append-only"), workspace.change("edit") as change:
        entry = change.session.get(AuditEntry, 1)
        assert entry is not None
        entry.detail = {"schema": "forged"}
    with pytest.raises(DBAPIError, match="audit_log is append-only"), workspace.change("edit") as change:
        change.session.delete(change.session.get(AuditEntry, 1))
    assert [entry.action for entry in _entries(workspace)] == ["init"]


def test_a_changed_detail_is_reported_at_its_seq(workspace: Workspace, attacker: Connection) -> None:
    _record(workspace, 3)
    _drop_append_only_triggers(attacker)
    attacker.execute(text("""UPDATE audit_log SET detail = '{"file": "other.csv", "rows": 1}' WHERE seq = 3"""))
    attacker.commit()
    assert audit.verify(_entries(workspace)) == [ChainProblem(3, CHANGED)]


def test_a_deleted_entry_is_reported_at_the_next_seq(workspace: Workspace, attacker: Connection) -> None:
    _record(workspace, 3)
    _drop_append_only_triggers(attacker)
    attacker.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    attacker.commit()
    problems = audit.verify(_entries(workspace))
    assert problems == [
        ChainProblem(4, "expected entry 3: entries missing"),
        ChainProblem(4, "does not chain to the entry before it"),
    ]


# --- the chain as pure data ----------------------------------------------------------------------------


@given(detail_list=st.lists(details, max_size=6))
def test_any_honest_chain_verifies(detail_list: list[dict[str, Any]]) -> None:
    assert audit.verify(_chain(detail_list)) == []


_FIELDS = ("at", "actor", "action", "detail", "seq", "prev_hash", "hash")


@given(detail_list=st.lists(details, min_size=1, max_size=6), data=st.data())
def test_any_single_entry_mutation_is_detected_at_that_entry(
    detail_list: list[dict[str, Any]], data: st.DataObject
) -> None:
    entries = _chain(detail_list)
    victim = entries[data.draw(st.integers(0, len(entries) - 1), label="index")]
    field = data.draw(st.sampled_from(_FIELDS), label="field")
    old = getattr(victim, field)
    if field == "seq":
        new: object = data.draw(st.integers(0, 100).filter(lambda seq: seq != old), label="new")
    elif field in ("prev_hash", "hash"):
        new = data.draw(st.text("0123456789abcdef", min_size=64, max_size=64).filter(lambda h: h != old))
    elif field == "detail":
        new = data.draw(details.filter(lambda d: _canonical(d) != _canonical(old)), label="new")
    else:
        new = data.draw(st.text(max_size=20).filter(lambda s: s != old), label="new")
    setattr(victim, field, new)

    problems = audit.verify(entries)
    assert problems, f"changing {field} of entry {victim.seq} went unnoticed"
    assert problems[0].seq == victim.seq
    if field in ("at", "actor", "action", "detail"):
        assert problems == [ChainProblem(victim.seq, CHANGED)]


@given(detail_list=st.lists(details, min_size=2, max_size=6), data=st.data())
def test_removing_or_swapping_an_entry_is_detected(detail_list: list[dict[str, Any]], data: st.DataObject) -> None:
    entries = _chain(detail_list)
    index = data.draw(st.integers(0, len(entries) - 2), label="index")
    if data.draw(st.booleans(), label="swap"):
        entries[index], entries[index + 1] = entries[index + 1], entries[index]
        assert audit.verify(entries)[0].seq == entries[index].seq
    else:
        del entries[index]
        assert audit.verify(entries)[0].seq == index + 2
