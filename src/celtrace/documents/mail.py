"""An email message (EML): its headers as metadata, its subject and text parts as segments, its attachments
listed but not opened.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from celtrace.documents.segments import Collector
from celtrace.errors import InputError

_HEADERS = {"From": "from", "To": "to", "Cc": "cc", "Date": "date", "Subject": "subject", "Message-ID": "message_id"}


def read_eml(data: bytes, out: Collector) -> dict[str, Any]:
    """Add the subject at ``subject`` and each line of each text part at ``body line N`` (``part K line N``
    when there are several); return the headers and attachment names."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        metadata = _headers(message)
        texts, attachments = _parts(message)
    # The standard library's header parser has known crashes on malformed headers (IndexError and the like
    # deep inside _header_value_parser); any of them means one thing here: this message cannot be read.
    except Exception as error:
        raise InputError(f"malformed email: {type(error).__name__}: {error}", file=out.name) from error
    if attachments:
        metadata["attachments"] = attachments
    if "subject" in metadata:
        out.add(metadata["subject"], "subject")
    for number, text in enumerate(texts, start=1):
        out.add_lines(text, prefix="body line" if len(texts) == 1 else f"part {number} line")
    return metadata


def _headers(message: Message) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for header, key in _HEADERS.items():
        value = message.get(header)
        if value is None:
            continue
        metadata[key] = " ".join(str(value).split())
    if "date" in metadata:
        with contextlib.suppress(TypeError, ValueError):  # kept as written when it is not an RFC 5322 date
            metadata["date"] = parsedate_to_datetime(metadata["date"]).isoformat()
    return metadata


def _parts(message: Message) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    attachments: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            attachments.append(filename or part.get_content_type())
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain":
            texts.append(_payload(part))
        elif content_type == "text/html":
            texts.append(strip_tags(_payload(part)))
    return texts, attachments


def _payload(part: Message) -> str:
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except (LookupError, UnicodeError):
            pass  # a charset Python does not know: decoded below with replacement
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return ""
    try:
        return raw.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "td"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_tags(html: str) -> str:
    """The text of an HTML part, block elements on lines of their own, scripts and styles left out."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
