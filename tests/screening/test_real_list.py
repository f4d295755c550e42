"""Screening against the real OFAC SDN list (2021-07-07) in ../shared: skipped where it is absent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from celtrace.lists.model import Target, TargetName
from celtrace.screening import Screener
from celtrace.screening.index import CANDIDATES

SDN = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions" / "ofac_sdn_2021-07-07"


@pytest.fixture(scope="module")
def screener() -> Screener:
    if not (SDN / "sdn.csv").exists():
        pytest.skip("the OFAC SDN sample is not here")
    # A minimal reading of sdn.csv and alt.csv: the list readers have their own tests.
    schemas = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
    targets: dict[str, Target] = {}
    with (SDN / "sdn.csv").open(encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) > 3:
                schema = schemas.get(row[2].strip(), "Organization")
                targets[row[0]] = Target(f"ofac-{row[0]}", schema, [TargetName(row[1])], row[3].split("] ["))  # type: ignore[arg-type]
    with (SDN / "alt.csv").open(encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) > 3 and row[0] in targets:
                targets[row[0]].names.append(TargetName(row[3], "aka"))
    return Screener(targets.values())


@pytest.mark.parametrize("query", ["Kim Jong Un", "Kim Chŏng-ŭn", "김정은", "Jong-un Kim", "KIM, Jongun"])
def test_kim_jong_un_is_found_first_among_few_candidates(screener, query):
    candidates = screener.candidates(query, schema="Person")
    assert len(candidates) <= CANDIDATES and "ofac-20157" in [t.id for t in candidates]
    matches = screener.screen(query, schema="Person")
    assert matches and matches[0].target.id == "ofac-20157"
    assert all(m.target.caption.startswith("KIM, Jong Un") for m in matches)  # not every Kim


def test_a_front_company_in_han_and_english(screener):
    for query in ("延边银星网络科技有限公司", "Yanbian Silver Star Network Tech Co Ltd"):
        [match, *_] = screener.screen(query, schema="Organization")
        assert match.target.caption == "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD."


def test_generic_korean_trading_company_does_not_alert(screener):
    assert screener.screen("Korea Trading Company", schema="Organization") == []
    assert screener.screen("Korea Hanbit Trading Company", schema="Organization") == []
