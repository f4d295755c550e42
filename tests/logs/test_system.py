"""System log readers: sshd and Linux syslog on real samples, xferlog, vsftpd, RFC 5424, years, zones, hostile input.

The kernel's firewall lines have their own tests (test_firewall), as has the streaming into DuckDB (test_stream).
"""

from __future__ import annotations

import gzip
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.logs import events, syslog, system
from celtrace.logs.addresses import clean_ip
from celtrace.logs.formats import ReaderOptions, head_lines
from tests.conftest import SHARED

LOGS = SHARED / "data" / "logs"
OPENSSH = LOGS / "OpenSSH_2k.log"
LINUX = LOGS / "Linux_2k.log"
APACHE = LOGS / "apache_access_1k.log"
READERS = {fmt.name: fmt.read for fmt in system.FORMATS}
IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")

# Published examples: RFC 5424 section 6.5, xferlog(5) and vsftpd's own log.
RFC5424 = [
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8",
    "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" '
    'eventSource="Application" eventID="1011"] \ufeffAn application event log entry...',
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" '
    'eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    "<38>1 2024-03-01T12:00:00+09:00 bastion sshd 4242 - - Failed password for root from 203.0.113.5 port 2222 ssh2",
    '<38>1 - bastion sshd - - [meta note="a \\"quoted\\" ] bracket"] '
    "Accepted publickey for ann from 2001:db8::7 port 1 ssh2",
]
XFERLOG = [
    "Thu Mar  4 08:12:30 2004 1 202.114.40.242 37 /incoming/index.html a _ o a guest@my.net ftp 0 * c",
    "Mon Aug 11 14:03:30 2003 20 198.51.100.7 15000000 /path/to/file b _ i r user group 0 *",
    "Thu Apr 10 17:05:33 2025 1 203.0.113.42 1048576 /home/user/up load/backup.tar.gz b _ i r alice ftp 0 * i",
    "Sat Jan  4 09:00:00 2025 3 ftp.example.org 500 /pub/x.iso b CT o r bob ftp 1 bob c",
]
VSFTPD = [
    'Tue Sep 11 14:59:03 2007 [pid 3460] CONNECT: Client "127.0.0.1"',
    'Tue Sep 11 14:59:24 2007 [pid 3459] [ftp] OK LOGIN: Client "127.0.0.1", anon password "?"',
    'Tue Sep 11 15:00:01 2007 [pid 3461] [ann] FAIL LOGIN: Client "::ffff:198.51.100.9"',
    'Tue Sep 11 15:01:00 2007 [pid 3462] [ann] OK DOWNLOAD: Client "198.51.100.9", "/ep01/key 001.psd", 52428 bytes, '
    "2048.00Kbyte/sec",
    'Tue Sep 11 15:02:00 2007 [pid 3462] [ann] FAIL UPLOAD: Client "198.51.100.9", "/ep01/notes.txt", 0.00Kbyte/sec',
    'Tue Sep 11 15:03:00 2007 [pid 3462] [ann] OK MKDIR: Client "198.51.100.9", "/ep02"',
]


CON = duckdb.connect()  # one in-memory engine for the module: a connection per read doubled the run time


def read(fmt: str, path: Path, **options: Any) -> list[dict[str, Any]]:
    relation = READERS[fmt](CON, path, ReaderOptions(**options))
    assert relation.columns == list(events.COLUMNS)
    return [dict(zip(events.COLUMNS, row, strict=True)) for row in relation.order("line").fetchall()]


def write(tmp_path: Path, lines: list[str], name: str = "log") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def nonblank_numbers(path: Path) -> list[int]:
    """The 1-based numbers of non-blank lines, worked out from the bytes, independently of the readers."""
    data = gzip.decompress(path.read_bytes()) if path.read_bytes()[:2] == b"\x1f\x8b" else path.read_bytes()
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [n for n, part in enumerate(parts, 1) if part.decode("utf-8", "replace").strip()]


def test_openssh_sample_counts_match_an_independent_count() -> None:
    text = OPENSSH.read_text(encoding="utf-8").splitlines()
    rows = read("sshd", OPENSSH, year=2024)
    assert [row["line"] for row in rows] == list(range(1, len(text) + 1))
    assert all(row["ok"] and row["raw"] is None for row in rows)
    failed = sum(
        1 for line in text if re.search(r"sshd\[\d+\]: (message repeated \d+ times: \[ )?Failed \S+ for", line)
    )
    assert sum(row["action"] == "login-failed" for row in rows) == failed
    assert sum(row["action"] == "invalid-user" for row in rows) == sum(" Invalid user " in line for line in text)
    assert {row["ip"] for row in rows} - {None} == {ip for line in text for ip in IPV4.findall(line)}
    [login] = [row for row in rows if row["action"] == "login"]
    assert (login["account"], login["ip"], login["ts"]) == ("fztu", "119.137.62.142", datetime(2024, 12, 10, 9, 32, 20))


def test_linux_sample_counts_match_an_independent_count() -> None:
    text = LINUX.read_text(encoding="utf-8").splitlines()
    rows = read("syslog", LINUX, year=2005)
    assert len(rows) == len(text)
    assert all(row["ok"] for row in rows)
    failures = sum(1 for line in text if "authentication failure;" in line)
    assert sum(row["action"] == "auth-failure" for row in rows) == failures
    assert sum(row["action"] == "connect" for row in rows) == sum(
        "ftpd[" in line and ": connection from " in line for line in text
    )
    # Every dotted quad in the file is a client here: ftpd "connection from", PAM rhost=, and a few in brackets.
    expected = {ip for line in text for ip in IPV4.findall(line) if not line.split(": ", 1)[0].endswith("kernel")}
    assert {row["ip"] for row in rows} - {None} == expected
    root = rows[898]
    assert root["line"] == 899 and root["ts"] == datetime(2005, 7, 7, 8, 6, 15)
    assert rows[0]["ts"] == datetime(2005, 6, 14, 15, 16, 1)


def test_sniffing_is_specific(tmp_path: Path) -> None:
    def sniffed(lines: list[str]) -> list[str]:
        return [fmt.name for fmt in system.FORMATS if fmt.sniff(lines)]

    assert sniffed(head_lines(OPENSSH))[0] == "sshd"
    assert "syslog" in sniffed(head_lines(LINUX))
    assert sniffed(head_lines(APACHE)) == []
    assert sniffed(["It was a bright cold day in April, and the clocks were striking thirteen."] * 5) == []
    assert sniffed(['{"time": "2024-01-01T00:00:00Z", "ip": "192.0.2.1"}'] * 5) == []
    assert sniffed(["timestamp,ip,user", "2024-01-01T00:00:00Z,192.0.2.1,ann"]) == []
    assert sniffed(XFERLOG)[0] == "xferlog"
    assert sniffed(VSFTPD)[0] == "vsftpd"
    assert sniffed(RFC5424) == ["syslog"]
    assert sniffed([]) == []


def test_rfc5424(tmp_path: Path) -> None:
    rows = read("syslog", write(tmp_path, RFC5424))
    assert all(row["ok"] for row in rows), [row["raw"] for row in rows if not row["ok"]]
    assert [row["ts"] for row in rows[:2]] == [
        datetime(2003, 10, 11, 22, 14, 15, 3000),
        datetime(2003, 8, 24, 12, 14, 15, 3),
    ]
    assert (rows[4]["ts"], rows[4]["ip"], rows[4]["account"], rows[4]["action"]) == (
        datetime(2024, 3, 1, 3, 0),
        "203.0.113.5",
        "root",
        "login-failed",
    )
    assert (rows[5]["ts"], rows[5]["ip"], rows[5]["action"]) == (None, "2001:db8::7", "login")


def test_xferlog(tmp_path: Path) -> None:
    rows = read("xferlog", write(tmp_path, XFERLOG), timezone="Europe/Paris")
    assert all(row["ok"] for row in rows)
    assert [row["action"] for row in rows] == ["download", "upload", "upload", "download"]
    assert [row["status"] for row in rows] == [226, None, 426, 226]
    assert rows[0]["ts"] == datetime(2004, 3, 4, 7, 12, 30)  # Paris is UTC+1 in March
    assert (rows[0]["ip"], rows[0]["account"], rows[0]["object"], rows[0]["bytes"]) == (
        "202.114.40.242",
        "guest@my.net",
        "/incoming/index.html",
        37,
    )
    assert rows[2]["object"] == "/home/user/up load/backup.tar.gz"
    assert rows[3]["ip"] is None  # a host name, not an address


def test_vsftpd(tmp_path: Path) -> None:
    rows = read("vsftpd", write(tmp_path, VSFTPD))
    assert all(row["ok"] for row in rows)
    assert [row["action"] for row in rows] == ["connect", "login", "login-failed", "download", "upload", "mkdir"]
    assert [row["status"] for row in rows] == [None, 230, 530, 226, 426, 250]
    assert rows[2]["ip"] == "198.51.100.9"  # IPv4-mapped IPv6 unwrapped
    assert (rows[3]["account"], rows[3]["object"], rows[3]["bytes"]) == ("ann", "/ep01/key 001.psd", 52428)


def test_year_wraps_forward_and_disorder_does_not(tmp_path: Path) -> None:
    lines = [
        "Dec 31 23:59:58 h sshd[1]: Connection closed by 192.0.2.1",
        "Jan  1 00:00:01 h sshd[1]: Connection closed by 192.0.2.2",
        "Feb  1 00:00:00 h sshd[1]: Connection closed by 192.0.2.3",
        "Jan 31 23:59:59 h sshd[1]: Connection closed by 192.0.2.4",  # written late, not a year later
    ]
    path = write(tmp_path, lines)
    assert [row["ts"].year for row in read("sshd", path, year=2023)] == [2023, 2024, 2024, 2024]
    # Without a year, the modification time dates the last line.
    stamp = datetime(2024, 3, 1).timestamp()
    os.utime(path, (stamp, stamp))
    assert [row["ts"].year for row in read("sshd", path)] == [2023, 2024, 2024, 2024]


def test_time_zones(tmp_path: Path) -> None:
    path = write(tmp_path, ["Jan 15 09:00:00 h sshd[1]: x", "Feb 29 10:00:00 h a: x", "Jul 15 09:00:00 h sshd[1]: x"])
    assert [row["ts"] for row in read("syslog", path, year=2024, timezone="Asia/Seoul")] == [
        datetime(2024, 1, 15, 0),
        datetime(2024, 2, 29, 1),
        datetime(2024, 7, 15, 0),
    ]
    new_york = read("syslog", path, year=2023, timezone="America/New_York")
    assert [row["ts"] for row in new_york] == [datetime(2023, 1, 15, 14), None, datetime(2023, 7, 15, 13)]
    assert not new_york[1]["ok"]  # no 29 February in 2023
    iso = write(tmp_path, ["2024-07-01T12:00:00+02:00 h sshd[1]: a", "2024-07-01T12:00:00 h sshd[1]: b"], "iso")
    assert [row["ts"] for row in read("syslog", iso, timezone="Asia/Seoul")] == [
        datetime(2024, 7, 1, 10),
        datetime(2024, 7, 1, 3),
    ]
    with pytest.raises(InputError, match="Mars/Olympus"):
        read("syslog", path, timezone="Mars/Olympus")


def test_gzip_whatever_the_name(tmp_path: Path) -> None:
    plain = read("sshd", OPENSSH, year=2024)
    for name in ("auth.log.gz", "auth.log.1"):
        packed = tmp_path / name
        packed.write_bytes(gzip.compress(OPENSSH.read_bytes()))
        assert read("sshd", packed, year=2024) == plain


def test_relation_can_be_queried_twice() -> None:
    relation = syslog.read_syslog(duckdb.connect(), OPENSSH, ReaderOptions(year=2024))
    assert relation.count("*").fetchone() == relation.count("*").fetchone() == (2000,)


HOSTILE: dict[str, bytes] = {
    "garbage.bin": bytes(range(256)) * 40 + b"\n\x00\x01\x02\xff\xfe\n",
    "nul.log": b"Dec 10 06:55:46 h sshd[1]: Invalid user a\x00b from 192.0.2.9\n\x00\x00\x00\n",
    "huge_line.log": b"Dec 10 06:55:46 h sshd[1]: " + b"A" * 1_000_000 + b"\nDec 10 06:55:47 h x: y\n",
    "bad_utf8.log": b"Dec 10 06:55:46 h sshd[1]: Invalid user \xc3\x28\xff from 192.0.2.9\n\xed\xa0\x80 surrogate\n",
    "blank_lines.log": b"\n\n   \nDec 10 06:55:46 h sshd[1]: x\r\n\r\n\t\nnot syslog\n",
    "no_final_newline.log": b"Dec 10 06:55:46 h sshd[1]: x\nDec 10 06:55:46 h sshd[1]: y",
    "empty.log": b"",
    "bad_dates.log": b"Feb 31 10:00:00 h a: x\nDec 10 99:99:99 h a: x\n<1>1 2024-13-45T00:00:00Z h a - - - x\n",
    "xferlog_like.log": b"Thu Mar  4 08:12:30 2004 1 h 99999999999999999999999 /f b _ o r u ftp 0 * c\n",
    # A size past BIGINT inside syslog: the read used to stop with an OverflowError.
    "vsftpd_huge_size.log": b'Jan 15 10:23:50 f vsftpd[8]: [ann] OK UPLOAD: Client "192.0.2.7", "/a", '
    b"99999999999999999999999 bytes, 9.00Kbyte/sec\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_hostile_input_is_accounted_for(tmp_path: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    rows = read(fmt, path, year=2024)
    assert [row["line"] for row in rows] == nonblank_numbers(path)
    for row in rows:
        assert row["ok"] == (row["raw"] is None)


def test_truncated_gzip_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "auth.log.gz"
    path.write_bytes(gzip.compress(OPENSSH.read_bytes())[:5000])
    for reader in READERS.values():
        with pytest.raises(InputError, match=re.escape("auth.log.gz")):
            reader(duckdb.connect(), path, ReaderOptions())


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape("nothing.log")):
        syslog.read_syslog(duckdb.connect(), tmp_path / "nothing.log", ReaderOptions())


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.log"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    for fmt in READERS:
        rows = read(fmt, path, year=2024)
        assert [row["line"] for row in rows] == nonblank_numbers(path)


USERS = st.from_regex(r"[a-z_][a-z0-9_.-]{0,15}", fullmatch=True)
ADDRESSES = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@SETTINGS
@given(
    user=USERS,
    ip=ADDRESSES,
    port=st.integers(1, 65535),
    invalid=st.booleans(),
    method=st.sampled_from(["password", "publickey", "none"]),
)
def test_generated_sshd_failures_round_trip(
    tmp_path: Path, user: str, ip: str, port: int, invalid: bool, method: str
) -> None:
    who = f"invalid user {user}" if invalid else user
    path = write(tmp_path, [f"Mar  3 04:05:06 host sshd[77]: Failed {method} for {who} from {ip} port {port} ssh2"])
    [row] = read("sshd", path, year=2022)
    expected_ip = str(clean_ip(ip))
    assert (row["ts"], row["ip"], row["account"], row["action"]) == (
        datetime(2022, 3, 3, 4, 5, 6),
        expected_ip,
        user,
        "login-failed",
    )


@SETTINGS
@given(
    moment=st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)).map(lambda d: d.replace(microsecond=0)),
    ip=st.ip_addresses(v=4).map(str),
    size=st.integers(0, 2**62),
    name=st.from_regex(r"/[\w.-]{1,12}(?: [\w.-]{1,12}){0,3}", fullmatch=True).filter(lambda n: "\n" not in n),
    user=st.from_regex(r"[a-z][a-z0-9@.]{0,12}", fullmatch=True),
    direction=st.sampled_from(["o", "i"]),
    done=st.sampled_from(["c", "i"]),
)
def test_generated_xferlog_lines_round_trip(
    tmp_path: Path, moment: datetime, ip: str, size: int, name: str, user: str, direction: str, done: str
) -> None:
    stamp = moment.strftime("%a %b ") + f"{moment.day:2d}" + moment.strftime(" %H:%M:%S %Y")
    path = write(tmp_path, [f"{stamp} 2 {ip} {size} {name} b _ {direction} r {user} ftp 0 * {done}"])
    [row] = read("xferlog", path)
    assert (row["ts"], row["ip"], row["bytes"], row["object"], row["account"]) == (moment, ip, size, name, user)
    assert row["action"] == {"o": "download", "i": "upload"}[direction]


def test_ftp_and_su_messages_inside_syslog(tmp_path: Path) -> None:
    lines = [
        'Jan 15 10:23:45 files vsftpd[812]: [ann] OK LOGIN: Client "192.0.2.7"',
        'Jan 15 10:23:50 f vsftpd[8]: [ann] OK UPLOAD: Client "192.0.2.7", "/in/a b.psd", 99 bytes, 9.00Kbyte/sec',
        "Jan 15 10:24:00 files su(pam_unix)[9]: session opened for user news by (uid=0)",
        "Jan 15 10:24:01 f sshd[3]: message repeated 2 times: [ Failed password for root from 192.0.2.8 port 9 ssh2]",
    ]
    rows = read("syslog", write(tmp_path, lines), year=2024)
    assert [(row["action"], row["account"], row["ip"]) for row in rows] == [
        ("login", "ann", "192.0.2.7"),
        ("upload", "ann", "192.0.2.7"),
        ("session-open", "news", None),
        ("login-failed", "root", "192.0.2.8"),
    ]
    assert (rows[1]["object"], rows[1]["bytes"], rows[1]["status"]) == ("/in/a b.psd", 99, 226)
