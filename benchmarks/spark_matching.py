"""Matching on Spark: is broadcasting the registry's indexes worth it at small registries?

Run ``.venv/bin/python benchmarks/spark_matching.py [--registry 50 200] [--queries 32] [--master local[2]]``.

For each registry size, drawings (640 x 480) are registered with the local engine, and the same queries (half
near-duplicates, half crops that need the local stage) are matched three ways, each checked to give the local
engine's matches:

- ``duckdb``: the local engine, in this process;
- ``driver``: what ``match --engine spark`` did before: prints made on Spark, both stages run on the driver;
- ``broadcast``: ``match --engine spark`` as it is (``celtrace.spark.matching``), the indexes in a broadcast;
- ``closure``: the same job with the indexes pickled into the UDF itself (``SparkContext.broadcast`` replaced
  for the indexes, for this run only). PySpark broadcasts a pickled UDF over 1 MB by itself, so past a few
  dozen pages this differs from ``broadcast`` only in that the UDF's broadcast is made per job and not reused.

It also reports the time to build the indexes (the candidate index trains its inverted file past 50,000
descriptors) and their pickled size. The JVM is started before timing; each way runs ``--repeat`` times and the
fastest run is kept.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class _Inline:
    """A stand-in for a Broadcast: the value itself, pickled with whatever holds it."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def unpersist(self) -> None:
        """Nothing to release."""


def _inline_indexes(broadcast: Any) -> Any:
    # Only the indexes: PySpark itself broadcasts any pickled UDF over 1 MB through this method.
    def replaced(value: Any) -> Any:
        return _Inline(value) if isinstance(value, tuple) and len(value) == 2 else broadcast(value)

    return replaced


def main() -> None:
    """Print the timings for each registry size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registry", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--queries", type=int, default=32)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from celtrace.assets.matcher import AssetMatcher, match_files
    from celtrace.assets.registry import add_assets
    from celtrace.config import load_settings
    from celtrace.demo import copies
    from celtrace.demo.drawings import drawing
    from celtrace.spark.prints import fingerprint_on_spark
    from celtrace.spark.session import spark_session
    from celtrace.workspace import init_workspace

    spark = spark_session(args.master)
    context = spark.sparkContext
    print(f"master {args.master}, {args.queries} queries (half copies, half crops), drawings 640x480")
    with tempfile.TemporaryDirectory(prefix="celtrace-bench-") as folder:
        root = Path(folder)
        for size in args.registry:
            registered = root / f"registry-{size}"
            registered.mkdir()
            for seed in range(size):
                drawing(seed, size=(640, 480)).save(registered / f"cut{seed:04d}.png")
            queries = root / f"queries-{size}"
            queries.mkdir()
            for number in range(args.queries):
                source = drawing(number % size, size=(640, 480))
                copy = source.resize((480, 360)) if number % 2 else copies.cropped(source, 0.2)
                copy.save(queries / f"q{number:03d}.png")
            files = sorted(queries.iterdir())
            settings = load_settings(root / f"ws-{size}", environ={"CELTRACE_ACTOR": "benchmark"})
            workspace = init_workspace(settings)
            add_assets(workspace, [registered], "Benchmark")
            with workspace.session() as session:
                matcher = AssetMatcher(session)
                began = time.perf_counter()
                matcher.features.candidates(matcher.reference(0))  # builds the candidate index
                built = time.perf_counter() - began
                shipped = pickle.dumps((matcher.index, matcher.features))
                timings: dict[str, float] = {}
                results: dict[str, list[list[dict[str, Any]]]] = {}
                for way in ("duckdb", "driver", "broadcast", "closure") * args.repeat:
                    if way == "closure":
                        context.broadcast = _inline_indexes(context.broadcast)  # type: ignore[method-assign]
                    began = time.perf_counter()
                    if way == "driver":
                        printed = fingerprint_on_spark(args.master, files, set())
                        found = [matcher.match_prints(prints) for *_, prints in printed]  # type: ignore[arg-type]
                    else:
                        engine = "duckdb" if way == "duckdb" else "spark"
                        found = [m for _, m in match_files(matcher, files, engine, args.master)]  # type: ignore[misc]
                    timings[way] = min(timings.get(way, float("inf")), time.perf_counter() - began)
                    results[way] = [[match.to_json() for match in f] for f in found if isinstance(f, list)]
                    if way == "closure":
                        del context.broadcast  # type: ignore[method-assign]
            workspace.close()
            differ = [way for way in results if results[way] != results["duckdb"]]
            placed = sum(1 for f in results["duckdb"] if f)
            print(
                f"registry {size:4d}: indexes built in {built:4.2f} s, pickled {len(shipped) / 1e6:5.1f} MB | "
                f"duckdb {timings['duckdb']:5.1f} s, spark: driver {timings['driver']:5.1f} s, "
                f"broadcast {timings['broadcast']:5.1f} s, closure {timings['closure']:5.1f} s | "
                f"{placed}/{len(files)} matched, not as duckdb: {', '.join(differ) or 'none'}"
            )


if __name__ == "__main__":
    main()
