"""Both stages' fingerprints of one image: what registration stores and what a query brings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from celtrace.assets.fingerprint import Fingerprint, fingerprint_bytes, fingerprint_file
from celtrace.assets.local_features import LocalFeatures, extract_bytes, extract_file


@dataclass(frozen=True)
class ImagePrints:
    """PDQ fingerprints and local features of every page of one image (the same pages, in order)."""

    global_prints: list[Fingerprint]
    local: list[LocalFeatures]

    @property
    def pages(self) -> int:
        """How many pages were decoded."""
        return len(self.global_prints)


def prints_of_file(path: Path) -> ImagePrints:
    """Fingerprint every page of the image at ``path``; bad files raise ``InputError``.

    Each stage decodes at its own working size (PDQ at 64 × 64, keypoints at 512), along the same path its
    stored codes were made on: deriving PDQ from the 512 image would move every hash by a few bits against
    the codes already registered.
    """
    return ImagePrints(fingerprint_file(path), extract_file(path))


def prints_of_bytes(data: bytes, name: str) -> ImagePrints:
    """Fingerprint every page of an image held in memory; ``name`` is used in errors."""
    return ImagePrints(fingerprint_bytes(data, name), extract_bytes(data, name))
