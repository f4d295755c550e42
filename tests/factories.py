"""Rows for tests that build a chain by hand, without going through the importer; registered drawings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from celtrace.workspace import Workspace
from celtrace.workspace.schema import Link, Vendor

#: Two vendors with one portal account each, for the access-log tests.
PORTAL_CHAIN = {
    "vendors": [
        {"id": "lotus", "name": "Bright Lotus Animation", "country": "CN"},
        {"id": "hanbit", "name": "Hanbit Motion Works", "country": "KR"},
    ],
    "accounts": [
        {"portal": "asset-portal", "username": "brightlotus.cn01", "vendor": "lotus"},
        {"portal": "asset-portal", "username": "hanbit.layout01", "vendor": "hanbit"},
    ],
}


def vendor(vendor_id: str, name: str | None = None, **fields: Any) -> Vendor:
    """A vendor row named after its id unless a name is given."""
    return Vendor(id=vendor_id, name=name or vendor_id.title(), **{"aliases": [], "origin": {}, **fields})


def sub(client: str, contractor: str, status: str = "declared", **fields: Any) -> Link:
    """``client`` hands work to ``contractor``."""
    return link("subcontracts_to", ("vendor", client), ("vendor", contractor), status, **fields)


def link(kind: str, source: tuple[str, str], target: tuple[str, str], status: str = "declared", **fields: Any) -> Link:
    """Any link, its ends given as (kind, id)."""
    return Link(
        kind=kind,
        source_kind=source[0],
        source_id=source[1],
        target_kind=target[0],
        target_id=target[1],
        status=status,
        **{"origin": {}, **fields},
    )


def register_drawings(
    workspace: Workspace, folder: Path, seeds: Iterable[int], name: str = "sc012_cut{:03d}.png"
) -> None:
    """Draw ``drawing(seed)`` for each seed into ``folder`` (named by ``name``) and register it for Skyward Tails."""
    from celtrace.assets.registry import add_assets
    from celtrace.demo.drawings import drawing

    folder.mkdir(parents=True)
    for seed in seeds:
        drawing(seed).save(folder / name.format(seed))
    add_assets(workspace, [folder], "Skyward Tails")


def access_line(
    ip: str,
    user: str,
    when: datetime,
    path: str = "/s01e04/layouts/sc010_cut002.png",
    agent: str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
) -> str:
    """One Apache combined-format line of a portal log."""
    stamp = when.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{ip} - {user} [{stamp}] "GET {path} HTTP/1.1" 200 48213 "-" "{agent}"'


def write_log(folder: Path, lines: Iterable[str], name: str = "portal.log") -> Path:
    """The lines as a log file in ``folder``."""
    path = folder / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
