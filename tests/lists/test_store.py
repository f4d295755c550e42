"""Loading lists into the store, on SQLite and PostgreSQL: replacement, history, all-or-nothing."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

from celtrace.errors import InputError
from celtrace.lists.store import active_lists, active_targets, list_history, load_lists
from celtrace.workspace.schema import AuditEntry, TargetRow

DEMO = Path(str(resources.files("celtrace.demo").joinpath("lists")))
OFAC = [DEMO / name for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")]
UN = DEMO / "un-consolidated-dprk.xml"


def _targets(workspace) -> int:
    with workspace.session() as session:
        return session.scalar(select(func.count()).select_from(TargetRow)) or 0


def test_load_two_lists_and_read_targets_back(workspace):
    [ofac] = load_lists(workspace, OFAC, published="2021-07-07")
    [un] = load_lists(workspace, [UN])
    assert (ofac.list, ofac.targets, ofac.published) == ("OFAC SDN", 414, "2021-07-07")
    assert un.list == "UN Security Council" and un.targets == 155 and un.published.startswith("2026-02-27")
    with workspace.session() as session:
        lists = {row.name: row for row in active_lists(session)}
        assert lists["OFAC SDN"].programs["DPRK3"] > 0
        targets = list(active_targets(session))
    assert len(targets) == 414 + 155
    tangun = [t for t in targets if t.list_name == "OFAC SDN" and t.caption == "KOREA TANGUN TRADING CORPORATION"]
    assert len(tangun) == 1 and "DPRK2" in tangun[0].programs


def test_a_newer_release_replaces_the_older_and_both_stay_on_record(workspace):
    load_lists(workspace, OFAC, published="2021-07-07")
    [summary] = load_lists(workspace, OFAC[:1], published="2022-01-01")
    assert summary.replaced == "2021-07-07"
    assert _targets(workspace) == 414
    with workspace.session() as session:
        history = [(row.published, row.active) for row in list_history(session)]
    assert history == [("2022-01-01", True), ("2021-07-07", False)]


def test_an_older_release_needs_force(workspace):
    load_lists(workspace, OFAC, published="2022-01-01")
    with pytest.raises(InputError, match="before the loaded one"):
        load_lists(workspace, OFAC, published="2021-07-07")
    [summary] = load_lists(workspace, OFAC, published="2021-07-07", force=True)
    assert summary.replaced == "2022-01-01"


def test_a_broken_file_leaves_the_loaded_list_untouched(workspace, tmp_path):
    load_lists(workspace, [UN])
    with workspace.session() as session:
        entries_before = session.scalar(select(func.count()).select_from(AuditEntry))
    broken = tmp_path / "consolidated.xml"
    text = UN.read_text("utf-8")
    broken.write_text(text[: len(text) // 2], "utf-8")  # truncated mid-file
    with pytest.raises(InputError) as error:
        load_lists(workspace, [broken])
    assert str(broken) in str(error.value)
    assert _targets(workspace) == 155
    with workspace.session() as session:
        assert [row.active for row in list_history(session)] == [True]
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == entries_before


def test_unknown_format_names_the_file(workspace, tmp_path):
    odd = tmp_path / "list.txt"
    odd.write_text("hello\n")
    with pytest.raises(InputError, match="not a sanctions list format"):
        load_lists(workspace, [odd])
    with pytest.raises(InputError, match="unknown list format 'pdf'"):
        load_lists(workspace, [odd], fmt="pdf")
