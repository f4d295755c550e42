"""The kernel's firewall lines in syslog (celtrace.logs.firewall): ufw, iptables --log-prefix, firewalld, hostile."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.logs import events, syslog
from celtrace.logs.firewall import firewall_fields
from celtrace.logs.formats import ReaderOptions, sniff

MAC = "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00"
TCP_SYN = "TOS=0x00 PREC=0x00 TTL=116 ID=29481 DF PROTO=TCP SPT=51234 DPT=3389 WINDOW=64240 RES=0x00 SYN URGP=0"

# Lines as the kernel writes them (as ufw.log, kern.log and journalctl show them), and what each should yield.
LINES: list[tuple[str, tuple[str | None, str, str | None]]] = [
    # ufw, with the dmesg clock that older kernels' syslog lines carry.
    (
        f"Nov 26 10:00:01 web1 kernel: [12345.678901] [UFW BLOCK] IN=eth0 OUT= {MAC} SRC=203.0.113.5 DST=10.0.0.2 "
        f"LEN=52 {TCP_SYN}",
        ("203.0.113.5", "blocked", "tcp/3389"),
    ),
    (
        f"Nov 26 10:00:02 web1 kernel: [UFW ALLOW] IN=eth0 OUT= {MAC} SRC=198.51.100.20 DST=10.0.0.2 LEN=60 TOS=0x00 "
        "PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=40022 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0",
        ("198.51.100.20", "connect", "tcp/22"),
    ),
    (
        f"Nov 26 10:00:03 web1 kernel: [UFW AUDIT] IN=eth0 OUT= {MAC} SRC=192.0.2.44 DST=10.0.0.2 LEN=76 TOS=0x00 "
        "PREC=0x00 TTL=64 ID=0 DF PROTO=UDP SPT=123 DPT=123 LEN=56",
        ("192.0.2.44", "connect", "udp/123"),
    ),
    (
        f"Nov 26 10:00:04 web1 kernel: [ 4242.100] [UFW LIMIT BLOCK] IN=eth0 OUT= {MAC} SRC=192.0.2.45 DST=10.0.0.2 "
        "LEN=60 TOS=0x00 PREC=0x00 TTL=49 ID=2 DF PROTO=TCP SPT=5555 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0",
        ("192.0.2.45", "blocked", "tcp/22"),
    ),
    # ufw under journald on a current Ubuntu: ISO stamps, and IPv6 written in full as the kernel does.
    (
        f"2024-11-26T10:00:05.123456+00:00 web1 kernel: [UFW BLOCK] IN=eth0 OUT= {MAC} "
        "SRC=2001:0db8:0000:0000:0000:0000:0000:0005 DST=2001:0db8:0000:0000:0000:0000:0000:0002 LEN=80 TC=0 "
        "HOPLIMIT=57 FLOWLBL=0 PROTO=TCP SPT=50000 DPT=3389 WINDOW=64800 RES=0x00 SYN URGP=0",
        ("2001:db8::5", "blocked", "tcp/3389"),
    ),
    # ICMP has no ports; an ICMP error quotes the packet it answers, whose fields are not the arrival's.
    (
        f"Nov 26 10:00:06 web1 kernel: [UFW BLOCK] IN=eth0 OUT= {MAC} SRC=203.0.113.9 DST=10.0.0.2 LEN=28 "
        "TOS=0x00 PREC=0x00 TTL=243 ID=54321 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1",
        ("203.0.113.9", "blocked", "icmp"),
    ),
    (
        "Nov 26 10:00:07 gw kernel: IN=eth0 OUT= SRC=198.51.100.1 DST=10.0.0.2 LEN=88 TOS=0x00 PREC=0xC0 TTL=63 "
        "ID=39401 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.2 DST=198.51.100.1 LEN=60 TOS=0x00 PREC=0x00 TTL=63 "
        "ID=12345 PROTO=UDP SPT=33434 DPT=33435 LEN=40 ] ",
        ("198.51.100.1", "connect", "icmp"),
    ),
    # iptables -j LOG --log-prefix: whatever the administrator wrote, even with no space before IN=.
    (
        "Nov 26 10:01:00 gw kernel: IPTABLES-DROP: IN=eth1 OUT= SRC=203.0.113.77 DST=192.0.2.10 LEN=40 TOS=0x00 "
        "PREC=0x00 TTL=240 ID=54321 PROTO=TCP SPT=44444 DPT=3389 WINDOW=1024 RES=0x00 SYN URGP=0",
        ("203.0.113.77", "blocked", "tcp/3389"),
    ),
    (
        f"Nov 26 10:01:01 gw kernel: iptables denied: IN=eth0 OUT= {MAC} SRC=203.0.113.78 DST=10.0.0.2 LEN=40 "
        "PROTO=UDP SPT=40000 DPT=161 LEN=20",
        ("203.0.113.78", "blocked", "udp/161"),
    ),
    (
        f"Nov 26 10:01:02 gw kernel: DROPIN=eth0 OUT= {MAC} SRC=203.0.113.79 DST=10.0.0.2 LEN=40 {TCP_SYN}",
        ("203.0.113.79", "blocked", "tcp/3389"),
    ),
    (
        f"Nov 26 10:01:03 gw kernel: RDP-IN: IN=eth0 OUT= {MAC} SRC=198.51.100.80 DST=10.0.0.2 LEN=52 {TCP_SYN}",
        ("198.51.100.80", "connect", "tcp/3389"),
    ),
    (
        "Nov 26 10:01:04 gw kernel: FWD-ACCEPT: IN=eth0 OUT=eth1 SRC=198.51.100.81 DST=10.1.0.5 LEN=52 TOS=0x00 "
        "PREC=0x00 TTL=115 ID=7 DF PROTO=TCP SPT=50123 DPT=3389 WINDOW=8192 RES=0x00 SYN URGP=0",
        ("198.51.100.81", "connect", "tcp/3389"),
    ),
    # firewalld with LogDenied set: its own prefixes.
    (
        f"Nov 26 10:02:00 host kernel: FINAL_REJECT: IN=ens3 OUT= {MAC} SRC=203.0.113.8 DST=10.0.0.5 LEN=60 "
        "TOS=0x00 PREC=0x00 TTL=50 ID=4321 DF PROTO=TCP SPT=48000 DPT=3389 WINDOW=29200 RES=0x00 SYN URGP=0",
        ("203.0.113.8", "blocked", "tcp/3389"),
    ),
    (
        f"Nov 26 10:02:01 host kernel: filter_IN_public_REJECT: IN=ens3 OUT= {MAC} SRC=203.0.113.10 DST=10.0.0.5 "
        "LEN=60 PROTO=TCP SPT=48001 DPT=5900 WINDOW=29200 RES=0x00 SYN URGP=0",
        ("203.0.113.10", "blocked", "tcp/5900"),
    ),
    (
        f"Nov 26 10:02:02 host kernel: STATE_INVALID_DROP: IN=ens3 OUT= {MAC} SRC=203.0.113.11 DST=10.0.0.5 "
        "LEN=40 PROTO=TCP SPT=48002 DPT=443 WINDOW=0 RES=0x00 RST URGP=0",
        ("203.0.113.11", "blocked", "tcp/443"),
    ),
    # RFC 5424, as a remote collector stores it.
    (
        f"<4>1 2024-11-26T10:03:00Z host kernel - - - [UFW BLOCK] IN=eth0 OUT= {MAC} SRC=203.0.113.12 "
        f"DST=10.0.0.2 LEN=52 {TCP_SYN}",
        ("203.0.113.12", "blocked", "tcp/3389"),
    ),
    # Hostile or odd: what cannot be trusted is left out rather than guessed.
    (
        "Nov 26 10:04:00 h kernel: [UFW BLOCK] SRC=6.6.6.6 DPT=1 IN=eth0 OUT= SRC=203.0.113.13 SRC=7.7.7.7 "
        "PROTO=TCP DPT=3389 DPT=80",
        ("203.0.113.13", "blocked", "tcp/3389"),  # the prefix is no packet field; the first of a repeated key counts
    ),
    ("Nov 26 10:04:01 h kernel: IN=eth0 OUT= SRC=999.1.2.3 PROTO=TCP DPT=99999", (None, "connect", "tcp")),
    ("Nov 26 10:04:02 h kernel: IN=eth0 OUT= SRC=nonsense PROTO=UDP DPT=\u0665\u0663", (None, "connect", "udp")),
    ("Nov 26 10:04:03 h kernel: IN=eth0 OUT=", (None, "connect", None)),
    (
        "Nov 26 10:04:04 h kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.14 DST=10.0.0.2 LEN=1500 "
        "PROTO=TCP INCOMPLETE [65535 bytes] ",
        ("203.0.113.14", "blocked", "tcp"),
    ),
    (
        "Nov 26 10:04:05 h kernel: message repeated 3 times: [ [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.15 "
        "DST=10.0.0.2 PROTO=TCP SPT=1 DPT=3389]",
        ("203.0.113.15", "blocked", "tcp/3389"),
    ),
]

# Kernel lines that are no packet, and packet-like text from other programs: read as before.
NOT_FIREWALL = [
    "Nov 26 10:05:00 h kernel: Linux version 6.8.0-49-generic (buildd@lcy02-amd64-103)",
    "Nov 26 10:05:01 h kernel: e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None",
    'Nov 26 10:05:02 h kernel: audit: type=1400 audit(1732615502.123:45): apparmor="DENIED" operation="open"',
    "Nov 26 10:05:03 h kernel: OUT=eth0 SRC=203.0.113.16 PROTO=TCP DPT=3389",
    "Nov 26 10:05:04 h myapp[9]: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.17 PROTO=TCP DPT=3389",
]

CON = duckdb.connect()


def read(path: Path, **options: Any) -> list[dict[str, Any]]:
    relation = syslog.read_syslog(CON, path, ReaderOptions(**options))
    return [dict(zip(events.COLUMNS, row, strict=True)) for row in relation.order("line").fetchall()]


def write(tmp_path: Path, lines: list[str], name: str = "ufw.log") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_firewall_lines_read_through_syslog(tmp_path: Path) -> None:
    path = write(tmp_path, [line for line, _ in LINES])
    assert sniff(path).name == "syslog"
    rows = read(path, year=2024)
    assert all(row["ok"] for row in rows)
    assert [(row["ip"], row["action"], row["object"]) for row in rows] == [expected for _, expected in LINES]
    assert all(row["account"] is None and row["status"] is None and row["bytes"] is None for row in rows)
    assert rows[0]["ts"] == datetime(2024, 11, 26, 10, 0, 1)


def test_remote_desktop_attempts_can_be_picked_out(tmp_path: Path) -> None:
    rows = read(write(tmp_path, [line for line, _ in LINES]), year=2024)
    rdp = [row for row in rows if row["object"] == "tcp/3389" and row["action"] in ("connect", "blocked")]
    assert len(rdp) == 10
    assert sum(row["action"] == "connect" for row in rdp) == 2


@pytest.mark.parametrize("line", NOT_FIREWALL)
def test_other_lines_are_not_read_as_firewall_lines(tmp_path: Path, line: str) -> None:
    [row] = read(write(tmp_path, [line]), year=2024)
    assert row["ok"] and row["action"] is None and row["object"] is None


def test_firewall_fields_needs_the_in_and_out_fields() -> None:
    assert firewall_fields("IN=eth0 OUT= SRC=192.0.2.1 PROTO=TCP DPT=22") == ("192.0.2.1", "connect", "tcp/22")
    assert firewall_fields("SRC=192.0.2.1 PROTO=TCP DPT=22") is None
    assert firewall_fields("IN=eth0 SRC=192.0.2.1 PROTO=TCP DPT=22") is None
    assert firewall_fields("") is None


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PREFIXES = {
    "[UFW BLOCK] ": "blocked",
    "[UFW LIMIT BLOCK] ": "blocked",
    "[UFW ALLOW] ": "connect",
    "[UFW AUDIT] ": "connect",
    "FINAL_REJECT: ": "blocked",
    "filter_IN_public_DROP: ": "blocked",
    "IPTABLES-DROP: ": "blocked",
    "iptables denied: ": "blocked",
    "DROP": "blocked",
    "RDP-IN: ": "connect",
    "": "connect",
}


@SETTINGS
@given(
    prefix=st.sampled_from(sorted(PREFIXES)),
    source=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    protocol=st.sampled_from(["TCP", "UDP", "SCTP", "ICMP", "ICMPv6", "2"]),
    port=st.integers(0, 65535),
    clock=st.none() | st.floats(0, 1e7, allow_nan=False).map(lambda seconds: f"[{seconds:12.6f}] "),
    mac=st.booleans(),
)
def test_generated_firewall_lines_round_trip(
    tmp_path: Path,
    prefix: str,
    source: ipaddress.IPv4Address | ipaddress.IPv6Address,
    protocol: str,
    port: int,
    clock: str | None,
    mac: bool,
) -> None:
    # The kernel writes IPv6 addresses in full (%pI6), IPv4 ones dotted.
    written = source.exploded if source.version == 6 else str(source)
    ports = f" SPT=40000 DPT={port}" if protocol in ("TCP", "UDP", "SCTP") else " TYPE=8 CODE=0"
    packet = f"IN=eth0 OUT= {MAC + ' ' if mac else ''}SRC={written} DST=10.0.0.2 LEN=60 PROTO={protocol}{ports}"
    path = write(tmp_path, [f"Nov 26 10:00:01 host kernel: {clock or ''}{prefix}{packet} WINDOW=1 URGP=0"])
    [row] = read(path, year=2024)
    mapped = source.ipv4_mapped if isinstance(source, ipaddress.IPv6Address) else None
    service = f"{protocol.lower()}/{port}" if protocol in ("TCP", "UDP", "SCTP") else protocol.lower()
    assert (row["ok"], row["ip"], row["action"], row["object"]) == (
        True,
        str(mapped or source),
        PREFIXES[prefix],
        service,
    )


@SETTINGS
@given(st.text(max_size=300).filter(lambda text: "\n" not in text and "\r" not in text))
def test_any_kernel_message_reads_without_error(tmp_path: Path, message: str) -> None:
    path = tmp_path / "kern.log"
    path.write_bytes(f"Nov 26 10:00:01 host kernel: {message}\n".encode("utf-8", "surrogatepass"))
    rows = read(path, year=2024)
    assert len(rows) == 1 and rows[0]["ok"]
    assert rows[0]["action"] in (None, "connect", "blocked")
