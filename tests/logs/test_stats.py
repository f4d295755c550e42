"""``logs stats`` and the access profile the report draws, over one small imported log."""

from __future__ import annotations

from pathlib import Path

from celtrace.logs.stats import CATEGORIES, access_profile, log_stats
from celtrace.workspace import Workspace
from tests.report.access_case import import_portal_log


def test_log_stats_keeps_its_shape(workspace: Workspace, tmp_path: Path) -> None:
    import_portal_log(workspace, tmp_path)
    stats = log_stats(workspace)
    assert set(stats) == {"files", "lines", "parsed", "rejected", "by_country", "by_asn", "by_account"}
    assert (stats["lines"], stats["parsed"], stats["rejected"]) == (10, 9, 1)
    assert stats["by_country"][0] == {"country": "CN", "events": 3, "addresses": 2}


def test_access_profile_splits_every_event_once(workspace: Workspace, tmp_path: Path) -> None:
    assert access_profile(workspace) is None
    import_portal_log(workspace, tmp_path)
    profile = access_profile(workspace)
    assert profile is not None
    assert sum(row["events"] for row in profile["countries"]) == profile["totals"]["events"] == 9
    assert sum(row["events"] for row in profile["days"]) == 9
    for row in profile["countries"] + profile["days"]:
        assert sum(row[name] for name in CATEGORIES) == row["events"]
