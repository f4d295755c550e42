"""The demo's portal log says what its docstring says, under the enrichment data that ships."""

from __future__ import annotations

import re
from datetime import datetime

import duckdb

from celtrace.demo.portal_log import CITIES, ORDINARY, WANDERING, write_portal_log
from celtrace.logs.enrich import Enricher

EXPECTED_COUNTRY = {"hanbit": "KR", "seoul": "KR", "brightlotus": "CN", "maple": "CA", "lisboa": "PT"}
EXPECTED_COUNTRY |= {"kestrel": "GB", "northwind": "PH"}
EXPECTED_WATCH = {"221.202.15.": "dprk-upstream", "60.22.4.": "dprk-upstream", "185.65.134.": "vpn"}
EXPECTED_WATCH |= {"175.45.176.": "dprk", "175.45.178.": "dprk"}


def test_addresses_are_where_the_story_says(tmp_path, shared_cache):
    enricher = Enricher(duckdb.connect(), shared_cache)
    for user, (prefixes, _) in ORDINARY.items():
        for prefix in prefixes:
            found = enricher.lookup(f"{prefix}77")
            assert found["country"] == EXPECTED_COUNTRY[user.split(".")[0]] and found["watch"] is None, prefix
    for prefix, _ in WANDERING:
        assert enricher.lookup(f"{prefix}77")["watch"] == EXPECTED_WATCH[prefix], prefix
    # The demo's city database only adds the city: its countries are the shipped data's.
    for cidr, region, *_ in CITIES:
        assert enricher.lookup(cidr.split("/")[0][:-1] + "77")["country"] == region.split("-")[0], cidr


def test_the_log_is_combined_format_in_time_order(tmp_path):
    log = tmp_path / "portal.log"
    count = write_portal_log(log)
    lines = log.read_text().splitlines()
    assert len(lines) == count > 1000
    pattern = re.compile(
        r'^(\S+) - (\S+) \[(\d\d/\w{3}/2024:[\d:]+ \+0000)\] "GET (\S+) HTTP/1.1" 200 \d+ "[^"]*" "[^"]*"$'
    )
    matches = [pattern.match(line) for line in lines]
    assert all(matches)
    times = [datetime.strptime(match.group(3), "%d/%b/%Y:%H:%M:%S %z") for match in matches if match]
    assert times == sorted(times)
    assert write_portal_log(tmp_path / "again.log") == count and (tmp_path / "again.log").read_text() == log.read_text()
