"""Text of HWPX documents (Hancom Hangul's XML format, KS X 6101/OWPML), one segment a paragraph:
``section 1 paragraph 3``.

An HWPX file is a zip, read with the bounded ``Package`` of the OOXML readers: sections are
``Contents/section0.xml`` on, in the order of the spine of ``Contents/content.hpf`` (an OPF package, as in
EPUB), which also holds the metadata. Text is in ``hp:t`` runs inside ``hp:p`` paragraphs; a table cell or a
note is a paragraph nested in another, and is its own segment.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any
from xml.etree.ElementTree import Element

from celtrace.documents.package import Package, iso_time, local
from celtrace.documents.segments import Collector
from celtrace.errors import InputError

MIMETYPE = b"application/hwp+zip"
FIRST_SECTION = "Contents/section0.xml"
HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
_CONTENT = "Contents/content.hpf"
_SECTION = re.compile(r"Contents/section(\d+)\.xml")
_P = f"{{{HP}}}p"
_T = f"{{{HP}}}t"
#: Elements inside ``hp:t`` that stand for a character.
_MARKS = {"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}
#: Metadata of content.hpf: Dublin Core elements by name, and ``opf:meta name=...`` as Hangul writes them.
_ELEMENTS = {"title": "title", "language": "language", "creator": "author", "subject": "subject"}
_META = {
    "creator": "author",
    "lastsaveby": "last_modified_by",
    "createddate": "created",
    "modifieddate": "modified",
    "subject": "subject",
    "keyword": "keywords",
}
_DATES = {"created", "modified"}


def read_hwpx(package: Package, out: Collector) -> dict[str, Any]:
    """Add every paragraph of every section at ``section N paragraph M`` (both from 1, empty paragraphs
    counted, document order); return the metadata of content.hpf."""
    if not package.has(FIRST_SECTION):
        raise InputError(f"not a HWPX package: {FIRST_SECTION} is missing", file=package.name)
    content = package.xml(_CONTENT) if package.has(_CONTENT) else None
    for number, member in enumerate(_sections(package, content), start=1):
        section = package.xml(member)
        for index, paragraph in enumerate(section.iter(_P), start=1):
            out.add(paragraph_text(paragraph), f"section {number} paragraph {index}")
    return {} if content is None else _metadata(content)


def _sections(package: Package, content: Element | None) -> list[str]:
    """Section parts in the spine's order; counted from section0.xml up when the package has no spine."""
    if content is not None:
        hrefs = {item.get("id", ""): item.get("href", "") for item in content.iter() if local(item.tag) == "item"}
        spine = [hrefs.get(ref.get("idref", ""), "") for ref in content.iter() if local(ref.tag) == "itemref"]
        # Hrefs are relative to the package root in Hangul's files; normalised so "./Contents/..." matches too.
        found = [posixpath.normpath(href) for href in spine if _SECTION.fullmatch(posixpath.normpath(href))]
        if found:
            return found
    sections: list[str] = []
    while package.has(f"Contents/section{len(sections)}.xml"):
        sections.append(f"Contents/section{len(sections)}.xml")
    return sections


def paragraph_text(paragraph: Element) -> str:
    """The text of one ``hp:p``, without the paragraphs nested in it (table cells, notes: their own segments)."""
    parts: list[str] = []
    # An explicit stack, not recursion: a hostile section may nest elements deeper than Python's stack.
    stack = list(reversed(paragraph))
    while stack:
        element = stack.pop()
        if element.tag == _P:
            continue
        if element.tag == _T:
            parts.append(element.text or "")
            for mark in element:
                parts.append(_MARKS.get(local(mark.tag), ""))
                parts.append(mark.tail or "")
            continue
        stack.extend(reversed(element))
    return "".join(parts)


def _metadata(content: Element) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for element in content.iter():
        tag = local(element.tag)
        key = _META.get(element.get("name", "").lower()) if tag == "meta" else _ELEMENTS.get(tag)
        value = (element.text or "").strip()
        if key and value and key not in metadata:
            metadata[key] = iso_time(value) if key in _DATES else value
    if "author" in metadata:
        metadata["creator"] = metadata["author"]  # as the OOXML reader: both names are asked for
    return metadata
