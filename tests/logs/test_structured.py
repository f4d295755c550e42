"""JSON Lines and CSV readers: field maps and defaults, timestamps, sniffing, hostile input, round trips."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.logs import events, structured
from celtrace.logs.addresses import clean_ip
from celtrace.logs.formats import ReaderOptions, head_lines
from tests.conftest import SHARED
from tests.logs.test_system import nonblank_numbers

LOGS = SHARED / "data" / "logs"
READERS = {fmt.name: fmt.read for fmt in structured.FORMATS}

JSONL = [
    # Elastic Common Schema-style nesting, an offset, and a status as text.
    {
        "@timestamp": "2024-05-01T10:00:00.250+02:00",
        "source": {"ip": "198.51.100.4"},
        "user": {"name": "kim"},
        "http": {"request": {"method": "GET"}, "response": {"status_code": "206", "body": {"bytes": 1048576}}},
        "url": {"path": "/ep03/cut_012.psd"},
        "user_agent": {"original": "rclone/v1.66"},
    },
    # Flat names, epoch milliseconds, an address with a port.
    {"@timestamp": 1714557600000, "client_ip": "198.51.100.5:51234", "user": "lee", "method": "PUT", "status": 201},
]


CON = duckdb.connect()  # one in-memory engine for the module: a connection per read doubled the run time


def read(fmt: str, path: Path, **options: Any) -> list[dict[str, Any]]:
    relation = READERS[fmt](CON, path, ReaderOptions(**options))
    assert relation.columns == list(events.COLUMNS)
    assert [str(kind) for kind in relation.types] == list(events.COLUMNS.values())
    return [dict(zip(events.COLUMNS, row, strict=True)) for row in relation.order("line").fetchall()]


def write(tmp_path: Path, text: str, name: str = "log") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(records: list[Any]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def test_jsonl_defaults_find_flat_and_nested_fields(tmp_path: Path) -> None:
    rows = read("jsonl", write(tmp_path, jsonl(JSONL)))
    first, second = rows
    assert first == {
        "line": 1,
        "ts": datetime(2024, 5, 1, 8, 0, 0, 250000),
        "ip": "198.51.100.4",
        "account": "kim",
        "action": "GET",
        "object": "/ep03/cut_012.psd",
        "status": 206,
        "bytes": 1048576,
        "user_agent": "rclone/v1.66",
        "ok": True,
        "raw": None,
    }
    # "user" is an object in line 1 and a name in line 2: the sample chose the path user.name for the file.
    assert (second["ts"], second["ip"], second["status"]) == (datetime(2024, 5, 1, 10, 0), "198.51.100.5", 201)


def test_jsonl_field_map_with_dotted_paths_and_dotted_keys(tmp_path: Path) -> None:
    record = {"when": "1714557600", "net": {"peer": "2001:db8::1"}, "actor.id": "acct-7", "op": "GetObject"}
    field_map = {"ts": "when", "ip": "net.peer", "account": "actor.id", "action": "op"}
    [row] = read("jsonl", write(tmp_path, jsonl([record])), field_map=field_map)
    assert (row["ts"], row["ip"], row["account"], row["action"]) == (
        datetime(2024, 5, 1, 10, 0),
        "2001:db8::1",
        "acct-7",
        "GetObject",
    )


def test_field_map_naming_no_event_column_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, jsonl(JSONL))
    with pytest.raises(InputError, match="'when'"):
        read("jsonl", path, field_map={"when": "time"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10)),
        ("2024-05-01T19:00:00+09:00", datetime(2024, 5, 1, 10)),
        ("2024-05-01 12:00:00", datetime(2024, 5, 1, 10)),  # no zone: the assumed one (Paris, UTC+2 in May)
        ("01/May/2024:10:00:00 +0000", datetime(2024, 5, 1, 10)),
        (1714557600, datetime(2024, 5, 1, 10)),
        (1714557600.5, datetime(2024, 5, 1, 10, 0, 0, 500000)),
        (1714557600000, datetime(2024, 5, 1, 10)),
        (1714557600000000, datetime(2024, 5, 1, 10)),
        ("1714557600000", datetime(2024, 5, 1, 10)),
        ("yesterday", None),
        (True, None),
        ([2024], None),
    ],
)
def test_timestamps(value: object, expected: datetime | None) -> None:
    from zoneinfo import ZoneInfo

    assert structured.parse_time(value, ZoneInfo("Europe/Paris")) == expected


CSV_TEXT = (
    "Date,Client IP,Username,Operation,Key,Status Code,Bytes Sent,User-Agent\n"
    "2024-05-01T10:00:00Z,198.51.100.4,kim,GET,/ep03/a.psd,200,10,curl/8\n"
    "\n"
    '1714557600,198.51.100.5,lee,PUT,"/ep03/with,comma\nand newline.psd",403,-,"Mozilla/5.0 (X11; Linux)"\n'
    "2024-05-01T10:00:00Z,198.51.100.6,ragged\n"
    "2024-05-01T10:00:01Z,not-an-ip,kim,GET,/b,abc,12,x\n"
)


def test_csv_defaults_and_line_numbers(tmp_path: Path) -> None:
    rows = read("csv", write(tmp_path, CSV_TEXT))
    assert [(row["line"], row["ok"]) for row in rows] == [(2, True), (4, True), (6, False), (7, True)]
    assert rows[0]["account"] == "kim" and rows[0]["bytes"] == 10 and rows[0]["user_agent"] == "curl/8"
    assert rows[1]["object"] == "/ep03/with,comma\nand newline.psd"
    assert (rows[1]["status"], rows[1]["bytes"], rows[1]["ts"]) == (403, None, datetime(2024, 5, 1, 10))
    assert rows[2]["raw"] == "2024-05-01T10:00:00Z,198.51.100.6,ragged"
    assert (rows[3]["ip"], rows[3]["status"]) == (None, None)  # kept, with the unusable fields NULL


def test_csv_field_map(tmp_path: Path) -> None:
    text = "when,who,src,what\n2024-05-01T10:00:00+00:00,ann,192.0.2.1,login\n"
    [row] = read(
        "csv", write(tmp_path, text), field_map={"ts": "when", "account": "who", "ip": "src", "action": "what"}
    )
    assert (row["ts"], row["account"], row["ip"], row["action"]) == (
        datetime(2024, 5, 1, 10),
        "ann",
        "192.0.2.1",
        "login",
    )
    with pytest.raises(InputError, match="'missing'"):
        read("csv", write(tmp_path, text), field_map={"ip": "missing"})


def test_sniffing_is_specific(tmp_path: Path) -> None:
    def sniffed(lines: list[str]) -> list[str]:
        return [fmt.name for fmt in structured.FORMATS if fmt.sniff(lines)]

    assert sniffed(jsonl(JSONL).splitlines()) == ["jsonl"]
    assert sniffed(CSV_TEXT.splitlines()[:3]) == ["csv"]
    assert sniffed(head_lines(LOGS / "apache_access_1k.log")) == []
    assert sniffed(head_lines(LOGS / "OpenSSH_2k.log")) == []
    assert sniffed(["Call me Ishmael. Some years ago, never mind how long precisely, having little money,"] * 3) == []
    assert sniffed(["[1, 2]", "3", '"x"', "{}"]) == []  # JSON, but mostly not objects
    assert sniffed(["name,colour,size", "a,red,1", "b,blue,2"]) == []  # a CSV, but not of access events
    assert sniffed(["timestamp,ip"]) == []  # a header and nothing else


def test_gzip_whatever_the_name(tmp_path: Path) -> None:
    plain = read("jsonl", write(tmp_path, jsonl(JSONL)))
    for name in ("events.jsonl.gz", "events.jsonl"):
        packed = tmp_path / "gz" / name
        packed.parent.mkdir(exist_ok=True)
        packed.write_bytes(gzip.compress(jsonl(JSONL).encode()))
        assert read("jsonl", packed) == plain
    packed = tmp_path / "access.csv"
    packed.write_bytes(gzip.compress(CSV_TEXT.encode()))
    assert read("csv", packed) == read("csv", write(tmp_path, CSV_TEXT, "plain.csv"))


HOSTILE: dict[str, bytes] = {
    "garbage.bin": bytes(range(256)) * 40 + b"\n\x00\x01\x02\xff\xfe\n",
    "nul.txt": b'{"ip": "192.0.2.1"}\n\x00\x00\n{"ip": "192.0.2.\x00"}\nip,ts\n',
    "huge_line.txt": b'{"ip": "192.0.2.1", "pad": "' + b"A" * 1_000_000 + b'"}\n' + b"B" * 1_000_000 + b"\n",
    "bad_utf8.txt": b'{"user": "\xc3\x28\xff", "ip": "192.0.2.1"}\n{"user": "\\ud800"}\n\xed\xa0\x80\n',
    "not_objects.txt": b'[1, 2]\n3\n"text"\nnull\n{"ok": true}\n{"unclosed": \n',
    "deep.txt": b"[" * 100_000 + b"\n" + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"\n",
    "ragged.csv": b'timestamp,ip,user\n2024-01-01T00:00:00Z,192.0.2.1,a\nx\n1,2,3,4,5\n,,\n"unclosed,1,2\n',
    "empty.txt": b"",
    "blank.txt": b"\n\n  \r\n\t\n",
    "header_only.csv": b"timestamp,ip,user\n",
    "huge_numbers.txt": b'{"status": 99999999999999999999, "bytes": 1e400, "timestamp": 1e300}\n{"timestamp": NaN}\n',
}


def _covered(rows: list[dict[str, Any]]) -> set[int]:
    """The lines a reader's rows account for: a CSV record may span lines, and a CSV header is one more."""
    covered: set[int] = set()
    for row in rows:
        span = row["raw"].count("\n") if row["raw"] else 0
        covered.update(range(row["line"], row["line"] + span + 1))
    return covered


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_hostile_input_is_accounted_for(tmp_path: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    rows = read(fmt, path)
    expected = nonblank_numbers(path)
    for row in rows:
        assert row["ok"] == (row["raw"] is None)
    if fmt == "jsonl":
        assert [row["line"] for row in rows] == expected
    else:
        # The header is read, not emitted; accepted CSV records in these files are one line each.
        assert _covered(rows) | set(expected[:1]) >= set(expected)


def test_truncated_gzip_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl(JSONL * 200).encode())[:300])
    for reader in READERS.values():
        with pytest.raises(InputError, match=re.escape("events.jsonl.gz")):
            reader(duckdb.connect(), path, ReaderOptions())


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.log"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    assert [row["line"] for row in read("jsonl", path)] == nonblank_numbers(path)
    read("csv", path)


TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)
RECORDS = st.fixed_dictionaries(
    {
        "time": st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1), timezones=st.just(UTC)),
        "remote_addr": st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str),
        "username": TEXT,
        "action": TEXT,
        "uri": TEXT,
        "status_code": st.integers(100, 599),
        "bytes_sent": st.integers(0, 2**62),
        "userAgent": TEXT,
    }
)


def _expected(record: dict[str, Any]) -> tuple[Any, ...]:
    address = clean_ip(record["remote_addr"])
    return (
        record["time"].replace(tzinfo=None),
        address,
        record["username"],
        record["action"],
        record["uri"],
        record["status_code"],
        record["bytes_sent"],
        record["userAgent"],
    )


@SETTINGS
@given(st.lists(RECORDS, min_size=1, max_size=5))
def test_generated_jsonl_round_trips(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    lines = [json.dumps({**record, "time": record["time"].isoformat()}) for record in records]
    rows = read("jsonl", write(tmp_path, "\n".join(lines) + "\n"))
    assert [tuple(list(row.values())[1:9]) for row in rows] == [_expected(record) for record in records]


@SETTINGS
@given(st.lists(RECORDS, min_size=1, max_size=5))
def test_generated_csv_round_trips(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(RECORDS_KEYS))
    writer.writeheader()
    for record in records:
        writer.writerow({**record, "time": record["time"].isoformat()})
    path = tmp_path / "gen.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    rows = read("csv", path)
    # csv turns a lone "\r" into a line end, so compare what the reader could know: text as CSV returns it.
    parsed = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert len(rows) == len(records) == len(parsed)
    for row, record in zip(rows, records, strict=True):
        assert (row["ts"], row["ip"], row["status"], row["bytes"]) == _expected(record)[:2] + _expected(record)[5:7]


RECORDS_KEYS = ("time", "remote_addr", "username", "action", "uri", "status_code", "bytes_sent", "userAgent")


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    csv_path = tmp_path / "bom.csv"
    csv_path.write_bytes(b"\xef\xbb\xbfTimestamp,Client IP\n2024-05-01T10:00:00Z,192.0.2.1\n")
    json_path = tmp_path / "bom.jsonl"
    json_path.write_bytes(b'\xef\xbb\xbf{"ts": 1714557600, "ip": "192.0.2.1"}\n')
    for fmt, path in (("csv", csv_path), ("jsonl", json_path)):
        assert [fmt] == [f.name for f in structured.FORMATS if f.sniff(head_lines(path))]
        [row] = read(fmt, path)
        assert (row["ts"], row["ip"]) == (datetime(2024, 5, 1, 10), "192.0.2.1")
