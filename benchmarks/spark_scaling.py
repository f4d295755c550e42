"""Spark scaling benchmark: the access-log and fingerprinting pipelines on DuckDB and on Spark with 1 and 2 cores.

Run ``.venv/bin/python benchmarks/spark_scaling.py [--size 1] [--seed N]``. ``--size`` multiplies the inputs
(the default, 1, is 200,000 log lines and 96 drawings, and runs in three to four minutes on two busy cores; the
per-core rates of docs/scaling.md come from larger sizes).

- Access logs: a combined log built like benchmarks/access_logs.py's (its ``build_log``), imported into a fresh
  workspace (read, parse, enrich, write Parquet) and then ``analyze --only NET``: lines a second end to end,
  and for the import alone.
- Fingerprinting: drawings from the demo's generator (1024 x 768 PNG) registered with ``assets add``
  (PDQ with 8 variants and ORB features of every image): images a second.

- Many small files (``--files``, 40 by default): the same log cut into that many files, imported on Spark with
  2 cores as celtrace does (the files of one format share one job) and, as the anchor, with one Spark job per
  file (what it did before): a year of CDN logs is hundreds of thousands of small files.

Each engine and core count runs in a child process with a fresh workspace (a Spark master is fixed when its
JVM starts), so JVM start-up is measured apart and left out of the rates. The scaling ratio is the 2-core rate
over the 1-core rate: 2.0 is perfect scaling. Spark's fixed cost per job (a second or two on a small file)
weighs heavily at the default size; it shrinks as ``--size`` grows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.access_logs import build_log

LINES = 200_000
IMAGES = 96
RUNS = (("duckdb", None), ("spark", "local[1]"), ("spark", "local[2]"))


def build_images(folder: Path, count: int) -> None:
    """``count`` distinct drawings as PNG files."""
    from celtrace.demo.drawings import drawing

    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(count):
        drawing(seed).save(folder / f"sc{seed // 10:03d}_cut{seed:04d}.png")


def child(engine: str, master: str | None, log: Path, images: Path, folder: Path) -> dict[str, float]:
    """One engine's run, in this process: timings of JVM start, import, analyze and fingerprinting."""
    from celtrace.assets.registry import add_assets
    from celtrace.config import load_settings
    from celtrace.detectors.runner import analyze
    from celtrace.logs.importer import import_logs
    from celtrace.workspace import init_workspace

    env = {"CELTRACE_ACTOR": "benchmark", "CELTRACE_CACHE": str(folder.parent / "cache")}
    timings: dict[str, float] = {"start": 0.0}
    if master:
        from celtrace.spark.session import spark_session

        env["CELTRACE_SPARK_MASTER"] = master
        began = time.perf_counter()
        spark_session(master).range(1).count()
        timings["start"] = time.perf_counter() - began
    workspace = init_workspace(load_settings(folder / "ws", environ=env))
    began = time.perf_counter()
    results = import_logs(workspace, [log], "portal", engine=engine)
    timings["import"] = time.perf_counter() - began
    assert not any(result.error for result in results), results
    began = time.perf_counter()
    found = analyze(workspace, only=["NET"], engine=engine)
    timings["analyze"] = time.perf_counter() - began
    began = time.perf_counter()
    summary = add_assets(workspace, [images], "Benchmark", engine=engine)
    timings["prints"] = time.perf_counter() - began
    timings["findings"] = len(found.findings)
    timings["registered"] = summary.registered
    workspace.close()
    return timings


def files_child(logs: Path, folder: Path) -> dict[str, float]:
    """Import a folder of small logs on Spark with 2 cores, together and (the anchor) one job per file."""
    from celtrace.config import load_settings
    from celtrace.logs.importer import import_logs
    from celtrace.spark.logs import SparkWriter
    from celtrace.spark.session import spark_session
    from celtrace.workspace import init_workspace

    env = {"CELTRACE_ACTOR": "benchmark", "CELTRACE_CACHE": str(folder.parent / "cache")}
    env["CELTRACE_SPARK_MASTER"] = "local[2]"
    spark_session("local[2]").range(1).count()
    timings: dict[str, float] = {}
    for way in ("together", "alone"):
        if way == "alone":
            SparkWriter.reads_whole = lambda self, fmt, size: False  # type: ignore[method-assign]  # the anchor
        workspace = init_workspace(load_settings(folder / way, environ=env))
        began = time.perf_counter()
        results = import_logs(workspace, [logs], "cdn", engine="spark")
        timings[way] = time.perf_counter() - began
        assert not any(result.error for result in results), results
        timings[f"{way}_events"] = sum(result.events for result in results)
        workspace.close()
    return timings


def _cut(log: Path, folder: Path, files: int) -> None:
    """The log's lines cut into ``files`` files, in order."""
    lines = log.read_bytes().splitlines(keepends=True)
    folder.mkdir()
    share = -(-len(lines) // files)
    for number in range(files):
        (folder / f"edge-{number:05d}.log").write_bytes(b"".join(lines[number * share : (number + 1) * share]))


def _warm_cache(root: Path) -> None:
    """Build the range tables once, as a user's machine has them after its first import (about 4 s)."""
    import duckdb

    from celtrace.logs.enrich import Enricher

    (root / "cache").mkdir()
    Enricher(duckdb.connect(), root / "cache")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1.0, help="multiplies the number of lines and images")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--files", type=int, default=40, help="small files the log is cut into (0: skip)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--files-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.files_child:
        print(json.dumps(files_child(*(Path(arg) for arg in args.files_child))))
        return
    if args.child:
        engine, master, log, images, folder = args.child
        print(json.dumps(child(engine, master or None, Path(log), Path(images), Path(folder))))
        return

    lines, count = int(LINES * args.size), int(IMAGES * args.size)
    with tempfile.TemporaryDirectory(prefix="celtrace-spark-bench-") as temp:
        root = Path(temp)
        log, images = root / "access.log", root / "images"
        build_log(log, lines, args.seed)
        build_images(images, count)
        _warm_cache(root)
        print(f"inputs: {lines:,} combined log lines ({log.stat().st_size / 1e6:.0f} MB), {count} drawings 1024x768")
        rates: dict[str, dict[str, float]] = {}
        for engine, master in RUNS:
            label = f"{engine} {master}" if master else engine
            command = [sys.executable, __file__, "--child", engine, master or "", str(log), str(images)]
            # Each run gets a fresh workspace; the machine cache of range tables is shared and warm, as a user's is.
            done = subprocess.run([*command, str(root / f"{engine}-{len(rates)}")], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{label}: failed\n{done.stderr[-2000:]}")
                return
            t = json.loads(done.stdout.strip().splitlines()[-1])
            rates[label] = {
                "import": lines / t["import"],
                "pipeline": lines / (t["import"] + t["analyze"]),
                "prints": count / t["prints"],
            }
            print(
                f"{label:16} start {t['start']:5.1f} s | import {t['import']:6.1f} s ({rates[label]['import']:>9,.0f} "
                f"lines/s), analyze {t['analyze']:5.1f} s, {t['findings']:.0f} findings | fingerprint "
                f"{t['prints']:6.1f} s ({rates[label]['prints']:5.1f} images/s)"
            )
        one, two, local = rates["spark local[1]"], rates["spark local[2]"], rates["duckdb"]
        for key, unit in (("import", "log import"), ("pipeline", "log import + analyze"), ("prints", "fingerprinting")):
            print(
                f"{unit}: Spark 2 cores / 1 core {two[key] / one[key]:.2f}x (2.0 is perfect); "
                f"Spark 2 cores / DuckDB {two[key] / local[key]:.2f}x"
            )
        if args.files:
            logs = root / "small"
            _cut(log, logs, args.files)
            command = [sys.executable, __file__, "--files-child", str(logs), str(root / "files")]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"many files: failed\n{done.stderr[-2000:]}")
                return
            t = json.loads(done.stdout.strip().splitlines()[-1])
            assert t["together_events"] == t["alone_events"]
            print(
                f"{args.files} files of {lines // args.files:,} lines, spark local[2]: together {t['together']:.1f} s, "
                f"one job per file {t['alone']:.1f} s; one job per file / together {t['alone'] / t['together']:.1f}x"
            )


if __name__ == "__main__":
    main()
