"""OFAC's advanced XML reader (SDN_ADVANCED.XML), on a small fixture in the published layout."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest

from celtrace.errors import InputError
from celtrace.lists import ofac_advanced
from celtrace.lists.model import Identifier, Target, TargetName
from celtrace.lists.values import country_code

FIXTURE = Path(__file__).parent / "fixtures" / "ofac" / "sdn_advanced.xml"
TEXT = FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parties() -> dict[str, Target]:
    return {target.id: target for target in ofac_advanced.read([FIXTURE]).targets}


def section(name: str, text: str = TEXT) -> str:
    found = re.search(rf" *<{name}\b[^>]*>.*?</{name}>\n", text, re.DOTALL)
    assert found, name
    return found[0]


def write(directory: Path, text: str, name: str = "SDN_ADVANCED.XML") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_list_info(tmp_path: Path) -> None:
    loaded = ofac_advanced.read([FIXTURE], published="2000-01-01")
    assert (loaded.info.name, loaded.info.format, loaded.info.published) == ("OFAC SDN", "ofac-advanced", "2024-03-06")
    assert loaded.info.files == (str(FIXTURE),)
    undated = write(tmp_path, TEXT.replace(section("DateOfIssue"), ""), "CONS_ADVANCED.XML")
    loaded = ofac_advanced.read([undated], published="2025-12-19")
    assert (loaded.info.name, loaded.info.published) == ("OFAC Consolidated (non-SDN)", "2025-12-19")
    assert ofac_advanced.read([undated]).info.published is None
    assert len(list(loaded.targets)) == 5


def test_names_in_three_scripts(parties: dict[str, Target]) -> None:
    target = parties["ofac-20157"]
    assert target.schema == "Person"
    assert target.names == [
        TargetName("KIM, Jong Un", "primary", "Latn"),
        TargetName("김정은", "primary", "Hang"),
        TargetName("金正恩", "primary", "Hani"),
    ]
    assert target.caption == "KIM, Jong Un"
    assert (target.programs, target.birth_dates, target.listed_on) == (["DPRK3"], ["1984-01-08"], "2016-07-06")
    assert (target.countries, target.addresses) == (["kp"], ["Korea, North"])
    assert target.remarks == "Chairman of the Workers' Party of Korea."


def test_alias_kinds_partial_dates_documents_and_nationality(parties: dict[str, Target]) -> None:
    target = parties["ofac-11648"]
    assert target.names == [
        TargetName("KIM, Tong-Myo'ng", "primary", "Latn"),
        TargetName("KIM, CHIN-SO'K", "aka", "Latn"),
        TargetName("KIM, JIN SOK", "weak", "Latn"),  # LowQuality="true"
    ]
    assert target.birth_dates == ["1964", "1962-08-28"]  # 1 Jan to 31 Dec 1964 is "1964"
    assert target.identifiers == [Identifier("passportNumber", "290320764")]
    assert target.countries == ["kp"]
    assert [name.kind for name in parties["ofac-23510"].names] == ["primary", "fka"]


def test_entities_and_vessels(parties: dict[str, Target]) -> None:
    komid = parties["ofac-9345"]
    assert komid.schema == "Organization"
    assert komid.names == [
        TargetName("KOREA MINING DEVELOPMENT TRADING CORPORATION", "primary", "Latn"),
        TargetName("조선광업개발무역회사", "primary", "Hang"),
        TargetName("CHANGGWANG SINYONG CORPORATION", "aka", "Latn"),
        TargetName("KOMID", "weak", "Latn"),
    ]
    assert (komid.programs, komid.listed_on) == (["NPWMD", "DPRK2"], "2005-06-28")
    assert komid.addresses == ["Central District, Pyongyang, Korea, North"]
    vessel = parties["ofac-23729"]
    assert vessel.schema == "Vessel"
    assert vessel.names[1] == TargetName("천마산", "primary", "Hang")
    assert (vessel.countries, vessel.identifiers) == (["kp"], [Identifier("imoNumber", "IMO8660313")])
    shipping = parties["ofac-23510"]
    assert shipping.countries == ["kp", "th"]
    assert shipping.addresses[1] == "Warranton Ville 458Soi 5Pattanakan Soi 44Suanluang, Bangkok, 10250, Thailand"


def test_sections_in_any_order(parties: dict[str, Target], tmp_path: Path) -> None:
    # References resolve when a party uses them, so a file with its sections shuffled reads the same.
    text = TEXT
    for name in ("ReferenceValueSets", "SanctionsEntries"):
        text = text.replace(section(name), "")
    text = text.replace("  <Locations>", section("SanctionsEntries") + "  <Locations>")
    text = text.replace("</Sanctions>", section("ReferenceValueSets") + "</Sanctions>")
    shuffled = {target.id: target for target in ofac_advanced.read([write(tmp_path, text)]).targets}
    assert shuffled == parties


def test_bad_parties(tmp_path: Path) -> None:
    numbered = write(tmp_path, TEXT.replace('FixedRef="9345">', 'FixedRef="KP9345">', 1))
    with pytest.raises(InputError, match="FixedRef 'KP9345' is not an entry number") as caught:
        list(ofac_advanced.read([numbered]).targets)
    assert caught.value.file == str(numbered)
    party = section("DistinctParty", section("DistinctParties").split("\n", 1)[1])
    without_profile = TEXT.replace(party, party.replace("<Profile ", "<Other ").replace("</Profile>", "</Other>"))
    with pytest.raises(InputError, match="DistinctParty 20157 has no Profile"):
        list(ofac_advanced.read([write(tmp_path, without_profile)]).targets)
    # An empty name part is skipped, not an error.
    assert len(list(ofac_advanced.read([write(tmp_path, TEXT.replace("KOMID</", "</"))]).targets)) == 5


def test_a_party_without_names(tmp_path: Path) -> None:
    text = re.sub(
        r'(<DistinctParty FixedRef="23510">.*?)<Alias .*?</Identity>', r"\1</Identity>", TEXT, flags=re.DOTALL
    )
    with pytest.raises(InputError, match="DistinctParty 23510 has no name"):
        list(ofac_advanced.read([write(tmp_path, text)]).targets)


def test_memory_stays_flat(tmp_path: Path) -> None:
    party = section("DistinctParty", section("DistinctParties").split("\n", 1)[1])
    head, tail = TEXT.split(section("DistinctParties"))
    path = tmp_path / "SDN_ADVANCED.XML"
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head + "  <DistinctParties>\n")
        while handle.tell() < 2_000_000:
            count += 1
            handle.write(party.replace('FixedRef="20157"', f'FixedRef="{count}"'))
        handle.write("  </DistinctParties>\n" + tail)
    country_code("Korea, North")  # FollowTheMoney loads its country names once per process
    tracemalloc.start()
    try:
        read = sum(1 for _ in ofac_advanced.read([path]).targets)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == count
    # A reader holding the parties would need several times the file's 2 MB.
    assert peak < 1_000_000, f"peak {peak} bytes reading {path.stat().st_size} bytes"
