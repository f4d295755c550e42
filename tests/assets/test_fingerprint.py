from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

from celtrace.assets.fingerprint import (
    CODE_BYTES,
    MATCH_DISTANCE,
    PDQ_SIZE,
    Fingerprint,
    fingerprint_bytes,
    fingerprint_file,
    fingerprint_image,
    fingerprint_pixels,
    hamming,
)
from celtrace.assets.images import decode_bytes
from celtrace.demo.drawings import drawing, encode
from celtrace.errors import InputError

SEEDS = range(12)


def _fingerprint(image: Image.Image, fmt: str = "PNG", **options: object) -> Fingerprint:
    return fingerprint_bytes(encode(image, fmt, **options), "query")[0]


def _distance(registered: Fingerprint, query: Fingerprint) -> int:
    """How the index compares: the registered plain code against every variant of the query."""
    return min(hamming(registered.code, variant) for variant in query.variants)


@pytest.fixture(scope="module")
def originals() -> dict[int, tuple[Image.Image, Fingerprint]]:
    return {seed: (image := drawing(seed), _fingerprint(image)) for seed in SEEDS}


def test_fingerprint_shape(originals):
    fingerprint = originals[0][1]
    assert len(fingerprint.variants) == 8
    assert all(len(code) == CODE_BYTES for code in fingerprint.variants)
    assert fingerprint.codes().shape == (8, CODE_BYTES)
    assert fingerprint.codes().dtype == np.uint8
    assert fingerprint.code == fingerprint.variants[0]
    assert len(fingerprint.hex()) == 64
    assert 0 <= fingerprint.quality <= 100


TRANSFORMS = {
    "jpeg q=50": lambda image: (image, "JPEG", {"quality": 50}),
    "rescale 25%": lambda image: (image.resize((256, 192), Image.Resampling.LANCZOS), "PNG", {}),
    "rotate 90": lambda image: (image.transpose(Image.Transpose.ROTATE_90), "PNG", {}),
    "rotate 270 as jpeg": lambda image: (image.transpose(Image.Transpose.ROTATE_270), "JPEG", {"quality": 75}),
    "mirror": lambda image: (image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "PNG", {}),
    "flip": lambda image: (image.transpose(Image.Transpose.FLIP_TOP_BOTTOM), "WEBP", {"quality": 80}),
}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transformed_copies_stay_within_threshold(originals, name):
    for image, registered in originals.values():
        changed, fmt, options = TRANSFORMS[name](image)
        assert _distance(registered, _fingerprint(changed, fmt, **options)) <= MATCH_DISTANCE


def test_rotation_needs_the_dihedral_variants(originals):
    image, registered = originals[0]
    rotated = _fingerprint(image.transpose(Image.Transpose.ROTATE_90))
    assert hamming(registered.code, rotated.code) > MATCH_DISTANCE


def test_unrelated_drawings_stay_apart():
    fingerprints = [_fingerprint(drawing(1000 + seed)) for seed in range(40)]
    pairs = list(itertools.combinations(fingerprints, 2))
    apart = sum(_distance(a, b) > MATCH_DISTANCE and _distance(b, a) > MATCH_DISTANCE for a, b in pairs)
    assert apart >= 0.99 * len(pairs)


def test_fingerprint_file_covers_every_page(tmp_path):
    path = tmp_path / "pages.tiff"
    pages = [drawing(seed, size=(400, 300)) for seed in (1, 2)]
    pages[0].save(path, save_all=True, append_images=pages[1:])
    fingerprints = fingerprint_file(path)
    assert [fingerprint.page for fingerprint in fingerprints] == [0, 1]
    assert fingerprints[0].code != fingerprints[1].code


def test_fingerprint_file_bad_input(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really")
    with pytest.raises(InputError, match=r"broken\.jpg"):
        fingerprint_file(path)


def test_fingerprint_pixels_rejects_wrong_arrays():
    with pytest.raises(ValueError, match="uint8"):
        fingerprint_pixels(np.zeros((10, 10), dtype=np.uint8))


def test_any_working_image_is_squeezed_to_the_pdq_size():
    image = drawing(3)
    from_file = fingerprint_bytes(encode(image, "PNG"), "a.png")[0]
    from_working = fingerprint_image(decode_bytes(encode(image, "PNG"), "a.png")[0])
    assert hamming(from_file.code, from_working.code) <= MATCH_DISTANCE


def test_square_working_image():
    pixels = decode_bytes(encode(drawing(3), "PNG"), "a.png", size=PDQ_SIZE, square=True)[0].pixels
    assert pixels.shape == (PDQ_SIZE, PDQ_SIZE, 3)


def test_hamming():
    assert hamming(bytes(32), bytes(32)) == 0
    assert hamming(bytes(32), b"\xff" * 32) == 256
    assert hamming(b"\x01" + bytes(31), bytes(32)) == 1
