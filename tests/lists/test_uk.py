"""The UK Sanctions List reader (FCDO XML), on a small file in the published shape."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.lists import uk
from celtrace.lists.model import Identifier, Target, TargetName
from celtrace.lists.values import country_code, iso_date
from tests.lists.damage import damaged

FIXTURES = Path(__file__).parent / "fixtures"
UK_FILE = FIXTURES / "uk/uk_sanctions_list.xml"
OFAC_XML = b'<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">'
OFAC_ADVANCED = b'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">'
# The retired OFSI Consolidated List: a different format, not read as the UK list.
OFSI_XML = b'<?xml version="1.0"?><ArrayOfFinancialSanctionsTarget xmlns="http://schemas.hmtreasury.gov.uk/ofsi/consolidatedlist">'


@pytest.fixture(scope="module")
def targets() -> dict[str, Target]:
    return {target.id: target for target in uk.read([UK_FILE]).targets}


def write(data: bytes, directory: Path) -> Path:
    path = directory / "uk.xml"
    path.write_bytes(data)
    return path


def exhaust(path: Path) -> list[Target]:
    return list(uk.read([path]).targets)


def test_list_info() -> None:
    info = uk.read([UK_FILE]).info
    assert (info.name, info.format, info.published) == ("UK Sanctions List", "uk", "2026-02-20")


def test_every_designation_is_read_with_its_unique_id(targets: dict[str, Target]) -> None:
    assert {key: target.schema for key, target in targets.items()} == {
        "uk-DPR0001": "Organization",
        "uk-DPR0020": "Person",
        "uk-DPR0199": "Person",
        "uk-DPR0204": "Organization",
        "uk-DPR0075": "Vessel",
    }
    regime = "The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019"
    assert all(target.programs == [regime] for target in targets.values())


def test_entity_names_by_type(targets: dict[str, Target]) -> None:
    komid = targets["uk-DPR0001"]
    assert komid.names == [
        TargetName("KOREA MINING DEVELOPMENT TRADING CORPORATION", "primary", "Latn"),
        TargetName("KOMID", "aka", "Latn"),  # Primary Name Variation
        TargetName("CHANGGWANG SINYONG CORPORATION", "aka", "Latn"),
        TargetName("EXTERNAL TECHNOLOGY GENERAL CORPORATION", "aka", "Latn"),
        TargetName("조선광업개발무역회사", "primary", "Hang"),
    ]
    assert komid.countries == ["kp"]
    assert komid.addresses == ["Central District, Pyongyang, North Korea"]
    assert komid.listed_on == "2009-04-24"
    assert komid.remarks and komid.remarks.startswith("Primary arms dealer")


def test_individual_name_parts_alias_strength_and_details(targets: dict[str, Target]) -> None:
    paek = targets["uk-DPR0020"]
    # Name1 (given) before Name6 (family), as the FCDO orders its parts.
    assert paek.caption == "CHANG-HO PAEK"
    assert TargetName("Chang-Ho PAK", "aka", "Latn") in paek.names
    assert TargetName("Comrade Paek", "weak", "Latn") in paek.names  # Low quality a.k.a
    assert TargetName("백창호", "primary", "Hang") in paek.names
    assert paek.identifiers == [Identifier("passportNumber", "381420754")]
    assert paek.birth_dates == ["1964-06-18"]
    assert paek.countries == ["kp"]


def test_masked_dates_and_national_id(targets: dict[str, Target]) -> None:
    ri = targets["uk-DPR0199"]
    assert ri.birth_dates == ["1982", "1983-03"]  # dd/mm/1982, dd/03/1983
    assert ri.listed_on == "2024"
    assert ri.identifiers == [Identifier("idNumber", "745310201")]
    assert ri.countries == ["kp", "cn"]
    assert ri.addresses == ["Room 1203, Jinxiu Building, Liaoning, Shenyang, 110000, China"]
    assert ri.remarks and "IT work" in ri.remarks


def test_company_with_chinese_name_and_ship(targets: dict[str, Target]) -> None:
    company = targets["uk-DPR0204"]
    assert TargetName("沈阳金笔动画贸易有限公司", "primary", "Hani") in company.names
    assert company.identifiers == [Identifier("registrationNumber", "91210100MA0Y4XXX1K")]
    ship = targets["uk-DPR0075"]
    assert [(name.name, name.kind) for name in ship.names] == [("PETREL 8", "primary"), ("JAL VAHINI", "aka")]
    assert ship.identifiers == [Identifier("imoNumber", "IMO9562233")]
    assert ship.countries == ["km"]  # believed flag: Comoros


def test_primary_name_first_whatever_the_order(tmp_path: Path) -> None:
    path = write(
        b"<Designations><Designation><UniqueID>X1</UniqueID><IndividualEntityShip>Entity</IndividualEntityShip>"
        b"<Names><Name><Name6>Alias Ltd</Name6><NameType>Alias</NameType></Name>"
        b"<Name><Name6>Main Ltd</Name6><NameType>Primary name</NameType></Name></Names></Designation></Designations>",
        tmp_path,
    )
    loaded = uk.read([path], published="2026-03-01")
    assert loaded.info.published == "2026-03-01"
    (target,) = loaded.targets
    assert [(name.name, name.kind) for name in target.names] == [("Main Ltd", "primary"), ("Alias Ltd", "aka")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/08/1955", "1955-08-27"),
        ("dd/mm/1950", "1950"),
        ("dd/03/1958", "1958-03"),
        ("2026-02-27T00:00:09.554Z", "2026-02-27"),
        ("2005-11-01-05:00", "2005-11-01"),
        ("1971", "1971"),
        ("31/02/1970", None),
        ("Nov. 1973", None),
        ("", None),
    ],
)
def test_iso_date(text: str, expected: str | None) -> None:
    assert iso_date(text) == expected


def test_country_names_as_lists_write_them() -> None:
    assert country_code("North Korea") == "kp"
    assert country_code("Democratic People's Republic of Korea") == "kp"
    assert country_code("Congo (Democratic Republic)") == "cd"
    assert country_code("KP") == "kp"
    assert country_code("UNKNOWN") is None
    assert country_code("Testland") is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "malformed XML at line 1, column 0"),
        (b"PK\x03\x04\x14\x00\x06\x00", "malformed XML"),
        (UK_FILE.read_bytes()[:3000], "malformed XML at line"),
        (OFSI_XML + b"</ArrayOfFinancialSanctionsTarget>", "root element is <ArrayOfFinancialSanctionsTarget>"),
        (
            b'<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<Designations><Designation><UniqueID>&b;</UniqueID></Designation></Designations>",
            "document type declaration",
        ),
        (
            b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
            b"<Designations><Designation><UniqueID>&x;</UniqueID></Designation></Designations>",
            "refused XML",
        ),
        (b"<Designations><Designation><Names/></Designation></Designations>", "UniqueID"),
        (b"<Designations><Designation><UniqueID>A</UniqueID></Designation></Designations>", "no name"),
    ],
)
def test_hostile_input_raises_input_error(tmp_path: Path, data: bytes, expected: str) -> None:
    path = write(data, tmp_path)
    with pytest.raises(InputError) as caught:
        exhaust(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_a_record_too_large_is_refused(tmp_path: Path) -> None:
    names = b"<Name><Name6>N</Name6></Name>" * 30_000
    path = write(b"<Designations><Designation><UniqueID>A</UniqueID><Names>" + names + b"</Names>", tmp_path)
    with pytest.raises(InputError, match="record has over"):
        exhaust(path)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (UK_FILE.read_bytes()[:4096], True),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\r\n<Designations>", True),
        (OFSI_XML, False),
        ((FIXTURES / "eu/fsf_sample.xml").read_bytes()[:4096], False),
        (b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27">', False),
        (b'{"id": "NK-1", "schema": "Person", "properties": {}}\n', False),
        (OFAC_XML, False),
        (OFAC_ADVANCED, False),
        (b"Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert uk.sniff(Path("list.bin"), head) is expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), damaged(UK_FILE.read_bytes())))
def test_arbitrary_bytes_give_targets_or_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        try:
            targets = exhaust(write(data, Path(directory)))
        except InputError:
            return
    assert all(target.id.startswith("uk-") and target.names for target in targets)
