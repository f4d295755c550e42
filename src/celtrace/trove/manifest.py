"""Taking a trove into the workspace: its custody manifest, resumable, idempotent and hash-chained.

Items are committed in batches as the walk finds them, so an interrupted scan keeps what it recorded;
scanning the same root under the same case again records only what is new. Each manifest line is sealed
with the hash of the line before (:func:`celtrace.workspace.audit.seal`), and the database refuses
changes to recorded lines, so tampering with the manifest shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from celtrace.assets.attribution import Attribution
from celtrace.assets.hash_index import HashIndex
from celtrace.assets.images import DECODABLE_KINDS
from celtrace.assets.matcher import GLOBAL_METHOD, global_index
from celtrace.assets.prints import ImagePrints, prints_of_bytes
from celtrace.errors import InputError
from celtrace.spark.hadoop import is_uri
from celtrace.trove.documents import DocumentResult, examine_item
from celtrace.trove.items import TroveItem
from celtrace.trove.limits import DEFAULT_LIMITS, OCR_IMAGES, Limits
from celtrace.trove.listing import walk_listing
from celtrace.trove.marks import TroveMarks, trove_watermark
from celtrace.trove.ocr import ImageOcr
from celtrace.trove.walk import Digest, walk
from celtrace.workspace import Workspace
from celtrace.workspace.audit import GENESIS, ChainProblem, seal
from celtrace.workspace.schema import Trove, TroveDocument, TroveFeatures, TroveFingerprint, TroveItemRow

#: The columns each manifest line's hash covers.
SEALED = ("seq", "path", "display_path", "kind", "extension_lies", "size", "sha256", "status", "message", "taken_at")
#: Larger images are kept in custody but not decoded: no drawing needs 256 MB.
MAX_IMAGE_BYTES = 256 * 2**20
# Items per transaction: an interruption loses at most this many, and each commit stays small.
BATCH = 500


@dataclass(frozen=True)
class ScanSummary:
    """What one ``trove scan`` recorded."""

    trove_id: int
    case: str
    root: str
    recorded: int
    already: int
    problems: int
    #: Images read by OCR, and images that would have been but for the scan's limit.
    ocr_images: int = 0
    ocr_over_limit: int = 0

    def to_json(self) -> dict[str, Any]:
        """The summary as a dict."""
        return asdict(self)


def scan_trove(
    workspace: Workspace,
    root: Path | str,
    case: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    holder: str | None = None,
    on_item: Callable[[TroveItemRow], None] | None = None,
    batch_size: int = BATCH,
    ocr_images: int = OCR_IMAGES,
    engine: str = "duckdb",
    spark_master: str = "local[*]",
) -> ScanSummary:
    """Walk ``root`` and record every item not yet in this trove's manifest; ``on_item`` sees each new line.

    ``root`` is a folder or file, or the ``http://`` or ``https://`` URL of an open directory listing, which
    is read with GET requests only; its downloads are spooled in the workspace's ``tmp`` folder. ``holder``
    names who held the material, when known; a later scan naming another holder replaces it.

    Documents are examined as they are found (``trove.documents``), and so are up to ``ocr_images`` images
    that are no registered drawing, read by OCR (``trove.ocr``).

    On ``engine="spark"`` the files of a local folder are hashed and fingerprinted by Spark's executors
    (:mod:`celtrace.spark.trove`) and the rest runs here as on ``duckdb``: the same items, manifest lines and
    hash chain. A web listing is refused on Spark: its downloads are spooled here, where Spark cannot read them.
    """
    if engine not in ("duckdb", "spark"):
        raise InputError(f"unknown engine {engine!r}: choose duckdb or spark")
    known_prints: dict[str, ImagePrints | None] = {}  # by digest, made on Spark; None: would not decode
    spool = workspace.path / "tmp"
    if isinstance(root, str) and _is_url(root):
        if engine == "spark":
            raise InputError("--engine spark scans folders and files, not web listings: scan it with --engine duckdb")
        root_text = root
        case = case or urlsplit(root).netloc
        spool.mkdir(exist_ok=True)
        items: Iterable[TroveItem] = walk_listing(root, limits, spool_dir=spool)
    elif is_uri(root):
        if engine != "spark":
            raise InputError(
                "only http:// and https:// listings are scanned on the local engine; other URIs (s3a://, hdfs://) "
                "are read through Spark's file systems: add --engine spark",
                file=str(root),
            )
        from celtrace.spark.trove import walk_on_spark

        root_text = str(root)
        parts = urlsplit(root_text)
        case = case or PurePosixPath(parts.path).name or parts.netloc or root_text
        items, known_prints = walk_on_spark(spark_master, root_text, limits, MAX_IMAGE_BYTES, spool)
    else:
        local = Path(root).resolve()
        root_text = str(local)
        case = case or local.name or root_text
        digests: dict[Path, Digest] = {}
        if engine == "spark":
            if not os.path.lexists(local):
                raise InputError("no such file or folder", file=str(root))
            from celtrace.spark.trove import precompute_on_spark

            precomputed = precompute_on_spark(spark_master, local, limits, MAX_IMAGE_BYTES)
            digests, known_prints = precomputed.digests, precomputed.prints
        items = walk(local, limits, digests)
    with workspace.change("trove open", case=case, root=root_text, holder=holder) as change:
        trove = change.session.scalars(select(Trove).where(Trove.case == case, Trove.root == root_text)).first()
        change.recorded = trove is None or (holder is not None and holder != trove.holder)
        if trove is None:
            trove = Trove(case=case, root=root_text, started_at=_now(), item_count=0, holder=holder)
            change.session.add(trove)
            change.session.flush()
        elif holder is not None:
            trove.holder = holder
        trove_id = trove.id
    with workspace.session() as session:
        seen = set(session.scalars(select(TroveItemRow.display_path).where(TroveItemRow.trove_id == trove_id)))
        ocr = ImageOcr(global_index(session) if ocr_images > 0 else HashIndex(), ocr_images)
    recorded = already = problems = 0
    batch: list[_Entry] = []
    # Watermarks are read now, while the image's bytes are at hand: the trove may be an archive or a web
    # listing that analyze cannot open again. Only when something was ever delivered.
    with workspace.session() as reading:
        marks = TroveMarks.open(reading)
        if marks is None:
            reading.close()  # nothing to read marks against: hold no transaction open for the whole scan
        for item in items:
            if item.display_path in seen:
                already += 1
                continue
            seen.add(item.display_path)
            # Read now, while the walk stands on the item: its opener is gone once the walk moves on (and, for a
            # 7z member, holds the image's bytes, which the batch must not keep). Read once, and only when needed:
            # on Spark the prints were made on the executors, and a remote file's bytes cross to here slowly.
            data = cache(partial(_image_bytes, item)) if _decodable(item) else None
            # On Spark, images already fingerprinted there (prints depend on the bytes alone) are not again.
            prints = None
            if data is not None:
                known = item.sha256 in known_prints
                prints = known_prints[item.sha256 or ""] if known else _fingerprints(data(), item.display_path)
            # A PDF is a document and a drawing both: examined as the one, fingerprinted as the other.
            document = examine_item(item, spool)
            if document is None and data is not None:
                document = ocr.examine(item, data, prints, spool)
            mark = marks.read(data, prints, item.display_path) if marks and data is not None and prints else None
            del data  # up to MAX_IMAGE_BYTES: not kept while the walk reads on
            batch.append(_Entry(replace(item, opener=None), prints, document, mark))
            problems += not item.ok
            if len(batch) >= batch_size:
                recorded += _append(workspace, trove_id, batch, on_item)
                batch = []
        recorded += _append(workspace, trove_id, batch, on_item)
    with workspace.change("trove scan", case=case, root=root_text, recorded=recorded, problems=problems) as change:
        trove = change.session.get_one(Trove, trove_id)
        trove.finished_at = _now()
        trove.item_count = trove.item_count + recorded
        change.recorded = recorded > 0
    return ScanSummary(trove_id, case, root_text, recorded, already, problems, ocr.read, ocr.over_limit)


@dataclass(frozen=True)
class _Entry:
    item: TroveItem
    prints: ImagePrints | None
    document: DocumentResult | None
    mark: Attribution | None


def _decodable(item: TroveItem) -> bool:
    """Whether the item is an image the scan decodes (fingerprints, OCR, watermark)."""
    return item.ok and item.kind in DECODABLE_KINDS and item.opener is not None and (item.size or 0) <= MAX_IMAGE_BYTES


def _image_bytes(item: TroveItem) -> bytes | None:
    """The bytes of a decodable image item, or None when they cannot be read again."""
    assert item.opener is not None
    try:
        with item.opener() as stream:
            return stream.read(MAX_IMAGE_BYTES + 1)
    except Exception:  # a member that fails on a second read: the item stays recorded without prints
        return None


def _fingerprints(data: bytes | None, name: str) -> ImagePrints | None:
    """Fingerprints of an image, or None: an image that will not decode (or be read) is still in custody."""
    if data is None:
        return None
    try:
        return prints_of_bytes(data, name)
    except Exception:  # hostile bytes: decoders raise almost anything; the item stays recorded without them
        return None


def _is_url(root: str) -> bool:
    """Whether ``root`` is a web listing's URL (other schemes are Hadoop file systems, read by Spark)."""
    return root.lower().startswith(("http://", "https://"))


def _append(
    workspace: Workspace,
    trove_id: int,
    items: list[_Entry],
    on_item: Callable[[TroveItemRow], None] | None,
) -> int:
    if not items:
        return 0
    with workspace.change("trove items") as change:
        change.recorded = False  # the manifest is its own hash-chained record; one audit line per scan
        session = change.session
        last = session.execute(
            select(TroveItemRow.seq, TroveItemRow.hash)
            .where(TroveItemRow.trove_id == trove_id)
            .order_by(TroveItemRow.seq.desc())
            .limit(1)
        ).first()
        seq, prev = (last[0], last[1]) if last else (0, GENESIS)
        for entry in items:
            item, prints, document = entry.item, entry.prints, entry.document
            seq += 1
            fields = _fields(seq, item)
            row = TroveItemRow(trove_id=trove_id, **fields, prev_hash=prev, hash=seal(fields, prev))
            session.add(row)
            if prints:
                session.flush()
                session.add_all(
                    TroveFingerprint(
                        item_id=row.id,
                        page=fp.page,
                        method=GLOBAL_METHOD,
                        variants=" ".join(v.hex() for v in fp.variants),
                    )
                    for fp in prints.global_prints
                )
                session.add_all(
                    TroveFeatures(item_id=row.id, page=f.page, width=f.width, height=f.height, points=p, descriptors=d)
                    for f in prints.local
                    for p, d in [f.to_blobs()]
                )
            if document:
                session.flush()
                session.add(TroveDocument(item_id=row.id, inspection=document.inspection, error=document.error))
            if entry.mark is not None and entry.mark.asset_id is not None:
                session.flush()
                session.add(trove_watermark(row.id, entry.mark))
            prev = row.hash
            if on_item:
                on_item(row)
    return len(items)


def _fields(seq: int, item: TroveItem) -> dict[str, Any]:
    return {
        "seq": seq,
        "path": [_printable(segment) for segment in item.path],
        "display_path": item.display_path,
        "kind": item.kind,
        "extension_lies": item.extension_lies,
        "size": item.size,
        "sha256": item.sha256,
        "status": str(item.status),
        "message": _printable(item.message),
        "taken_at": item.taken_at.isoformat(timespec="microseconds"),
    }


def _printable(text: str) -> str:
    # Undecodable name bytes arrive as lone surrogates, which no database stores as text: show them as \xNN.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def manifest(session: Session, trove_id: int) -> list[TroveItemRow]:
    """A trove's manifest, in the order it was taken."""
    return list(
        session.scalars(select(TroveItemRow).where(TroveItemRow.trove_id == trove_id).order_by(TroveItemRow.seq))
    )


def verify_manifest(rows: Iterable[TroveItemRow]) -> list[ChainProblem]:
    """Every break in a manifest's hash chain; an empty list means it is intact."""
    problems: list[ChainProblem] = []
    expected, prev = 1, GENESIS
    for row in rows:
        fields = {key: getattr(row, key) for key in SEALED}
        if row.seq != expected:
            problems.append(ChainProblem(row.seq, f"expected line {expected}: lines missing"))
        if row.prev_hash != prev:
            problems.append(ChainProblem(row.seq, "does not chain to the line before it"))
        if seal(fields, row.prev_hash) != row.hash:
            problems.append(ChainProblem(row.seq, "its content was changed after it was written"))
        expected, prev = row.seq + 1, row.hash
    return problems


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
