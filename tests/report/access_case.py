"""A small imported portal log for the access section: two UTC days, five kinds of origin, a hostile account.

14 Feb 2024: a Seoul address (ordinary, twice), the DPRK's own space (three events, two of them by an account
whose name is markup) and a VPN operator (once). 15 Feb: Dandong (a high-risk region, by the City database
written here, twice) and Beijing (China, not a high-risk region, once). One line does not parse.
"""

from __future__ import annotations

from pathlib import Path

from celtrace.demo.city_database import CityNetwork, write_city_database
from celtrace.logs.importer import import_logs
from celtrace.workspace import Workspace

XSS = "<script>alert(1)</script>"


def _line(ip: str, user: str, day: int, minute: int) -> str:
    return (
        f'{ip} - {user} [{day}/Feb/2024:10:{minute:02d}:00 +0000] "GET /s01e04/layouts/sc010_cut002.png HTTP/1.1" '
        '200 48213 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"'
    )


def import_portal_log(workspace: Workspace, folder: Path) -> None:
    """Write the log and a City database covering its Chinese addresses, and import them as ``asset-portal``."""
    lines = [
        _line("211.234.10.1", "hanbit.layout01", 14, 0),
        _line("175.45.176.9", XSS, 14, 1),
        _line("175.45.176.9", XSS, 14, 2),
        _line("175.45.177.20", "brightlotus.cn01", 14, 3),
        _line("185.65.134.1", "brightlotus.cn01", 14, 4),
        _line("211.234.10.1", "hanbit.layout01", 14, 5),
        "this is not a log line",
        _line("221.202.15.3", "brightlotus.cn01", 15, 1),
        _line("221.202.15.3", "brightlotus.cn01", 15, 2),
        _line("123.184.1.1", "hanbit.layout01", 15, 3),
    ]
    log = folder / "portal.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    city = write_city_database(
        folder / "city.mmdb",
        [
            CityNetwork("221.202.15.0/24", "CN", "CN-LN", "Dandong"),
            CityNetwork("123.184.1.0/24", "CN", "CN-BJ", "Beijing"),
        ],
    )
    import_logs(workspace, [log], "asset-portal", mmdb=city)
