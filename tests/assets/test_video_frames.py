from __future__ import annotations

import struct
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from celtrace.assets import video_frames
from celtrace.assets.fingerprint import MATCH_DISTANCE, fingerprint_bytes, hamming
from celtrace.assets.images import decode_bytes, decode_file
from celtrace.demo.drawings import drawing, encode
from celtrace.errors import InputError
from celtrace.trove.items import sniff

SIZE = (320, 240)


def animatic(path: Path, shots: list[Image.Image], *, fps: int = 10, seconds: float = 1.0) -> bytes:
    """Hold each shot for ``seconds``, MPEG-4 part 2 in an MP4 or (for a .mov path) QuickTime container."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, shots[0].size if shots else SIZE)
    assert writer.isOpened()
    for shot in shots:
        frame = cv2.cvtColor(np.asarray(shot), cv2.COLOR_RGB2BGR)
        for _ in range(round(fps * seconds)):
            writer.write(frame)
    writer.release()
    return path.read_bytes()


def faststart(data: bytes) -> bytes:
    """Move the ``moov`` box before the media, as streaming encoders do, so a cut file still opens."""
    boxes, position = [], 0
    while position < len(data):
        size = struct.unpack(">I", data[position : position + 4])[0]
        boxes.append(data[position : position + size])
        position += size
    moov = next(box for box in boxes if box[4:8] == b"moov")
    patched = bytearray(moov)
    at = patched.find(b"stco")
    count = struct.unpack(">I", patched[at + 8 : at + 12])[0]
    for entry in range(at + 12, at + 12 + 4 * count, 4):  # chunk offsets move by the moov's length
        patched[entry : entry + 4] = struct.pack(">I", struct.unpack(">I", patched[entry : entry + 4])[0] + len(moov))
    rest = [box for box in boxes[1:] if box is not moov]
    return boxes[0] + bytes(patched) + b"".join(rest)


def test_one_frame_per_shot_each_matching_its_drawing(tmp_path):
    shots = [drawing(seed, size=SIZE) for seed in range(30, 33)]
    data = animatic(tmp_path / "cut.mp4", shots)
    assert sniff(data[:4096]) == "mp4"
    prints = fingerprint_bytes(data, "cut.mp4")
    assert len(prints) == 3
    for shot, found in zip(shots, prints, strict=True):
        [registered] = fingerprint_bytes(encode(shot, "PNG"), "shot.png")
        assert hamming(found.code, registered.code) <= MATCH_DISTANCE
    pages = decode_bytes(data, "cut.mp4")
    assert [page.time_s for page in pages] == pytest.approx([0.0, 1.0, 2.0])
    assert [page.page for page in pages] == [0, 1, 2]
    assert pages[0].source_size == SIZE
    assert pages[0].source_format == "MP4"


def test_mov_file_is_read_from_disk(tmp_path):
    path = tmp_path / "board.mov"
    data = animatic(path, [drawing(34, size=SIZE)])
    assert sniff(data[:4096]) == "mov"
    [page] = decode_file(path)
    assert page.source_format == "MOV"
    assert page.time_s == 0.0


def test_quicktime_movie_without_ftyp_is_sniffed_and_read(tmp_path):
    data = animatic(tmp_path / "old.mov", [drawing(42, size=SIZE)])
    assert data[4:8] == b"ftyp" and len(data) > 20 and data[:4] == b"\x00\x00\x00\x14"
    # The same 20 bytes as an 8-byte "wide" atom and a 12-byte "free" one, so no offset moves.
    old = b"\x00\x00\x00\x08wide" + b"\x00\x00\x00\x0cfree" + bytes(4) + data[20:]
    assert sniff(old[:4096]) == "mov"
    assert sniff(b"The wide shot holds for 3 s.") == "text"
    [page] = decode_bytes(old, "old.mov")
    assert page.source_format == "MOV"


def test_a_held_shot_is_sampled_every_few_seconds(tmp_path):
    data = animatic(tmp_path / "pan.mp4", [drawing(35, size=(160, 120))], fps=2, seconds=25)
    times = [page.time_s for page in decode_bytes(data, "pan.mp4")]
    assert times == pytest.approx([0.0, video_frames.KEEP_EVERY_S, 2 * video_frames.KEEP_EVERY_S])


def test_kept_frames_are_capped(tmp_path):
    a, b = drawing(36, size=(64, 48)), drawing(37, size=(64, 48))
    shots = [a, b] * (video_frames.MAX_KEPT // 2 + 5)
    data = animatic(tmp_path / "flicker.mp4", shots, fps=4, seconds=0.5)
    pages = decode_bytes(data, "flicker.mp4", size=16)
    assert len(pages) == video_frames.MAX_KEPT
    assert pages[-1].time_s == pytest.approx((video_frames.MAX_KEPT - 1) * 0.5)


def test_a_long_video_is_sampled_up_to_the_time_bound(tmp_path, monkeypatch):
    # 30 minutes of video would make a slow test; the bound is the same code at 2.5 s.
    monkeypatch.setattr(video_frames, "MAX_SECONDS", 2.5)
    shots = [drawing(seed, size=(64, 48)) for seed in range(43, 48)]
    pages = decode_bytes(animatic(tmp_path / "film.mp4", shots), "film.mp4")
    assert [page.time_s for page in pages] == pytest.approx([0.0, 1.0, 2.0])  # not refused as truncated


def test_frame_pixels_are_bounded(tmp_path):
    data = animatic(tmp_path / "v.mp4", [drawing(38, size=SIZE)])
    with pytest.raises(InputError, match=r"big\.mp4: video of 320x240 pixels exceeds the limit of 1000"):
        decode_bytes(data, "big.mp4", max_pixels=1000)


def test_truncated_streaming_video_is_refused(tmp_path):
    data = faststart(animatic(tmp_path / "v.mp4", [drawing(39, size=SIZE), drawing(40, size=SIZE)], seconds=2))
    assert len(decode_bytes(data, "whole.mp4")) == 2  # the rewrite itself is sound
    with pytest.raises(InputError, match=r"half\.mp4: video is truncated or damaged: decoded \d+ of 40 frames"):
        decode_bytes(data[: len(data) // 2], "half.mp4")


def _huge(data: bytes) -> bytes:
    # The MPEG-4 part 2 header (VOL) holds the picture size FFmpeg trusts: 13-bit width and height after a
    # marker bit, found after the VOL start code 00 00 01 20. Set both to 8191.
    at = data.find(b"\x00\x00\x01\x20") + 4
    bits = "".join(f"{byte:08b}" for byte in data[at : at + 16])
    start = bits.find("1" + f"{SIZE[0]:013b}" + "1" + f"{SIZE[1]:013b}" + "1")
    assert start > 0
    bits = bits[:start] + "1" + "1" * 13 + "1" + "1" * 13 + "1" + bits[start + 29 :]
    return data[:at] + int(bits, 2).to_bytes(16, "big") + data[at + 16 :]


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("cut.mp4", lambda data: data[: len(data) // 2]),  # the moov box is at the end: nothing to open
        ("noise.mp4", lambda data: data[:32] + bytes(range(256)) * 16),
        ("huge.mp4", _huge),
    ],
)
def test_hostile_video_names_the_file(tmp_path, name, damage):
    path = tmp_path / name
    path.write_bytes(damage(animatic(tmp_path / "v.mp4", [drawing(41, size=SIZE)])))
    with pytest.raises(InputError) as caught:
        decode_file(path, max_pixels=10_000_000)
    assert caught.value.file == str(path)


def test_video_without_frames_is_refused(tmp_path):
    data = animatic(tmp_path / "empty.mp4", [])
    with pytest.raises(InputError, match=r"empty\.mp4"):
        decode_bytes(data, "empty.mp4")


@settings(max_examples=100, deadline=None)
@given(body=st.binary(max_size=2048))
def test_arbitrary_bytes_after_mp4_magic_only_raise_input_error(body):
    try:
        decode_bytes(b"\x00\x00\x00\x18ftypmp42" + body, "fuzz.mp4", max_pixels=1_000_000)
    except InputError as error:
        assert error.file == "fuzz.mp4"
