"""Readers for HTTP server, CDN and storage access logs (celtrace.logs.web)."""

from __future__ import annotations

import gzip
import ipaddress
import random
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.logs import arrow_lines, events, w3c, web
from celtrace.logs.formats import Format, ReaderOptions, head_lines

PROPERTY = settings(database=None, deadline=None, max_examples=60)
LOGS = Path(__file__).resolve().parents[3] / "shared" / "data" / "logs"
APACHE = LOGS / "apache_access_1k.log"
WEB = {fmt.name: fmt for fmt in web.FORMATS}


def read(path: Path, name: str = "combined", options: ReaderOptions | None = None) -> list[dict[str, Any]]:
    """The reader's rows as dicts, in line order, after checking the relation's columns and types."""
    con = duckdb.connect()
    relation = WEB[name].read(con, path, options or ReaderOptions())
    assert relation.columns == list(events.COLUMNS)
    assert [str(kind) for kind in relation.types] == list(events.COLUMNS.values())
    rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    return sorted(rows, key=lambda row: row["line"])


def sniffed(lines: list[str]) -> list[str]:
    return [fmt.name for fmt in web.FORMATS if fmt.sniff(lines)]


def clf_time(stamp: str) -> datetime:
    """``10/Oct/2000:13:55:36 -0700`` as naive UTC, computed with Python's own parser."""
    aware = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
    return (aware - aware.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]


def write(tmp_path: Path, data: bytes, name: str = "access.log") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the real Apache sample ------------------------------------------------------------------------------

COMBINED = re.compile(
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (.*?) (HTTP/[\d.]+)" (\d{3}) (\d+|-) "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"$'
)


def test_real_apache_sample_reads_every_line_with_its_fields() -> None:
    expected = [COMBINED.match(line) for line in APACHE.read_text().splitlines()]
    rows = read(APACHE)
    assert len(rows) == 1000 and all(row["ok"] for row in rows)
    assert [row["line"] for row in rows] == list(range(1, 1001))
    for row, match in ((rows[0], expected[0]), (rows[-1], expected[-1])):
        assert match is not None
        ip, user, stamp, method, target, _, status, size, agent = match.groups()
        assert row["ip"] == ip
        assert row["account"] == (None if user == "-" else user)
        assert row["ts"] == clf_time(stamp)
        assert (row["action"], row["object"], row["status"]) == (method, target, int(status))
        assert row["bytes"] == (None if size == "-" else int(size))
        assert row["user_agent"] == agent
        assert row["raw"] is None
    # Every line, not only the ends: statuses and byte totals agree with the regex.
    assert sum(row["bytes"] or 0 for row in rows) == sum(int(m.group(8)) for m in expected if m and m.group(8) != "-")
    assert [row["status"] for row in rows] == [int(m.group(7)) for m in expected if m]


def test_real_apache_sample_sniffs_as_combined_only() -> None:
    assert sniffed(head_lines(APACHE)) == ["combined"]


# --- sniffing -------------------------------------------------------------------------------------------------

COMMON_LINE = '192.0.2.7 - alice [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'
COMBINED_LINE = COMMON_LINE + ' "http://example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"'


@pytest.mark.parametrize(
    ("lines", "names"),
    [
        ([COMMON_LINE] * 3, ["common"]),
        ([COMBINED_LINE] * 3, ["combined"]),
        ([COMMON_LINE, COMBINED_LINE], ["combined"]),  # a combined line anywhere: not "common"
        (head_lines(LOGS / "OpenSSH_2k.log"), []),
        (head_lines(LOGS / "Linux_2k.log"), []),
        (["It was a bright cold day in April, and the clocks were striking thirteen."] * 5, []),
        (["[10/Oct/2000:13:55:36 -0700] GET / 200"], []),
    ],
)
def test_sniff_picks_only_the_right_format(lines: list[str], names: list[str]) -> None:
    assert sniffed(lines) == names


def test_formats_are_listed_under_unique_names() -> None:
    assert [fmt.name for fmt in web.FORMATS] == ["cloudfront", "w3c", "s3", "combined", "common", "nginx"]
    assert all(isinstance(fmt, Format) and fmt.description for fmt in web.FORMATS)


# --- common and combined ------------------------------------------------------------------------------------


def test_common_and_combined_lines_mix_and_odd_lines_are_rejected_at_their_line(tmp_path: Path) -> None:
    lines = [
        "#comment",
        COMMON_LINE,
        "",
        COMBINED_LINE,
        "   ",
        'garbage "with an open quote',
        '192.0.2.7 - - [31/Feb/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5',  # no 31 February
        '192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2xx 5',  # bad status
        '192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "-" 408 -',  # no request at all
        '2001:db8::1 - - [10/Oct/2000:23:55:36 +0530] "GET /a b\\"c\\\\d HTTP/1.1" 404 - "-" "-"',
    ]
    rows = read(write(tmp_path, "\n".join(lines).encode()))
    by_line = {row["line"]: row for row in rows}
    assert sorted(by_line) == [1, 2, 4, 6, 7, 8, 9, 10]
    assert [by_line[n]["ok"] for n in (1, 6, 7, 8)] == [False] * 4
    assert by_line[6]["raw"] == lines[5] and by_line[6]["ts"] is None
    assert by_line[2]["user_agent"] is None and by_line[2]["account"] == "alice"
    assert by_line[4]["user_agent"] == "Mozilla/4.08 [en] (Win98; I ;Nav)"
    assert by_line[4]["ts"] == datetime(2000, 10, 10, 20, 55, 36)
    assert (by_line[9]["ok"], by_line[9]["action"], by_line[9]["object"], by_line[9]["bytes"]) == (
        True,
        None,
        None,
        None,
    )
    last = by_line[10]
    assert (last["ip"], last["object"], last["bytes"], last["user_agent"]) == ("2001:db8::1", '/a b"c\\d', None, None)
    assert last["ts"] == datetime(2000, 10, 10, 18, 25, 36)


def test_gzip_is_read_by_its_bytes_whatever_the_name(tmp_path: Path) -> None:
    data = gzip.compress(APACHE.read_bytes())
    for name in ("access.log.gz", "access.log"):
        rows = read(write(tmp_path, data, name))
        assert len(rows) == 1000 and all(row["ok"] for row in rows)
    # A plain file named .gz is read as plain text.
    assert len(read(write(tmp_path, APACHE.read_bytes(), "plain.gz"))) == 1000


def test_lines_cut_by_chunk_ends_are_joined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 100-byte chunks: most lines span two or three chunks, some chunks hold no newline at all.
    expected = read(APACHE)
    monkeypatch.setattr(arrow_lines, "_CHUNK", 100)
    assert read(APACHE) == expected
    # Concatenated gzip members (as logrotate and `cat a.gz b.gz` make) read as one stream.
    text = APACHE.read_bytes()
    cut = text.index(b"\n", len(text) // 3) + 1
    assert read(write(tmp_path, gzip.compress(text[:cut]) + gzip.compress(text[cut:]))) == expected


def test_truncated_gzip_reads_up_to_the_cut(tmp_path: Path) -> None:
    data = gzip.compress(APACHE.read_bytes())
    rows = read(write(tmp_path, data[: len(data) // 2], "cut.log.gz"))
    good = [row for row in rows if row["ok"]]
    assert 0 < len(good) < 1000
    assert [row["line"] for row in good] == list(range(1, len(good) + 1))
    # The partial last line (if the cut fell inside one) and a row that says the data ends early.
    assert len(rows) - len(good) <= 2
    assert rows[-1]["line"] == len(rows) and not rows[-1]["ok"]
    assert rows[-1]["raw"].startswith("celtrace: the gzip data of cut.log.gz ends early")


def test_a_relation_can_be_run_more_than_once(tmp_path: Path) -> None:
    # The enricher scans a reader's relation twice (distinct addresses, then the join).
    con = duckdb.connect()
    relation = WEB["combined"].read(con, APACHE, ReaderOptions())
    assert len(relation.fetchall()) == 1000
    assert con.sql("SELECT count(DISTINCT ip), max(line) FROM relation").fetchall()[0][1] == 1000


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.log"):
        read(tmp_path / "missing.log")


# --- the hostile corpus -------------------------------------------------------------------------------------


def hostile_files() -> dict[str, bytes]:
    good = COMBINED_LINE.encode()
    garbage = random.Random(7).randbytes(20_000)
    return {
        "binary": garbage,
        "huge line": good + b"\n" + b"x" * 1_000_000 + b"\n" + good + b"\n",
        "nul bytes": good + b"\n" + good.replace(b"GET", b"G\x00T") + b"\n\x00\x00\x00\n" + good,
        "open quotes": b'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1 200 5\n"\n"""\n' + good,
        "crlf": (good + b"\r\n") * 3 + b"\r\n" + good + b"\r\n",
        "invalid utf-8": good + b"\n" + good.replace(b"apache", b"\xff\xfe") + b"\n" + good + b"\n",
        "valid utf-8": good.replace(b"Nav", "한글 é".encode()) + b"\n",
        "lone cr": good + b"\n" + b"a\rb\r\n\r\r\n" + good,
        "empty": b"",
        "only blank": b"\n\n \n\t\n",
    }


@pytest.mark.parametrize("name", list(hostile_files()))
def test_hostile_input_never_crashes_and_keeps_every_line(tmp_path: Path, name: str) -> None:
    data = hostile_files()[name]
    rows = read(write(tmp_path, data))
    lines = data.split(b"\n")
    nonblank = {n: line.removesuffix(b"\r") for n, line in enumerate(lines, 1) if line.strip(b" \t\r")}
    assert [row["line"] for row in rows] == list(nonblank)
    for row in rows:
        if row["ok"]:
            continue
        line = nonblank[row["line"]]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:  # shown byte for byte, the odd ones as \xHH
            text = "".join(chr(c) if 32 <= c < 127 and c != 92 else f"\\x{c:02X}" for c in line)
        assert row["raw"] == text
    if name in ("crlf", "huge line", "nul bytes", "invalid utf-8"):
        assert all(row["user_agent"] == "Mozilla/4.08 [en] (Win98; I ;Nav)" for row in rows if row["ok"])
    if name == "valid utf-8":
        assert rows[0]["user_agent"] == "Mozilla/4.08 [en] (Win98; I ;한글 é)"


@pytest.mark.parametrize("name", ["s3", "w3c", "cloudfront"])
def test_other_readers_survive_garbage(tmp_path: Path, name: str) -> None:
    data = b"#Fields: date time c-ip\n" + random.Random(3).randbytes(5000)
    rows = read(write(tmp_path, data), name)
    assert all(not row["ok"] for row in rows) and len({row["line"] for row in rows}) == len(rows)


# --- property: generated combined lines come back field for field ------------------------------------------

PRINTABLE = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


def escape(text: str) -> str:
    """What Apache writes for a quoted field."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


@st.composite
def combined_lines(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    if draw(st.booleans()):
        ip = str(ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1))))
    else:
        ip = str(ipaddress.IPv6Address(draw(st.integers(0, 2**128 - 1))))
    user = draw(st.one_of(st.just("-"), st.from_regex(r"[A-Za-z0-9._@]{1,12}", fullmatch=True)))
    local = draw(st.datetimes(datetime(1995, 1, 1), datetime(2037, 12, 31)).map(lambda t: t.replace(microsecond=0)))
    offset = draw(st.integers(-12 * 60, 14 * 60))
    zone = f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    method = draw(st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PROPFIND"]))
    path = "/" + draw(PRINTABLE)
    status = draw(st.integers(100, 599))
    size = draw(st.one_of(st.just("-"), st.integers(0, 2**40).map(str)))
    agent = draw(PRINTABLE.filter(lambda text: text != "-"))
    referer = draw(PRINTABLE)
    line = (
        f'{ip} - {user} [{local:%d/%b/%Y:%H:%M:%S} {zone}] "{method} {escape(path)} HTTP/1.1" {status} {size} '
        f'"{escape(referer)}" "{escape(agent)}"'
    )
    fields = {
        "ip": ip,
        "account": None if user == "-" else user,
        "ts": local - timedelta(minutes=offset),
        "action": method,
        "object": path,
        "status": status,
        "bytes": None if size == "-" else int(size),
        "user_agent": agent,
        "ok": True,
        "raw": None,
    }
    return line, fields


@PROPERTY
@given(st.lists(combined_lines(), min_size=1, max_size=8))
def test_generated_combined_lines_come_back_exactly(cases: list[tuple[str, dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "access.log"
        path.write_text("\n".join(line for line, _ in cases) + "\n")
        rows = read(path)
    assert [{k: v for k, v in row.items() if k != "line"} for row in rows] == [fields for _, fields in cases]
    assert [row["line"] for row in rows] == list(range(1, len(cases) + 1))


@PROPERTY
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\n")), max_size=8))
def test_arbitrary_text_never_raises_and_keeps_its_lines(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "access.log"
        path.write_bytes("\n".join(lines).encode())
        rows = read(path)
    nonblank = [n for n, line in enumerate(lines, 1) if line.strip(" \t\r")]
    assert [row["line"] for row in rows] == nonblank
    assert all(row["ok"] or row["raw"] == lines[row["line"] - 1].removesuffix("\r") for row in rows)


# --- nginx with a custom log_format -------------------------------------------------------------------------

NGINX_MAIN = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
    '"$http_user_agent" rt=$request_time uct="$upstream_connect_time"'
)


def test_nginx_custom_format_with_unknown_variables(tmp_path: Path) -> None:
    lines = [
        '203.0.113.5 - bob [17/May/2015:10:05:03 +0200] "GET /ep1/sc12.png HTTP/2.0" 200 5120 "-" '
        '"curl/8 \\x22q\\x22" rt=0.012 uct="0.001"',
        "not nginx at all",
    ]
    rows = read(write(tmp_path, "\n".join(lines).encode()), "nginx", ReaderOptions(log_format=NGINX_MAIN))
    first = rows[0]
    assert (first["ip"], first["account"], first["action"], first["object"]) == (
        "203.0.113.5",
        "bob",
        "GET",
        "/ep1/sc12.png",
    )
    assert (first["ts"], first["status"], first["bytes"]) == (datetime(2015, 5, 17, 8, 5, 3), 200, 5120)
    assert first["user_agent"] == 'curl/8 "q"'
    assert (rows[1]["ok"], rows[1]["line"], rows[1]["raw"]) == (False, 2, "not nginx at all")


def test_nginx_json_like_format_with_iso_time_and_split_request(tmp_path: Path) -> None:
    log_format = (
        '{"t":"$time_iso8601","ip":"$remote_addr","m":"$request_method","u":"$request_uri",'
        '"s":$status,"b":$bytes_sent,"ua":"$http_user_agent"}'
    )
    line = '{"t":"2024-03-01T23:30:00-05:00","ip":"198.51.100.2","m":"PUT","u":"/up?x=1","s":201,"b":-,"ua":"-"}'
    rows = read(write(tmp_path, line.encode()), "nginx", ReaderOptions(log_format=log_format))
    assert rows[0] | {"line": 0} == {
        "line": 0,
        "ts": datetime(2024, 3, 2, 4, 30),
        "ip": "198.51.100.2",
        "account": None,
        "action": "PUT",
        "object": "/up?x=1",
        "status": 201,
        "bytes": None,
        "user_agent": None,
        "ok": True,
        "raw": None,
    }


def test_nginx_msec_time(tmp_path: Path) -> None:
    rows = read(
        write(tmp_path, b"1700000000.123 GET /x 200\n"),
        "nginx",
        ReaderOptions(log_format="$msec $request_method $uri $status"),
    )
    assert rows[0]["ts"] == datetime(2023, 11, 14, 22, 13, 20, 123000)


def test_nginx_needs_a_usable_log_format(tmp_path: Path) -> None:
    path = write(tmp_path, b"x\n")
    with pytest.raises(InputError, match="log_format"):
        read(path, "nginx")
    with pytest.raises(InputError, match="directly follows"):
        read(path, "nginx", ReaderOptions(log_format="$remote_addr$status"))


# --- S3, CloudFront, W3C (IIS) ------------------------------------------------------------------------------

OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
S3_LOG = f"""\
{OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 {OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - \
"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - \
s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 \
AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 \
arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes
{OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:01:00:39 +0100] 203.0.113.9 arn:aws:iam::123456789012:user/vendor-a \
7B4A0FABBEXAMPLE REST.GET.OBJECT episode%2001/layout%20sc12.png \
"GET /amzn-s3-demo-bucket1/episode%2001/layout%20sc12.png HTTP/1.1" 200 - 2662992 3462992 70 10 "-" \
"aws-cli/2.15.0 Python/3.11.6 Linux/6.1" - Ez0XvZ6F7l5mQ6VYq1x8t/7j2KcE= SigV4 ECDHE-RSA-AES128-GCM-SHA256 \
AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSv1.2 - -
{OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 0123456789ABCDEF REST.PUT.OBJECT a.png \
"PUT /amzn-s3-demo-bucket1/a.png HTTP/1.1" 403 AccessDenied 243 - 5 - "-" "curl/8.4" -
"""


def test_s3_server_access_log(tmp_path: Path) -> None:
    path = write(tmp_path, S3_LOG.encode())
    assert sniffed(head_lines(path)) == ["s3"]
    first, second, third = read(path, "s3")
    assert (first["ts"], first["ip"], first["account"], first["action"]) == (
        datetime(2019, 2, 6, 0, 0, 38),
        "192.0.2.3",
        OWNER,
        "REST.GET.VERSIONING",
    )
    assert (first["object"], first["status"], first["bytes"], first["user_agent"]) == (None, 200, 113, "S3Console/0.4")
    assert second["ts"] == datetime(2019, 2, 6, 0, 0, 39)
    assert (second["account"], second["object"], second["bytes"]) == (
        "arn:aws:iam::123456789012:user/vendor-a",
        "episode 01/layout sc12.png",
        2662992,
    )
    assert (third["ok"], third["account"], third["status"], third["line"]) == (True, None, 403, 3)


CLOUDFRONT_LOG = (
    "#Version: 1.0\n#Fields: " + " ".join(w3c.CLOUDFRONT_FIELDS) + "\n"
    "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\t"
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36\t-\t-\tHit\t"
    "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\t"
    "TLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-\n"
    "2019-12-04\t21:02:31\tLAX1\t392\t2001:db8::5\tGET\td111111abcdef8.cloudfront.net\t/ep/01.png\t304\t-\t"
    "curl/8.4\t-\t-\tRefreshHit\tk6WGMNkEzR5BEM_SaF47gjtX9zBDO2m349OY2an0QPEaUum1ZOLrow==\td111111abcdef8.cloudfront.net\t"
    "https\t23\t0.001\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tRefreshHit\tHTTP/2.0\t-\t-\t11040\t0.001\tRefreshHit\t"
    "-\t-\t-\t-\n"
    "2019-12-04\t21:02:31\ttoo few fields\n"
)


def test_cloudfront_standard_log(tmp_path: Path) -> None:
    path = write(tmp_path, CLOUDFRONT_LOG.encode())
    assert sniffed(head_lines(path)) == ["cloudfront"]
    first, second, bad = read(path, "cloudfront")
    assert (first["line"], first["ts"], first["ip"], first["action"], first["object"]) == (
        3,
        datetime(2019, 12, 4, 21, 2, 31),
        "192.0.2.100",
        "GET",
        "/index.html",
    )
    assert (first["status"], first["bytes"]) == (200, 392)
    assert first["user_agent"] == "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
    assert (second["ip"], second["status"], second["user_agent"]) == ("2001:db8::5", 304, "curl/8.4")
    assert (bad["ok"], bad["line"]) == (False, 5)


IIS_LOG = """\
#Software: Microsoft Internet Information Services 10.0
#Version: 1.0
#Date: 2024-05-01 00:00:01
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) \
sc-status sc-substatus sc-win32-status sc-bytes time-taken
2024-05-01 00:00:01 10.0.0.4 GET /portal/login.aspx - 443 - 175.45.176.3 \
Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 5120 15
2024-05-01 00:00:09 10.0.0.4 POST /portal/upload.aspx id=7 443 CORP\\kim 175.45.176.3 - - 500 0 0 - 31
#Software: Microsoft Internet Information Services 10.0
#Fields: date time c-ip cs-method
2024-05-01 00:01:00 175.45.176.3 GET
"""


def test_w3c_iis_log(tmp_path: Path) -> None:
    path = write(tmp_path, IIS_LOG.encode())
    assert sniffed(head_lines(path)) == ["w3c"]
    first, second, changed, after = read(path, "w3c")
    assert (first["line"], first["ts"], first["ip"], first["action"], first["object"]) == (
        5,
        datetime(2024, 5, 1, 0, 0, 1),
        "175.45.176.3",
        "GET",
        "/portal/login.aspx",
    )
    assert (first["account"], first["status"], first["bytes"]) == (None, 200, 5120)
    assert first["user_agent"] == "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
    assert (second["account"], second["status"], second["bytes"], second["user_agent"]) == (
        "CORP\\kim",
        500,
        None,
        None,
    )
    # A changed #Fields directive is shown, not skipped; lines after it no longer fit the first one.
    assert (changed["line"], changed["ok"], changed["raw"]) == (8, False, "#Fields: date time c-ip cs-method")
    assert (after["line"], after["ok"]) == (9, False)


def test_w3c_without_fields_directive_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="#Fields"):
        read(write(tmp_path, b"2024-05-01 00:00:01 GET /\n"), "w3c")
