"""The demo's asset-portal access log: six weeks of vendors fetching S01E04, and one account that wanders.

Ordinary traffic comes from each vendor's declared country, in its working hours. Bright Lotus's account
starts in Dalian (Chinanet), then, from mid-February, also appears from China Unicom addresses (the DPRK's
upstream, the network of Shenyang and Dandong), through a VPN operator, and a few times from 175.45.176.0/22,
the DPRK's own address space. In its last weeks it also stays busy through the VPN for a day and a half
without a break, and Seoul Inbetween's account fetches a few files from the same Dandong addresses on the same
days. Addresses were checked against the enrichment data that ships with celtrace (a test keeps them honest);
``CITIES`` places the story's networks for the demo's small city database (``logs import --mmdb``).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20240214
START = datetime(2024, 1, 15, tzinfo=UTC)
DAYS = 45

#: username -> (address prefixes in its vendor's country, UTC offset of its working day in hours)
ORDINARY: dict[str, tuple[tuple[str, ...], int]] = {
    "hanbit.layout01": (("211.234.10.",), 9),
    "hanbit.keys02": (("211.234.10.",), 9),
    "seoul.inb": (("121.134.5.",), 9),
    "brightlotus.cn01": (("123.184.1.", "59.46.10."), 8),
    "maple.anim1": (("24.114.10.", "142.112.40."), -8),
    "lisboa.ink": (("85.138.20.", "188.80.5."), 0),
    "kestrel.paint": (("86.128.3.", "81.2.69."), 0),
    "northwind.lo": (("112.198.70.", "49.145.8."), 8),
}
#: Where Bright Lotus's account also shows up from mid-February, and how often.
WANDERING: tuple[tuple[str, int], ...] = (
    ("221.202.15.", 40),  # China Unicom, Liaoning
    ("60.22.4.", 30),  # China Unicom, Liaoning
    ("185.65.134.", 25),  # a commercial VPN operator
    ("175.45.176.", 6),  # the DPRK's own address space
    ("175.45.178.", 4),
)
#: Days (from START) on which Bright Lotus's account and then Seoul Inbetween's fetch from one Dandong address,
#: and how many files Seoul Inbetween's fetches.
BORROWED: tuple[tuple[int, int], ...] = ((33, 2), (37, 3), (41, 2))
#: The day (from START) the VPN session that never ends begins, its length in hours, and its pace in minutes.
ENDLESS = (38, 36, 12)

#: Where the story's networks are, for the demo's city database: (prefix, region, city, latitude, longitude).
CITIES: tuple[tuple[str, str, str, float, float], ...] = (
    ("211.234.10.0/24", "KR-11", "Seoul", 37.5665, 126.9780),
    ("121.134.5.0/24", "KR-11", "Seoul", 37.5665, 126.9780),
    ("123.184.1.0/24", "CN-LN", "Dalian", 38.9140, 121.6147),
    ("59.46.10.0/24", "CN-LN", "Dalian", 38.9140, 121.6147),
    ("221.202.15.0/24", "CN-LN", "Dandong", 40.1244, 124.3947),
    ("60.22.4.0/24", "CN-LN", "Shenyang", 41.7922, 123.4328),
    ("175.45.176.0/22", "KP-01", "Pyongyang", 39.0339, 125.7543),
)

AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0 Safari/537.36"


def write_portal_log(path: Path) -> int:
    """Write the log in Apache combined format, oldest line first; returns the number of lines."""
    rng = random.Random(SEED)
    lines: list[tuple[datetime, str]] = []
    for user, (prefixes, offset) in ORDINARY.items():
        for day in range(DAYS):
            if (START + timedelta(days=day)).weekday() >= 5:
                continue
            for _ in range(rng.randint(3, 9)):
                moment = START + timedelta(days=day, hours=9 - offset + rng.random() * 8)
                lines.append((moment, _line(rng, f"{rng.choice(prefixes)}{rng.randint(2, 250)}", user, moment)))
    for prefix, count in WANDERING:
        for _ in range(count):
            moment = START + timedelta(days=rng.randint(30, DAYS - 1), hours=rng.random() * 24)
            lines.append((moment, _line(rng, f"{prefix}{rng.randint(2, 250)}", "brightlotus.cn01", moment)))
    for day, count in BORROWED:
        shared = f"221.202.15.{rng.randint(2, 250)}"
        moment = START + timedelta(days=day, hours=1 + rng.random())
        lines.append((moment, _line(rng, shared, "brightlotus.cn01", moment)))
        for _ in range(count):
            moment = START + timedelta(days=day, hours=3 + rng.random() * 8)
            lines.append((moment, _line(rng, shared, "seoul.inb", moment)))
    day, hours, pace = ENDLESS
    vpn = f"185.65.134.{rng.randint(2, 250)}"
    moment = START + timedelta(days=day, hours=20)
    while moment < START + timedelta(days=day, hours=20 + hours):
        lines.append((moment, _line(rng, vpn, "brightlotus.cn01", moment)))
        moment += timedelta(minutes=pace * (0.5 + rng.random()))
    lines.sort()
    path.write_text("".join(line + "\n" for _, line in lines), encoding="utf-8")
    return len(lines)


def _line(rng: random.Random, ip: str, user: str, moment: datetime) -> str:
    scene, cut = rng.randint(10, 12), rng.randint(1, 8)
    kind = rng.choice(("layouts", "keys", "instructions"))
    name = f"sc{scene:03d}_cut{cut:03d}.{'pdf' if kind == 'instructions' else 'png'}"
    stamp = moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
    size = rng.randint(40_000, 900_000)
    return (
        f'{ip} - {user} [{stamp}] "GET /productions/skyward-tails/S01E04/{kind}/{name} HTTP/1.1" 200 {size} '
        f'"https://portal.bluebird-hill.example/S01E04" "{AGENT}"'
    )
