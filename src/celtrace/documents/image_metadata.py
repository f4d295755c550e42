"""What an image says of where it was made: EXIF, XMP and PNG text.

EXIF (through Pillow) gives the camera or scanner, the software, the author and the times, with the UTC
offset of each where the writer recorded one (``OffsetTime*``, EXIF 2.31), and GPS coordinates. PNG text
chunks give an author, software and a creation time. XMP (Adobe's RDF packet, kept by every format here)
gives the creating tool, times with their offset, the author and a city and country. XMP is untrusted XML: it
is parsed by defusedxml, which refuses entity declarations and external references.

All of it is secondary to the text: a malformed field is skipped, never raised, and every read is bounded.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from PIL import Image

#: Bytes of an XMP packet parsed at most: JPEG keeps a packet in one 64 KiB segment; others rarely exceed it.
MAX_XMP_BYTES = 512 * 1024
#: XML elements of a packet looked at at most.
MAX_XMP_ELEMENTS = 5_000
#: Characters of one text value kept.
MAX_CHARS = 256

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
#: Image (IFD0) tags kept: tag → metadata key. XPAuthor is Windows Explorer's author field, in UTF-16LE.
_IFD0 = {0x010F: "make", 0x0110: "model", 0x0131: "software", 0x013B: "author", 0x8298: "copyright"}
_XP_AUTHOR = 0x9C9D
_DATE_TIME = 0x0132
_OFFSET_TIME = 0x9010
#: Exif IFD times, with the tag of each one's offset, in the order a creation time is taken from them.
_CREATED = ((0x9003, 0x9011), (0x9004, 0x9012))  # DateTimeOriginal, DateTimeDigitized

#: PNG text keywords (ISO 15948's, and ImageMagick's ``date:``) → metadata key.
_PNG_TEXT = {
    "Author": "author",
    "Software": "software",
    "Copyright": "copyright",
    "Source": "model",
    "Creation Time": "created",
    "date:create": "created",
    "date:modify": "modified",
}

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: XMP properties kept, by namespace and local name → metadata key, in order of preference for each key.
_XMP = {
    ("http://ns.adobe.com/xap/1.0/", "CreatorTool"): "software",
    ("http://ns.adobe.com/xap/1.0/", "CreateDate"): "created",
    ("http://ns.adobe.com/xap/1.0/", "ModifyDate"): "modified",
    ("http://purl.org/dc/elements/1.1/", "creator"): "author",
    ("http://purl.org/dc/elements/1.1/", "rights"): "copyright",
    ("http://ns.adobe.com/photoshop/1.0/", "DateCreated"): "created",
    ("http://ns.adobe.com/photoshop/1.0/", "City"): "city",
    ("http://ns.adobe.com/photoshop/1.0/", "State"): "state",
    ("http://ns.adobe.com/photoshop/1.0/", "Country"): "country",
    ("http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "CountryCode"): "country_code",
    ("http://ns.adobe.com/exif/1.0/", "DateTimeOriginal"): "created",
    ("http://ns.adobe.com/exif/1.0/", "GPSLatitude"): "gps_latitude",
    ("http://ns.adobe.com/exif/1.0/", "GPSLongitude"): "gps_longitude",
    ("http://ns.adobe.com/tiff/1.0/", "Make"): "make",
    ("http://ns.adobe.com/tiff/1.0/", "Model"): "model",
    ("http://ns.adobe.com/tiff/1.0/", "Artist"): "author",
    ("http://ns.adobe.com/tiff/1.0/", "Software"): "software",
}
_TIMES = {"created", "modified"}
_XMP_START = b"<x:xmpmeta"
_XMP_END = b"</x:xmpmeta>"
#: An XMP GPS coordinate: "39,1.5N" (degrees, decimal minutes) or "39,1,30N" (degrees, minutes, seconds).
_XMP_GPS = re.compile(r"(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])")


def read(image: Image.Image, data: bytes) -> dict[str, Any]:
    """The origin metadata of an opened (and loaded) image and its file's bytes: ``make``, ``model``,
    ``software``, ``author``, ``copyright``, ``created``, ``modified`` (ISO 8601, with the offset when the
    file gives one), ``gps`` (decimal degrees), ``city``, ``state``, ``country``, ``country_code``.

    EXIF is preferred, then PNG text, then XMP; a time with an offset is preferred to one without.
    """
    metadata: dict[str, Any] = {}
    readers = (lambda: exif(image), lambda: png_text(image), lambda: xmp(packet(image, data)))
    for reader in readers:
        found = _guarded(reader)
        for key, value in found.items():
            _merge(metadata, key, value)
    return metadata


def _guarded(reader: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """One reader's fields, or none: Pillow and the XML parser raise many kinds of error on hostile bytes,
    and metadata must never cost the text."""
    try:
        found = reader()
    except Exception:
        return {}
    return found


def _merge(metadata: dict[str, Any], key: str, value: Any) -> None:
    # A later source's time replaces an earlier one only for the offset it adds.
    better_time = key in _TIMES and key in metadata and not _has_offset(metadata[key]) and _has_offset(value)
    if key not in metadata or better_time:
        metadata[key] = value


def _has_offset(value: Any) -> bool:
    return isinstance(value, str) and re.search(r"[+-]\d{2}:\d{2}$", value) is not None


def exif(image: Image.Image) -> dict[str, Any]:
    """EXIF fields of ``image``: IFD0, the Exif IFD's times and offsets, the GPS IFD's position."""
    tags = image.getexif()
    found: dict[str, Any] = {}
    for tag, key in _IFD0.items():
        if text := _text(tags.get(tag)):
            found[key] = text
    if "author" not in found and isinstance(xp := tags.get(_XP_AUTHOR), bytes | tuple):
        found["author"] = _clip(bytes(xp).decode("utf-16-le", "ignore").rstrip("\x00"))
    details = _ifd(tags, _EXIF_IFD)
    for time_tag, offset_tag in _CREATED:
        if created := exif_time(details.get(time_tag), details.get(offset_tag)):
            found["created"] = created
            break
    if modified := exif_time(tags.get(_DATE_TIME), details.get(_OFFSET_TIME)):
        found["modified"] = modified
    if gps := _gps(_ifd(tags, _GPS_IFD)):
        found["gps"] = gps
    return {key: value for key, value in found.items() if value}


def _ifd(tags: Image.Exif, pointer: int) -> dict[int, Any]:
    try:
        return dict(tags.get_ifd(pointer))
    except Exception:  # a pointer to nowhere, a loop, a count past the end: Pillow raises many kinds
        return {}


def exif_time(value: Any, offset: Any = None) -> str | None:
    """An EXIF time (``2024:02:14 10:30:00``) and its OffsetTime (``+08:30``) as ISO 8601; None if invalid."""
    text = _text(value)
    if not text:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _text(offset)
    if zone and re.fullmatch(r"[+-]\d{2}:\d{2}", zone):
        try:
            return datetime.fromisoformat(moment.isoformat() + zone).isoformat()
        except ValueError:
            pass
    return moment.isoformat()


def _gps(gps: dict[int, Any]) -> dict[str, float] | None:
    latitude = _degrees(gps.get(2), gps.get(1), "S")
    longitude = _degrees(gps.get(4), gps.get(3), "W")
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return {"latitude": latitude, "longitude": longitude}


def _degrees(value: Any, reference: Any, negative: str) -> float | None:
    """Degrees, minutes and seconds (three rationals) as signed decimal degrees."""
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if any(part != part or part < 0 for part in parts):  # NaN from a 0/0 rational
        return None
    degrees = sum(part / 60.0**index for index, part in enumerate(parts))
    sign = -1 if _text(reference).upper().startswith(negative) else 1
    return round(sign * degrees, 6)


def png_text(image: Image.Image) -> dict[str, Any]:
    """PNG tEXt, zTXt and iTXt chunks that name an author, software, device or time."""
    chunks = getattr(image, "text", None)
    if not isinstance(chunks, dict):
        return {}
    found: dict[str, Any] = {}
    for keyword, key in _PNG_TEXT.items():
        text = _text(chunks.get(keyword))
        if text and key not in found:
            found[key] = any_time(text) if key in _TIMES else text
    return found


def any_time(text: str) -> str:
    """A time as ISO 8601: ISO itself, or RFC 1123 as the PNG specification recommends; else as written."""
    try:
        return datetime.fromisoformat(text.strip()).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text


def packet(image: Image.Image, data: bytes) -> bytes:
    """The XMP packet: where Pillow found it (JPEG, PNG, TIFF, WebP), else looked for in the bytes (GIF keeps
    it in an application extension Pillow does not read); empty when there is none or it is over the cap."""
    value = image.info.get("xmp")
    raw = value.encode("utf-8", "ignore") if isinstance(value, str) else value
    if not isinstance(raw, bytes) or _XMP_START not in raw:
        raw = data
    start = raw.find(_XMP_START)
    if start < 0:
        return b""
    end = raw.find(_XMP_END, start, start + MAX_XMP_BYTES)
    return raw[start : end + len(_XMP_END)] if end >= 0 else b""


def xmp(data: bytes) -> dict[str, Any]:
    """The properties of an XMP packet (``<x:xmpmeta>…</x:xmpmeta>``) that say who made the file, with what,
    when and where; {} for no packet, and an exception for a packet that is not well-formed or is refused."""
    if not data:
        return {}
    root = SafeET.fromstring(data[:MAX_XMP_BYTES])
    found: dict[str, Any] = {}
    for (namespace, name), value in _xmp_properties(root):
        key = _XMP.get((namespace, name))
        text = _clip(value)
        if key and text and key not in found:
            found[key] = any_time(text) if key in _TIMES else text
    latitude = _xmp_gps(found.pop("gps_latitude", None))
    longitude = _xmp_gps(found.pop("gps_longitude", None))
    if latitude is not None and longitude is not None and abs(latitude) <= 90 and abs(longitude) <= 180:
        found["gps"] = {"latitude": latitude, "longitude": longitude}
    return found


def _xmp_properties(root: Element) -> Iterator[tuple[tuple[str, str], str]]:
    """(namespace, name) and value of each simple property: attributes of ``rdf:Description`` (the compact
    form) and its child elements, whose value is their text or the first item of an rdf:Seq, Bag or Alt."""
    for count, description in enumerate(root.iter(f"{{{_RDF}}}Description")):
        if count >= MAX_XMP_ELEMENTS:
            return
        for attribute, value in description.attrib.items():
            yield _split(attribute), value
        for child in _bounded(description):
            items = [item for item in child.iter(f"{{{_RDF}}}li")]
            yield _split(child.tag), (items[0].text if items else child.text) or ""


def _bounded(elements: Iterable[Element]) -> Iterator[Element]:
    for count, element in enumerate(elements):
        if count >= MAX_XMP_ELEMENTS:
            return
        yield element


def _split(tag: str) -> tuple[str, str]:
    namespace, _, name = tag.partition("}")
    return (namespace[1:], name) if name else ("", namespace)


def _xmp_gps(value: Any) -> float | None:
    match = _XMP_GPS.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    degrees, minutes, seconds, reference = match.groups()
    decimal = float(degrees) + float(minutes) / 60 + float(seconds or 0) / 3600
    return round(-decimal if reference in "SW" else decimal, 6)


def _text(value: Any) -> str:
    """An EXIF or PNG value as clean text: ASCII tags come as str, some writers give bytes."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _clip(value) if isinstance(value, str) else ""


def _clip(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = "".join(char for char in value if char.isprintable()).strip()
    return text[:MAX_CHARS]
