"""NET.ENDLESS_SESSION: an account busy for a day or more without a break."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from celtrace.detectors.finding import Severity
from celtrace.detectors.runner import analyze
from celtrace.logs.importer import import_logs
from tests.factories import access_line, write_log

T0 = datetime(2024, 2, 14, 0, 0, tzinfo=UTC)
CHAIN = {
    "vendors": [{"id": "lotus", "name": "Bright Lotus Animation", "country": "CN"}],
    "accounts": [{"portal": "asset-portal", "username": "brightlotus.cn01", "vendor": "lotus"}],
}


def test_a_day_without_a_half_hour_break_is_a_session_that_never_ends(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    # Every 20 minutes for 26 hours, a pause of 2 hours, then every 25 minutes for 10 hours.
    times = [T0 + timedelta(minutes=20 * n) for n in range(26 * 3 + 1)]
    times += [times[-1] + timedelta(hours=2, minutes=25 * n) for n in range(25)]
    lines = [access_line("123.184.1.1", "brightlotus.cn01", when) for when in times]
    # An ordinary working day of another account: eight hours with a lunch break.
    lines += [access_line("211.234.10.1", "hanbit.layout01", T0 + timedelta(hours=h)) for h in range(9, 18)]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    [finding] = analyze(workspace, only=["NET.ENDLESS_SESSION"]).findings
    assert finding.subject.name == "brightlotus.cn01 (asset-portal)" and finding.severity == Severity.LOW
    [session] = finding.evidence["sessions"]
    assert session["hours"] == 26 and session["events"] == 79
    assert (session["first"]["line"], session["last"]["line"]) == (1, 79)


def test_three_days_without_a_break_is_medium(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    lines = [access_line("123.184.1.1", "brightlotus.cn01", T0 + timedelta(minutes=10 * n)) for n in range(6 * 72 + 1)]
    import_logs(workspace, [write_log(tmp_path, lines)], "asset-portal")
    [finding] = analyze(workspace, only=["NET.ENDLESS_SESSION"]).findings
    assert finding.severity == Severity.MEDIUM and finding.evidence["sessions"][0]["hours"] == 72
