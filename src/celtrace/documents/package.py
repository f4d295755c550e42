"""An Office Open XML package (DOCX, XLSX, PPTX) read with bounds: the zip, its XML parts, its relationships,
its core and app properties and the fonts its parts name.

A zip declares the sizes of its members, and a zip bomb lies about them, so members are inflated in chunks
and counted as they come. XML is parsed by defusedxml, which refuses entity declarations (billion laughs)
and external references.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from celtrace.documents import origin
from celtrace.documents.fonts import FontNames
from celtrace.documents.segments import Limits
from celtrace.errors import InputError

_CHUNK = 1024 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

#: Core (Dublin Core) and app properties kept, by local element name, and the metadata key each goes to.
_CORE = {
    "creator": "author",
    "lastModifiedBy": "last_modified_by",
    "created": "created",
    "modified": "modified",
    "title": "title",
    "language": "language",
    "lastPrinted": "last_printed",
}
_APP = {"Application": "application", "AppVersion": "app_version", "Company": "company", "Template": "template"}
_DATES = {"created", "modified", "last_printed"}
#: Parts that declare the document's fonts and that the text readers do not read: Word's font table, the
#: workbook's styles, a presentation's themes (whose fonts the slides' "+mn-lt" references stand for).
_FONT_PARTS = re.compile(r"word/fontTable\.xml|xl/styles\.xml|ppt/theme/theme\d{1,3}\.xml")
#: Themes read for fonts at most: a presentation has one a slide master, rarely more than a few.
_MAX_FONT_PARTS = 8


class Package:
    """An opened OOXML zip; every read is bounded by ``limits`` and every error names ``name``."""

    def __init__(self, data: bytes, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self._inflated = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except _ZIP_ERRORS as error:
            raise InputError(f"corrupt or truncated zip: {error}", file=name) from error
        if len(infos) > limits.max_members:
            raise InputError(f"zip has {len(infos)} members, over the limit of {limits.max_members}", file=name)
        self._infos = {info.filename: info for info in infos}
        #: Fonts named by the parts read so far (``properties`` reports them).
        self.fonts = FontNames()

    def has(self, member: str) -> bool:
        """Whether the zip holds ``member``."""
        return member in self._infos

    def read(self, member: str) -> bytes:
        """The inflated bytes of ``member``, refused past the per-member or total limit."""
        info = self._infos.get(member)
        if info is None:
            raise InputError(f"part {member} is missing", file=self.name)
        if info.flag_bits & 0x1:
            raise InputError(f"encrypted: zip member {member} is encrypted", file=self.name)
        cap = self.limits.max_member_bytes
        if info.file_size > cap:
            raise InputError(f"part {member} declares {info.file_size} bytes, over the limit of {cap}", file=self.name)
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    self._inflated += len(chunk)
                    if size > cap:
                        raise InputError(f"part {member} inflates past {cap} bytes (zip bomb?)", file=self.name)
                    if self._inflated > self.limits.max_total_bytes:
                        limit = self.limits.max_total_bytes
                        raise InputError(f"parts inflate past {limit} bytes in total (zip bomb?)", file=self.name)
                    chunks.append(chunk)
        except _ZIP_ERRORS as error:
            raise InputError(f"part {member} is corrupt or truncated: {error}", file=self.name) from error
        return b"".join(chunks)

    def xml(self, member: str) -> Element:
        """``member`` parsed as XML, with entity declarations and external references refused."""
        data = self.read(member)
        try:
            root: Element = SafeET.fromstring(data)
        except defusedxml.DefusedXmlException as error:
            raise InputError(f"part {member} refused: {error}", file=self.name) from error
        except (ParseError, ValueError, UnicodeError) as error:
            raise InputError(f"part {member} is not well-formed XML: {error}", file=self.name) from error
        if not member.startswith("xl/worksheets/"):  # cells name no fonts, and a sheet can hold millions
            self.fonts.add_ooxml(root)
        return root

    def relationships(self, member: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``member``: id → (type, member path the target resolves to)."""
        folder, base = posixpath.split(member)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels):
            return {}
        found: dict[str, tuple[str, str]] = {}
        for rel in self.xml(rels).iter(f"{{{_PACKAGE_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
        return found

    def properties(self) -> dict[str, Any]:
        """Author, last modifier, times, title, language (core.xml), the writing application (app.xml), the
        fonts the package names, and what the times' offset and the fonts say of the place
        (``documents.origin``)."""
        metadata: dict[str, Any] = {}
        for member, wanted in (("docProps/core.xml", _CORE), ("docProps/app.xml", _APP)):
            if not self.has(member):
                continue
            for element in self.xml(member):
                key = wanted.get(local(element.tag))
                value = (element.text or "").strip()
                if key and value:
                    metadata[key] = iso_time(value) if key in _DATES else value
        if "author" in metadata:
            # Office's "creator" is the person; the software is "application". Both names are asked for.
            metadata["creator"] = metadata["author"]
        self._read_font_parts()
        return origin.add_hints(metadata, self.fonts.names())

    def _read_font_parts(self) -> None:
        for member in [name for name in self._infos if _FONT_PARTS.fullmatch(name)][:_MAX_FONT_PARTS]:
            try:
                self.xml(member)  # xml() collects the fonts
            except InputError:
                continue  # fonts are secondary: a broken font table must not cost the text


def local(tag: str) -> str:
    """An XML tag without its ``{namespace}``."""
    return tag.rpartition("}")[2]


def iso_time(value: str) -> str:
    """A W3CDTF time (``2024-02-14T01:30:00Z``) as ISO 8601 with its zone; left as written if it is not one."""
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return value
