"""The UN Security Council consolidated list reader, on the real list of 27 February 2026."""

from __future__ import annotations

import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.lists import un_xml
from celtrace.lists.model import Identifier, Target, TargetName
from tests.lists.damage import damaged

SHARED = Path(__file__).resolve().parents[3] / "shared"
UN_FILE = SHARED / "data/sanctions/un_sc/consolidated_2026-02-27.xml"
FIXTURES = Path(__file__).parent / "fixtures"
OFAC_XML = b'<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"><publshInformation>'
OFAC_ADVANCED = b'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"><DateOfIssue>'

pytestmark = pytest.mark.skipif(not UN_FILE.is_file(), reason="needs ../shared/data")


@pytest.fixture(scope="module")
def targets() -> dict[str, Target]:
    return {target.id: target for target in un_xml.read([UN_FILE]).targets}


def write(data: bytes, directory: Path, name: str = "list.xml") -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def exhaust(path: Path) -> list[Target]:
    return list(un_xml.read([path]).targets)


def test_reads_every_entry_of_the_real_list(targets: dict[str, Target]) -> None:
    loaded = un_xml.read([UN_FILE])
    assert loaded.info.name == "UN Security Council"
    assert loaded.info.format == un_xml.FORMAT == "un-xml"
    assert loaded.info.published == "2026-02-27"
    assert loaded.info.files == (str(UN_FILE),)
    kinds = Counter(target.schema for target in targets.values())
    assert kinds == {"Person": 730, "Organization": 273}
    dprk = Counter(target.schema for target in targets.values() if target.programs == ["DPRK"])
    assert dprk == {"Person": 80, "Organization": 75}
    assert all(target.names and target.names[0].kind == "primary" for target in targets.values())


def test_published_date_falls_back_to_the_argument(tmp_path: Path) -> None:
    path = write(b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", tmp_path)
    assert un_xml.read([path], published="2026-01-31").info.published == "2026-01-31"
    assert un_xml.read([path]).info.published is None
    assert un_xml.read([UN_FILE], published="2020-01-01").info.published == "2026-02-27"


def test_dprk_entity_with_aliases_in_several_romanisations(targets: dict[str, Target]) -> None:
    komid = targets["un-KPe.001"]
    assert komid.schema == "Organization"
    assert komid.caption == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert [(name.name, name.kind) for name in komid.names[1:]] == [
        ("CHANGGWANG SINYONG CORPORATION", "aka"),
        ("EXTERNAL TECHNOLOGY GENERAL CORPORATION", "aka"),
        ("DPRKN MINING DEVELOPMENT TRADING COOPERATION", "aka"),
        ("KOMID", "aka"),  # published as "KOMID", in quotes
    ]
    assert komid.countries == ["kp"]
    assert komid.addresses == ["Central District, Pyongyang, Democratic People's Republic of Korea"]
    assert komid.listed_on == "2009-04-24"
    assert komid.remarks and komid.remarks.startswith("Primary arms dealer")
    ryonbong = targets["un-KPe.002"]
    assert [(name.name, name.kind) for name in ryonbong.names] == [
        ("KOREA RYONBONG GENERAL CORPORATION", "primary"),
        ("KOREA YONBONG GENERAL CORPORATION", "aka"),
        ("LYONGAKSAN GENERAL TRADING CORPORATION", "fka"),
    ]


def test_dprk_individual_with_passport_birth_date_and_romanisations(targets: dict[str, Target]) -> None:
    paek = targets["un-KPi.006"]
    assert paek.schema == "Person"
    # Family name first, as the UN publishes it.
    assert paek.caption == "PAEK CHANG-HO"
    assert [name.name for name in paek.names if name.kind == "aka"] == ["Pak Chang-Ho", "Paek Ch'ang-Ho"]
    assert paek.birth_dates == ["1964-06-18"]
    # Listed three times (English, French, Spanish document types): one passport.
    assert paek.identifiers == [Identifier("passportNumber", "381420754")]
    assert paek.countries == ["kp"]
    assert targets["un-KPi.033"].identifiers == [Identifier("passportNumber", "381310014")]


def test_original_script_names_are_kept_with_their_script(targets: dict[str, Target]) -> None:
    saddam = targets["un-IQi.001"]
    assert saddam.names[:2] == [
        TargetName("SADDAM HUSSEIN AL-TIKRITI", "primary", "Latn"),
        TargetName("صدام حسين التكريتي", "primary", "Arab"),
    ]
    assert TargetName("Abu Ali", "weak", "Latn") in saddam.names  # QUALITY Low
    assert saddam.caption == "SADDAM HUSSEIN AL-TIKRITI"
    scripts = Counter(name.script for target in targets.values() for name in target.names)
    assert scripts["Arab"] > 300
    assert scripts["Cyrl"] >= 10
    assert any(name.name == "Умаров Доку Хаматович" for target in targets.values() for name in target.names)


def test_birth_dates_years_and_ranges(targets: dict[str, Target]) -> None:
    assert targets["un-CDi.001"].birth_dates == ["1971"]
    ranged = [target for target in targets.values() if len(target.birth_dates) > 1]
    assert ranged
    assert all(len(date) in (4, 7, 10) for target in targets.values() for date in target.birth_dates)


def test_ids_are_unique_and_stable(targets: dict[str, Target]) -> None:
    assert len(targets) == 1003
    assert all(key.startswith("un-") and "." in key for key in targets)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "line 1, column 0"),
        (b"\x00\xff\xfe garbage \x89PNG", "malformed XML"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME>", "line 1"),
        (b"<sdnList><sdnEntry/></sdnList>", "root element is <sdnList>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;">]><CONSOLIDATED_LIST>&lol2;</CONSOLIDATED_LIST>',
            "document type declaration",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME>"
            b"</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
            "refused XML",
        ),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME>", "undefined entity"),
        (b"<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>X</FIRST_NAME></ENTITY></ENTITIES>", "REFERENCE"),
    ],
)
def test_hostile_input_raises_input_error(tmp_path: Path, data: bytes, expected: str) -> None:
    path = write(data, tmp_path)
    with pytest.raises(InputError) as caught:
        exhaust(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_truncated_real_file_names_the_line(tmp_path: Path) -> None:
    path = write(UN_FILE.read_bytes()[:300_000], tmp_path)
    loaded = un_xml.read([path])  # the start is fine; the error comes where the file stops
    with pytest.raises(InputError, match=r"malformed XML at line \d+, column \d+: (unclosed token|no element found)"):
        list(loaded.targets)


def test_reads_one_file_and_reports_a_missing_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="one file"):
        un_xml.read([UN_FILE, UN_FILE])
    with pytest.raises(InputError, match="cannot read XML"):
        un_xml.read([tmp_path / "missing.xml"])


def un_shaped(path: Path, size: int) -> int:
    """Write a UN-shaped file of about ``size`` bytes by repeating one real entry; return the entries.

    The entry's comment is repeated to 8 kB: time goes with the number of elements and entries,
    memory with the bytes, and the test has to stay fast under tracemalloc.
    """
    text = UN_FILE.read_text(encoding="utf-8")
    end = text.index("</INDIVIDUAL>", text.index("<REFERENCE_NUMBER>CDi.043<")) + len("</INDIVIDUAL>")
    block = text[text.rindex("<INDIVIDUAL>", 0, end) : end]
    comment = block[block.index("<COMMENTS1>") + 11 : block.index("</COMMENTS1>")]
    block = block.replace(comment, (comment + " ") * (8000 // len(comment)))
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27">\n<INDIVIDUALS>')
        while out.tell() < size:
            out.write(block.replace("CDi.043", f"XXi.{count}"))
            count += 1
        out.write("</INDIVIDUALS></CONSOLIDATED_LIST>\n")
    return count


def peak_reading(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        read = sum(1 for _ in un_xml.read([path]).targets)
        return read, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_on_a_large_file(tmp_path: Path, targets: dict[str, Target]) -> None:
    # ``targets`` has read the real list once, so one-time lookup tables are already built.
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small_count, large_count = un_shaped(small, 2_000_000), un_shaped(large, 20_000_000)
    (small_read, small_peak), (large_read, large_peak) = peak_reading(small), peak_reading(large)
    assert (small_read, large_read) == (small_count, large_count)
    assert large_count > 2000
    size = large.stat().st_size
    assert large_peak < size / 20, f"peak {large_peak} bytes reading {size} bytes"
    # Ten times the entries, the same memory: nothing is kept per entry, not even an empty shell.
    assert large_peak < small_peak * 1.25, f"peak {large_peak} bytes for {size}, {small_peak} for a tenth"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (UN_FILE.read_bytes()[:4096] if UN_FILE.is_file() else b"", True),
        (b"\xef\xbb\xbf<!-- c --><CONSOLIDATED_LIST dateGenerated='x'>", True),
        ((FIXTURES / "eu/fsf_sample.xml").read_bytes()[:4096], False),
        ((FIXTURES / "uk/uk_sanctions_list.xml").read_bytes()[:4096], False),
        ((SHARED / "data/sanctions/ftm_format_samples/yente_t1_entities.ftm.json").read_bytes()[:4096], False),
        (OFAC_XML, False),
        (OFAC_ADVANCED, False),
        (b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ', False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert un_xml.sniff(Path("list.bin"), head) is expected


_VALID = (
    b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27"><INDIVIDUALS><INDIVIDUAL>'
    b"<REFERENCE_NUMBER>KPi.1</REFERENCE_NUMBER><FIRST_NAME>RI</FIRST_NAME><SECOND_NAME>WON HO</SECOND_NAME>"
    b"<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Ri</ALIAS_NAME></INDIVIDUAL_ALIAS>"
    b"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR>"
    b"<TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"
)


def test_a_valid_small_list() -> None:
    with tempfile.TemporaryDirectory() as directory:
        (target,) = exhaust(write(_VALID, Path(directory)))
    assert target.id == "un-KPi.1"
    assert target.names == [TargetName("RI WON HO", "primary", "Latn"), TargetName("Ri", "weak", "Latn")]
    assert target.birth_dates == ["1960", "1961", "1962"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), damaged(_VALID)))
def test_arbitrary_bytes_give_targets_or_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        try:
            targets = exhaust(write(data, Path(directory)))
        except InputError:
            return
    assert all(target.id.startswith("un-") and target.names for target in targets)
