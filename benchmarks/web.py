"""Dashboard benchmark: each page's server time on a big workspace, against the query that page needs most.

Run ``.venv/bin/python benchmarks/web.py [--vendors 2000] [--findings 100000] [--events 1000000]``.
The workspace (SQLite, in a temporary folder) gets vendors in a subcontracting tree, one analysis run of
findings spread over them (stored by ``store_run``, as ``analyze`` stores them), and an access log of
``--events`` lines imported by ``import_logs`` (built as ``benchmarks/access_logs.py`` builds its file).

Each page is requested in-process (FastAPI's TestClient) ``--repeat`` times after one warm-up request; the
warm-up pays for building the report model, which the dashboard then keeps until the audit log moves (its
time prints as "model build"). Each page's median and p95 are printed beside the median of the single
query it needs most, and their ratio. Target: every page under 200 ms at p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access_logs import build_log
from sqlalchemy import func, select

from celtrace.config import load_settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.runner import store_run
from celtrace.workspace import Workspace, init_workspace
from celtrace.workspace.schema import AuditEntry, FindingRow, Link, Run, Vendor

TARGET_MS = 200.0
RULES = ["SANCTIONS.MATCH", "VENDOR.PAYMENT_RED_FLAG", "VENDOR.IDENTITY_RED_FLAG", "NET.UNDECLARED_GEO"]


def fill(workspace: Workspace, vendors: int, findings: int, events: int, folder: Path) -> None:
    """Vendors (each tier-2 and lower one subcontracted by an earlier vendor), findings and an access log."""
    started = time.perf_counter()
    with workspace.change("benchmark fill", vendors=vendors) as change:
        change.session.execute(
            Vendor.__table__.insert(),
            [
                {
                    "id": f"v{n}",
                    "name": f"Vendor {n} Animation Co.",
                    "country": ["KR", "CN", "CA", "PH", "PT"][n % 5],
                    "aliases": [],
                    "registration_numbers": [],
                    "email_domains": [],
                    "phones": [],
                    "payment_methods": [],
                    "languages": [],
                    "productions": [f"Show {n % 7}"],
                    "origin": {},
                }
                for n in range(vendors)
            ],
        )
        change.session.execute(
            Link.__table__.insert(),
            [
                {
                    "kind": "subcontracts_to",
                    "source_kind": "vendor",
                    "source_id": f"v{(n - 1) // 4}",
                    "target_kind": "vendor",
                    "target_id": f"v{n}",
                    "status": "observed" if n % 50 == 0 else "declared",
                    "origin": {},
                }
                for n in range(1, vendors)
            ],
        )
    severities = list(Severity)
    store_run(
        workspace,
        RULES,
        (
            Finding(
                RULES[n % len(RULES)],
                severities[n % len(severities)],
                Subject("vendor", f"v{n % vendors}", f"Vendor {n % vendors} Animation Co."),
                f"Finding {n}",
                f"Finding {n}, made up for the benchmark.",
                {"n": n},
                key=str(n),
            )
            for n in range(findings)
        ),
        started="2024-06-01T00:00:00+00:00",
    )
    print(f"filled vendors and findings in {time.perf_counter() - started:.1f} s")
    if events:
        from celtrace.logs.importer import import_logs

        started = time.perf_counter()
        log = folder / "portal.log"
        build_log(log, events, seed=7)
        import_logs(workspace, [log], "asset-portal")
        print(f"imported {events:,} access events in {time.perf_counter() - started:.1f} s")


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=2000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from celtrace.lists.store import build_screener  # noqa: F401 - the screen page's import, paid up front
    from celtrace.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workspace = init_workspace(load_settings(folder / "ws", environ={"CELTRACE_ACTOR": "bench"}))
        fill(workspace, args.vendors, args.findings, args.events, folder)
        web = TestClient(create_app(workspace, login_required=False))

        started = time.perf_counter()
        assert web.get("/").status_code == 200
        print(f"model build (first request, once per change to the workspace): {time.perf_counter() - started:.2f} s")

        def latest_findings_query() -> None:
            with workspace.session() as session:
                run_id = session.scalar(select(func.max(Run.id)))
                session.execute(select(FindingRow).where(FindingRow.run_id == run_id)).all()

        def audit_head() -> None:
            with workspace.session() as session:
                session.scalar(select(func.max(AuditEntry.seq)))

        def vendor_query() -> None:
            with workspace.session() as session:
                session.get(Vendor, "v1")

        # The query each page needs most: the version stamp for pages served from the cached model (every
        # request makes it), the vendor row for a card; the latest run's findings is printed for scale.
        pages = {
            "/": audit_head,
            "/chain": audit_head,
            "/api/chain": audit_head,
            "/vendors": audit_head,
            "/vendors/v1": vendor_query,
            "/findings": audit_head,
            "/findings?severity=critical&page=3": audit_head,
            "/access": audit_head,
            "/trove": audit_head,
            "/screen": audit_head,
        }
        scale = statistics.median(timed(latest_findings_query, 3))
        print(f"for scale: reading the latest run's {args.findings:,} findings takes {scale:.1f} ms")
        print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'query ms':>9} {'p95/query':>10}  target")
        slow = []
        for path, query in pages.items():
            assert web.get(path).status_code == 200, path
            times = sorted(timed(lambda path=path: web.get(path), args.repeat))
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            base = statistics.median(timed(query, args.repeat))
            verdict = "ok" if p95 < TARGET_MS else "SLOW"
            if p95 >= TARGET_MS:
                slow.append(path)
            print(f"{path:40} {statistics.median(times):10.1f} {p95:8.1f} {base:9.2f} {p95 / base:10.1f}  {verdict}")
        workspace.close()
    print("every page under 200 ms at p95" if not slow else f"over 200 ms at p95: {', '.join(slow)}")


if __name__ == "__main__":
    main()
