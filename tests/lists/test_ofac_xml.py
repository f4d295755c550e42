"""OFAC's legacy XML reader (sdn.xml, consolidated.xml), on small fixtures in both namespaces."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from celtrace.errors import InputError
from celtrace.lists import ofac_csv, ofac_xml
from celtrace.lists.model import Identifier, Target, TargetName
from celtrace.lists.values import country_code

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"
SDN_XML = FIXTURES / "sdn.xml"
CONSOLIDATED_XML = FIXTURES / "consolidated.xml"

# One sdnEntry of ~6 KB, repeated: a 20 MB file is read in a few seconds even under tracemalloc.
_ENTRY = """  <sdnEntry>
    <uid>{uid}</uid><firstName>Jong Un</firstName><lastName>KIM</lastName><sdnType>Individual</sdnType>
    <remarks>{remarks}</remarks>
    <programList><program>DPRK3</program></programList>
    <akaList><aka><uid>1</uid><type>a.k.a.</type><category>strong</category><lastName>김정은</lastName></aka></akaList>
    <addressList><address><uid>2</uid><city>Pyongyang</city><country>Korea, North</country></address></addressList>
    <dateOfBirthList><dateOfBirthItem><uid>3</uid><dateOfBirth>08 Jan 1984</dateOfBirth></dateOfBirthItem>
    </dateOfBirthList>
  </sdnEntry>
"""


@pytest.fixture(scope="module")
def sdn() -> dict[str, Target]:
    return {target.id: target for target in ofac_xml.read([SDN_XML]).targets}


def test_list_info() -> None:
    loaded = ofac_xml.read([SDN_XML], published="2000-01-01")
    assert loaded.info.name == "OFAC SDN"
    assert loaded.info.format == ofac_xml.FORMAT == "ofac-xml"
    assert loaded.info.published == "2024-03-06"  # the file's Publish_Date wins
    assert loaded.info.files == (str(SDN_XML),)
    consolidated = ofac_xml.read([CONSOLIDATED_XML])
    assert (consolidated.info.name, consolidated.info.published) == ("OFAC Consolidated (non-SDN)", "2025-12-19")


def test_published_falls_back_to_the_argument(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(
        '<sdnList xmlns="http://tempuri.org/sdnList.xsd"><sdnEntry><uid>1</uid><lastName>X</lastName></sdnEntry></sdnList>'
    )
    assert ofac_xml.read([path], published="2021-07-07").info.published == "2021-07-07"
    assert ofac_xml.read([path]).info.published is None
    assert [target.id for target in ofac_xml.read([path]).targets] == ["ofac-1"]


def test_individual_with_original_script_alias(sdn: dict[str, Target]) -> None:
    target = sdn["ofac-20157"]
    assert target.schema == "Person"
    assert target.names == [TargetName("KIM, Jong Un", "primary", "Latn"), TargetName("김정은", "aka", "Hang")]
    assert (target.programs, target.birth_dates, target.countries) == (["DPRK3"], ["1984-01-08"], ["kp"])
    # sdn.xml puts "Secondary sanctions risk:" in idList; it is not an identifier.
    assert target.identifiers == []
    assert target.remarks == "Chairman of the Workers' Party of Korea."


def test_alias_kinds_dates_and_documents(sdn: dict[str, Target]) -> None:
    target = sdn["ofac-11648"]
    assert target.names == [
        TargetName("KIM, Tong-Myo'ng", "primary", "Latn"),
        TargetName("KIM, CHIN-SO'K", "aka", "Latn"),
        TargetName("KIM, TONG MYONG", "aka", "Latn"),
        TargetName("KIM, JIN SOK", "weak", "Latn"),
    ]
    assert target.birth_dates == ["1964", "1962-08-28"]
    assert target.identifiers == [Identifier("passportNumber", "290320764")]
    assert target.countries == ["kp"]
    assert [name.kind for name in sdn["ofac-23510"].names] == ["primary", "fka"]


def test_entities_vessels_and_addresses(sdn: dict[str, Target]) -> None:
    komid = sdn["ofac-9345"]
    assert (komid.schema, komid.programs) == ("Organization", ["NPWMD", "DPRK2"])
    assert komid.names[-1] == TargetName("KOMID", "weak", "Latn")
    assert komid.addresses == ["Central District, Pyongyang, Korea, North", "Beijing, China"]
    assert komid.countries == ["kp", "cn"]
    vessel = sdn["ofac-23729"]
    assert (vessel.schema, vessel.countries, vessel.identifiers) == (
        "Vessel",
        ["kp"],
        [Identifier("imoNumber", "IMO8660313")],
    )


def test_older_namespace_and_place_of_birth() -> None:
    targets = {target.id: target for target in ofac_xml.read([CONSOLIDATED_XML]).targets}
    assert set(targets) == {"ofac-9639", "ofac-9641"}
    assert targets["ofac-9641"].countries == ["ps"]
    assert targets["ofac-9639"].birth_dates == ["1962"]


def test_same_party_same_id_and_names_as_the_csv(sdn: dict[str, Target], tmp_path: Path) -> None:
    row = '11648,"KIM, Tong-Myo\'ng","individual","NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1964."\r\n'
    (tmp_path / "sdn.csv").write_text(row)
    (from_csv,) = ofac_csv.read([tmp_path / "sdn.csv"]).targets
    assert (from_csv.id, from_csv.caption) == ("ofac-11648", sdn["ofac-11648"].caption)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            "<sdnList><sdnEntry><uid>A1</uid><lastName>X</lastName></sdnEntry></sdnList>",
            "uid 'A1' is not an entry number",
        ),
        ("<sdnList><sdnEntry><uid>1</uid><sdnType>Entity</sdnType></sdnEntry></sdnList>", "has no name"),
        (
            f"<sdnList><sdnEntry><uid>{'9' * 5000}</uid><lastName>X</lastName></sdnEntry></sdnList>",
            "not an entry number",
        ),
        ("<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", "root element is <CONSOLIDATED_LIST>"),
    ],
)
def test_bad_entries(tmp_path: Path, document: str, message: str) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(document)
    with pytest.raises(InputError, match=message) as caught:
        list(ofac_xml.read([path]).targets)
    assert caught.value.file == str(path)


def test_a_record_too_big_to_be_a_party_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ofac_xml, "MAX_RECORD_ELEMENTS", 10)
    path = tmp_path / "sdn.xml"
    entry = "<sdnEntry><uid>1</uid><lastName>X</lastName><programList>{}</programList></sdnEntry>"
    # Many records, each under the limit, are fine: the count is per record.
    path.write_text(f"<sdnList>{entry.format('<program>A</program>') * 20}</sdnList>")
    assert len(list(ofac_xml.read([path]).targets)) == 20
    path.write_text(f"<sdnList>{entry.format('<program>A</program>' * 8)}</sdnList>")
    with pytest.raises(InputError, match="a record has over 10 elements"):
        list(ofac_xml.read([path]).targets)


def test_memory_stays_flat_on_a_20_mb_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    remarks = "Chairman of the Workers' Party of Korea " * 160
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0"?>\n<sdnList xmlns="http://tempuri.org/sdnList.xsd">\n')
        while handle.tell() < 20_000_000:
            count += 1
            handle.write(_ENTRY.format(uid=count, remarks=remarks))
        handle.write("</sdnList>\n")
    country_code("Korea, North")  # FollowTheMoney loads its country names once per process
    tracemalloc.start()
    try:
        read = sum(1 for _ in ofac_xml.read([path]).targets)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == count
    assert peak < 5_000_000, f"peak {peak} bytes reading {path.stat().st_size} bytes"
