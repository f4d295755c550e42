"""Streaming the records of an XML list file safely, whatever the file holds.

A list file may come from anywhere, so it is parsed with defusedxml: a DTD, entity declarations and
external references are refused (entity-expansion bombs and XXE come in through a DTD; no list needs
one). The parser is fed the file a chunk at a time and builds elements only inside records, so memory
holds one record, however long the file, however many elements or how much text lie outside records.
A record with more than :data:`MAX_RECORD_ELEMENTS` elements is refused. Every failure is an InputError
naming the file, and for malformed or truncated XML the line and column.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from celtrace.errors import InputError

#: A record (one listed party) with more elements than this is hostile, not a sanctions entry; the
#: biggest real ones (UN, EU) have a few hundred. Readers whose records are whole tables pass their own.
MAX_RECORD_ELEMENTS = 50_000
# Bytes handed to the parser at a time: records come out after each chunk, so a chunk's worth of
# records is the most held at once. Larger chunks parse no faster.
_CHUNK = 16 * 1024
# A list states its date in its first lines; a file that does not is read no further for its header.
_HEADER_BYTES = 1024 * 1024
_REFUSED = {
    "DTDForbidden": "a document type declaration (DTD)",
    "EntitiesForbidden": "an entity declaration",
    "ExternalReferenceForbidden": "an external reference",
}
# The declaration, comments, processing instructions and a doctype before the root element.
_PROLOG = re.compile(r"^(\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>))*\s*", re.S)
_START_TAG = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def root_name(head: bytes) -> str | None:
    """The local name of the root element in the first bytes of an XML file, or None if not XML."""
    text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", "replace")
    text = _PROLOG.sub("", text.lstrip("\ufeff \t\r\n"))
    match = _START_TAG.match(text)
    return match.group(2) if match else None


def read_header(
    path: Path, roots: Collection[str], what: str, stop: Collection[str]
) -> tuple[dict[str, str], dict[str, Element]]:
    """The root's attributes and its leading children (namespaces stripped), read up to a ``stop`` child.

    This is how a reader learns the list's date before streaming its records. A root element not in
    ``roots`` means the file is not ``what``, and raises InputError.
    """
    collector = _Collector(path, tags=None, roots=roots, what=what, stop=stop)
    children: dict[str, Element] = {}
    with _xml_errors(path):
        for child in _parse(path, collector, limit=_HEADER_BYTES):
            children.setdefault(child.tag, child)
    return collector.root_attrib, children


def iter_records(
    path: Path,
    tags: Collection[str],
    *,
    roots: Collection[str] | None = None,
    what: str = "",
    until: Collection[str] = (),
    max_elements: int | None = None,
) -> Iterator[Element]:
    """Each complete element named in ``tags``, namespaces stripped, as soon as it ends.

    A record inside a record stays part of the outer one. Nothing outside records is kept, and each
    record is handed over and forgotten, so memory stays flat however long the file is. ``roots``,
    when given, checks the root element as :func:`read_header` does; the walk ends when an element
    named in ``until`` ends. A record over ``max_elements`` (default :data:`MAX_RECORD_ELEMENTS`),
    bad XML, a DTD, entities, external references: InputError naming the file.
    """
    limit = max_elements or MAX_RECORD_ELEMENTS
    collector = _Collector(path, tags=tags, roots=roots, what=what, until=until, max_elements=limit)
    with _xml_errors(path):
        yield from _parse(path, collector)


class _StopError(Exception):
    """Raised by the collector to end the parse: the header was read, or an ``until`` element ended."""


class _Collector:
    """A parser target that builds elements only inside records, and nothing else.

    Records are the elements named in ``tags``; with ``tags`` None (header mode) each child of the root
    is one, and a child named in ``stop`` ends the parse as it starts. Text after a child (its tail) is
    dropped: no list puts data there.
    """

    def __init__(
        self,
        path: Path,
        *,
        tags: Collection[str] | None,
        roots: Collection[str] | None = None,
        what: str = "",
        stop: Collection[str] = (),
        until: Collection[str] = (),
        max_elements: int = MAX_RECORD_ELEMENTS,
    ) -> None:
        self.path, self.tags, self.roots, self.what = path, tags, roots, what
        self.stop, self.until, self.max_elements = stop, until, max_elements
        self.root_attrib: dict[str, str] = {}
        self.ready: list[Element] = []
        self._open: list[Element] = []
        self._depth = 0
        self._size = 0
        self._text: list[str] = []
        self._text_for: Element | None = None

    def take(self) -> list[Element]:
        """The records completed since the last call."""
        ready, self.ready = self.ready, []
        return ready

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = tag.rpartition("}")[2]
        self._depth += 1
        if self._depth == 1:
            if self.roots is not None and tag not in self.roots:
                raise InputError(f"not {self.what}: the root element is <{tag[:40]}>", file=str(self.path))
            self.root_attrib = dict(attrib)
            return
        if not self._open:
            if self.tags is None:
                if tag in self.stop:
                    raise _StopError
            elif tag not in self.tags:
                return
            self._size = 0
        else:
            self._size += 1
            if self._size > self.max_elements:
                record = self._open[0].tag
                message = f"a record has over {self.max_elements} elements: <{record}> is too big for one party"
                raise InputError(message, file=str(self.path))
        elem = Element(tag, attrib)
        if self._open:
            parent = self._open[-1]
            if self._text_for is parent:
                parent.text = "".join(self._text)
            parent.append(elem)
        self._open.append(elem)
        self._text_for, self._text = elem, []

    def end(self, tag: str) -> None:
        self._depth -= 1
        if not self._open:
            # Outside any record: nothing was built for it. Inside one, it is the innermost open element.
            if self.until and tag.rpartition("}")[2] in self.until:
                raise _StopError
            return
        elem = self._open.pop()
        if self._text_for is elem:
            elem.text = "".join(self._text)
            self._text_for = None
        if not self._open:
            self.ready.append(elem)

    def data(self, text: str) -> None:
        if self._text_for is not None:
            self._text.append(text)


def _parse(path: Path, collector: _Collector, limit: int | None = None) -> Iterator[Element]:
    """Feed the file to a defused parser chunk by chunk, handing out records as they complete."""
    parser = DefusedXMLParser(target=collector, forbid_dtd=True)
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(_CHUNK):
                parser.feed(chunk)
                yield from collector.take()
                if limit is not None and stream.tell() >= limit:
                    return
            parser.close()
        except _StopError:
            pass  # records that ended in the chunk where the parse stopped are handed out below
        except Exception:
            # Records that ended before the error come first, so problems surface in file order
            # whatever the chunk size.
            yield from collector.take()
            raise
    yield from collector.take()


@contextmanager
def _xml_errors(path: Path) -> Iterator[None]:
    """Turn what parsing ``path`` raises into InputError naming the file and where."""
    try:
        yield
    except ParseError as err:
        line, column = err.position
        message = f"malformed XML at line {line}, column {column}: {ErrorString(err.code)}"
        raise InputError(message, file=str(path)) from None
    except DefusedXmlException as err:
        what = _REFUSED.get(type(err).__name__, "a construct defusedxml forbids")
        message = f"refused XML: it has {what}; a file that declares a DTD or entities is unsafe, and no list needs one"
        raise InputError(message, file=str(path)) from None
    except (OSError, ValueError, LookupError) as err:
        raise InputError(f"cannot read XML: {err}", file=str(path)) from None
