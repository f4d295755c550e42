"""OFAC's legacy CSV reader, on the real SDN list of 7 July 2021 and the non-SDN list of 19 December 2025."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from celtrace.errors import InputError
from celtrace.lists import ofac_csv, ofac_remarks
from celtrace.lists.model import Identifier, Target, TargetName

SANCTIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions"
SDN = SANCTIONS / "ofac_sdn_2021-07-07"
CONS = SANCTIONS / "ofac_consolidated_nonsdn_2025-12-19"
DPRK_PROGRAMS = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}
needs_samples = pytest.mark.skipif(not SDN.is_dir(), reason="needs ../shared/data")

PRIMARY_ROW = '17616,"RYU, Jin","individual","DPRK2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 07 Aug 1965."\r\n'


@pytest.fixture(scope="module")
def sdn() -> dict[str, Target]:
    # Given out of order, as a user's shell glob might.
    paths = [SDN / "sdn_comments.csv", SDN / "add.csv", SDN / "sdn.csv", SDN / "alt.csv"]
    return {target.id: target for target in ofac_csv.read(paths).targets}


def write(directory: Path, name: str, data: bytes | str) -> Path:
    path = directory / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@needs_samples
def test_reads_every_entry_of_the_real_sdn_list(sdn: dict[str, Target]) -> None:
    assert len(sdn) == 8976
    assert Counter(target.schema for target in sdn.values()) == {
        "Person": 4620,
        "Organization": 3673,
        "Vessel": 406,
        "Airplane": 277,
    }
    assert sum(1 for target in sdn.values() if DPRK_PROGRAMS & set(target.programs)) == 414
    # alt.csv has 11,910 rows; two repeat a name of the same entry.
    assert sum(1 for target in sdn.values() for name in target.names if name.kind in ("aka", "fka")) == 11908
    assert all(target.names[0].kind == "primary" and target.id.startswith("ofac-") for target in sdn.values())


@needs_samples
def test_list_info() -> None:
    loaded = ofac_csv.read([SDN / "sdn.csv"], published="2021-07-07")
    assert loaded.info.name == "OFAC SDN"
    assert loaded.info.format == ofac_csv.FORMAT == "ofac-csv"
    assert loaded.info.published == "2021-07-07"
    assert loaded.info.files == (str(SDN / "sdn.csv"),)
    assert ofac_csv.read([SDN / "sdn.csv"]).info.published is None


@needs_samples
def test_a_dprk_individual_with_aliases_weak_alias_dob_and_passport(sdn: dict[str, Target]) -> None:
    target = sdn["ofac-11648"]
    assert target.schema == "Person"
    assert target.names == [
        TargetName("KIM, Tong-Myo'ng", "primary", "Latn"),
        TargetName("KIM, CHIN-SO'K", "aka", "Latn"),
        TargetName("KIM, TONG MYONG", "aka", "Latn"),
        TargetName("KIM, HYOK CHOL", "aka", "Latn"),
        TargetName("KIM, JIN SOK", "weak", "Latn"),  # from Remarks
    ]
    assert target.birth_dates == ["1964", "1962-08-28"]
    assert target.countries == ["kp"]
    assert target.identifiers == [Identifier("passportNumber", "290320764")]
    assert target.remarks is not None and target.remarks.startswith("DOB 1964; alt. DOB 28 Aug 1962;")

    ryu = sdn["ofac-17616"]
    assert (ryu.programs, ryu.birth_dates, ryu.countries) == (["DPRK2"], ["1965-08-07"], ["kp"])
    assert ryu.identifiers == [Identifier("passportNumber", "563410081")]


@needs_samples
def test_comments_continue_the_remarks(sdn: dict[str, Target]) -> None:
    # sdn.csv cuts this entry's Remarks mid-alias ("a.k.a. 'snowsjo"); sdn_comments.csv holds the rest.
    target = sdn["ofac-28263"]
    assert target.remarks is not None and target.remarks.endswith("a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert [name.name for name in target.names if name.kind == "weak"] == ["tianyinyin0404", "snowsjohn"]
    assert target.programs == ["DPRK3", "CYBER2"]
    assert Identifier("idNumber", "321284198607120616", "cn") in target.identifiers
    assert Identifier("cryptoWallet", "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak") in target.identifiers
    assert target.addresses == ["Nanjing, Jiangsu, China"]


@needs_samples
def test_schemas_addresses_and_vessels(sdn: dict[str, Target]) -> None:
    bank = sdn["ofac-306"]
    assert bank.schema == "Organization"
    assert bank.names[1:] == [TargetName("NATIONAL BANK OF CUBA", "aka", "Latn"), TargetName("BNC", "weak", "Latn")]
    assert bank.addresses[0] == "Zweierstrasse 35, Zurich CH-8022, Switzerland"
    assert bank.countries == ["ch", "es", "jp", "pa"]
    vessel = sdn["ofac-23729"]
    assert (vessel.schema, vessel.programs, vessel.countries) == ("Vessel", ["DPRK4"], ["kp"])
    assert vessel.identifiers == [Identifier("imoNumber", "IMO8660313")]
    assert sdn["ofac-15431"].schema == "Airplane"


@needs_samples
def test_the_consolidated_list_and_missing_side_files() -> None:
    loaded = ofac_csv.read(sorted(CONS.glob("cons_*.csv")))
    assert loaded.info.name == "OFAC Consolidated (non-SDN)"
    targets = list(loaded.targets)
    assert len(targets) == 442
    alone = {target.id: target for target in ofac_csv.read([CONS / "cons_prim.csv"]).targets}
    assert len(alone) == 442
    assert alone["ofac-9639"].names == [TargetName("HANIYA, Ismail Abdul Salah", "primary", "Latn")]


def test_parse_remarks() -> None:
    facts = ofac_remarks.parse_remarks(
        "DOB 12 Jan 1968; alt. DOB circa 1960 to 1962; POB Pyongyang, Korea, North; nationality Korea, North; "
        "citizen China; Gender Male; Passport 472220033 (Korea, North) issued 01 Jan 2010 expires 01 Jan 2015; "
        "SWIFT/BIC KDBKKPPY; Website www.example.kp; Email Address info@example.kp; "
        "Registration Number 1027700342890 (Russia); a.k.a. 'ABU-'UMAR'; f.k.a. 'OLD NAME'; "
        "Korea Kwangson Banking Corporation representative (a.k.a. 'KKBC'); Linked To: TANCHON COMMERCIAL BANK."
    )
    assert facts.birth_dates == ["1968-01-12", "1960", "1961", "1962"]
    assert facts.countries == ["kp", "kp", "cn"]
    assert facts.gender == "Male"
    assert facts.identifiers == [
        Identifier("passportNumber", "472220033", "kp"),
        Identifier("swiftBic", "KDBKKPPY"),
        Identifier("website", "www.example.kp"),
        Identifier("email", "info@example.kp"),
        Identifier("registrationNumber", "1027700342890", "ru"),
    ]
    # Remarks aliases are OFAC's weak ones; a quote inside a name does not end it.
    assert [(name.name, name.kind) for name in facts.names] == [
        ("ABU-'UMAR", "weak"),
        ("OLD NAME", "weak"),
        ("KKBC", "weak"),
    ]
    assert facts.linked_to == ["TANCHON COMMERCIAL BANK"]


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("Vessel Registration Identification", "IMO 8660313", Identifier("imoNumber", "IMO8660313")),
        ("Company Number", "IMO 5055293", Identifier("imoNumber", "IMO5055293")),
        ("Legal Entity Number", "253400WSS48YWMBUA688", Identifier("leiCode", "253400WSS48YWMBUA688")),
        ("Legal Entity Number", "851683897 (Netherlands)", Identifier("registrationNumber", "851683897", "nl")),
        ("Digital Currency Address - ETH", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", None),
        ("Cedula No.", "16247821 (Colombia)", Identifier("idNumber", "16247821", "co")),
        ("NIT #", "800146749-7 (Colombia)", Identifier("taxNumber", "800146749-7", "co")),
        ("Vessel Call Sign", "HMYU", Identifier("callSign", "HMYU")),
        # Document types the tables do not list, as the advanced format may bring them:
        ("Stateless Person Passport", "123", Identifier("passportNumber", "123")),
        ("Tax Registration Code", "55", Identifier("taxNumber", "55")),
        ("Some New Card", "77", Identifier("idNumber", "77")),
        ("Passport", " issued 2010", None),
    ],
)
def test_identifier_types_are_followthemoney_properties(label: str, value: str, expected: Identifier | None) -> None:
    made = ofac_remarks.make_identifier(label, value)
    if label.startswith("Digital Currency"):
        assert made == Identifier("cryptoWallet", value)
    else:
        assert made == expected


def test_parse_remarks_keeps_unknown_text_out_of_the_facts() -> None:
    facts = ofac_remarks.parse_remarks("Secondary sanctions risk: section 1; DOB Smarch 1968; Passport (Korea, North)")
    assert facts == ofac_remarks.RemarkFacts()
    assert ofac_remarks.parse_dates("31 Feb 1968") == ["1968-02"]


def test_windows_1252_and_utf8_rows(tmp_path: Path) -> None:
    # Older dumps are Windows-1252; newer ones UTF-8 (with a byte-order mark, sometimes).
    legacy = '1,"MU\xd1OZ, Jos\xe9","individual","SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'.encode("cp1252")
    modern = "\ufeff" + '2,"PE\u00d1A, Ana","individual","SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    (one,) = ofac_csv.read([write(tmp_path, "sdn.csv", legacy)]).targets
    (two,) = ofac_csv.read([write(tmp_path, "cons_prim.csv", modern)]).targets
    assert (one.caption, two.caption, two.id) == ("MUÑOZ, José", "PEÑA, Ana", "ofac-2")
    assert one.remarks is None and one.programs == ["SDNT"] and one.countries == []


def test_files_are_told_apart_by_name_or_width(tmp_path: Path) -> None:
    primary = write(tmp_path, "export-1.csv", PRIMARY_ROW)
    alias = write(tmp_path, "export-2.csv", '17616,1,"nka","RYU, Chin",-0- \r\n')
    (target,) = ofac_csv.read([alias, primary]).targets
    assert target.names == [TargetName("RYU, Jin", "primary", "Latn"), TargetName("RYU, Chin", "aka", "Latn")]


@pytest.mark.parametrize(
    ("files", "message", "row"),
    [
        ({"sdn.csv": '36,"AEROCARIBBEAN AIRLINES",-0- \r\n'}, "expected 12 columns, found 3", 1),
        (
            {"sdn.csv": PRIMARY_ROW + 'x1,"A",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'},
            "not an entry number",
            2,
        ),
        ({"sdn.csv": PRIMARY_ROW, "alt.csv": "17616,1\r\n"}, "expected 5 columns, found 2", 1),
        ({"sdn.csv": "1,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"}, "no name", 1),
        ({"sdn.csv": "1," + "x" * (ofac_csv.MAX_LINE + 10)}, "line longer than", 1),
        ({"sdn.csv": '1,"unterminated\r\n'}, "expected 12 columns", None),
        ({"sdn.csv": "9" * 5000 + PRIMARY_ROW[5:]}, "not an entry number", 1),
    ],
)
def test_bad_rows_name_the_file_and_line(tmp_path: Path, files: dict[str, str], message: str, row: int | None) -> None:
    paths = [write(tmp_path, name, data) for name, data in files.items()]
    with pytest.raises(InputError, match=message) as caught:
        list(ofac_csv.read(paths).targets)
    assert caught.value.file is not None and caught.value.file.endswith(".csv")
    if row is not None:
        assert caught.value.row == row


def test_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").mkdir()
    with pytest.raises(InputError, match="cannot read the file"):
        list(ofac_csv.read([tmp_path / "sdn.csv"]).targets)


def test_file_sets_that_are_not_one_list(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no sdn\.csv or cons_prim\.csv"):
        ofac_csv.read([write(tmp_path, "alt.csv", '1,2,"aka","X",-0- \r\n')])
    with pytest.raises(InputError, match="two primary files"):
        ofac_csv.read([write(tmp_path, "sdn.csv", PRIMARY_ROW), write(tmp_path, "sdn (1).csv", PRIMARY_ROW)])
    with pytest.raises(InputError, match="cannot tell which OFAC CSV file"):
        ofac_csv.read([write(tmp_path, "sdn.csv", PRIMARY_ROW), write(tmp_path, "other.csv", "1,2,3\r\n")])


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("sdn.csv", PRIMARY_ROW.encode(), True),
        ("SDN.CSV", PRIMARY_ROW.encode(), True),
        ("alt.csv", b'36,12,"aka","AERO-CARIBBEAN",-0- \r\n', True),
        ("cons_comments.csv", b"", True),
        ("ofac-export.csv", PRIMARY_ROW.encode(), True),
        ("sdn.xml", PRIMARY_ROW.encode(), False),
        ("sdn.csv", b"Name,Program,Type\r\n", False),
        ("list.csv", b"source,entity_number,type,programs,name\r\n", False),
        ("consolidated.csv", b'<?xml version="1.0"?><CONSOLIDATED_LIST>', False),
    ],
)
def test_sniff(name: str, head: bytes, expected: bool) -> None:
    assert ofac_csv.sniff(Path(name), head) is expected
