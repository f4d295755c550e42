"""The synthetic case ``celtrace demo`` builds: a fictional US series, its chain, and what hides in it.

Every company, person, domain and number here is invented (web and mail domains end in ``.example``);
no real studio is meant. The story: Bluebird Hill Pictures makes "Skyward Tails" with four tier-1
vendors. Hanbit Motion Works (Seoul) declares Bright Lotus Animation (Dalian) as its subcontractor;
Bright Lotus, paid through Hong Kong to a third party, passes episodes on to Dandong Golden Brush
Trading, a front company run by a North Korean manager, which nobody declared, and which also trades
as "Korea Dangun Trading Corp.", the Revised Romanization of KOREA TANGUN TRADING CORPORATION on the
OFAC and UN lists. The demo loads the DPRK-program entries of real OFAC and UN list releases
(``lists/SOURCE.md``), finds the studio's drawings on a server dump, and reads the asset portal's log, where
Bright Lotus's account also connects through a VPN and from the DPRK's own address space.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PIL import Image

from celtrace.config import Settings
from celtrace.errors import WorkspaceError
from celtrace.workspace import MARKER_FILE, Workspace, init_workspace, store

DEMO_MARKER = ".celtrace-demo"
#: OFAC's legacy CSV carries no date; the excerpt's source release (see lists/SOURCE.md).
OFAC_PUBLISHED = "2021-07-07"


@dataclass(frozen=True)
class DemoCase:
    """Where the demo put its workspace and report, and what the analysis found."""

    workspace: Path
    report: Path
    findings: int


def build_demo(settings: Settings, engine: str = "duckdb") -> DemoCase:
    """Build the demo case in a fresh workspace, analyse it and write the HTML and JSON reports.

    ``engine`` registers the drawings, scans the found dump, imports the portal log and runs the log queries:
    ``spark`` tells the same story at scale-out (Spark on ``settings.spark_master``), with the same findings.
    """
    from celtrace.chain.importer import import_chain_file
    from celtrace.detectors.runner import analyze
    from celtrace.lists.store import load_lists
    from celtrace.report import write_report

    _make_room(settings)
    workspace = init_workspace(settings)
    try:
        (settings.workspace / DEMO_MARKER).touch()
        case_file = workspace.files / "demo" / "chain.json"
        case_file.parent.mkdir(parents=True, exist_ok=True)
        case_file.write_text(resources.files(__package__).joinpath("case.json").read_text("utf-8"), "utf-8")
        import_chain_file(workspace, case_file)
        with resources.as_file(resources.files(__package__).joinpath("lists")) as lists:
            ofac = [lists / name for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")]
            load_lists(workspace, ofac, published=OFAC_PUBLISHED)
            load_lists(workspace, [lists / "un-consolidated-dprk.xml"])
        _leak(workspace, engine)
        _portal_logs(workspace, engine)
        analysis = analyze(workspace, engine=engine)
        reports = workspace.files / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        write_report(workspace, "json", reports / "report.json")
        report = write_report(workspace, "html", reports / "report.html")
    finally:
        workspace.close()
    return DemoCase(settings.workspace, report, len(analysis.findings))


def _leak(workspace: Workspace, engine: str) -> None:
    """Draw episode S01E04, register it, deliver it, and leave copies of some drawings in a found server dump.

    The studio sends watermarked layouts to Hanbit Motion Works and, through the asset portal, to Bright Lotus
    Animation; the copies in the dump are made from Bright Lotus's delivery, so their marks name it.
    """
    import zipfile

    from celtrace.assets.deliveries import deliver
    from celtrace.assets.registry import add_assets
    from celtrace.demo import copies, instructions
    from celtrace.demo.drawings import drawing, encode
    from celtrace.trove.manifest import scan_trove

    layouts = workspace.files / "demo" / "Skyward Tails" / "S01E04" / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    for cut in range(1, 9):
        drawing(cut).save(layouts / f"sc{10 + cut // 3:03d}_cut{cut:03d}.png")
    add_assets(workspace, [layouts], "Skyward Tails", engine=engine)
    outbox = workspace.files / "demo" / "outbox"
    deliver(workspace, [layouts], "hanbit-motion", outbox / "hanbit-motion", note="S01E04 layouts")
    delivered = outbox / "bright-lotus"
    deliver(workspace, [layouts], "bright-lotus", delivered, note="S01E04 layouts, through the asset portal")

    def drawing_of(cut: int) -> Image.Image:
        """Bright Lotus's watermarked copy of cut ``cut``, as the leak started from it."""
        with Image.open(delivered / f"sc{10 + cut // 3:03d}_cut{cut:03d}.png") as copy:
            return copy.convert("RGB")

    dump = workspace.files / "demo" / "found-server"
    dump.mkdir(parents=True, exist_ok=True)
    # What a leak looks like: near-duplicates PDQ places (turned, mirrored, shrunk, re-coloured) and copies
    # only keypoints place (a crop, a page with margins, a rescan, a panel of a sheet), among unrelated
    # drawings, in a folder that names the company it went to.
    outgoing = "GoldenBrushArt_outgoing/104"
    copies_of = {
        "104/sc010_cut002.png": (drawing_of(2).rotate(90, expand=True), "PNG"),
        "104/mirror.jpg": (drawing_of(4).transpose(Image.Transpose.FLIP_LEFT_RIGHT), "JPEG"),
        "104/small.png": (drawing_of(7).resize((256, 192)), "PNG"),
        f"{outgoing}/colour_pass.jpg": (copies.recoloured(drawing_of(1)), "JPEG"),
        f"{outgoing}/head_detail.png": (copies.cropped(drawing_of(3), 0.4), "PNG"),
        f"{outgoing}/page_0007.png": (copies.padded(drawing_of(5), 0.12), "PNG"),
        f"{outgoing}/scan_0012.jpg": (copies.rescanned(drawing_of(6), 6), "JPEG"),
        f"{outgoing}/contact_sheet.png": (copies.on_sheet(drawing_of(8), 3), "PNG"),
    }
    with zipfile.ZipFile(dump / "2024-02-14.zip", "w") as archive:
        for name, (image, fmt) in copies_of.items():
            archive.writestr(name, encode(image, fmt))
        for seed in range(100, 104):
            archive.writestr(f"other/{seed}.png", encode(drawing(seed), "PNG"))
        archive.writestr("notes/0214.txt", "머리를 10% 작게 하시오 / 头部缩小10%\n")
        archive.writestr("notes/修改意见_0214.xlsx", instructions.editing_sheet())
        archive.writestr("hanbit/memo_0213.txt", instructions.seoul_memo())
        scan = instructions.scanned_note()
        if scan is not None:
            archive.writestr("notes/scan_0215.pdf", scan)
    scan_trove(workspace, dump, "found-server-2024", engine=engine, spark_master=workspace.settings.spark_master)


def _portal_logs(workspace: Workspace, engine: str) -> None:
    """Write six weeks of the asset portal's access log and a small city database, and import the log."""
    from celtrace.demo.city_database import CityNetwork, write_city_database
    from celtrace.demo.portal_log import CITIES, write_portal_log
    from celtrace.logs.importer import import_logs

    log = workspace.files / "demo" / "asset-portal-2024.log"
    write_portal_log(log)
    # A user brings MaxMind's GeoLite2 City database; the demo writes one that knows only its story's networks.
    cities = write_city_database(
        workspace.files / "demo" / "demo-cities.mmdb",
        [
            CityNetwork(cidr, region.split("-")[0], region, city, latitude, longitude, 20)
            for cidr, region, city, latitude, longitude in CITIES
        ],
    )
    import_logs(workspace, [log], "asset-portal", mmdb=cities, engine=engine)


def _make_room(settings: Settings) -> None:
    """Start from nothing: rebuild a previous demo, refuse to touch a workspace holding real work."""
    folder = settings.workspace
    if not (folder / MARKER_FILE).exists():
        if folder.exists() and any(folder.iterdir()):
            raise WorkspaceError(f"{folder} is not empty: give the demo a new folder with --workspace")
        return
    if not (folder / DEMO_MARKER).exists():
        raise WorkspaceError(f"{folder} holds a celtrace workspace that is not a demo: choose another --workspace")
    if settings.database_url:
        raise WorkspaceError(
            "the demo rebuilds only SQLite workspaces: unset CELTRACE_DATABASE_URL or use a new folder"
        )
    database = Path(store.database_url(settings).removeprefix("sqlite:///"))
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(folder / "files", ignore_errors=True)
