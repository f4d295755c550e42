from __future__ import annotations

import io
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.assets.fingerprint import MATCH_DISTANCE, fingerprint_bytes, hamming
from celtrace.assets.images import MAX_PAGES, WORKING_SIZE, decode_bytes, decode_file
from celtrace.demo.drawings import drawing, encode
from celtrace.errors import InputError


def pdf(*, media_box: str = "0 0 200 100", pages: int = 1, trailer: str = "", extra: list[str] | None = None) -> bytes:
    """A hand-written PDF of blank pages, with a correct cross-reference table."""
    kids = " ".join(f"{3 + n} 0 R" for n in range(pages))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>",
        *(f"<< /Type /Page /Parent 2 0 R /MediaBox [{media_box}] >>" for _ in range(pages)),
        *(extra or []),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def storyboard(seeds: range) -> bytes:
    pages = [drawing(seed) for seed in seeds]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def test_every_pdf_page_matches_its_drawing():
    data = storyboard(range(20, 24))
    prints = fingerprint_bytes(data, "board.pdf")
    assert [fp.page for fp in prints] == [0, 1, 2, 3]
    for seed, found in zip(range(20, 24), prints, strict=True):
        [registered] = fingerprint_bytes(encode(drawing(seed), "PNG"), f"{seed}.png")
        assert hamming(found.code, registered.code) <= MATCH_DISTANCE


def test_pdf_page_is_rendered_at_the_working_size_on_white():
    [page] = decode_bytes(pdf(media_box="0 0 200 100"), "blank.pdf")
    assert page.source_format == "PDF"
    assert page.source_size == (200, 100)  # points
    assert page.pixels.shape == (WORKING_SIZE // 2, WORKING_SIZE, 3)
    assert (page.pixels == 255).all()
    assert page.time_s is None


def test_absurd_page_box_renders_small_and_fast():
    started = time.perf_counter()
    [page] = decode_bytes(pdf(media_box="0 0 14400000 14400000"), "huge.pdf")
    assert time.perf_counter() - started < 2
    assert page.pixels.shape == (WORKING_SIZE, WORKING_SIZE, 3)


@pytest.mark.parametrize("box", ["0 0 0 0", "0 0 1e40 5", "0 0 1e400 5"])
def test_page_box_without_area_or_size_gets_pdfiums_default(box):
    [page] = decode_bytes(pdf(media_box=box), "odd.pdf")
    assert page.source_size == (612, 792)  # US Letter


def test_tiny_page_is_not_blown_up():
    [page] = decode_bytes(pdf(media_box="0 0 10 5"), "stamp.pdf")
    assert page.pixels.shape == (40, 80, 3)  # at most 8 pixels a point


def test_rendered_pixels_are_bounded():
    with pytest.raises(InputError, match=r"big\.pdf: page 1 would render to .* over the limit of 1000"):
        decode_bytes(pdf(), "big.pdf", max_pixels=1000)


def test_too_many_pages_are_refused():
    with pytest.raises(InputError, match=rf"long\.pdf: more than {MAX_PAGES} pages"):
        decode_bytes(pdf(pages=MAX_PAGES + 1), "long.pdf")


# An encryption dictionary whose empty user password does not check: what a password-protected PDF looks like
# to a reader without the password (PDFium writes no encrypted files, so the test cannot make a real one).
_ENCRYPTED = pdf(
    trailer=f"/Encrypt 4 0 R /ID [<{'11' * 16}> <{'11' * 16}>] ",
    extra=[f"<< /Filter /Standard /V 1 /R 2 /O <{'ab' * 32}> /U <{'cd' * 32}> /P -4 >>"],
)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cut.pdf", storyboard(range(2))[:3000], "cannot"),
        ("garbage.pdf", b"%PDF-" + bytes(range(256)) * 8, "cannot open PDF"),
        ("empty.pdf", pdf(pages=0), "cannot open PDF"),  # PDFium refuses a document without pages
        ("locked.pdf", _ENCRYPTED, "password"),
    ],
)
def test_hostile_pdf_names_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as caught:
        decode_file(path)
    assert caught.value.file == str(path)


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=2048))
def test_arbitrary_bytes_after_pdf_magic_only_raise_input_error(body):
    try:
        pages = decode_bytes(b"%PDF-" + body, "fuzz.pdf", max_pixels=1_000_000)
    except InputError as error:
        assert error.file == "fuzz.pdf"
    else:
        assert all(page.pixels.dtype == np.uint8 for page in pages)


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=1, max_value=2000), position=st.integers(min_value=0), value=st.integers(0, 255))
def test_damaged_pdf_only_raises_input_error(cut, position, value):
    data = bytearray(pdf(pages=2))
    data[position % len(data)] = value
    try:
        decode_bytes(bytes(data[:cut]), "damaged.pdf", max_pixels=1_000_000)
    except InputError as error:
        assert error.file == "damaged.pdf"
