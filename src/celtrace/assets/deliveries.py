"""Deliveries: watermarked copies of registered drawings sent to one vendor, each copy carrying the delivery id.

    summary = deliver(workspace, [Path("S01E04/layouts")], "Northwind Layout Co.", Path("outbox/northwind"))

One ``deliver`` is one delivery: one random 32-bit id (the watermark payload), one vendor, and the drawings
with the name, digest and format of each copy. A copy keeps its original's file name, unless it had to be
written in another format (a PSD or GIF becomes PNG, and its name says so). A drawing not yet in the registry
is registered first (``registry.add_assets``, which needs the production). Copies are written as ``.partial``
files, the record is committed, and only then are the copies given their names: a copy that exists under its
name always has a delivery on record, which is what makes a leaked copy attributable.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from celtrace.assets.registry import add_assets, file_digest, image_files
from celtrace.assets.studio_key import watermark_key
from celtrace.errors import InputError
from celtrace.watermark import MAX_ID, WatermarkKey, embed_image, load_image, payload_hex, save_like
from celtrace.watermark.files import save_format
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Asset, Delivery, DeliveryItem, Vendor

PARTIAL = ".partial"


@dataclass
class DeliverySummary:
    """What one ``deliver`` did: the delivery (None when no copy could be made), its copies, and failures."""

    delivery_id: int | None
    vendor_id: str | None
    vendor_name: str
    out: Path
    copies: list[tuple[str, str]] = field(default_factory=list)  # (original path, copy path)
    registered: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def payload(self) -> str | None:
        """The payload every copy carries, as hex."""
        return None if self.delivery_id is None else payload_hex(self.delivery_id)


@dataclass(frozen=True)
class _Copy:
    source: Path
    asset_id: int
    partial: Path
    final: Path
    sha256: str
    format: str


def deliver(
    workspace: Workspace,
    paths: Iterable[Path],
    vendor: str,
    out: Path,
    production: str | None = None,
    episode: str | None = None,
    note: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> DeliverySummary:
    """Write a watermarked copy of each drawing under ``paths`` into ``out`` and record them as one delivery.

    ``vendor`` is a vendor's id, name or alias in the chain, or any other name (kept as given). A file that
    cannot be read, registered or marked is reported in ``failed`` and the others are delivered.
    """
    if not vendor.strip():
        raise InputError("--vendor must name the vendor")
    if out.exists() and not out.is_dir():
        raise InputError("is not a folder", file=str(out))
    with workspace.session() as session:
        vendor_id, vendor_name = _vendor(session, vendor)
    summary = DeliverySummary(None, vendor_id, vendor_name, out)
    files: list[Path] = []
    for path in paths:
        if path.exists():
            files.extend(image_files([path]))
        else:
            summary.failed.append((str(path), "no such file or folder"))
    if not files:
        return summary
    assets = _registered(workspace, files, production, episode, summary)
    key = watermark_key(workspace)
    out.mkdir(parents=True, exist_ok=True)
    with workspace.session() as session:
        delivery_id = _new_id(session)
    made: list[_Copy] = []
    names: set[str] = set()
    try:
        for index, path in enumerate(files):
            if on_file:
                on_file(path)
            if path not in assets:
                continue
            try:
                made.append(_mark(path, assets[path], out, names, delivery_id, key, index))
            except InputError as error:
                summary.failed.append((str(path), error.message))
            except OSError as error:  # the --out folder, not the drawing: a full disk, a lost mount
                summary.failed.append((str(path), f"could not write its copy: {error.strerror or error}"))
    except BaseException:
        for copy in made:
            copy.partial.unlink(missing_ok=True)
        raise
    if not made:
        return summary
    try:
        with workspace.change(
            "deliver",
            delivery=delivery_id,
            vendor=vendor_name,
            vendor_id=vendor_id,
            out=str(out),
            files=len(made),
            assets=[copy.asset_id for copy in made],
        ) as change:
            change.session.add(
                Delivery(
                    id=delivery_id,
                    vendor_id=vendor_id,
                    vendor_name=vendor_name,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    actor=workspace.settings.actor,
                    out_dir=str(out.resolve()),
                    note=note,
                )
            )
            change.session.flush()
            change.session.add_all(
                DeliveryItem(
                    delivery_id=delivery_id,
                    asset_id=copy.asset_id,
                    file_name=copy.final.name,
                    sha256=copy.sha256,
                    format=copy.format,
                )
                for copy in made
            )
    except BaseException:
        for copy in made:
            copy.partial.unlink(missing_ok=True)
        raise
    for copy in made:
        copy.partial.replace(copy.final)
        summary.copies.append((str(copy.source), str(copy.final)))
    summary.delivery_id = delivery_id
    return summary


def _vendor(session: Session, name: str) -> tuple[str | None, str]:
    """The chain's vendor an id, name or alias names (case-insensitively), or (None, name as given)."""
    wanted = name.strip()
    row = (
        session.get(Vendor, wanted)
        or session.scalars(
            select(Vendor).where(or_(func.lower(Vendor.name) == wanted.lower(), Vendor.id == wanted.lower()))
        ).first()
    )
    if row is None:  # SQL's lower() folds ASCII only: names and aliases in other scripts are compared here
        folded = wanted.casefold()
        row = next(
            (
                v
                for v in session.scalars(select(Vendor).order_by(Vendor.id))
                if folded in {n.casefold() for n in [v.name, *(v.aliases or [])]}
            ),
            None,
        )
    return (row.id, row.name) if row is not None else (None, wanted)


def _registered(
    workspace: Workspace,
    files: list[Path],
    production: str | None,
    episode: str | None,
    summary: DeliverySummary,
) -> dict[Path, int]:
    """Each file's asset id, registering those not yet known when a production is given."""
    digests: dict[Path, str] = {}
    for path in files:
        try:
            digests[path] = file_digest(path)[0]
        except OSError as error:
            summary.failed.append((str(path), f"cannot read: {error.strerror or error}"))
    known = _asset_ids(workspace, set(digests.values()))
    missing = [path for path, digest in digests.items() if digest not in known]
    if missing and production:
        # Registered by absolute path: decoding a found copy later reads the original from there.
        added = add_assets(workspace, [path.resolve() for path in missing], production, episode)
        summary.registered = added.registered
        summary.failed.extend(added.failed)
        known = _asset_ids(workspace, set(digests.values()))
    elif missing:
        summary.failed.extend(
            (str(path), "not a registered drawing: give --production to register it") for path in missing
        )
    return {path: known[digest] for path, digest in digests.items() if digest in known}


def _asset_ids(workspace: Workspace, digests: set[str]) -> dict[str, int]:
    with workspace.session() as session:
        rows = session.execute(select(Asset.sha256, Asset.id).where(Asset.sha256.in_(digests))).all()
    return {digest: asset_id for digest, asset_id in rows}


def _new_id(session: Session) -> int:
    """A delivery id not yet used: random, so ids say nothing about how many deliveries a studio makes."""
    while True:
        candidate = 1 + secrets.randbelow(MAX_ID)
        if session.get(Delivery, candidate) is None:
            return candidate


def _mark(
    path: Path, asset_id: int, out: Path, names: set[str], delivery_id: int, key: WatermarkKey, index: int
) -> _Copy:
    original = load_image(path, str(path))
    marked = embed_image(original, delivery_id, key)
    # A format Pillow cannot write (PSD) or that cannot hold the mark (GIF) is written as PNG: the copy's
    # name says so, or a vendor's tools would misread it.
    fmt = save_format(original)
    name = path.name if fmt == _family(original.format) else f"{path.stem}.{fmt.lower()}"
    final = out / name
    # Checked before anything is written: two drawings of one delivery may share a name (sc01/bg.png,
    # sc02/bg.png), and the second must not touch the first one's copy.
    if name in names:
        raise InputError(f"another file of this delivery is already named {name}")
    if final.exists():
        raise InputError(f"{final} already exists: deliver into an empty --out folder")
    # Hidden and numbered: a partial copy never takes a name a finished one could have.
    partial = out / f".{delivery_id}-{index}{PARTIAL}"
    try:
        save_like(marked, original, partial)
        digest, _ = file_digest(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    names.add(name)
    return _Copy(path, asset_id, partial, final, digest, fmt)


def _family(fmt: str | None) -> str | None:
    """The format ``save_like`` writes for an original of this format when it can keep it."""
    return "JPEG" if fmt == "MPO" else fmt
