"""Sample the frames of a video (an animatic, an MP4 or MOV) that show a new picture, as working images.

An animatic holds each drawing for seconds, so decoding every frame would fingerprint the same drawing
dozens of times. The sampler looks at ``CHECKS_PER_SECOND`` frames a second (the others are only decoded,
which sequential reading needs anyway) and keeps:

- the first frame;
- a checked frame whose small greyscale thumbnail differs markedly from the last kept one (a cut, a new
  drawing), but no sooner than ``MIN_GAP_S`` after it, so a dissolve or animated action does not keep every
  frame;
- a checked frame ``KEEP_EVERY_S`` after the last kept one even without a cut, so a slow pan is sampled.

Work is bounded by media, not by the clock, so the same file always gives the same pages: at most
``MAX_KEPT`` frames are kept, ``MAX_FRAMES_READ`` decoded and ``MAX_SECONDS`` of video looked at; what lies
beyond is not sampled. Each kept frame is one page whose ``time_s`` says where it is in the video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import IO

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from celtrace.assets.images import WorkingImage, check_pixels, to_working
from celtrace.errors import InputError

CHECKS_PER_SECOND = 4
"""Frames a second compared with the last kept one; a cut is kept at most 1/4 s late."""

MIN_GAP_S = 0.5
"""A change is kept no sooner than this after the last kept frame."""

KEEP_EVERY_S = 10.0
"""A frame is kept at least this often while the video runs, changed or not."""

CHANGE = 6.0
"""Mean absolute difference (0-255) of two ``THUMB`` × ``THUMB`` greyscale thumbnails that counts as a new
picture. Measured on the demo's synthetic line art: two different drawings differ by 20-37, frames of one
held drawing after MPEG-4 compression by under 0.5."""

THUMB = 32
MAX_KEPT = 120
MAX_FRAMES_READ = 60_000
"""Frames decoded at most: about 33 minutes at 30 frames a second."""
MAX_SECONDS = 30 * 60.0

_TIMEOUT_MS = 10_000  # FFmpeg's interrupt callback: a stuck open or read gives up instead of hanging a scan


@dataclass
class _Kept:
    time_s: float
    thumb: npt.NDArray[np.float32]


def decode_frames(
    stream: IO[bytes], name: str, fmt: str, size: int, square: bool, limit: int | None
) -> list[WorkingImage]:
    """Sample the video read from ``stream`` (see the module docstring); errors name ``name``.

    ``limit`` bounds width × height of a frame. ``fmt`` ("MP4", "MOV") is recorded on each page.
    """
    # A stream rather than a path even for files on disk: FFmpeg reads a path as a URL, so a found file named
    # "concat:..." or "x%03d.mp4" would be read as something else. OpenCV >= 4.10 reads a Python
    # io.BufferedIOBase directly, so bytes in memory need no temporary file.
    # The stream must outlive the capture: OpenCV drops its reference to it before FFmpeg's last seek in
    # release() (a BytesIO passed as a temporary crashes the interpreter there), hence release() below,
    # while the caller still holds the stream.
    # The stubs only name cv2.IStreamReader; the binding takes any io.BufferedIOBase (BytesIO, an open file).
    capture = cv2.VideoCapture(
        stream,  # type: ignore[call-overload]
        cv2.CAP_FFMPEG,
        [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, _TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, _TIMEOUT_MS],
    )
    try:
        if not capture.isOpened():
            raise InputError("not a readable video", file=name)
        return _sample(capture, name, fmt, size, square, limit)
    finally:
        capture.release()


def _sample(
    capture: cv2.VideoCapture, name: str, fmt: str, size: int, square: bool, limit: int | None
) -> list[WorkingImage]:
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    check_pixels(width, height, name, limit, "video")  # before the first frame is decoded
    fps = capture.get(cv2.CAP_PROP_FPS)
    fps = fps if math.isfinite(fps) and 1.0 <= fps <= 240.0 else 25.0  # a hostile rate only sets the step
    step = max(1, round(fps / CHECKS_PER_SECOND))
    declared = capture.get(cv2.CAP_PROP_FRAME_COUNT)
    pages: list[WorkingImage] = []
    last: _Kept | None = None
    read = 0
    ended = False  # the decoder ran out of frames, as opposed to a bound of ours being reached
    while read < MAX_FRAMES_READ and len(pages) < MAX_KEPT:
        if read % step:
            # Frames between checks are decoded (the next ones depend on them) but never converted to BGR.
            ended = not capture.grab()
            if ended:
                break
            read += 1
            continue
        ok, frame = capture.read()
        if not ok:
            ended = True
            break
        time_s = _time(capture, read, fps)
        read += 1
        if time_s > MAX_SECONDS:
            break
        check_pixels(frame.shape[1], frame.shape[0], name, limit, "video")  # the size may change mid-stream
        rgb = _rgb(np.asarray(frame, dtype=np.uint8))
        thumb = _thumbnail(rgb)
        if last is None or _due(last, time_s, thumb):
            last = _Kept(time_s, thumb)
            working = to_working(Image.fromarray(rgb), size, square=square)
            pages.append(WorkingImage(working, len(pages), (rgb.shape[1], rgb.shape[0]), fmt, time_s=time_s))
    if not pages:
        raise InputError("video has no frames that can be decoded", file=name)
    if ended and math.isfinite(declared) and read < declared - max(2.0, declared / 100):
        # The container promised frames the decoder could not give: cut off or damaged, like a truncated PNG.
        raise InputError(f"video is truncated or damaged: decoded {read} of {int(declared)} frames", file=name)
    return pages


def _due(last: _Kept, time_s: float, thumb: npt.NDArray[np.float32]) -> bool:
    gap = time_s - last.time_s
    if gap >= KEEP_EVERY_S:
        return True
    return gap >= MIN_GAP_S and float(np.abs(thumb - last.thumb).mean()) >= CHANGE


def _time(capture: cv2.VideoCapture, index: int, fps: float) -> float:
    # The frame's own timestamp is right for variable frame rates; a damaged one falls back to its index.
    msec = capture.get(cv2.CAP_PROP_POS_MSEC)
    return msec / 1000.0 if math.isfinite(msec) and msec >= 0 else index / fps


def _rgb(frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    code = cv2.COLOR_GRAY2RGB if frame.ndim == 2 else cv2.COLOR_BGR2RGB
    return np.asarray(cv2.cvtColor(frame, code), dtype=np.uint8)


def _thumbnail(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)
