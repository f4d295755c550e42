from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from celtrace.assets.images import WORKING_SIZE, decode_bytes, decode_file
from celtrace.demo.drawings import drawing, encode
from celtrace.errors import InputError


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("PNG", {}), ("JPEG", {"quality": 90}), ("TIFF", {}), ("BMP", {}), ("GIF", {}), ("WEBP", {"quality": 90})],
)
def test_every_format_gives_rgb_working_image(fmt, options):
    pages = decode_bytes(encode(drawing(1), fmt, **options), f"a.{fmt.lower()}")
    assert len(pages) == 1
    page = pages[0]
    assert page.pixels.dtype == np.uint8
    assert page.pixels.shape == (384, WORKING_SIZE, 3)  # 1024x768 keeps its aspect
    assert page.source_size == (1024, 768)


def test_small_images_are_not_upscaled():
    pixels = decode_bytes(encode(drawing(2, size=(300, 200)), "PNG"), "small.png")[0].pixels
    assert pixels.shape == (200, 300, 3)


def test_portrait_keeps_aspect():
    pixels = decode_bytes(encode(drawing(2, size=(600, 1200)), "PNG"), "tall.png")[0].pixels
    assert pixels.shape == (WORKING_SIZE, 256, 3)


def test_every_tiff_page_is_decoded():
    pages = [drawing(seed, size=(640, 480)) for seed in range(3)]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    decoded = decode_bytes(buffer.getvalue(), "book.tiff")
    assert [page.page for page in decoded] == [0, 1, 2]
    assert not np.array_equal(decoded[0].pixels, decoded[1].pixels)


def test_gif_uses_first_frame_only():
    frames = [drawing(seed, size=(320, 240)).convert("P") for seed in range(2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    assert len(decode_bytes(buffer.getvalue(), "anim.gif")) == 1


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_transparent_background_becomes_white(mode):
    image = Image.new(mode, (64, 64))  # fully transparent black
    pixels = decode_bytes(encode(image, "PNG"), "clear.png")[0].pixels
    assert (pixels == 255).all()


def test_palette_transparency_becomes_white():
    image = Image.new("P", (64, 64), 0)
    image.putpalette([0, 0, 0] * 256)
    pixels = decode_bytes(encode(image, "PNG", transparency=0), "clear.png")[0].pixels
    assert (pixels == 255).all()


def test_bilevel_and_16_bit_images_decode():
    bilevel = drawing(3, size=(800, 600)).convert("1")
    assert decode_bytes(encode(bilevel, "TIFF"), "scan.tif")[0].pixels.shape == (384, 512, 3)
    deep = Image.fromarray(np.full((100, 80), 40000, dtype=np.uint16))
    pixels = decode_bytes(encode(deep, "PNG"), "deep.png")[0].pixels
    assert pixels.shape == (100, 80, 3)


def test_decompression_bomb_names_the_file(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000), 1).save(path)  # 400 Mpx, compresses to a few hundred KB
    with pytest.raises(InputError, match=r"bomb\.png") as caught:
        decode_file(path)
    assert caught.value.file == str(path)
    assert "decompression bomb" in str(caught.value)


def test_pixel_limit_is_a_parameter(tmp_path):
    path = tmp_path / "big.png"
    drawing(4, size=(200, 200)).save(path)
    with pytest.raises(InputError, match="exceeds the limit of 1000"):
        decode_file(path, max_pixels=1000)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP"])
def test_truncated_file_names_the_file(tmp_path, fmt):
    data = encode(drawing(5, size=(400, 300)), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match=rf"cut\.{fmt.lower()}"):
        decode_file(path)


def test_corrupt_and_missing_files_name_the_file(tmp_path):
    corrupt = tmp_path / "noise.png"
    data = bytearray(encode(drawing(6, size=(400, 300)), "PNG"))
    data[100:400] = bytes(300)
    corrupt.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"noise\.png"):
        decode_file(corrupt)
    with pytest.raises(InputError, match=r"missing\.png"):
        decode_file(tmp_path / "missing.png")
    text = tmp_path / "notes.png"
    text.write_text("make the head 10% smaller")
    with pytest.raises(InputError, match=r"notes\.png: not a recognised image"):
        decode_file(text)


def test_unsupported_format_is_refused():
    image = drawing(7, size=(64, 64))
    with pytest.raises(InputError, match="unsupported image format"):
        decode_bytes(encode(image, "PPM"), "a.ppm")


_HEADERS = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF89a", b"RIFF"]


@settings(max_examples=300, deadline=None)
@given(header=st.sampled_from(_HEADERS), body=st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_input_error(header, body):
    try:
        pages = decode_bytes(header + body, "fuzz.bin", max_pixels=1_000_000)
    except InputError as error:
        assert error.file == "fuzz.bin"
    else:
        assert all(page.pixels.dtype == np.uint8 and page.pixels.shape[2] == 3 for page in pages)


_VALID = {fmt: encode(drawing(8, size=(48, 32)), fmt) for fmt in ("PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP")}


@settings(max_examples=300, deadline=None)
@given(
    fmt=st.sampled_from(sorted(_VALID)),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
    cut=st.integers(min_value=1),
)
def test_damaged_images_only_raise_input_error(fmt, edits, cut):
    data = bytearray(_VALID[fmt])
    for position, value in edits:
        data[position % len(data)] = value
    damaged = bytes(data[: max(1, cut % (len(data) + 1))])
    try:
        decode_bytes(damaged, "damaged.img", max_pixels=1_000_000)
    except InputError as error:
        assert error.file == "damaged.img"
