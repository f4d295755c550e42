from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from celtrace.assets.fingerprint import MATCH_DISTANCE, fingerprint_bytes, hamming
from celtrace.assets.images import WORKING_SIZE, decode_bytes, decode_file
from celtrace.demo.drawings import drawing, encode
from celtrace.errors import InputError


def psd(image: Image.Image, *, layer_section: bytes = b"", size: tuple[int, int] | None = None) -> bytes:
    """A minimal PSD (Adobe's file format spec, version 1): header, three empty sections, raw planar composite."""
    width, height = size or image.size
    bands = image.split()
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, len(bands), height, width, 8, 3)  # 8 bits, RGB mode
    sections = struct.pack(">II", 0, 0) + struct.pack(">I", len(layer_section)) + layer_section
    return header + sections + struct.pack(">H", 0) + b"".join(band.tobytes() for band in bands)


def test_psd_gives_its_composite():
    image = drawing(11)
    pages = decode_bytes(psd(image), "key.psd")
    assert len(pages) == 1
    assert pages[0].source_format == "PSD"
    assert pages[0].source_size == (1024, 768)
    assert pages[0].pixels.shape == (384, WORKING_SIZE, 3)
    [found] = fingerprint_bytes(psd(image), "key.psd")
    [registered] = fingerprint_bytes(encode(image, "PNG"), "key.png")
    assert hamming(found.code, registered.code) <= MATCH_DISTANCE


def test_psd_transparency_is_composed_on_white():
    ink = drawing(12, size=(400, 300))
    alpha = ink.convert("L").point(lambda value: 255 if value < 128 else 0)  # lines opaque, paper transparent
    rgba = Image.new("RGBA", ink.size, (0, 0, 0, 0))
    rgba.paste(ink, mask=alpha)
    pixels = decode_bytes(psd(rgba), "layered.psd")[0].pixels
    paper = np.asarray(alpha.resize(pixels.shape[1::-1])) == 0
    assert (pixels[paper] > 200).mean() > 0.99  # transparent black became white, not black
    [found] = fingerprint_bytes(psd(rgba), "layered.psd")
    [registered] = fingerprint_bytes(encode(ink, "PNG"), "ink.png")
    assert hamming(found.code, registered.code) <= MATCH_DISTANCE


def test_psd_layers_are_never_parsed():
    # A layer section claiming 32,767 layers in 6 bytes: Pillow would refuse it if asked for the layers.
    layers = struct.pack(">Ih", 2, 32767)
    pages = decode_bytes(psd(drawing(13, size=(64, 48)), layer_section=layers), "many.psd")
    assert len(pages) == 1


def test_huge_psd_is_refused_before_decoding(tmp_path):
    path = tmp_path / "huge.psd"
    path.write_bytes(psd(Image.new("RGB", (1, 1)), size=(100_000, 100_000)))
    with pytest.raises(InputError, match=r"huge\.psd.*decompression bomb"):
        decode_file(path)


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("cut.psd", lambda data: data[: len(data) // 2]),
        ("header.psd", lambda data: data[:20]),
        ("deep.psd", lambda data: data[:22] + struct.pack(">H", 16) + data[24:]),  # 16-bit: not decoded
        ("lab.psd", lambda data: data[:24] + struct.pack(">H", 99) + data[26:]),  # no such colour mode
    ],
)
def test_damaged_psd_names_the_file(tmp_path, name, damage):
    path = tmp_path / name
    path.write_bytes(damage(psd(drawing(14, size=(120, 90)))))
    with pytest.raises(InputError, match=name.replace(".", r"\.")):
        decode_file(path)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=2048))
def test_arbitrary_bytes_after_psd_magic_only_raise_input_error(body):
    try:
        decode_bytes(b"8BPS" + body, "fuzz.psd", max_pixels=1_000_000)
    except InputError as error:
        assert error.file == "fuzz.psd"
