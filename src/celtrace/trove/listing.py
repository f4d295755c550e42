"""Walk an open HTTP directory listing as a trove: one :class:`TroveItem` per file, archives walked into.

A listing page (Apache, nginx or lighttpd autoindex, Python's ``http.server``) is read as plain HTML: every
``<a href>`` below the page, on the same scheme, host and port, is an entry; an href ending in ``/`` is a folder,
listed in turn, anything else a file. Only GET is sent. The HTTP client never follows a redirect itself: one
that stays below the root is followed here, a few times at most; one that leaves it is recorded, not requested.

Each file is downloaded once, streamed into a spooled temporary file (in memory while small, then in
``spool_dir``), and that copy goes through the same machinery as a local file (:func:`walk_stream`): hashed,
sniffed, and walked into when it is an archive. The copy is deleted as soon as the walk moves past the item.

Every bound in :class:`ListingBounds` is enforced. Hitting one, like any HTTP error, becomes an item with a
status and a message; a bound on one file skips that file, a bound on the whole walk stops it there.
"""

from __future__ import annotations

import codecs
import io
import tempfile
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urldefrag, urljoin, urlsplit, urlunsplit

import httpx

from celtrace import __version__
from celtrace.errors import InputError
from celtrace.trove.items import Status, TroveItem
from celtrace.trove.limits import DEFAULT_LIMITS, GIB, MIB, Limits, Opener, RefusedError, human_size
from celtrace.trove.walk import walk_stream

USER_AGENT = f"celtrace/{__version__}"
_DEFAULT_PORTS = {"http": 80, "https": 443}
Spool = tempfile.SpooledTemporaryFile[bytes]


@dataclass(frozen=True)
class ListingBounds:
    """How much of a listing the walk requests, so a hostile or endless site cannot hold it or the machine."""

    max_files: int = 100_000  # files downloaded in one walk
    max_pages: int = 10_000  # listing pages requested in one walk
    max_file_bytes: int | None = None  # one file; None: the walk's limit on one member, Limits.max_member_bytes
    max_total_bytes: int = 64 * GIB  # all files of the walk together
    max_depth: int = 32  # folders below the root: a symlink loop on the server makes endless distinct URLs
    max_page_bytes: int = 16 * MIB  # one listing page; its links are held in memory to be sorted
    max_redirects: int = 5  # per request, each hop checked against the root before it is requested
    min_interval: float = 0.05  # seconds between the starts of two requests: a walk must not hammer a server
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest wait for the next bytes, not for a whole file
    spool_memory_bytes: int = 4 * MIB  # a download larger than this is spooled to disk in spool_dir


DEFAULT_BOUNDS = ListingBounds()


@dataclass(frozen=True)
class Entry:
    """A link of a listing page that the walk follows: its URL and its path below the page."""

    url: str
    segments: tuple[str, ...]  # folder names end in "/", like the paths of TroveItem

    @property
    def is_folder(self) -> bool:
        """True when the link names a folder, i.e. another listing page."""
        return self.segments[-1].endswith("/")


def walk_listing(
    url: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    spool_dir: Path | None = None,
    client: httpx.Client | None = None,
    bounds: ListingBounds = DEFAULT_BOUNDS,
) -> Generator[TroveItem, None, None]:
    """Yield one item per file, archive member or refused entry of the HTTP listing at ``url``.

    Paths are relative to ``url``, as :func:`celtrace.trove.walk.walk` makes them relative to a folder; a
    ``url`` not ending in ``/`` is walked as a single file. Downloads are spooled in ``spool_dir`` (the system's
    temporary folder when None) and deleted as the walk moves on, or when the generator is closed. A ``client``
    may be passed (for a proxy or client certificates); GET, no automatic redirects, the User-Agent and the
    timeouts are set on each request whatever it was built with. Never raises for anything the server answers;
    a URL that is not http(s) raises :class:`InputError`.
    """
    root = _root(url)
    # trust_env=False: no proxy or .netrc credentials picked up from the environment; the walk talks to the
    # listing's host only, and a caller who needs a proxy passes a client.
    http = client or httpx.Client(trust_env=False, follow_redirects=False)
    try:
        walker = _Walker(http, root, limits, bounds, spool_dir)
        walker.visited.add(root)
        if root.endswith("/"):
            yield from walker.folder(root, ())
        else:
            name = unquote(root.rsplit("/", 1)[1], errors="surrogateescape")
            yield from walker.file(root, (name,))
    finally:
        if client is None:
            http.close()


def listing_entries(page: str, base: str) -> list[Entry]:
    """The entries of the listing page ``page`` found at ``base``, sorted by name.

    Kept: links below ``base`` on its scheme, host and port. Dropped: parent and sibling links, other hosts
    and schemes (``mailto:``, ``javascript:``), sort links with a query (``?C=N;O=D``), fragment-only links,
    and names that would step out or hide a separator (``..``, ``%2F``).
    """
    parser = _LinkParser()
    parser.feed(page)
    parser.close()
    return _entries(parser.hrefs, base)


class _LinkParser(HTMLParser):
    """Collects the href of every ``<a>``.

    The standard library's parser is enough and adds no dependency: autoindex pages are simple, it forgives
    broken markup, and it takes the page chunk by chunk, so a page is never held whole. ``<base href>`` is
    ignored on purpose: autoindex pages do not use it, and honouring it would let a page move its links.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)

    def parse_html_declaration(self, i: int) -> int:
        # The standard parser raises AssertionError on a malformed ``<![`` or ``<!`` declaration; a listing
        # page has no use for declarations, so a broken one is skipped up to its ``>`` instead.
        try:
            return super().parse_html_declaration(i)
        except AssertionError:
            end = self.rawdata.find(">", i + 1)
            return end + 1 if end >= 0 else -1


def _entries(hrefs: Iterable[str], base: str) -> list[Entry]:
    found: dict[str, Entry] = {}
    for href in hrefs:
        entry = _entry(href, base)
        if entry is not None:
            found.setdefault(entry.url, entry)  # autoindex pages often link a name twice (icon and text)
    # By name bytes, as the local walk sorts: stable for any name, folders beside files of the same name.
    return sorted(found.values(), key=lambda entry: [_name_bytes(s.rstrip("/")) for s in entry.segments])


def _entry(href: str, base: str) -> Entry | None:
    try:
        url = urldefrag(urljoin(base, href.strip())).url
    except ValueError:  # a malformed host on a hostile page
        return None
    names = _names_below(url, base, allow_query=False)
    if not names or names == [""]:  # outside, or the page itself
        return None
    *folders, last = names
    segments = (*(name + "/" for name in folders), *((last,) if last else ()))
    # One spelling per resource: "a b", "a%20b" and "%61%20b" name the same file and are requested once.
    path = _folder_path(urlsplit(base).path) + "/".join(quote(_name_bytes(name), safe="") for name in names)
    return Entry(urlunsplit((*urlsplit(base)[:2], path, "", "")), segments)


def _names_below(url: str, base: str, *, allow_query: bool) -> list[str] | None:
    """The decoded names from ``base``'s folder down to ``url``, or None when ``url`` is not safely below it."""
    try:
        target, origin = urlsplit(url), urlsplit(base)
        if _origin(target) != _origin(origin) or target.username is not None or target.password is not None:
            return None
    except ValueError:  # a malformed host or port on a hostile page
        return None
    folder = _folder_path(origin.path)
    if (target.query and not allow_query) or not target.path.startswith(folder):
        return None
    names = [unquote(part, errors="surrogateescape") for part in target.path[len(folder) :].split("/")]
    # Empty names only at the end (a folder); "." and ".." would step sideways or out; "/" would fake a folder.
    if any(name in (".", "..") or "/" in name for name in names) or "" in names[:-1]:
        return None
    return names


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    return parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme)


def _folder_path(path: str) -> str:
    # A listing served at a URL without a trailing slash is still a folder: its entries are below "path/".
    return path if path.endswith("/") else path + "/"


def _name_bytes(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")  # names that were not UTF-8 keep their original bytes


def _root(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        raise InputError(f"not a valid URL: {error}", file=url) from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InputError("not an http:// or https:// URL with a host", file=url)
    if parts.query or parts.username is not None or parts.password is not None:
        raise InputError("a listing URL with a query or credentials is not supported", file=url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


class _Walker:
    """One walk's client, bounds and counters: what every request and download is checked against."""

    def __init__(
        self, client: httpx.Client, root: str, limits: Limits, bounds: ListingBounds, spool_dir: Path | None
    ) -> None:
        self.client = client
        self.root = root
        # Redirects may go anywhere below the root's folder: the root itself, or the folder of a root file.
        self.scope = root if root.endswith("/") else root.rsplit("/", 1)[0] + "/"
        self.limits = limits
        self.bounds = bounds
        self.spool_dir = None if spool_dir is None else str(spool_dir)
        self.max_file_bytes = limits.max_member_bytes if bounds.max_file_bytes is None else bounds.max_file_bytes
        self.timeout = httpx.Timeout(bounds.read_timeout, connect=bounds.connect_timeout)
        # Accept-Encoding identity: the bytes hashed are the file as stored, not a recompressed transfer.
        self.headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        self.visited: set[str] = set()
        self.files = self.pages = self.total_bytes = 0
        self.stopped = False
        self.last_request = float("-inf")

    def folder(self, url: str, prefix: tuple[str, ...]) -> Iterator[TroveItem]:
        if len(prefix) > self.bounds.max_depth:
            yield TroveItem(prefix, Status.TOO_DEEP, f"folder nesting deeper than {self.bounds.max_depth}")
            return
        where = prefix or (self._root_name(),)
        if self.pages >= self.bounds.max_pages:
            yield self._stop(where, f"more than {self.bounds.max_pages} listing pages: walk stopped")
            return
        self.pages += 1
        try:
            entries = self._read_listing(url)
        except RefusedError as refused:
            yield TroveItem(where, refused.status, refused.message)
            return
        for entry in entries:
            if self.stopped:
                return
            if entry.url in self.visited:  # a link back to a listing or file already walked: no loop, no twin
                continue
            self.visited.add(entry.url)
            segments = (*prefix, *entry.segments)
            yield from (self.folder if entry.is_folder else self.file)(entry.url, segments)

    def file(self, url: str, segments: tuple[str, ...]) -> Iterator[TroveItem]:
        if self.files >= self.bounds.max_files:
            yield self._stop(segments, f"more than {self.bounds.max_files} files: walk stopped")
            return
        self.files += 1
        with tempfile.SpooledTemporaryFile(self.bounds.spool_memory_bytes, dir=self.spool_dir) as spool:
            try:
                self._download(url, spool)
            except RefusedError as refused:
                yield TroveItem(segments, refused.status, refused.message)
                return
            # The spool lives until the walk resumes past this file: openers stay valid while it stands here.
            yield from walk_stream(segments, _opener(spool), None, None, 0, self.limits)

    def _read_listing(self, url: str) -> list[Entry]:
        with self._get(url) as (response, final):
            if final != url:
                if final in self.visited:  # redirected back to a listing already walked
                    return []
                self.visited.add(final)
            kind = response.headers.get("content-type", "")
            if kind and "html" not in kind.lower():
                raise RefusedError(Status.UNREADABLE, f"not an HTML listing: content-type {kind}")
            _refuse_encoding(response)
            parser = _LinkParser()
            decoder = codecs.getincrementaldecoder(_charset(response))(errors="surrogateescape")
            size = 0
            for chunk in response.iter_raw(self.limits.chunk_bytes):
                size += len(chunk)
                if size > self.bounds.max_page_bytes:
                    raise RefusedError(
                        Status.TOO_LARGE, f"listing page larger than {human_size(self.bounds.max_page_bytes)}"
                    )
                parser.feed(decoder.decode(chunk))
            parser.feed(decoder.decode(b"", final=True))
            parser.close()
        return _entries(parser.hrefs, final)

    def _download(self, url: str, spool: Spool) -> None:
        with self._get(url) as (response, _):
            _refuse_encoding(response)
            declared = response.headers.get("content-length", "")
            if declared.isdigit():  # refused before a byte of the body is read
                self._check_size(int(declared), self.total_bytes + int(declared))
            size = 0
            for chunk in response.iter_raw(self.limits.chunk_bytes):
                size += len(chunk)
                self.total_bytes += len(chunk)
                self._check_size(size, self.total_bytes)
                spool.write(chunk)

    def _check_size(self, size: int, total: int) -> None:
        if size > self.max_file_bytes:
            raise RefusedError(Status.TOO_LARGE, f"file larger than {human_size(self.max_file_bytes)}")
        if total > self.bounds.max_total_bytes:
            self.stopped = True
            limit = human_size(self.bounds.max_total_bytes)
            raise RefusedError(Status.TOO_LARGE, f"downloads would pass {limit} in all: walk stopped")

    @contextmanager
    def _get(self, url: str) -> Iterator[tuple[httpx.Response, str]]:
        """A successful streamed GET of ``url`` and the URL that answered, after redirects that stay in the root."""
        for _ in range(self.bounds.max_redirects + 1):
            response = self._send(url)
            try:
                if response.has_redirect_location:
                    url = self._redirect(url, response.headers["location"])
                    continue
                if not response.is_success:
                    raise RefusedError(
                        Status.UNREADABLE, f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                    )
                try:
                    yield response, url
                except (httpx.HTTPError, httpx.InvalidURL) as error:  # while reading the body
                    raise RefusedError(Status.UNREADABLE, _describe(error)) from None
                return
            finally:
                response.close()
        raise RefusedError(Status.UNREADABLE, f"more than {self.bounds.max_redirects} redirects")

    def _send(self, url: str) -> httpx.Response:
        wait = self.last_request + self.bounds.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_request = time.monotonic()
        request = self.client.build_request("GET", url, headers=self.headers, timeout=self.timeout)
        try:
            return self.client.send(request, stream=True, follow_redirects=False)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise RefusedError(Status.UNREADABLE, _describe(error)) from None

    def _redirect(self, url: str, location: str) -> str:
        try:
            target = urldefrag(urljoin(url, location)).url
        except ValueError:
            raise RefusedError(Status.UNREADABLE, f"redirect to a malformed URL: {location[:300]}") from None
        if _names_below(target, self.scope, allow_query=True) is None:
            # Never requested: the listing does not get to send the walk to another host or out of the root.
            raise RefusedError(Status.UNSAFE_PATH, f"redirect outside the listing not followed: {target[:300]}")
        return target

    def _stop(self, path: tuple[str, ...], message: str) -> TroveItem:
        self.stopped = True
        return TroveItem(path, Status.TOO_LARGE, message)

    def _root_name(self) -> str:
        parts = urlsplit(self.root)
        name = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return (unquote(name, errors="surrogateescape") or parts.netloc) + "/"


def _refuse_encoding(response: httpx.Response) -> None:
    # Asked for identity; a body still compressed in transit would be hashed as the wrong bytes.
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise RefusedError(Status.UNREADABLE, f"sent with content-encoding {encoding}, not as stored")


def _charset(response: httpx.Response) -> str:
    charset = response.charset_encoding or "utf-8"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return "utf-8"


def _describe(error: Exception) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"timed out ({type(error).__name__})"
    if isinstance(error, httpx.ConnectError):
        return f"connection failed: {error}"
    return f"HTTP error: {error or type(error).__name__}"


def _opener(spool: Spool) -> Opener:
    return lambda: io.BufferedReader(_View(spool))


class _View(io.RawIOBase):
    """A read-only window on a spooled download with its own position.

    Closing it leaves the spool open: the walk opens the same bytes several times (to hash, to walk an
    archive's members, to fingerprint an image), sometimes two at once, and each needs its own offset.
    """

    def __init__(self, spool: Spool) -> None:
        super().__init__()
        self._spool = spool
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            offset += self._spool.seek(0, io.SEEK_END)
        if offset < 0:
            raise ValueError(f"negative seek position {offset}")
        self._pos = offset
        return offset

    def readinto(self, buffer: Any) -> int:
        self._spool.seek(self._pos)
        data = self._spool.read(len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)
