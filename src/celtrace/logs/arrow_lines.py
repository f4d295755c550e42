"""A log file's lines as Arrow batches of (line number, bytes), split in C: what the web readers' SQL reads.

Python splits the file into lines on ``\\n`` with Arrow (``split_pattern`` over 16 MB chunks) and numbers them
with NumPy, so ``line`` is the exact 1-based line number, ``wc -l`` style: blank and ``#`` lines count, a lone
CR does not end a line (``web_sql`` drops one CR before the LF). Gzip is inflated incrementally (recognised by
its magic bytes, whatever the name). No Python code runs per line.

A gzip file that ends early or is corrupt gives its lines up to the damage, then one more line, numbered after
them, saying so: the reader makes it a rejected row and the import records it instead of failing.

:class:`LineStream` hands the batches to DuckDB afresh on every scan, with memory kept flat.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]  # no stubs
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from celtrace.logs.formats import is_gzip

_CHUNK = 16 * 1024 * 1024  # bytes read at a time: one Arrow batch of ~80,000 lines
_MAX_LINE = 64 * 1024 * 1024  # a longer "line" (a binary file without newlines) keeps only its start
_SCHEMA = pa.schema([("line", pa.int64()), ("b", pa.binary())])
_AHEAD = 128 * 1024 * 1024  # bytes of lines read but not yet consumed by DuckDB before the reader waits
_PATIENCE = 30.0  # seconds the reader waits for DuckDB before reading on anyway (never a deadlock)
# Every line buffer comes from this pool, so its count is what readers hold in memory. It lives as long as
# the process: a pool freed while DuckDB still held buffers from it crashed the interpreter.
_POOL = pa.proxy_memory_pool(pa.default_memory_pool())


class LineStream:
    """A file's lines as Arrow batches of (line number, bytes), made afresh each time DuckDB scans it.

    DuckDB hands an object with ``__arrow_c_stream__`` to pyarrow's ``Scanner.from_batches``, which pulls
    batches as fast as they come: left alone it read a whole 800 MB file ahead of a slow query (Arrow memory
    grew by ~100 MB per million lines). So every buffer is allocated from ``_POOL``, and the reader waits
    while more than ``_AHEAD`` bytes of lines are still held downstream. A bare capsule would be pulled
    on demand but could be scanned only once, and the enricher scans a reader's relation twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def __arrow_c_schema__(self) -> object:
        """The batches' Arrow schema: ``line`` and ``b`` (the line's bytes, line ending kept but for the LF)."""
        return _SCHEMA.__arrow_c_schema__()

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        batches = _throttled(_batches(self.path, _POOL), _POOL)
        return pa.RecordBatchReader.from_batches(_SCHEMA, batches).__arrow_c_stream__(requested_schema)


def _throttled(batches: Iterator[pa.RecordBatch], pool: pa.MemoryPool) -> Iterator[pa.RecordBatch]:
    """``batches``, held back while DuckDB has not yet released ``_AHEAD`` bytes of earlier ones."""
    for batch in batches:
        deadline = time.monotonic() + _PATIENCE
        while pool.bytes_allocated() > _AHEAD and time.monotonic() < deadline:
            time.sleep(0.002)
        yield batch


def _numbered(first: int, lines: pa.Array) -> pa.RecordBatch:
    """``lines`` as a batch, numbered from ``first``."""
    numbers = pa.array(np.arange(first, first + len(lines), dtype=np.int64))
    return pa.record_batch([numbers, lines], schema=_SCHEMA)


def _chunks(path: Path, pool: pa.MemoryPool) -> Iterator[pa.Buffer]:
    """The file's bytes, decompressed when they are gzip (by magic bytes, not name), in Arrow buffers.

    Plain files are read straight into Arrow memory, with no copy through Python ``bytes``. Incremental
    inflation, rather than ``gzip.open``, keeps every byte before a truncation (GzipFile loses the whole
    read that hits it), bounds memory (64 KB of input inflates to at most ~66 MB), and reads concatenated
    gzip members as ``zcat`` does. Damage raises ``EOFError`` or ``zlib.error``.
    """
    if not is_gzip(path):
        with pa.OSFile(str(path), memory_pool=pool) as source:
            while (chunk := source.read_buffer(_CHUNK)).size:
                yield chunk
        return
    piece = bytearray(64 * 1024)
    inflater, fed = zlib.decompressobj(wbits=31), False
    out, used = pa.allocate_buffer(_CHUNK, memory_pool=pool), 0
    with path.open("rb") as raw:
        while size := raw.readinto(piece):
            data: bytes | memoryview = memoryview(piece)[:size]
            while data:
                fed = True
                inflated = inflater.decompress(data)
                if used + len(inflated) > _CHUNK:
                    yield out.slice(0, used)
                    out, used = pa.allocate_buffer(max(_CHUNK, len(inflated)), memory_pool=pool), 0
                np.frombuffer(out, dtype=np.uint8)[used : used + len(inflated)] = np.frombuffer(inflated, np.uint8)
                used += len(inflated)
                data = b""
                if inflater.eof:  # one gzip member done; another may follow
                    data, inflater, fed = inflater.unused_data, zlib.decompressobj(wbits=31), False
    if used:
        yield out.slice(0, used)
    if fed and not inflater.eof:
        raise EOFError("compressed data ends before the end-of-stream marker")


def _batches(path: Path, pool: pa.MemoryPool) -> Iterator[pa.RecordBatch]:
    """Split the file into lines on ``\\n`` only, in C (Arrow), a chunk at a time.

    The line cut by a chunk's end is carried (as a small ``bytes``) into the next chunk's first line. A
    gzip stream that ends early or is corrupt does not raise: the lines before the damage are kept and one
    more row, numbered after them, says what happened, so an import shows it among its rejects.
    """
    number = 1
    pending: list[bytes] = []  # the start of a line that goes on in the next chunk
    pending_size = 0
    chunks = _chunks(path, pool)
    while True:
        try:
            chunk = next(chunks, None)
        except (EOFError, zlib.error) as error:
            if pending_size:
                yield _numbered(number, pa.array([b"".join(pending)], pa.binary(), memory_pool=pool))
                number += 1
            note = f"celtrace: the gzip data of {path.name} ends early or is corrupt ({error}); nothing after"
            yield _numbered(number, pa.array([note.encode()], pa.binary(), memory_pool=pool))
            return
        if chunk is None:
            break
        offsets = pa.py_buffer(np.array([0, chunk.size], dtype=np.int32))
        whole = pa.BinaryArray.from_buffers(pa.binary(), 1, [None, offsets, chunk])
        parts = pc.split_pattern(whole, b"\n", memory_pool=pool).flatten()
        if len(parts) == 1:  # no newline in the whole chunk: a very long line
            if pending_size < _MAX_LINE:
                pending.append(parts[0].as_py())
                pending_size += chunk.size
            continue
        head = parts[0].as_py() if pending_size < _MAX_LINE else b""  # an over-long line keeps its start
        yield _numbered(number, pa.array([b"".join([*pending, head])], pa.binary(), memory_pool=pool))
        yield _numbered(number + 1, parts.slice(1, len(parts) - 2))
        number += len(parts) - 1
        last = parts[len(parts) - 1].as_py()
        pending, pending_size = [last], len(last)
    if pending_size:
        yield _numbered(number, pa.array([b"".join(pending)], pa.binary(), memory_pool=pool))
