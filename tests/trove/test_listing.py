"""The HTTP listing walk against servers started on 127.0.0.1 in each test; nothing else is ever requested."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import itertools
import socket
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace import __version__
from celtrace.errors import InputError
from celtrace.trove.items import Status, TroveItem
from celtrace.trove.limits import Limits
from celtrace.trove.listing import ListingBounds, listing_entries, walk_listing
from celtrace.trove.walk import walk

FAST = ListingBounds(min_interval=0.0, connect_timeout=2.0, read_timeout=2.0)


@dataclass
class Route:
    """One answer of the test server."""

    body: bytes | Callable[[], Iterator[bytes]] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True  # send Content-Length; without it the body ends when the connection closes
    hold: bool = False  # wait for the test to end before answering: a server that never answers


@dataclass
class Site:
    routes: dict[str, Route]
    requests: list[tuple[str, str, str, float]] = field(default_factory=list)  # method, path, UA, time
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


class RecordingMixin(http.server.BaseHTTPRequestHandler):
    site: Site

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if parsed:
            self.site.requests.append((self.command, self.path, self.headers.get("User-Agent", ""), time.monotonic()))
        return parsed

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Handler(RecordingMixin):
    def do_GET(self) -> None:
        route = self.site.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.hold:
            self.site.release.wait(5)
            return
        body = route.body if isinstance(route.body, bytes) else None
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if body is not None and route.length and "Content-Length" not in route.headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if body is not None:
                self.wfile.write(body)
            else:
                assert callable(route.body)
                for chunk in route.body():
                    self.wfile.write(chunk)
        except OSError:  # the walk hung up on purpose (a refused size)
            pass


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up is part of the tests


def serve(site: Site, handler: type[http.server.BaseHTTPRequestHandler] = Handler, **options: Any) -> Iterator[Site]:
    recording = type("Recording", (handler,), {"site": site})
    server = Server(("127.0.0.1", 0), partial(recording, **options) if options else recording)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        site.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


class Guard(httpx.BaseTransport):
    """Fails the test on any request off 127.0.0.1 or other than GET; keeps every request it passed on."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "127.0.0.1", f"request left loopback: {request.url}"
        assert request.method == "GET", f"not a GET: {request.method}"
        self.seen.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def guard() -> Iterator[Guard]:
    transport = Guard()
    yield transport
    transport.close()


@pytest.fixture
def client(guard: Guard) -> Iterator[httpx.Client]:
    with httpx.Client(transport=guard, trust_env=False) as http:
        yield http


@pytest.fixture
def site() -> Iterator[Site]:
    yield from serve(Site({}))


def page(*hrefs: str) -> Route:
    links = "".join(f'<a href="{href}">{href}</a>\n' for href in hrefs)
    return Route(f"<html><body>{links}</body></html>".encode(), headers={"Content-Type": "text/html; charset=utf-8"})


def zip_bytes(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def open_in(folder: Path) -> int:
    """How many files this process holds open in ``folder``: spools are unnamed (O_TMPFILE), so not listed."""
    held = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):  # the fd closed while looking
            held += str(fd.readlink()).startswith(f"{folder}/")
    return held


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def by_path(items: list[TroveItem]) -> dict[tuple[str, ...], TroveItem]:
    return {item.path: item for item in items}


def walked(site: Site, client: httpx.Client, path: str = "/files/", **bounds: Any) -> list[TroveItem]:
    options = {"min_interval": 0.0, "connect_timeout": 2.0, "read_timeout": 2.0, **bounds}
    return list(walk_listing(site.url + path, client=client, bounds=ListingBounds(**options)))


def statuses(items: list[TroveItem]) -> dict[tuple[str, ...], tuple[Status, str]]:
    return {item.path: (item.status, item.message) for item in items}


ARCHIVE = zip_bytes(("inner/a.txt", b"inside\n"), ("b.bin", bytes(range(256))))


def test_nested_listing_with_an_archive(site: Site, client: httpx.Client, guard: Guard) -> None:
    site.routes.update(
        {
            "/files/": page(
                "?C=N;O=D",
                "?C=M;O=A",
                "#top",
                "mailto:x@example.com",
                "javascript:alert(1)",
                "../",
                "/",
                "http://example.com/x",
                "//example.com/y",
                "https://127.0.0.1/files/a.txt",
                "/elsewhere/z",
                "/files/",
                "./",
                "sub/",
                "b.zip",
                "a%20b.txt",
                "a b.txt",
                "%2e%2e/up",
                "x%2Fy",
                "sub/",
            ),
            "/files/a%20b.txt": Route(b"spaces\n"),
            "/files/b.zip": Route(ARCHIVE),
            "/files/sub/": page("../", "/files/", "/files/sub/", "c.png", "deeper/", "deeper/d.txt"),
            "/files/sub/c.png": Route(b"\x89PNG\r\n\x1a\n" + bytes(40)),
            "/files/sub/deeper/": page("d.txt", "../../"),
            "/files/sub/deeper/d.txt": Route(b"deep\n"),
        }
    )
    items = walked(site, client)
    assert [item.path for item in items] == [
        ("a b.txt",),
        ("b.zip",),
        ("b.zip", "b.bin"),
        ("b.zip", "inner/", "a.txt"),
        ("sub/", "c.png"),
        ("sub/", "deeper/", "d.txt"),
    ]
    found = by_path(items)
    assert all(item.ok for item in items)
    assert found[("a b.txt",)].sha256 == sha(b"spaces\n") and found[("a b.txt",)].kind == "text"
    assert (found[("b.zip",)].sha256, found[("b.zip",)].size, found[("b.zip",)].kind) == (
        sha(ARCHIVE),
        len(ARCHIVE),
        "zip",
    )
    assert found[("b.zip", "inner/", "a.txt")].sha256 == sha(b"inside\n")
    assert found[("b.zip", "b.bin")].sha256 == sha(bytes(range(256)))
    assert found[("sub/", "c.png")].kind == "png"
    requested = [path for _, path, _, _ in site.requests]
    assert sorted(requested) == sorted(set(requested)), "each URL is requested once"
    assert set(requested) == {
        "/files/",
        "/files/a%20b.txt",
        "/files/b.zip",
        "/files/sub/",
        "/files/sub/c.png",
        "/files/sub/deeper/",
        "/files/sub/deeper/d.txt",
    }
    assert {method for method, _, _, _ in site.requests} == {"GET"}
    assert {agent for _, _, agent, _ in site.requests} == {f"celtrace/{__version__}"}
    assert len(guard.seen) == len(site.requests)


def test_a_real_autoindex_walks_like_the_folder(tmp_path: Path, client: httpx.Client) -> None:
    root = tmp_path / "trove"
    (root / "ep 104" / "cuts").mkdir(parents=True)
    (root / "ep 104" / "cuts" / "cut012.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (root / "ep 104" / "notes & #1.txt").write_bytes(b"notes\n")
    (root / "키 프레임.txt").write_bytes("한국어\n".encode())
    (root / "bundle.zip").write_bytes(ARCHIVE)
    (root / "empty.txt").write_bytes(b"")
    (root / "a").mkdir()
    (root / "a.txt").write_bytes(b"sorted beside a folder of the same stem\n")

    class Autoindex(RecordingMixin, http.server.SimpleHTTPRequestHandler):
        pass

    for site in serve(Site({}), Autoindex, directory=str(root)):
        remote = list(walk_listing(site.url + "/", client=client, bounds=FAST))
        assert {method for method, _, _, _ in site.requests} == {"GET"}

    def facts(items: list[TroveItem]) -> list[tuple[Any, ...]]:
        return [(item.path, item.status, item.size, item.sha256, item.kind, item.extension_lies) for item in items]

    assert facts(remote) == facts(list(walk(root)))


def test_the_default_client_is_used_and_closed(site: Site) -> None:
    site.routes.update({"/files/": page("a.txt"), "/files/a.txt": Route(b"a")})
    items = list(walk_listing(site.url + "/files/", bounds=FAST))
    assert [(item.path, item.sha256) for item in items] == [(("a.txt",), sha(b"a"))]


def test_a_single_file_url_is_walked_as_one_file(site: Site, client: httpx.Client) -> None:
    site.routes["/files/b.zip"] = Route(ARCHIVE)
    items = walked(site, client, "/files/b.zip")
    assert [item.path for item in items] == [("b.zip",), ("b.zip", "b.bin"), ("b.zip", "inner/", "a.txt")]


def test_http_errors_become_items_and_the_walk_goes_on(site: Site, client: httpx.Client) -> None:
    site.routes.update(
        {
            "/files/": page("gone.txt", "boom.txt", "cut.bin", "gzipped.txt", "list/", "notlisting/", "z.txt"),
            "/files/boom.txt": Route(b"", status=500),
            "/files/cut.bin": Route(b"only ten b", headers={"Content-Length": "100"}),
            "/files/gzipped.txt": Route(b"\x1f\x8b", headers={"Content-Encoding": "gzip"}),
            "/files/list/": Route(b"", status=403),
            "/files/notlisting/": Route(ARCHIVE, headers={"Content-Type": "application/zip"}),
            "/files/z.txt": Route(b"z"),
        }
    )
    found = statuses(walked(site, client))
    assert found[("gone.txt",)] == (Status.UNREADABLE, "HTTP 404 Not Found")
    assert found[("boom.txt",)] == (Status.UNREADABLE, "HTTP 500 Internal Server Error")
    assert found[("cut.bin",)][0] is Status.UNREADABLE and found[("cut.bin",)][1].startswith("HTTP error: ")
    assert found[("gzipped.txt",)] == (Status.UNREADABLE, "sent with content-encoding gzip, not as stored")
    assert found[("list/",)] == (Status.UNREADABLE, "HTTP 403 Forbidden")
    assert found[("notlisting/",)] == (Status.UNREADABLE, "not an HTML listing: content-type application/zip")
    assert found[("z.txt",)] == (Status.OK, "")


def test_an_unreachable_root_is_one_item(client: httpx.Client) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the walk: nothing listens there
    items = list(walk_listing(f"http://127.0.0.1:{port}/files/", client=client, bounds=FAST))
    assert [item.path for item in items] == [("files/",)]
    assert items[0].status is Status.UNREADABLE and items[0].message.startswith("connection failed: ")


def test_urls_that_are_not_http_are_the_users_error() -> None:
    for url in ("ftp://127.0.0.1/files/", "http:///files/", "http://127.0.0.1:port/", "http://127.0.0.1/?C=N"):
        with pytest.raises(InputError):
            list(walk_listing(url))


def test_redirects_inside_the_root_are_followed_and_others_recorded(
    site: Site, client: httpx.Client, guard: Guard
) -> None:
    site.routes.update(
        {
            "/files/": page("moved.txt", "offhost.txt", "outside.txt", "sneaky.txt", "loop.txt", "back/", "dir"),
            "/files/moved.txt": Route(status=302, headers={"Location": "/files/store/moved.txt"}),
            "/files/store/moved.txt": Route(b"moved\n"),
            "/files/offhost.txt": Route(status=301, headers={"Location": "http://example.com/steal"}),
            "/files/outside.txt": Route(status=307, headers={"Location": "/etc/passwd"}),
            "/files/sneaky.txt": Route(status=308, headers={"Location": "http://127.0.0.1:1/files/x"}),
            "/files/loop.txt": Route(status=302, headers={"Location": "/files/loop.txt"}),
            "/files/back/": Route(status=302, headers={"Location": "/files/"}),
            "/files/dir": Route(status=301, headers={"Location": "/files/dir/"}),
            "/files/dir/": page("in.txt"),
            "/files/dir/in.txt": Route(b"in\n"),
        }
    )
    found = statuses(walked(site, client, max_redirects=3))
    assert found[("moved.txt",)] == (Status.OK, "")
    assert found[("offhost.txt",)] == (
        Status.UNSAFE_PATH,
        "redirect outside the listing not followed: http://example.com/steal",
    )
    assert found[("outside.txt",)][0] is Status.UNSAFE_PATH
    assert found[("sneaky.txt",)][0] is Status.UNSAFE_PATH  # same host, another port
    assert found[("loop.txt",)] == (Status.UNREADABLE, "more than 3 redirects")
    assert ("back/",) not in found  # redirected to the root, already walked
    assert found[("dir",)] == (Status.OK, "")  # a file link that redirects is downloaded as a file
    requested = [path for _, path, _, _ in site.requests]
    assert "/etc/passwd" not in requested and "/files/x" not in requested
    assert requested.count("/files/loop.txt") == 4
    assert all(request.url.port == urlsplit(site.url).port for request in guard.seen)


def test_a_self_referencing_listing_does_not_loop(site: Site, client: httpx.Client) -> None:
    site.routes.update(
        {
            "/files/": page("./", "/files/", "a/", "a/b/"),
            "/files/a/": page("./", "../", "/files/", "/files/a/", "b/"),
            "/files/a/b/": page("../../", "/files/a/", "../", "f.txt"),
            "/files/a/b/f.txt": Route(b"f"),
        }
    )
    assert [item.path for item in walked(site, client)] == [("a/", "b/", "f.txt")]
    assert len(site.requests) == 4


def test_max_files_stops_the_walk(site: Site, client: httpx.Client) -> None:
    site.routes.update({"/files/": page("a", "b", "c")} | {f"/files/{n}": Route(n.encode()) for n in "abc"})
    items = walked(site, client, max_files=2)
    assert statuses(items) == {
        ("a",): (Status.OK, ""),
        ("b",): (Status.OK, ""),
        ("c",): (Status.TOO_LARGE, "more than 2 files: walk stopped"),
    }
    assert "/files/c" not in [path for _, path, _, _ in site.requests]


def test_max_pages_stops_the_walk(site: Site, client: httpx.Client) -> None:
    site.routes.update({"/files/": page("a/", "b/", "z.txt"), "/files/a/": page("x"), "/files/a/x": Route(b"x")})
    items = walked(site, client, max_pages=2)
    assert statuses(items) == {
        ("a/", "x"): (Status.OK, ""),
        ("b/",): (Status.TOO_LARGE, "more than 2 listing pages: walk stopped"),
    }


def test_max_file_bytes_refuses_before_and_while_reading(site: Site, client: httpx.Client) -> None:
    def endless() -> Iterator[bytes]:
        for _ in range(1000):
            yield bytes(64 * 1024)

    site.routes.update(
        {
            "/files/": page("claims.bin", "streams.bin", "small.bin"),
            "/files/claims.bin": Route(b"x", headers={"Content-Length": str(10**15)}),
            "/files/streams.bin": Route(endless, length=False),
            "/files/small.bin": Route(bytes(4096)),
        }
    )
    found = statuses(walked(site, client, max_file_bytes=4096))
    assert found == {
        ("claims.bin",): (Status.TOO_LARGE, "file larger than 4 KiB"),
        ("small.bin",): (Status.OK, ""),
        ("streams.bin",): (Status.TOO_LARGE, "file larger than 4 KiB"),
    }
    limited = statuses(
        list(walk_listing(site.url + "/files/", Limits(max_member_bytes=3072), client=client, bounds=FAST))
    )
    assert limited[("small.bin",)] == (Status.TOO_LARGE, "file larger than 3 KiB")


def test_max_total_bytes_stops_the_walk(site: Site, client: httpx.Client) -> None:
    site.routes.update({"/files/": page("a", "b", "c")} | {f"/files/{n}": Route(bytes(3000)) for n in "abc"})
    found = statuses(walked(site, client, max_total_bytes=5120))
    assert found == {
        ("a",): (Status.OK, ""),
        ("b",): (Status.TOO_LARGE, "downloads would pass 5 KiB in all: walk stopped"),
    }
    site.routes["/files/b"] = Route(lambda: iter([bytes(3000)]), length=False)  # no size announced
    found = statuses(walked(site, client, max_total_bytes=5120))
    assert found[("b",)] == (Status.TOO_LARGE, "downloads would pass 5 KiB in all: walk stopped")
    assert ("c",) not in found


def test_max_depth(site: Site, client: httpx.Client) -> None:
    site.routes.update({"/files/" + "d/" * depth: page("d/", "f.txt") for depth in range(10)})
    site.routes.update({"/files/" + "d/" * depth + "f.txt": Route(b"f") for depth in range(10)})
    items = walked(site, client, max_depth=3)
    assert [(item.path, item.status) for item in items] == [
        (("d/",) * 4, Status.TOO_DEEP),
        (("d/", "d/", "d/", "f.txt"), Status.OK),
        (("d/", "d/", "f.txt"), Status.OK),
        (("d/", "f.txt"), Status.OK),
        (("f.txt",), Status.OK),
    ]
    assert items[0].message == "folder nesting deeper than 3"
    assert "/files/d/d/d/d/" not in [path for _, path, _, _ in site.requests]


def test_max_page_bytes(site: Site, client: httpx.Client) -> None:
    site.routes.update({"/files/": page(*(f"f{n}.txt" for n in range(100)))})
    assert statuses(walked(site, client, max_page_bytes=1024)) == {
        ("files/",): (Status.TOO_LARGE, "listing page larger than 1 KiB")
    }


def test_min_interval_spaces_requests(site: Site, client: httpx.Client) -> None:
    site.routes.update({"/files/": page("a", "b", "c")} | {f"/files/{n}": Route(b"x") for n in "abc"})
    walked(site, client, min_interval=0.1)
    times = [when for _, _, _, when in site.requests]
    assert len(times) == 4
    # Arrival times at the server: a loaded machine may delay one request's arrival and not the next's, so
    # each gap keeps a wide slack while the whole walk must still span its three intervals.
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 0.05
    assert times[-1] - times[0] >= 0.28


def test_timeouts_are_set_on_every_request_and_enforced(site: Site, client: httpx.Client, guard: Guard) -> None:
    site.routes.update({"/files/": page("slow.txt", "z.txt"), "/files/slow.txt": Route(hold=True)})
    site.routes["/files/z.txt"] = Route(b"z")
    found = statuses(walked(site, client, connect_timeout=1.5, read_timeout=0.2))
    assert found[("slow.txt",)] == (Status.UNREADABLE, "timed out (ReadTimeout)")
    assert found[("z.txt",)] == (Status.OK, "")
    assert {(r.extensions["timeout"]["connect"], r.extensions["timeout"]["read"]) for r in guard.seen} == {(1.5, 0.2)}


def test_a_callers_client_cannot_turn_on_redirects(site: Site, guard: Guard) -> None:
    site.routes.update(
        {"/files/": page("a"), "/files/a": Route(status=302, headers={"Location": "http://example.com/"})}
    )
    with httpx.Client(transport=guard, follow_redirects=True) as eager:
        items = list(walk_listing(site.url + "/files/", client=eager, bounds=FAST))
    assert items[0].status is Status.UNSAFE_PATH


def test_spooled_downloads_stay_in_spool_dir_and_memory_stays_flat(
    site: Site, client: httpx.Client, tmp_path: Path
) -> None:
    size = 24 * 1024 * 1024

    def big() -> Iterator[bytes]:
        for _ in range(size // (1024 * 1024)):
            yield b"\x01" * (1024 * 1024)

    expected = hashlib.sha256()
    for chunk in big():
        expected.update(chunk)
    site.routes.update({"/files/": page("big.bin", "small.txt"), "/files/big.bin": Route(big, length=False)})
    site.routes["/files/small.txt"] = Route(b"small\n")
    spool = tmp_path / "spool"
    spool.mkdir()
    bounds = ListingBounds(min_interval=0.0, spool_memory_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        seen = []
        for item in walk_listing(site.url + "/files/", spool_dir=spool, client=client, bounds=bounds):
            spooled = open_in(spool)
            assert item.opener is not None
            with item.opener() as first, item.opener() as second:  # fresh views, each at offset 0
                assert first.read(5) == second.read(5)
            seen.append((item.path, item.size, item.sha256, spooled))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == [
        (("big.bin",), size, expected.hexdigest(), 1),  # on disk while the walk stands on it
        (("small.txt",), 6, sha(b"small\n"), 0),  # the big one is gone; the small one is in memory
    ]
    assert open_in(spool) == 0 and list(spool.iterdir()) == []
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_spool_is_deleted_when_the_walk_is_abandoned(site: Site, client: httpx.Client, tmp_path: Path) -> None:
    site.routes.update({"/files/": page("a.bin"), "/files/a.bin": Route(bytes(10_000))})
    bounds = ListingBounds(min_interval=0.0, spool_memory_bytes=100)
    items = walk_listing(site.url + "/files/", spool_dir=tmp_path, client=client, bounds=bounds)
    item = next(items)
    assert item.opener is not None and open_in(tmp_path) == 1
    items.close()
    assert open_in(tmp_path) == 0 and list(tmp_path.iterdir()) == []


def test_listing_entries_for_common_servers() -> None:
    apache = (
        '<tr><td><a href="?C=N;O=D">Name</a></td></tr><tr><td><a href="/pub/">Parent Directory</a></td></tr>'
        '<tr><td><a href="ep%20104/">ep 104/</a></td></tr><tr><td><a href="b.zip">b.zip</a></td></tr>'
    )
    nginx = '<a href="../">../</a>\n<a href="ep%20104/">ep 104/</a>  01-Jan-2026\n<a href="b.zip">b.zip</a>'
    lighttpd = '<a href="../">Parent Directory</a>/<a href="ep%20104/">ep 104</a>/<a href="b.zip">b.zip</a>'
    for text in (apache, nginx, lighttpd):
        entries = listing_entries(text, "http://127.0.0.1:8080/pub/files/")
        assert [(e.url, e.segments) for e in entries] == [
            ("http://127.0.0.1:8080/pub/files/b.zip", ("b.zip",)),
            ("http://127.0.0.1:8080/pub/files/ep%20104/", ("ep 104/",)),
        ]


def test_names_that_are_not_utf8_keep_their_bytes() -> None:
    [entry] = listing_entries('<a href="bad%FF.txt">x</a>', "http://127.0.0.1/")
    assert entry.url == "http://127.0.0.1/bad%FF.txt"
    assert TroveItem(entry.segments).display_path == "bad\\xff.txt"


HREF_PARTS = st.sampled_from(
    [
        "",
        "/",
        "../",
        "./",
        "..",
        "%2e%2e/",
        "%2F",
        "?C=N;O=D",
        "#top",
        "a",
        "b/",
        "files/",
        "//",
        "\\",
        " ",
        "%",
        "http://127.0.0.1:8080/files/",
        "http://127.0.0.1:80/",
        "https://127.0.0.1:8080/files/",
        "http://example.com/",
        "//example.com/",
        "mailto:x@y",
        "javascript:",
        "http://[::1/",
        "http://127.0.0.1:x/",
        "\x00",
        "\n",
        "é",
        "&amp;",
    ]
)
HREFS = st.lists(HREF_PARTS, max_size=6).map("".join) | st.text(max_size=40)
PAGES = st.lists(
    st.one_of(
        HREFS.map(lambda href: f'<a href="{href}">x</a>'), HREFS.map(lambda href: f"<a href='{href}'>"), st.text()
    ),
    max_size=8,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=PAGES)
def test_links_found_are_always_below_the_page_on_its_host(text: str) -> None:
    base = "http://127.0.0.1:8080/files/"
    for entry in listing_entries(text, base):
        parts = urlsplit(entry.url)
        assert (parts.scheme, parts.hostname, parts.port) == ("http", "127.0.0.1", 8080)
        assert entry.url.startswith(base) and entry.url != base
        assert not parts.query and not parts.fragment
        assert entry.segments and all(name.rstrip("/") not in ("", ".", "..") for name in entry.segments)
        assert all("/" not in name.rstrip("/") for name in entry.segments)
        assert entry.url == base + "".join(
            quote(name.rstrip("/").encode("utf-8", "surrogateescape"), safe="") + "/" * name.endswith("/")
            for name in entry.segments
        )
