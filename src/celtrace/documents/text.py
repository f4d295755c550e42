"""Plain text in any common encoding, and RTF, one segment per non-empty line.

Instruction sheets come from Korean, Chinese and Taiwanese machines: EUC-KR/CP949, GB18030 and Big5 are as
likely as UTF-8, so the encoding is detected (charset-normalizer) and recorded in the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from charset_normalizer import from_bytes
from striprtf import striprtf

from celtrace.documents.segments import Collector
from celtrace.errors import InputError

_BOMS = (
    (b"\xef\xbb\xbf", "utf_8"),
    (b"\xff\xfe\x00\x00", "utf_32_le"),
    (b"\x00\x00\xfe\xff", "utf_32_be"),
    (b"\xff\xfe", "utf_16_le"),
    (b"\xfe\xff", "utf_16_be"),
)
#: Control characters other than tab, newlines and form feed: text has almost none, binary data many.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
_ANSI_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
#: striprtf has no annotations; its converter takes text and an encoding and returns text.
_rtf_to_text: Callable[..., str] = striprtf.rtf_to_text


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in; InputError if it does not look like text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding.replace("_", "-") + " (BOM)"
            except UnicodeDecodeError as error:
                raise InputError(f"not valid {encoding} after its byte-order mark: {error}", file=name) from error
    try:
        text = data.decode("utf-8")
        if _looks_like_text(text):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass  # the common case for EUC-KR, GB18030, Big5 and UTF-16 without a byte-order mark
    best = from_bytes(data).best()
    if best is None:
        raise InputError("not a text document (no text encoding fits its bytes)", file=name)
    text = str(best)
    if not _looks_like_text(text):
        raise InputError("not a text document (control characters: binary data?)", file=name)
    return text, best.encoding.replace("_", "-")


def _looks_like_text(text: str) -> bool:
    return len(_CONTROL.findall(text)) <= _MAX_CONTROL_SHARE * max(len(text), 1)


def read_text(data: bytes, out: Collector) -> dict[str, Any]:
    """Add each non-empty line at ``line N``; the metadata records the encoding detected."""
    text, encoding = decode_text(data, out.name)
    out.add_lines(text)
    return {"encoding": encoding}


def read_rtf(data: bytes, out: Collector) -> dict[str, Any]:
    """Add each non-empty paragraph of an RTF file at ``paragraph N``."""
    # RTF is 7-bit; bytes escaped as \'hh are in the code page the header names (\ansicpg949 for Korean).
    match = _ANSI_CODEPAGE.search(data[:4096])
    encoding = f"cp{int(match.group(1))}" if match else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"  # a code page Python does not know: read the escapes as Western
    try:
        text = _rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except (ValueError, IndexError, RecursionError) as error:
        raise InputError(f"corrupt RTF: {error}", file=out.name) from error
    out.add_lines(text, prefix="paragraph")
    return {"encoding": encoding}
