"""Access-log benchmark: celtrace's import, enrichment and NET detectors against GoAccess on the same file.

Run ``.venv/bin/python benchmarks/access_logs.py [--lines 10000000] [--seed N]`` (GoAccess: Debian package
``goaccess``). The log is built from the real lines of ``../shared/data/logs/apache_access_1k.log`` with the
address and time of each line replaced: addresses drawn from a pool of 200,000 random public ones plus a few
from the DPRK's space and a VPN operator, times increasing over a month. Both sides run in a child process on
the same file with the page cache warm; each child's peak memory is its maximum resident set size.

- GoAccess: ``goaccess FILE --log-format=COMBINED -o report.json`` (parse and aggregate, JSON output).
- celtrace: a fresh workspace, ``import_logs`` (read, enrich every address, write Parquet) and
  ``analyze --only NET`` (the detectors), end to end.

Memory must stay flat as the file grows: celtrace also runs on a quarter of the file, and both peaks print.
Target (DESIGN.md, Performance): at least 10 times GoAccess's lines a second, end to end.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "logs" / "apache_access_1k.log"
TARGET = 10
POOL = 200_000


def build_log(path: Path, lines: int, seed: int) -> None:
    """Write ``lines`` combined-format lines made from the sample, with new addresses and times."""
    rng = random.Random(seed)
    sample = [line for line in SAMPLE.read_text().splitlines() if line.strip()]
    # Everything after the address and before the time, and everything after the time, of each sample line.
    parts = []
    for line in sample:
        head, rest = line.split(" [", 1)
        _, tail = rest.split("] ", 1)
        parts.append((head.split(" ", 1)[1], tail))
    pool = [
        f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        for _ in range(POOL)
    ]
    pool += [f"175.45.176.{n}" for n in range(1, 20)] + [f"185.65.134.{n}" for n in range(1, 20)]
    months = ["Jan", "Feb"]
    with path.open("w") as out:
        chunk: list[str] = []
        for number in range(lines):
            seconds = number * 2_592_000 // lines
            day, rest = divmod(seconds, 86_400)
            clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
            stamp = f"{day % 28 + 1:02d}/{months[day // 28]}/2024:{clock} +0000"
            middle, tail = parts[number % len(parts)]
            chunk.append(f"{pool[rng.randrange(len(pool))]} {middle} [{stamp}] {tail}\n")
            if len(chunk) >= 100_000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


def run_goaccess(log: Path, folder: Path) -> tuple[float, float]:
    """Seconds and peak MB of GoAccess parsing the log into a JSON report."""
    command = ["goaccess", str(log), "--log-format=COMBINED", "--no-global-config", "-o", str(folder / "report.json")]
    return _child(command)


def run_celtrace(log: Path, folder: Path) -> tuple[float, float]:
    """Seconds and peak MB of celtrace importing, enriching and analysing the log in a fresh workspace."""
    code = (
        "import sys; from pathlib import Path\n"
        "from celtrace.config import load_settings\n"
        "from celtrace.workspace import init_workspace\n"
        "from celtrace.logs.importer import import_logs\n"
        "from celtrace.detectors.runner import analyze\n"
        "ws = init_workspace(load_settings(Path(sys.argv[2]), environ={'CELTRACE_ACTOR': 'benchmark'}))\n"
        "[result] = import_logs(ws, [Path(sys.argv[1])], 'portal')\n"
        "assert result.error is None, result.error\n"
        "found = analyze(ws, only=['NET']).findings\n"
        "print(result.events, result.rejected, len(found), file=sys.stderr)\n"
    )
    return _child([sys.executable, "-c", code, str(log), str(folder / f"ws-{log.stem}")])


_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "elapsed = time.perf_counter() - start\n"
    "sys.stderr.write(done.stderr)\n"
    "print(done.returncode, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _child(command: list[str]) -> tuple[float, float]:
    """Run ``command`` under a fresh measuring process: its own wall time and peak resident memory."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    code, elapsed, peak_kb = done.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{command[0]} failed:\n{done.stderr[-2000:]}")
    if command[0] == sys.executable and done.stderr.strip():
        print(f"  (celtrace: events, rejected, findings = {done.stderr.strip().splitlines()[-1]})")
    return float(elapsed), int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        quarter, full = folder / "quarter.log", folder / "full.log"
        start = time.perf_counter()
        build_log(quarter, args.lines // 4, args.seed)
        build_log(full, args.lines, args.seed)
        print(
            f"built {args.lines:,} lines ({full.stat().st_size / 2**20:,.0f} MB) in {time.perf_counter() - start:.0f} s"
        )
        subprocess.run(["cat", str(full)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        small_time, small_peak = run_celtrace(quarter, folder)
        print(f"celtrace, {args.lines // 4:,} lines: {small_time:.1f} s, peak {small_peak:,.0f} MB")
        ours, our_peak = run_celtrace(full, folder)
        print(
            f"celtrace, {args.lines:,} lines: {ours:.1f} s ({args.lines / ours:,.0f} lines/s), peak {our_peak:,.0f} MB"
        )
        theirs, their_peak = run_goaccess(full, folder)
        speed = args.lines / theirs
        print(f"GoAccess, {args.lines:,} lines: {theirs:.1f} s ({speed:,.0f} lines/s), peak {their_peak:,.0f} MB")
    ratio = theirs / ours
    growth = our_peak / small_peak
    verdict = "MET" if ratio >= TARGET else "NOT MET"
    print(f"throughput ratio celtrace/GoAccess {ratio:.1f}x (target >= {TARGET}x): {verdict}")
    print(f"celtrace peak memory x{growth:.2f} for 4 times the lines (flat when near 1)")


if __name__ == "__main__":
    main()
