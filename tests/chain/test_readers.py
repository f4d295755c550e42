"""Reading chain files: CSV, TSV, XLSX and JSON into clean records, and every way a file can be wrong."""

from __future__ import annotations

import csv
import datetime
import io
import json
import traceback
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from celtrace.chain.readers import MAX_CELL, read_records, read_tables
from celtrace.chain.records import Record
from celtrace.errors import InputError
from tests.chain.helpers import expect_input_error, workbook, write

PROPERTY = settings(
    database=None, deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def values(records: list[Record]) -> list[dict[str, Any]]:
    return [record.values for record in records]


def read_error(path: Path, **options: Any) -> InputError:
    error = expect_input_error(lambda: read_records(path, **options))
    assert error.file is not None
    assert error.file.startswith(str(path))
    assert str(path) in str(error)
    return error


# --- each format -----------------------------------------------------------------------------------


def test_csv_gives_clean_records_with_their_origin(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "vendors.csv",
        "id,name,country,phones,languages,email_domains,client,client_status\n"
        "v1, Pyongyang Pixel ,North Korea,+850 2 123; +850 2 456 ,Korean;한국어;kor,ops@pp.kp;@PP.KP,studio,\n"
        "v2,Shenyang Line,CN,,Mandarin;ko,,v1,Observed\n",
    )
    records = read_records(path)
    assert [r.kind for r in records] == ["vendors", "vendors"]
    assert values(records) == [
        {
            "id": "v1",
            "name": "Pyongyang Pixel",
            "country": "kp",
            "phones": ["+850 2 123", "+850 2 456"],
            "languages": ["ko"],
            "email_domains": ["pp.kp"],
            "client": "studio",
            "client_status": "declared",
        },
        {
            "id": "v2",
            "name": "Shenyang Line",
            "country": "cn",
            "phones": [],
            "languages": ["ko", "zh"],
            "email_domains": [],
            "client": "v1",
            "client_status": "observed",
        },
    ]
    assert [r.origin for r in records] == [{"file": str(path), "row": 2}, {"file": str(path), "row": 3}]
    assert records[0].present == frozenset(records[0].values)


def test_csv_with_only_name_and_country_is_valid(tmp_path: Path) -> None:
    path = write(tmp_path, "list.csv", "name,country\nAcme,kr\n")
    [record] = read_records(path)
    assert record.kind == "vendors"
    assert record.values == {"name": "Acme", "country": "kr"}
    assert record.present == {"name", "country"}


def test_csv_row_with_fewer_cells_only_has_the_columns_it_fills(tmp_path: Path) -> None:
    path = write(tmp_path, "v.csv", "name,country,phones\nAcme,kr\nBeta,cn,1\n")
    first, second = read_records(path)
    assert first.present == {"name", "country"}
    assert second.present == {"name", "country", "phones"}


def test_xlsx_reads_every_sheet_as_its_kind(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "chain.xlsx",
        {
            "Vendors": [["Name", "Country", "Client"], ["Acme", "South Korea", ""], ["Beta", "China", "Acme"]],
            "People": [["Name", "Nationality", "Vendor", "Relation"], ["Kim Il", "kp", "Beta", "owns"]],
            "Links": [["Source", "Target", "Kind", "Status"], ["Kim Il", "Acme", "directs", "observed"]],
            "Accounts": [["Username", "Portal", "Vendor"], ["kim", "assets", "Beta"]],
        },
    )
    tables = read_tables(path)
    assert [(t.kind, t.label) for t in tables] == [
        ("vendors", f"{path} [Vendors]"),
        ("people", f"{path} [People]"),
        ("links", f"{path} [Links]"),
        ("accounts", f"{path} [Accounts]"),
    ]
    records = read_records(path)
    assert [(r.kind, r.origin["row"]) for r in records] == [
        ("vendors", 2),
        ("vendors", 3),
        ("people", 2),
        ("links", 2),
        ("accounts", 2),
    ]
    assert records[1].values == {"name": "Beta", "country": "cn", "client": "Acme"}
    assert records[3].values == {"source": "Kim Il", "target": "Acme", "kind": "directs", "status": "observed"}


def test_xlsx_numbers_and_dates_become_text(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "staff.xlsx",
        {
            "Sheet1": [
                ["Name", "Date of Birth", "Nationality", "Notes"],
                ["Kim", datetime.datetime(1985, 3, 2, 10, 30), "kp", 12],
                ["Ri", datetime.date(1990, 1, 31), "KP", 2.5],
                ["Pak", 1975, "kp", True],
            ]
        },
    )
    records = read_records(path)
    assert {r.kind for r in records} == {"people"}  # from the columns: the sheet name says nothing
    assert values(records) == [
        {"name": "Kim", "birth_date": "1985-03-02", "nationality": "kp", "notes": "12"},
        {"name": "Ri", "birth_date": "1990-01-31", "nationality": "kp", "notes": "2.5"},
        {"name": "Pak", "birth_date": "1975", "nationality": "kp", "notes": "True"},
    ]


def test_xlsx_integral_floats_lose_their_decimal_point(tmp_path: Path) -> None:
    rows = [["name", "phones", "registration"], ["A", 821012345678.0, 12345]]
    path = workbook(tmp_path / "v.xlsx", {"vendors": rows})
    [record] = read_records(path)
    assert record.values == {"name": "A", "phones": ["821012345678"], "registration_numbers": ["12345"]}


def test_xlsx_skips_blank_rows_but_keeps_sheet_row_numbers(tmp_path: Path) -> None:
    path = workbook(tmp_path / "v.xlsx", {"vendors": [["name", "country"], [None, None], ["A", "kr"], [], ["B", "xx"]]})
    error = read_error(path)
    assert (error.row, error.field) == (5, "country")
    assert error.file == f"{path} [vendors]"


def test_xlsx_without_any_header_row_is_an_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "v.xlsx", {"Sheet1": []})
    assert "no sheet with a header row" in read_error(path).message


def test_xlsx_header_with_a_gap_is_an_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "v.xlsx", {"vendors": [["name", None, "country"], ["A", None, "kr"]]})
    error = read_error(path)
    assert error.row == 1
    assert "no name" in error.message


def test_xlsx_value_outside_the_named_columns_is_an_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "v.xlsx", {"vendors": [["name", "country"], ["A", "kr"], ["B", "cn", "stray"]]})
    error = read_error(path)
    assert error.row == 3
    assert "outside the 2 named columns" in error.message


def test_json_list_is_vendors_unless_a_kind_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "chain.json", json.dumps([{"name": "Acme", "aliases": ["A", "AC"], "phones": "1;2"}]))
    [record] = read_records(path)
    assert record.kind == "vendors"
    assert record.values == {"name": "Acme", "aliases": ["A", "AC"], "phones": ["1", "2"]}
    assert record.origin == {"file": f"{path} [vendors]", "row": 1}
    people = write(tmp_path, "p.json", json.dumps([{"name": "Kim", "nationality": "kp"}]))
    [record] = read_records(people, kind="people")
    assert (record.kind, record.values) == ("people", {"name": "Kim", "nationality": "kp"})


def test_json_object_of_lists_reads_every_kind(tmp_path: Path) -> None:
    data = {
        "vendors": [{"id": "v1", "name": "Acme", "registration_numbers": [123, "A-4"]}],
        "people": [{"name": "Kim", "birth_date": "1985-3"}],
        "links": [{"source": "Kim", "target": "v1", "kind": "owns"}],
        "accounts": [{"username": "kim", "vendor": "v1"}],
    }
    path = write(tmp_path, "chain.json", json.dumps(data))
    records = read_records(path)
    assert [(r.kind, r.origin) for r in records] == [
        (kind, {"file": f"{path} [{kind}]", "row": 1}) for kind in ("vendors", "people", "links", "accounts")
    ]
    assert records[0].values["registration_numbers"] == ["123", "A-4"]
    assert records[1].values["birth_date"] == "1985-03"
    assert records[2].values == {"source": "Kim", "target": "v1", "kind": "owns"}


def test_json_with_bom_and_empty_lists(tmp_path: Path) -> None:
    path = write(tmp_path, "c.json", b"\xef\xbb\xbf" + b'{"vendors": [], "people": []}')
    assert read_records(path) == []


# --- kind detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("people.csv", "people"),
        ("Studio-Persons.csv", "people"),
        ("links.csv", "links"),
        ("relations.csv", "links"),
        ("accounts.csv", "accounts"),
        ("vendors.csv", "vendors"),
        ("companies.csv", "vendors"),
    ],
)
def test_kind_from_the_file_name(tmp_path: Path, name: str, kind: str) -> None:
    path = write(tmp_path, name, "notes\nx\n")
    [table] = read_tables(path)
    assert table.kind == kind


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("source,target,kind", "links"),
        ("Source,Target,Type", "links"),
        ("username,portal", "accounts"),
        ("Login,Vendor", "accounts"),
        ("name,nationality", "people"),
        ("name,Date of Birth", "people"),
        ("name,dob", "people"),
        ("name,role", "people"),
        ("name,relation,vendor", "people"),
        ("name,country", "vendors"),
        ("name", "vendors"),
    ],
)
def test_kind_from_the_columns(tmp_path: Path, header: str, kind: str) -> None:
    path = write(tmp_path, "data.csv", header + "\n")
    [table] = read_tables(path)
    assert table.kind == kind


def test_kind_given_overrides_file_name_and_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "name,notes\nAcme,x\n")
    [record] = read_records(path, kind="vendors")
    assert record.kind == "vendors"


def test_xlsx_kind_from_sheet_name_and_from_columns(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {"Companies": [["name"], ["A"]], "Sheet2": [["username"], ["u"]], "Sheet3": [["source", "target", "kind"]]},
    )
    assert [t.kind for t in read_tables(path)] == ["vendors", "accounts", "links"]


def test_xlsx_single_sheet_takes_the_kind_given(tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", {"Sheet1": [["name"], ["Kim"]]})
    [record] = read_records(path, kind="people")
    assert record.kind == "people"


# --- columns ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cell", "column", "value"),
    [
        ("Bank Country", "Korea", "bank_country", "kr"),
        ("  BANK   country ", "kr", "bank_country", "kr"),
        ("bank-country", "KOR", "bank_country", "kr"),
        ("BANK_COUNTRY", "North Korea", "bank_country", "kp"),
        ("Vendor Name", "Acme", "name", "Acme"),
        ("Telephone", "1;2", "phones", ["1", "2"]),
        ("Phone", "1", "phones", ["1"]),
        ("Email", "a@b.kr", "email_domains", ["b.kr"]),
        ("Email Domain", "a@b.kr", "email_domains", ["b.kr"]),
        ("Emails", "a@b.kr;c@b.kr", "email_domains", ["b.kr"]),
        ("Registration Number", "123", "registration_numbers", ["123"]),
        ("Registration", "123", "registration_numbers", ["123"]),
        ("Alias", "AC", "aliases", ["AC"]),
        ("Language", "Korean", "languages", ["ko"]),
        ("Declared Languages", "ko;zh", "languages", ["ko", "zh"]),
        ("Payment Method", "crypto", "payment_methods", ["crypto"]),
        ("Production", "Ep 1;Ep 2", "productions", ["Ep 1", "Ep 2"]),
        ("Subcontractor of", "Studio", "client", "Studio"),
        ("Client Status", "Observed", "client_status", "observed"),
    ],
)
def test_vendor_column_synonyms_and_header_normalisation(
    tmp_path: Path, header: str, cell: str, column: str, value: object
) -> None:
    other = "notes" if column == "name" else "name"
    path = write(tmp_path, "vendors.csv", f'"{header}",{other}\n"{cell}",Acme\n')
    [record] = read_records(path)
    assert record.values[column] == value
    assert record.present == {column, other}


def test_company_is_the_name(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "Company,Country\nAcme,kr\n")
    assert values(read_records(path)) == [{"name": "Acme", "country": "kr"}]


def test_people_and_account_synonyms(tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", "Name,DOB\nKim,1985\n")
    assert read_records(people)[0].values == {"name": "Kim", "birth_date": "1985"}
    accounts = write(tmp_path, "accounts.csv", "User,Portal\nkim,assets\n")
    assert read_records(accounts)[0].values == {"username": "kim", "portal": "assets"}


def test_production_is_a_single_value_in_links(tmp_path: Path) -> None:
    path = write(tmp_path, "links.csv", "source,target,type,production\nA,B,pays,Ep 1; Ep 2\n")
    [record] = read_records(path)
    assert record.values["production"] == "Ep 1; Ep 2"
    assert record.values["kind"] == "pays"


def test_unknown_column_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "name,Countyr\nAcme,kr\n")
    error = read_error(path)
    assert error.field == "Countyr"
    assert "unknown column 'Countyr'" in error.message
    assert "did you mean 'country'?" in error.message


def test_unknown_column_without_a_close_match_lists_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", "name,Frobnicate\nKim,x\n")
    error = read_error(path)
    assert error.field == "Frobnicate"
    assert "people columns are: id, name" in error.message


def test_a_column_of_another_kind_is_unknown(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "name,nationality\nAcme,kp\n")
    error = read_error(path, kind="vendors")
    assert error.field == "nationality"


@pytest.mark.parametrize("header", ["name,Name", "name,company", "phones,Telephone", "Bank Country,bank_country"])
def test_duplicate_column_is_an_error(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "vendors.csv", f"{header}\nA,B\n")
    error = read_error(path)
    assert "appears twice" in error.message
    assert error.field == header.split(",")[1]


def test_too_many_cells_in_a_row_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "name,country\nAcme,kr\nBeta,cn,extra\n")
    error = read_error(path)
    assert error.row == 3
    assert "3 values for 2 columns" in error.message


def test_missing_required_value_names_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "links.csv", "source,target,kind\nA,B,owns\nA,,owns\n")
    error = read_error(path)
    assert (error.row, error.field) == (3, "target")
    assert "required" in error.message


def test_bad_value_names_the_header_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "Name,Bank Country\nAcme,kr\nBeta,Narnia\n")
    error = read_error(path)
    assert (error.row, error.field) == (3, "Bank Country")
    assert "Narnia" in str(error)
    assert str(error).startswith(f"{path}, row 3, field Bank Country: ")


@pytest.mark.parametrize(
    ("header", "cell", "field"),
    [
        ("client_status", "rumoured", "client_status"),
        ("languages", "Klingonese", "languages"),
        ("email_domains", "not a domain", "email_domains"),
    ],
)
def test_bad_choice_or_list_item_is_an_error(tmp_path: Path, header: str, cell: str, field: str) -> None:
    path = write(tmp_path, "vendors.csv", f"name,{header}\nAcme,{cell}\n")
    error = read_error(path)
    assert (error.row, error.field) == (2, field)


def test_cell_longer_than_the_limit_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", f"name,notes\nAcme,{'x' * (MAX_CELL + 1)}\n")
    error = read_error(path)
    assert (error.row, error.field) == (2, "notes")


def test_cell_at_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", f"name,notes\nAcme,{'x' * MAX_CELL}\n")
    assert len(read_records(path)[0].values["notes"]) == MAX_CELL


# --- empty files and encodings ---------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", b" , \n", b"\r\n"])
def test_empty_file_is_an_error(tmp_path: Path, content: bytes) -> None:
    error = read_error(write(tmp_path, "vendors.csv", content))
    assert error.row == 1


def test_header_only_file_has_no_records(tmp_path: Path) -> None:
    assert read_records(write(tmp_path, "vendors.csv", "name,country\n")) == []


def test_broken_utf8_names_the_line_and_suggests_an_encoding(tmp_path: Path) -> None:
    content = "name,country\nAcme,kr\n\n조선 픽셀,kp\n".encode("cp949")
    path = write(tmp_path, "vendors.csv", content)
    error = read_error(path)
    assert error.row == 4
    assert "--encoding" in error.message
    assert "cp949" in error.message

    records = read_records(path, encoding="cp949")
    assert values(records) == [{"name": "Acme", "country": "kr"}, {"name": "조선 픽셀", "country": "kp"}]


def test_other_encodings_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "name,notes\n沈阳动画,注意\n".encode("gb18030"))
    assert values(read_records(path, encoding="gb18030")) == [{"name": "沈阳动画", "notes": "注意"}]
    path = write(tmp_path, "v16.csv", "name\n평양\n".encode("utf-16"))
    assert values(read_records(path, encoding="utf-16")) == [{"name": "평양"}]


def test_unknown_encoding_is_an_error(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, "vendors.csv", "name\nA\n"), encoding="no-such-codec")
    assert "unknown encoding" in error.message


def test_csv_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", b"\xef\xbb\xbfName,Country\r\nAcme,kr\r\n")
    assert values(read_records(path)) == [{"name": "Acme", "country": "kr"}]
    assert values(read_records(path, encoding="UTF_8")) == [{"name": "Acme", "country": "kr"}]


def test_csv_with_bom_and_encoding_spelled_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", b"\xef\xbb\xbfname\nAcme\n")
    assert values(read_records(path, encoding="utf8")) == [{"name": "Acme"}]


def test_tsv(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.tsv", 'name\tcountry\tnotes\nAcme, Ltd\tkr\tsays "hi"\n')
    assert values(read_records(path)) == [{"name": "Acme, Ltd", "country": "kr", "notes": 'says "hi"'}]


def test_txt_is_read_as_csv(tmp_path: Path) -> None:
    assert values(read_records(write(tmp_path, "vendors.txt", "name\nAcme\n"))) == [{"name": "Acme"}]


def test_multi_line_cells_keep_the_line_each_record_starts_on(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "vendors.csv",
        'name,notes\nAcme,"first\nsecond\r\nthird"\n\nBeta,plain\n"Gam\nma","x"\n',
    )
    records = read_records(path)
    assert [(r.values["name"], r.origin["row"]) for r in records] == [("Acme", 2), ("Beta", 6), ("Gam\nma", 7)]
    assert records[0].values["notes"] == "first\nsecond\r\nthird"
    broken = write(tmp_path, "broken.csv", 'name,country\nAcme,"k\nr"\nBeta,"c\nn"\nGamma,xx\n')
    error = read_error(broken)
    assert (error.row, error.field) == (2, "country")


def test_error_after_multi_line_cell_names_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", 'name,notes,country\nAcme,"a\nb\nc",kr\nBeta,,Narnia\n')
    error = read_error(path)
    assert (error.row, error.field) == (5, "country")


def test_mixed_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", b"name,country\rA,kr\nB,cn\r\nC,de\r")
    records = read_records(path)
    assert values(records) == [
        {"name": "A", "country": "kr"},
        {"name": "B", "country": "cn"},
        {"name": "C", "country": "de"},
    ]
    assert [r.origin["row"] for r in records] == [2, 3, 4]


def _open_handles(path: Path) -> list[str]:
    handles = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if fd.readlink() == path:
                handles.append(fd.name)
        except OSError:
            continue
    return handles


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
@pytest.mark.parametrize(
    "rows", [[["name", None, "country"], ["A", None, "kr"]], [["name"], ["A"], ["B", "stray"], ["C"]]]
)
def test_xlsx_error_mid_sheet_closes_the_file(tmp_path: Path, rows: list[list[Any]]) -> None:
    path = workbook(tmp_path / "vendors.xlsx", {"vendors": rows})
    try:
        read_records(path)
    except InputError as error:
        still_open = _open_handles(path)
        traceback.clear_frames(error.__traceback__)
    else:
        pytest.fail("no InputError")
    assert still_open == []


# --- JSON errors -----------------------------------------------------------------------------------


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "chain.json", '{"vendors": [\n  {"name": "A"},\n  {"name": "B",}\n]}\n')
    error = read_error(path)
    assert error.row == 3
    assert "not valid JSON" in error.message


def test_json_that_is_not_utf8(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, "chain.json", '[{"name": "조선"}]'.encode("cp949")))
    assert "UTF-8" in error.message


@pytest.mark.parametrize(
    ("document", "row", "field", "message"),
    [
        ("42", None, None, "a list of vendors or an object of lists"),
        ('"vendors"', None, None, "a list of vendors or an object of lists"),
        ("null", None, None, "a list of vendors or an object of lists"),
        ('{"vendors": {"name": "A"}}', None, "vendors", "must be a list of objects"),
        ('{"vendors": "A"}', None, "vendors", "must be a list of objects"),
        ('{"suppliers": []}', None, "suppliers", "unknown key"),
        ('[["A"]]', 1, None, "each entry must be an object"),
        ('[{"name": "A"}, "B"]', 2, None, "each entry must be an object"),
        ('[{"name": "A", "address": {"city": "Dandong"}}]', 1, "address", "text, numbers or lists"),
        ('[{"name": "A", "aliases": [["x"]]}]', 1, "aliases", "text, numbers or lists"),
        ('[{"name": "A", "aliases": [{"x": 1}]}]', 1, "aliases", "text, numbers or lists"),
        ('[{"name": "A"}, {"name": null}]', 2, "name", "required"),
        ('[{"name": "A", "country": ["kr"]}]', 1, "country", "unknown country"),
        ('[{"name": "A", "colour": "red"}]', None, "colour", "unknown column"),
    ],
)
def test_json_wrong_shapes(tmp_path: Path, document: str, row: int | None, field: str | None, message: str) -> None:
    error = read_error(write(tmp_path, "chain.json", document))
    assert (error.row, error.field) == (row, field)
    assert message in error.message


def test_json_nested_too_deeply(tmp_path: Path) -> None:
    error = read_error(write(tmp_path, "chain.json", "[" * 100_000 + "]" * 100_000))
    assert "nested too deeply" in error.message


def test_json_with_a_huge_integer_is_an_input_error(tmp_path: Path) -> None:
    read_error(write(tmp_path, "chain.json", '[{"name": "A", "phones": ' + "9" * 5000 + "}]"))


# --- XLSX errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"name,country\nAcme,kr\n",
        b"\x00" * 64,
        b"PK\x03\x04" + b"\xff" * 200,
        b"PK\x05\x06" + b"\x00" * 18,  # an empty zip archive
    ],
)
def test_xlsx_that_is_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    error = read_error(write(tmp_path, "vendors.xlsx", content))
    assert "not a readable XLSX workbook" in error.message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "vendors.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "not a readable XLSX workbook" in read_error(path).message


def _damaged_workbook(tmp_path: Path, member: str, content: bytes) -> Path:
    good = workbook(tmp_path / "good.xlsx", {"vendors": [["name"], ["Acme"]]})
    path = tmp_path / "vendors.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    return path


@pytest.mark.parametrize("member", ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xlsx_with_malformed_xml_is_an_input_error(tmp_path: Path, member: str) -> None:
    read_error(_damaged_workbook(tmp_path, member, b"<worksheet><sheetData><row"))


def test_xlsx_with_corrupt_compressed_data_is_an_input_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "vendors.xlsx", {"vendors": [["name"], ["Acme"]]})
    data = bytearray(path.read_bytes())
    start = data.find(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    for index in range(start + 2, start + 40):
        data[index] ^= 0x55
    path.write_bytes(bytes(data))
    read_error(path)


# --- files and types -------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert read_error(tmp_path / "nope.csv").message == "no such file"


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert read_error(tmp_path / "dir.csv").message == "no such file"


@pytest.mark.parametrize("name", ["vendors.xls", "vendors.doc", "vendors", "vendors.ods"])
def test_unsupported_file_type(tmp_path: Path, name: str) -> None:
    assert "unsupported file type" in read_error(write(tmp_path, name, "name\nA\n")).message


# --- properties ------------------------------------------------------------------------------------

_CELL = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)


@PROPERTY
@given(rows=st.lists(st.tuples(_CELL, _CELL), max_size=6))
@example(rows=[("a\rb", "c\nd"), ("  x  ", ' "q" '), ("\u3000y\u3000", "=1+1")])
@example(rows=[("", ""), ("Acme", "")])
@example(rows=[("", "orphan")])
def test_csv_round_trips_any_text(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["name", "notes"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "vendors.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))

    kept = [(name, notes) for name, notes in rows if name.strip() or notes.strip()]
    try:
        records = read_records(path)
    except InputError as error:
        assert any(not name.strip() for name, _ in kept), f"unexpected error: {error}"
        assert error.field == "name"
        return
    assert values(records) == [{"name": name.strip(), "notes": notes.strip() or None} for name, notes in kept]


@PROPERTY
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".tsv", ".json", ".xlsx"]))
@example(content=b"name\n\xff", suffix=".csv")
@example(content=b'[{"name": "\\ud800"}]', suffix=".json")
@example(content=b"PK\x03\x04\x14\x00\x00\x00\x08\x00", suffix=".xlsx")
def test_arbitrary_bytes_only_ever_raise_input_error(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"vendors{suffix}"
    path.write_bytes(content)
    try:
        read_records(path)
    except InputError as error:
        assert error.file is not None
        assert error.file.startswith(str(path))


@pytest.mark.parametrize(
    ("stem", "headers", "kind"),
    [
        ("personnel", ["name", "country"], "vendors"),
        ("q3-people", ["name", "country"], "people"),
        ("Vendors 2024", ["name", "role"], "vendors"),
        ("export", ["Name", "E-mail"], "vendors"),
    ],
)
def test_kind_hints_are_whole_words(stem: str, headers: list[str], kind: str) -> None:
    from celtrace.chain import records

    assert records.detect_kind(headers, stem) == kind
    assert records.canonical("vendors", "E-mail") == "email_domains"
