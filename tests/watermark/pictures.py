"""Seeded synthetic pictures of the three kinds a studio delivers, shared by the tests and benchmarks/watermark.py.

- line art: anti-aliased dark curves and strokes of varied width on pure white paper;
- cels: flat-colour filled shapes with black outlines on a flat background;
- photographs: smooth gradients with fine texture and noise.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image


def line_art(seed: int, size: tuple[int, int] = (512, 384), strokes: int = 40) -> Image.Image:
    """Black-on-white line art (mode RGB)."""
    rng = np.random.default_rng(seed)
    width, height = size
    canvas = np.full((height, width, 3), 255, np.uint8)
    scale = max(width, height) / 1024
    for _ in range(strokes):
        ink = int(rng.integers(0, 50))
        thickness = max(1, round(rng.integers(1, 5) * scale))
        start = rng.uniform((0, 0), (width, height))
        controls = start + np.cumsum(rng.normal(0, 0.12 * max(width, height), (3, 2)), axis=0)
        t = np.linspace(0, 1, 60)[:, None]
        p0, p1, p2, p3 = start, controls[0], controls[1], controls[2]
        curve = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3
        points = np.round(curve * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [points], False, (ink, ink, ink), thickness, cv2.LINE_AA, shift=4)
    return Image.fromarray(canvas, "RGB")


def cel(seed: int, size: tuple[int, int] = (512, 384), shapes: int = 14) -> Image.Image:
    """Flat-colour shapes with black outlines (mode RGB)."""
    rng = np.random.default_rng(seed)
    width, height = size
    background = tuple(int(v) for v in rng.integers(150, 256, 3))
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = background
    scale = max(width, height) / 1024
    for _ in range(shapes):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        outline = max(1, round(rng.integers(2, 5) * scale))
        centre = rng.uniform((0, 0), (width, height))
        if rng.random() < 0.5:
            axes = rng.uniform(0.03, 0.2, 2) * max(width, height)
            angle = float(rng.uniform(0, 180))
            box = ((float(centre[0]), float(centre[1])), (float(axes[0] * 2), float(axes[1] * 2)), angle)
            cv2.ellipse(canvas, box, colour, -1, cv2.LINE_AA)
            cv2.ellipse(canvas, box, (0, 0, 0), outline, cv2.LINE_AA)
        else:
            count = int(rng.integers(3, 8))
            angles = np.sort(rng.uniform(0, 2 * np.pi, count))
            radii = rng.uniform(0.04, 0.2, count) * max(width, height)
            polygon = centre + np.stack([np.cos(angles) * radii, np.sin(angles) * radii], axis=1)
            points = np.round(polygon * 16).astype(np.int32).reshape(-1, 1, 2)
            cv2.fillPoly(canvas, [points], colour, cv2.LINE_AA, shift=4)
            cv2.polylines(canvas, [points], True, (0, 0, 0), outline, cv2.LINE_AA, shift=4)
    return Image.fromarray(canvas, "RGB")


def photo(seed: int, size: tuple[int, int] = (512, 384)) -> Image.Image:
    """A photograph-like picture: smooth colour gradients, blobs, fine texture and sensor noise (mode RGB)."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.zeros((height, width, 3), np.float32)
    for channel in range(3):
        a, b, c = rng.uniform(-1, 1, 3)
        base[..., channel] = 128 + 60 * (a * x / width + b * y / height) + 30 * c
    for _ in range(12):
        cx, cy = rng.uniform((0, 0), (width, height))
        radius = rng.uniform(0.05, 0.3) * max(width, height)
        blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2))
        base += blob[..., None] * rng.uniform(-70, 70, 3)
    texture = rng.normal(0, 1, (height // 4 + 1, width // 4 + 1)).astype(np.float32)
    texture = cv2.resize(texture, (width, height), interpolation=cv2.INTER_CUBIC)[..., None] * 14
    noise = rng.normal(0, 3, (height, width, 3)).astype(np.float32)
    return Image.fromarray(np.clip(base + texture + noise, 0, 255).astype(np.uint8), "RGB")
