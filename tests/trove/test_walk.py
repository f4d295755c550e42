"""The trove walk against a hostile corpus built in each test: every item recorded, the walk never stops."""

from __future__ import annotations

import bz2
import gc
import gzip
import hashlib
import io
import lzma
import os
import stat
import tarfile
import tempfile
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import py7zr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from celtrace.demo.drawings import drawing, encode
from celtrace.errors import InputError
from celtrace.trove import archives
from celtrace.trove.items import Status, TroveItem, sniff
from celtrace.trove.limits import Limits
from celtrace.trove.walk import Digest, walk

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def zip_bytes(*members: tuple[str, bytes] | zipfile.ZipInfo) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            if isinstance(member, zipfile.ZipInfo):
                archive.writestr(member, b"/etc/shadow")
            else:
                archive.writestr(zipfile.ZipInfo(member[0]), member[1], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def tar_bytes(*members: tarfile.TarInfo | tuple[str, bytes], compression: str = "gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}") as archive:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                archive.addfile(info, io.BytesIO(member[1]))
    return buffer.getvalue()


def special(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def by_path(items: list[TroveItem]) -> dict[tuple[str, ...], TroveItem]:
    return {item.path: item for item in items}


def build_corpus(root: Path) -> None:
    """One folder holding every hostile case, plus a well-formed file sorted last."""
    (root / "slip.zip").write_bytes(
        zip_bytes(("../../evil", b"x"), ("/etc/passwd", b"root"), zip_symlink("ln"), ("good.txt", b"ok\n"))
    )
    (root / "links.tar.gz").write_bytes(
        tar_bytes(
            special("link", tarfile.SYMTYPE, "/etc/shadow"),
            special("hard", tarfile.LNKTYPE, "good.txt"),
            special("pipe", tarfile.FIFOTYPE),
            special("tty", tarfile.CHRTYPE),
            ("../up.txt", b"x"),
            ("/abs.txt", b"x"),
            ("dir/good.txt", b"ok\n"),
        )
    )
    (root / "bomb.zip").write_bytes(zip_bytes(("zeros.bin", bytes(3 * 1024 * 1024)), ("after.txt", b"ok\n")))
    (root / "bomb.gz").write_bytes(gzip.compress(bytes(3 * 1024 * 1024)))
    nested = b"deep\n"
    for level in range(7):
        nested = zip_bytes((f"level{level}.zip" if level else "core.txt", nested))
    (root / "nest.zip").write_bytes(nested)
    (root / "cut.zip").write_bytes(zip_bytes(("a.txt", b"a" * 5000))[:-30])
    (root / "cut.tar.gz").write_bytes(tar_bytes(("a.bin", os.urandom(100_000)))[:-5000])
    (root / "photo.png").write_bytes(zip_bytes(("hidden.txt", b"secret\n")))
    (root / "real.png").write_bytes(PNG)
    (root / "empty.txt").write_bytes(b"")
    (root / ("long-" + "n" * 240 + ".txt")).write_bytes(b"long\n")
    (root / os.fsdecode(b"bad\xff\xfe.txt")).write_bytes(b"bytes name\n")  # not valid UTF-8 on disk
    (root / "sym").symlink_to("/etc/passwd")
    os.mkfifo(root / "pipe")
    (root / "zzz-last.txt").write_bytes(b"still walking\n")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "trove"
    root.mkdir()
    build_corpus(root)
    return root


def test_each_hostile_case_is_recorded_and_the_walk_goes_on(corpus: Path) -> None:
    items = list(walk(corpus))
    found = by_path(items)

    def status(*path: str) -> tuple[Status, str]:
        return found[path].status, found[path].message

    assert status("slip.zip", "../../evil") == (Status.UNSAFE_PATH, "zip-slip path refused: '..' in name")
    assert status("slip.zip", "/etc/passwd") == (Status.UNSAFE_PATH, "zip-slip path refused: absolute name")
    assert status("slip.zip", "ln") == (Status.SYMLINK, "symlink not followed")
    assert found[("slip.zip", "good.txt")].ok
    assert status("links.tar.gz", "link") == (Status.SYMLINK, "symlink not followed")
    assert status("links.tar.gz", "hard") == (Status.SYMLINK, "hard link not followed")
    assert status("links.tar.gz", "pipe") == (Status.SPECIAL, "fifo skipped")
    assert status("links.tar.gz", "tty") == (Status.SPECIAL, "device file skipped")
    assert found[("links.tar.gz", "../up.txt")].status is Status.UNSAFE_PATH
    assert found[("links.tar.gz", "/abs.txt")].status is Status.UNSAFE_PATH
    assert found[("links.tar.gz", "dir/", "good.txt")].ok
    assert status("bomb.zip", "zeros.bin") == (Status.BOMB, "decompression ratio over 200 for this member")
    assert found[("bomb.zip", "after.txt")].ok
    assert status("bomb.gz", "bomb") == (Status.BOMB, "decompression ratio over 200 for this member")
    deep = ("nest.zip", *(f"level{level}.zip" for level in range(6, 1, -1)))
    assert status(*deep) == (Status.TOO_DEEP, "archive nesting deeper than 5")
    assert found[deep].sha256 is not None  # refused, yet still in custody
    assert found[("cut.zip",)].status is Status.CORRUPT
    assert found[("cut.zip",)].message.startswith("corrupt archive: ")
    assert found[("cut.zip",)].sha256 is not None
    cut_tar = [item for item in items if item.path[0] == "cut.tar.gz" and not item.ok]
    assert cut_tar and all(item.status is Status.TRUNCATED for item in cut_tar)
    lying = found[("photo.png",)]
    assert (lying.kind, lying.extension_lies, lying.ok) == ("zip", True, True)
    assert found[("photo.png", "hidden.txt")].ok
    assert (found[("real.png",)].kind, found[("real.png",)].extension_lies) == ("png", False)
    empty = found[("empty.txt",)]
    assert (empty.size, empty.sha256, empty.kind, empty.ok) == (0, EMPTY_SHA256, "empty", True)
    assert found[("long-" + "n" * 240 + ".txt",)].ok
    bad = found[(os.fsdecode(b"bad\xff\xfe.txt"),)]
    assert bad.ok and bad.display_path == "bad\\xff\\xfe.txt"
    assert status("sym") == (Status.SYMLINK, "symlink not followed")
    assert status("pipe") == (Status.SPECIAL, "fifo skipped")
    assert items[-1].path == ("zzz-last.txt",) and items[-1].ok


def test_order_is_deterministic(corpus: Path) -> None:
    first = [item.path for item in walk(corpus)]
    assert first == [item.path for item in walk(corpus)]
    top = [item.path[0] for item in walk(corpus)]
    assert top == sorted(top, key=os.fsencode)


def test_originals_are_never_modified_and_nothing_is_written(corpus: Path) -> None:
    def snapshot() -> dict[str, tuple[int, bytes]]:
        seen = {}
        for path in sorted(corpus.parent.rglob("*")):
            info = path.lstat()
            content = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
            seen[str(path)] = (info.st_mtime_ns, hashlib.sha256(content).digest())
        return seen

    before = snapshot()
    list(walk(corpus))
    assert snapshot() == before


def test_records_carry_size_hash_kind_and_utc_time(tmp_path: Path) -> None:
    data = b"x" * (3 * 1024 * 1024 + 7)  # over one chunk
    (tmp_path / "a.log").write_bytes(data)
    (tmp_path / "b.tar.xz").write_bytes(tar_bytes(("inner/c.txt", b"c\n"), compression="xz"))
    (tmp_path / "c.tar.bz2").write_bytes(tar_bytes(("d.txt", b"d\n"), compression="bz2"))
    (tmp_path / "d.xz").write_bytes(lzma.compress(PNG))
    (tmp_path / "e.bz2").write_bytes(bz2.compress(b"text\n"))
    items = by_path(list(walk(tmp_path)))
    item = items[("a.log",)]
    assert (item.size, item.sha256, item.kind) == (len(data), hashlib.sha256(data).hexdigest(), "text")
    assert item.taken_at.utcoffset() is not None and item.taken_at.utcoffset().total_seconds() == 0
    assert items[("b.tar.xz", "inner/", "c.txt")].sha256 == hashlib.sha256(b"c\n").hexdigest()
    assert items[("c.tar.bz2", "d.txt")].ok
    assert items[("d.xz", "d")].kind == "png"
    assert items[("e.bz2", "e")].kind == "text"


def test_a_single_file_can_be_walked(tmp_path: Path) -> None:
    (tmp_path / "one.zip").write_bytes(zip_bytes(("a.txt", b"a")))
    assert [item.path for item in walk(tmp_path / "one.zip")] == [("one.zip",), ("one.zip", "a.txt")]


def test_digests_computed_elsewhere_are_taken_while_the_file_is_unchanged(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("alpha\n")
    (tmp_path / "b.txt").write_text("bravo\n")
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as archive:
        archive.writestr("inner.txt", "charlie\n")

    def digest(name: str, sha256: str, mtime_shift: int = 0) -> tuple[Path, Digest]:
        status = (tmp_path / name).stat()
        return tmp_path / name, Digest(sha256, status.st_size, status.st_mtime_ns + mtime_shift)

    digests = dict([digest("a.txt", "1" * 64), digest("b.txt", "2" * 64, mtime_shift=1), digest("c.zip", "3" * 64)])
    local = list(walk(tmp_path))
    given_digests = list(walk(tmp_path, digests=digests))
    # a.txt takes the given digest (a made-up one shows it was not hashed again), b.txt changed since, so it is
    # hashed here; an archive is always hashed and walked here.
    assert given_digests[0] == replace(local[0], sha256="1" * 64, taken_at=given_digests[0].taken_at)
    assert [(i.display_path, i.sha256, i.kind) for i in given_digests[1:]] == [
        (i.display_path, i.sha256, i.kind) for i in local[1:]
    ]
    assert len(local) == 4 and given_digests[0].opener is not None


def test_a_missing_root_is_the_users_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        list(walk(tmp_path / "absent"))


def test_member_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.tar").write_bytes(tar_bytes(("big.bin", os.urandom(5000)), ("ok.bin", b"ok"), compression=""))
    items = by_path(list(walk(tmp_path, Limits(max_member_bytes=4096))))
    assert (items[("big.tar", "big.bin")].status, items[("big.tar", "big.bin")].message) == (
        Status.TOO_LARGE,
        "member larger than 4 KiB",
    )
    assert items[("big.tar", "ok.bin")].ok


def test_folder_nesting_limit(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * 12)
    deep.mkdir(parents=True)
    (deep / "x.txt").write_bytes(b"x")
    (tmp_path / "y.txt").write_bytes(b"y")
    items = list(walk(tmp_path, Limits(max_folder_depth=10)))
    assert [(item.status, item.message) for item in items[:1]] == [(Status.TOO_DEEP, "folder nesting deeper than 10")]
    assert items[0].path == ("d/",) * 11
    assert items[1].path == ("y.txt",)


def test_tar_gz_bomb_is_stopped_while_streaming(tmp_path: Path) -> None:
    (tmp_path / "bomb.tar.gz").write_bytes(tar_bytes(("zeros.bin", bytes(4 * 1024 * 1024))))
    items = list(walk(tmp_path))
    assert items[0].ok and items[0].kind == "gzip"
    assert {item.status for item in items[1:]} == {Status.BOMB}


def test_office_files_are_typed_by_their_parts(tmp_path: Path) -> None:
    (tmp_path / "sheet.docx").write_bytes(zip_bytes(("[Content_Types].xml", b"<x/>"), ("xl/workbook.xml", b"<x/>")))
    item = next(iter(walk(tmp_path)))
    assert (item.kind, item.extension_lies) == ("xlsx", True)


def test_seven_zip_members(tmp_path: Path) -> None:
    source = tmp_path / "src.txt"
    source.write_bytes(b"seven\n")
    with py7zr.SevenZipFile(tmp_path / "a.7z", "w") as archive:
        archive.write(source, "docs/a.txt")
        source.write_bytes(bytes(3 * 1024 * 1024))
        archive.write(source, "zeros.bin")
        archive.write(source, "../evil")
        archive.writestr(b"", "empty.txt")
    source.unlink()
    items = by_path(list(walk(tmp_path)))
    assert items[("a.7z",)].kind == "7z"
    assert items[("a.7z", "docs/", "a.txt")].sha256 == hashlib.sha256(b"seven\n").hexdigest()
    assert items[("a.7z", "../evil")].status is Status.UNSAFE_PATH
    assert items[("a.7z", "zeros.bin")].status is Status.BOMB
    assert items[("a.7z", "empty.txt")].status in (Status.OK, Status.UNREADABLE)  # read unless the bomb stopped it


def test_seven_zip_images_can_be_read_again_within_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    png = encode(drawing(3), "PNG")
    jpeg = encode(drawing(4), "JPEG")
    with py7zr.SevenZipFile(tmp_path / "a.7z", "w") as archive:
        archive.writestr(png, "cuts/a.png")
        archive.writestr(jpeg, "cuts/b.jpg")
        archive.writestr(b"notes " * 2000, "notes.txt")
    # Room for the first image only: the second is hashed but cannot be opened again.
    monkeypatch.setattr(archives, "SEVENZIP_IMAGE_BUDGET", len(png) + len(jpeg) - 1)
    items = by_path(list(walk(tmp_path)))
    first, second, notes = (
        items[("a.7z", "cuts/", "a.png")],
        items[("a.7z", "cuts/", "b.jpg")],
        items[("a.7z", "notes.txt")],
    )
    assert first.opener is not None and first.opener().read() == png
    assert second.sha256 == hashlib.sha256(jpeg).hexdigest() and second.opener is None
    assert notes.kind == "text" and notes.opener is None


def test_sniffer_table() -> None:
    assert sniff(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff(b"\x00\x00\x00\x18ftypqt  ") == "mov"
    assert sniff(b"\x00\x00\x00\x18ftypisom") == "mp4"
    assert sniff(b"x" * 257 + b"ustar\x0000") == "tar"
    assert sniff("문서 텍스트".encode()[:-1]) == "text"  # cut inside a character
    assert sniff(bytes(range(256))) == "unknown"


def seeds() -> list[bytes]:
    return [zip_bytes(("a.txt", b"a" * 100), ("b/c.zip", zip_bytes(("d", b"d")))), tar_bytes(("a", b"a" * 600))]


hostile_bytes = st.one_of(
    st.binary(max_size=2048),
    st.tuples(st.sampled_from(seeds()), st.integers(0, 4000), st.binary(min_size=1, max_size=8)).map(
        lambda case: case[0][: case[1]] + case[2] + case[0][case[1] + len(case[2]) :]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_bytes)
def test_arbitrary_bytes_only_ever_produce_items(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name in ("x.zip", "x.tar.gz", "x.gz"):
            (Path(folder) / name).write_bytes(data if name != "x.gz" else gzip.compress(data))
        items = list(walk(Path(folder)))
    assert all(isinstance(item, TroveItem) for item in items)
    assert {item.path[0] for item in items} == {"x.zip", "x.tar.gz", "x.gz"}


def test_memory_stays_flat(tmp_path: Path) -> None:
    for index in range(2000):
        (tmp_path / f"f{index:04}.txt").write_bytes(b"small file %d\n" % index)
    with (tmp_path / "big.bin").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: fast to make, still 50 MB to read
    # Once untraced first: what the first walk in a process sets up once (imports, caches) is no growth. And
    # garbage left by earlier tests would otherwise be collected, its finalizers run, while tracing.
    sum(1 for _ in walk(tmp_path / "f0000.txt"))
    gc.collect()
    tracemalloc.start()
    try:
        count = sum(1 for _ in walk(tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2001
    print(f"peak traced memory: {peak / 1e6:.2f} MB")
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
