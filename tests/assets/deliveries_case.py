"""Small drawings and a two-vendor chain for the delivery and attribution tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from tests.watermark.pictures import cel, line_art

#: Small enough to decode in a fraction of a second, large enough to carry every coded bit.
SIZE = (320, 240)

CHAIN = {
    "vendors": [
        {"id": "lotus", "name": "Bright Lotus Animation", "aliases": ["明莲动画"], "productions": ["Skyward Tails"]},
        {"id": "hanbit", "name": "Hanbit Motion Works", "productions": ["Skyward Tails"]},
    ]
}


def drawings(folder: Path, count: int = 2) -> list[Path]:
    """``count`` PNG drawings (line art and cels in turn) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        image = line_art(seed, SIZE) if seed % 2 == 0 else cel(seed, SIZE)
        path = folder / f"sc{seed:03d}_cut{seed + 1:03d}.png"
        image.save(path)
        paths.append(path)
    return paths


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels: Pillow must refuse it before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def bad_files(folder: Path, good: Path) -> dict[str, Path]:
    """A corrupt, a truncated, a non-image and a decompression-bomb file, by what is wrong with them."""
    folder.mkdir(parents=True, exist_ok=True)
    data = good.read_bytes()
    files = {
        "corrupt": (folder / "corrupt.png", data[:64] + bytes(len(data) - 64)),
        "truncated": (folder / "truncated.png", data[: len(data) // 3]),
        "not an image": (folder / "notes.png", "머리를 10% 작게\n".encode()),
        "bomb": (folder / "bomb.png", bomb_png()),
    }
    for path, content in files.values():
        path.write_bytes(content)
    return {what: path for what, (path, _) in files.items()}
