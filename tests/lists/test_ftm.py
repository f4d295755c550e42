"""The OpenSanctions FollowTheMoney reader, on yente's sample exports and small hostile files."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.lists import ftm
from celtrace.lists.model import Identifier, Target, TargetName
from celtrace.lists.values import detect_script
from tests.lists.damage import damaged

SHARED = Path(__file__).resolve().parents[3] / "shared"
SAMPLES = SHARED / "data/sanctions/ftm_format_samples"
T1 = SAMPLES / "yente_t1_entities.ftm.json"
ZALA = SAMPLES / "yente_zala_entities.ftm.json"
FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.skipif(not T1.is_file(), reason="needs ../shared/data")


def read(path: Path) -> dict[str, Target]:
    return {target.id: target for target in ftm.read([path]).targets}


def lines(directory: Path, *entities: Any) -> Path:
    path = directory / "entities.ftm.json"
    path.write_text("".join(json.dumps(entity, ensure_ascii=False) + "\n" for entity in entities), encoding="utf-8")
    return path


def entity(id_: str, schema: str = "Person", **props: Any) -> dict[str, Any]:
    return {"id": id_, "schema": schema, "properties": {"name": [f"Name {id_}"], **props}, "datasets": ["test"]}


def test_single_dataset_export() -> None:
    loaded = ftm.read([T1])
    assert (loaded.info.name, loaded.info.format, loaded.info.published) == ("OpenSanctions: eu_fsf", "ftm", None)
    targets = {target.id: target for target in loaded.targets}
    # Six parties; the Address entity is not one.
    assert len(targets) == 6
    assert {target.schema for target in targets.values()} == {"Person", "Organization"}
    tobacco = targets["os-NK-2GdmHtZTeNXjNVrBGEXZNj"]
    assert tobacco.caption == "RAB „Inter Tobacco“"  # OpenSanctions' own caption comes first
    assert TargetName("Общество с ограниченной ответственностью “Интер Тобако”", "primary", "Cyrl") in tobacco.names
    assert tobacco.identifiers == [Identifier("registrationNumber", "808000714")]
    assert tobacco.countries == ["by"]
    assert tobacco.programs == ["eu_fsf"]  # no program ids: the dataset says which list
    assert tobacco.listed_on == "2022-06-03"
    assert ftm.read([T1], published="2026-02-01").info.published == "2026-02-01"


def test_multi_dataset_export_keeps_only_listed_parties() -> None:
    assert ftm.read([ZALA]).info.name == "OpenSanctions"
    targets = read(ZALA)
    assert len(targets) == 13
    assert {target.schema for target in targets.values()} == {"Person", "Company"}
    # target: false (registry records, not listed) and sanction.linked entities are not targets.
    assert "os-NK-56Edov9bas9puzaChH5pBy" not in targets
    assert "os-ru-inn-5920040846" not in targets
    assert "os-NK-SiYwWfxwLVrVeFswsvAvsm" not in targets
    assert not any(key.startswith(("os-ofac-", "os-eu-fsf-", "os-ru-")) for key in targets)


def test_name_kinds_programs_and_identifiers() -> None:
    targets = read(ZALA)
    zala = targets["os-NK-abdzbEBkqyT29GyREbiURZ"]
    assert TargetName("ZALA", "weak", "Latn") in zala.names  # weakAlias
    assert TargetName("TsST", "aka", "Latn") in zala.names  # alias
    assert TargetName("ザラ・アエロ・グループ", "primary", "Jpan") in zala.names
    assert zala.programs[:3] == ["UA-WS-MILIND", "AU-RUSSIA", "US-BIS-EL"]
    assert zala.countries == ["ru"]
    assert len(zala.addresses) > 20
    osetrova = targets["os-NK-2Tbri3s6GgNtAwsSXh4qpL"]
    assert osetrova.caption == "Maria Aleksandrovna Osetrova"
    assert TargetName("Maria Aleksandrovna Zakharova", "fka", "Latn") in osetrova.names  # previousName
    assert osetrova.birth_dates == ["1988-01-07"]
    assert Identifier("innCode", "183116181362") in osetrova.identifiers
    lavrentii = targets["os-NK-hUAjuiA3vTKXF6v2X6MYnS"]
    assert lavrentii.identifiers == [Identifier("passportNumber", "089132114")]
    assert lavrentii.countries == ["gb", "ru"]
    holding = targets["os-NK-DSxJ9ZzHxBBMyEMnnTBhai"]
    assert {identifier.type for identifier in holding.identifiers} == {"innCode", "ogrnCode"}


def test_party_schemata(tmp_path: Path) -> None:
    path = lines(
        tmp_path,
        entity("a", "PublicBody"),
        entity("b", "Vessel", imoNumber=["IMO9562233"], flag=["km"]),
        entity("c", "Airplane"),
        entity("d", "LegalEntity", jurisdiction=["Democratic People's Republic of Korea"]),
        entity("e", "Ownership"),
        entity("f", "NoSuchSchema"),
        entity("g", "Company", swiftBic="KOEXKPPY", programId=["US-DPRK3"]),
    )
    assert ftm.read([path]).info.name == "OpenSanctions: test"
    targets = read(path)
    assert {key: target.schema for key, target in targets.items()} == {
        "os-a": "Organization",
        "os-b": "Vessel",
        "os-c": "Airplane",
        "os-d": "LegalEntity",
        "os-g": "Company",
    }
    assert targets["os-b"].identifiers == [Identifier("imoNumber", "IMO9562233")]
    assert targets["os-d"].countries == ["kp"]
    # A lone string where FtM has a list is still read.
    assert targets["os-g"].identifiers == [Identifier("swiftBic", "KOEXKPPY")]
    assert targets["os-g"].programs == ["US-DPRK3"]


def test_blank_lines_control_characters_and_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "e.ftm.json"
    path.write_text('\n{"id": "x", "schema": "Person", "properties": {"name": ["A\\u0000B \\ud800 C"]}}\n\n')
    (target,) = ftm.read([path]).targets
    assert target.names == [TargetName("AB C", "primary", "Latn")]
    path.write_bytes(b"")
    loaded = ftm.read([path])
    assert loaded.info.name == "OpenSanctions"
    assert list(loaded.targets) == []


@pytest.mark.parametrize(
    ("data", "row", "expected"),
    [
        (b'{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": "b", ', 2, "malformed JSON"),
        (b"[1, 2]\n", 1, "not a JSON object"),
        (b'{"schema": "Person", "properties": {}}\n', 1, "needs an id"),
        (b'{"id": "a", "schema": "Person", "properties": []}\n', 1, "properties"),
        (b'{"id": "a", "schema": "Person", "properties": {"alias": []}}\n', 1, "no name"),
        (b'{"id": "a", "schema": "Person", "properties": {"name": ["\xff\xfe"]}}\n', 1, "malformed JSON"),
        (b"[" * 100_000 + b"\n", 1, "malformed JSON"),
        (b"\x00\x01\x02garbage\n", 1, "malformed JSON"),
    ],
)
def test_bad_lines_name_the_file_and_line(tmp_path: Path, data: bytes, row: int, expected: str) -> None:
    path = tmp_path / "bad.ftm.json"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        list(ftm.read([path]).targets)
    assert caught.value.file == str(path)
    assert caught.value.row == row
    assert expected in str(caught.value)


def test_overlong_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ftm, "MAX_LINE", 1000)
    path = lines(tmp_path, entity("a", notes=["x" * 2000]))
    with pytest.raises(InputError, match="longer than 1000 bytes"):
        list(ftm.read([path]).targets)


def test_one_file_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="one file"):
        ftm.read([T1, ZALA])
    with pytest.raises(InputError, match="cannot read"):
        ftm.read([tmp_path / "missing.json"])


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("KOREA RYONBONG", "Latn"),
        ("조선광업개발무역회사", "Hang"),
        ("沈阳金笔动画贸易有限公司", "Hani"),
        ("ザラ・アエロ・グループ", "Jpan"),
        ("Мария Осетрова", "Cyrl"),
        ("صدام حسين التكريتي", "Arab"),
        ("Ｆｕｌｌｗｉｄｔｈ", "Latn"),
        ("1234 --", None),
    ],
)
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (T1.read_bytes()[:4096] if T1.is_file() else b"", True),
        (ZALA.read_bytes()[:4096] if ZALA.is_file() else b"", True),
        (b'\xef\xbb\xbf{"schema": "Company", "id": "x", "properties": {}}', True),
        (b'{"results": [], "total": 0}\n', False),
        (b'[{"id": "x", "schema": "Person"}]', False),
        ((FIXTURES / "eu/fsf_sample.xml").read_bytes()[:4096], False),
        ((FIXTURES / "uk/uk_sanctions_list.xml").read_bytes()[:4096], False),
        (b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27">', False),
        (b'<?xml version="1.0"?><sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/">', False),
        (b'<?xml version="1.0"?><Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/">', False),
        (b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ', False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert ftm.sniff(Path("list.bin"), head) is expected


_VALID = T1.read_bytes() if T1.is_file() else b""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), damaged(_VALID)))
def test_arbitrary_bytes_give_targets_or_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "x.ftm.json"
        path.write_bytes(data)
        try:
            targets = list(ftm.read([path]).targets)
        except InputError:
            return
    assert all(target.id.startswith("os-") and target.names for target in targets)
