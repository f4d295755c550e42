"""The EU Financial Sanctions Files reader, on a small file in the published v1.1 shape."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.lists import eu_xml
from celtrace.lists.model import Identifier, Target, TargetName
from tests.lists.damage import damaged

FIXTURES = Path(__file__).parent / "fixtures"
EU_FILE = FIXTURES / "eu/fsf_sample.xml"
SHARED = Path(__file__).resolve().parents[3] / "shared"
OFAC_XML = b'<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">'
OFAC_ADVANCED = b'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">'


@pytest.fixture(scope="module")
def targets() -> dict[str, Target]:
    return {target.id: target for target in eu_xml.read([EU_FILE]).targets}


def write(data: bytes, directory: Path) -> Path:
    path = directory / "eu.xml"
    path.write_bytes(data)
    return path


def exhaust(path: Path) -> list[Target]:
    return list(eu_xml.read([path]).targets)


def test_list_info() -> None:
    info = eu_xml.read([EU_FILE]).info
    assert (info.name, info.format, info.published) == ("EU Financial Sanctions", "eu-xml", "2026-02-20")
    assert info.files == (str(EU_FILE),)


def test_every_entry_is_read_with_its_logical_id(targets: dict[str, Target]) -> None:
    assert list(targets) == ["eu-13", "eu-2868", "eu-141987", "eu-8282"]
    assert [target.schema for target in targets.values()] == ["Organization", "Person", "Person", "Organization"]


def test_dprk_entity(targets: dict[str, Target]) -> None:
    komid = targets["eu-13"]
    assert komid.names == [
        TargetName("Korea Mining Development Trading Corporation", "primary", "Latn"),
        TargetName("CHANGGWANG SINYONG CORPORATION", "aka", "Latn"),
        TargetName("EXTERNAL TECHNOLOGY GENERAL CORPORATION", "aka", "Latn"),
        TargetName("조선광업개발무역회사", "primary", "Hang"),  # the first name in another script
        TargetName("KOMID", "weak", "Latn"),  # strong="false", quotes dropped
    ]
    assert komid.caption == "Korea Mining Development Trading Corporation"
    assert komid.programs == ["PRK"]
    assert komid.countries == ["kp"]
    assert komid.addresses == ["Central District, Pyongyang, NORTH KOREA"]
    assert komid.listed_on == "2009-04-24"
    assert komid.remarks and komid.remarks.startswith("Primary arms dealer")


def test_person_with_passport_birth_date_and_hangul_name(targets: dict[str, Target]) -> None:
    paek = targets["eu-2868"]
    # The second alias has no wholeName: it is composed from firstName and lastName.
    assert [(name.name, name.kind, name.script) for name in paek.names] == [
        ("Paek Chang-Ho", "primary", "Latn"),
        ("Chang-Ho Pak", "aka", "Latn"),
        ("백창호", "primary", "Hang"),
    ]
    assert paek.identifiers == [Identifier("passportNumber", "381420754", "kp")]
    assert paek.birth_dates == ["1964-06-18"]
    assert paek.countries == ["kp"]
    # No designationDate: the regulation's publication date is the listing.
    assert paek.listed_on == "2013-02-19"


def test_partial_birth_date_cyrillic_name_and_weak_alias(targets: dict[str, Target]) -> None:
    osetrova = targets["eu-141987"]
    assert osetrova.birth_dates == ["1988"]
    assert TargetName("Мария Александровна Осетрова", "primary", "Cyrl") in osetrova.names
    assert TargetName("Masha", "weak", "Latn") in osetrova.names
    assert osetrova.identifiers == [Identifier("taxNumber", "183116181362", "ru")]
    assert osetrova.countries == ["ru"]  # the birth date's country "00" (UNKNOWN) is no country


def test_company_identifiers_and_several_regulations(targets: dict[str, Target]) -> None:
    tobacco = targets["eu-8282"]
    assert tobacco.programs == ["BLR"]
    assert tobacco.listed_on == "2023-08-03"
    assert tobacco.identifiers == [
        Identifier("registrationNumber", "808000714", "by"),
        Identifier("swiftBic", "ITOBBY2X", None),
    ]
    assert tobacco.addresses == ["Kalvariyskaya 42, 220004, Minsk, BELARUS"]


def test_without_namespace_and_published_fallback(tmp_path: Path) -> None:
    path = write(
        b'<export><sanctionEntity logicalId="7"><subjectType code="vessel"/>'
        b'<nameAlias wholeName="Odd One" strong="true"/><birthdate year="1970" monthOfYear="3"/>'
        b"</sanctionEntity></export>",
        tmp_path,
    )
    loaded = eu_xml.read([path], published="2026-01-02")
    assert loaded.info.published == "2026-01-02"
    (target,) = loaded.targets
    assert (target.id, target.schema, target.birth_dates) == ("eu-7", "LegalEntity", ["1970-03"])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "malformed XML at line 1, column 0"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "malformed XML"),
        (EU_FILE.read_bytes()[:2500], "malformed XML at line"),
        (b"<CONSOLIDATED_LIST/>", "root element is <CONSOLIDATED_LIST>"),
        (
            b'<!DOCTYPE export [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<export><sanctionEntity logicalId="1"><nameAlias wholeName="&b;"/></sanctionEntity></export>',
            "document type declaration",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE export SYSTEM "http://example.com/evil.dtd"><export/>',
            "refused XML",
        ),
        (b'<export><sanctionEntity><nameAlias wholeName="X"/></sanctionEntity></export>', "logicalId"),
        (b'<export><sanctionEntity logicalId="1"><nameAlias wholeName=""/></sanctionEntity></export>', "no name"),
    ],
)
def test_hostile_input_raises_input_error(tmp_path: Path, data: bytes, expected: str) -> None:
    path = write(data, tmp_path)
    with pytest.raises(InputError) as caught:
        exhaust(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (EU_FILE.read_bytes()[:4096], True),
        (b'<export generationDate="2026-01-01">', True),
        (b"<export><items/></export>", False),  # some other export
        ((FIXTURES / "uk/uk_sanctions_list.xml").read_bytes()[:4096], False),
        (b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27">', False),
        (b'{"id": "NK-1", "schema": "Person", "properties": {}}\n', False),
        (OFAC_XML, False),
        (OFAC_ADVANCED, False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert eu_xml.sniff(Path("list.bin"), head) is expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), damaged(EU_FILE.read_bytes())))
def test_arbitrary_bytes_give_targets_or_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        try:
            targets = exhaust(write(data, Path(directory)))
        except InputError:
            return
    assert all(target.id.startswith("eu-") and target.names for target in targets)
