"""Trove scan benchmark: ``walk`` over 10,000 mixed small files against coreutils ``sha256sum``.

Run ``.venv/bin/python benchmarks/trove_scan.py [SEED]``. It writes seeded-random PNG-like, JPEG-like and
text files, and one zip in every 250 files, into a temporary folder, then times, on the same files and with
the page cache warm, ``find -type f -print0 | xargs -0 sha256sum`` and a full ``walk`` (which also sniffs
every file and opens and hashes the zips' members). Each side takes the best of three runs.

Memory is traced (tracemalloc) while walking troves of 2,500, 5,000 and 10,000 files: the peak should not
grow with the trove. Targets (DESIGN.md, Performance): within 3 times sha256sum's time; memory flat.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from celtrace.trove.walk import walk

SEED = 20261126
SIZES = (2_500, 5_000, 10_000)
RUNS = 3


def make_trove(root: Path, count: int, rng: random.Random) -> int:
    """Write ``count`` files into folders of 500; return the bytes written."""
    words = ["cut", "layout", "key", "inbetween", "colour", "episode", "retake", "sheet", "timing", "scene"]
    total = 0
    for index in range(count):
        folder = root / f"ep{index // 500:03}"
        folder.mkdir(exist_ok=True)
        choice = index % 250
        if choice == 0:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for member in range(5):
                    archive.writestr(f"cut{member:03}.txt", " ".join(rng.choices(words, k=800)))
            name, data = f"pack{index:05}.zip", buffer.getvalue()
        elif choice % 3 == 0:
            name, data = f"cut{index:05}.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(2_000, 40_000))
        elif choice % 3 == 1:
            name, data = f"key{index:05}.jpg", b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(2_000, 40_000))
        else:
            text = "\n".join(" ".join(rng.choices(words, k=12)) for _ in range(rng.randint(10, 300)))
            name, data = f"notes{index:05}.txt", text.encode()
        (folder / name).write_bytes(data)
        total += len(data)
    return total


def time_sha256sum(root: Path) -> float:
    command = f"find '{root}' -type f -print0 | xargs -0 sha256sum > /dev/null"
    start = time.perf_counter()
    subprocess.run(command, shell=True, check=True)
    return time.perf_counter() - start


def time_walk(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in walk(root))
    return time.perf_counter() - start, count


def peak_memory(root: Path) -> int:
    tracemalloc.start()
    try:
        for _ in walk(root):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else SEED)
    with tempfile.TemporaryDirectory(prefix="celtrace-trove-bench-") as folder:
        troves = {}
        for size in SIZES:
            troves[size] = Path(folder) / f"trove{size}"
            troves[size].mkdir()
            written = make_trove(troves[size], size, rng)
        largest = troves[SIZES[-1]]
        print(f"celtrace trove scan benchmark: {SIZES[-1]:,} files, {written / 1e6:.1f} MB ({sys.platform})")
        time_sha256sum(largest)  # warm the page cache for both sides
        anchor = min(time_sha256sum(largest) for _ in range(RUNS))
        walks = [time_walk(largest) for _ in range(RUNS)]
        ours = min(seconds for seconds, _ in walks)
        items = walks[0][1]
        ratio = ours / anchor
        print(f"sha256sum (find | xargs):  {anchor:8.3f} s")
        print(f"celtrace walk:             {ours:8.3f} s  ({items:,} items, {items / ours:,.0f} items/s)")
        print(f"ratio walk / sha256sum:    {ratio:8.2f}")
        peaks = {size: peak_memory(troves[size]) for size in SIZES}
        for size, peak in peaks.items():
            print(f"peak traced memory at {size:>6,} files: {peak / 1e6:6.2f} MB")
        flat = max(peaks.values()) <= 1.5 * min(peaks.values()) + 1e6
        print()
        print(f"target: walk within 3x sha256sum's time          {'MET' if ratio <= 3 else 'NOT MET'}")
        print(f"target: memory flat from 2,500 to 10,000 files   {'MET' if flat else 'NOT MET'}")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
