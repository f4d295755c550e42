"""Seeded synthetic line art: dark strokes, circles and polylines on white, like a clean-up drawing.

The demo draws its production with it, and the tests and benchmarks measure fingerprints on it.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw


def drawing(seed: int, size: tuple[int, int] = (1024, 768), strokes: int = 40) -> Image.Image:
    """A reproducible RGB drawing; different seeds give unrelated drawings."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)

    def point() -> tuple[int, int]:
        return rng.randrange(width), rng.randrange(height)

    for _ in range(strokes):
        ink = (rng.randrange(60), rng.randrange(60), rng.randrange(60))
        line_width = rng.randint(2, 6)
        kind = rng.random()
        if kind < 0.35:
            draw.line([point(), point()], fill=ink, width=line_width)
        elif kind < 0.65:
            x, y = point()
            radius = rng.randint(2, max(2, min(width, height) // 4))
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=ink, width=line_width)
        else:
            start = point()
            points = [start]
            for _ in range(rng.randint(3, 8)):
                x, y = points[-1]
                points.append((x + rng.randint(-120, 120), y + rng.randint(-120, 120)))
            draw.line(points, fill=ink, width=line_width, joint="curve")
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """The image encoded in ``fmt`` (a Pillow format name)."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()
