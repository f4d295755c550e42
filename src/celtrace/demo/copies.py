"""What passing a drawing around does to it: the copies the demo hides in its trove and benchmarks measure.

Each function takes a drawing and returns a new image; ``seed`` makes the random ones reproducible.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageFilter

from celtrace.demo.drawings import drawing


def turned(image: Image.Image, degrees: float) -> Image.Image:
    """Rotated by ``degrees`` counter-clockwise on white, the size kept (corners cut off)."""
    return image.rotate(degrees, Image.Resampling.BICUBIC, fillcolor="white")


def cropped(image: Image.Image, share: float) -> Image.Image:
    """The centre kept, ``share`` of the width and of the height removed (half of it on each side)."""
    width, height = image.size
    dx, dy = round(width * share / 2), round(height * share / 2)
    return image.crop((dx, dy, width - dx, height - dy))


def padded(image: Image.Image, share: float = 0.1) -> Image.Image:
    """White margins of ``share`` of the width and height on each side, as a page with borders."""
    width, height = image.size
    canvas = Image.new("RGB", (round(width * (1 + 2 * share)), round(height * (1 + 2 * share))), "white")
    canvas.paste(image, (round(width * share), round(height * share)))
    return canvas


def rescanned(image: Image.Image, seed: int) -> Image.Image:
    """Printed and scanned again: turned 2°, blurred and noisy (save it as JPEG for the last step)."""
    rng = np.random.default_rng(seed)
    blurred = turned(image, 2).filter(ImageFilter.GaussianBlur(1))
    noisy = np.asarray(blurred, dtype=np.float32) + rng.normal(0, 6, size=(blurred.height, blurred.width, 3))
    return Image.fromarray(noisy.clip(0, 255).astype(np.uint8))


def recoloured(image: Image.Image) -> Image.Image:
    """Re-inked in blue on cream paper, as a colour pass or a coloured-pencil copy would be."""
    grey = np.asarray(image.convert("L"), dtype=np.float32)[..., None] / 255
    ink, paper = np.array([30, 60, 170], np.float32), np.array([250, 240, 215], np.float32)
    return Image.fromarray((ink + (paper - ink) * grey).astype(np.uint8))


def redrawn(image: Image.Image, seed: int) -> Image.Image:
    """Partly redrawn: one quarter (a quadrant) erased and drawn again with other strokes."""
    rng = random.Random(seed)
    width, height = image.size
    copy = image.copy()
    corner = rng.choice([(0, 0), (width // 2, 0), (0, height // 2), (width // 2, height // 2)])
    copy.paste(drawing(seed + 777, size=(width // 2, height // 2), strokes=10), corner)
    return copy


def on_sheet(image: Image.Image, seed: int) -> Image.Image:
    """At half size as one panel of a 2 × 2 sheet whose other panels are unrelated drawings."""
    width, height = image.size
    sheet = Image.new("RGB", (width, height), "white")
    slot = seed % 4
    for position in range(4):
        panel = image if position == slot else drawing(seed + 900_000 + position)
        corner = ((position % 2) * width // 2, (position // 2) * height // 2)
        sheet.paste(panel.resize((width // 2, height // 2)), corner)
    return sheet
