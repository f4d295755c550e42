"""Small PNG previews of registered drawings and of images found in troves, kept in the workspace's files.

A found image may sit deep in nested archives, so its preview is made by walking the trove's root once more
and picking the wanted items, checking each one's SHA-256 against the manifest before trusting its bytes.
Previews are derived files: made once, reused, and never part of the evidence.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from celtrace.trove.walk import walk
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Asset, Trove, TroveItemRow

SIZE = (240, 240)
THUMBNAILS = "thumbnails"
MAX_SOURCE = 64 * 1024 * 1024


def asset_thumbnail(workspace: Workspace, asset_id: int) -> Path | None:
    """The preview of a registered drawing (made if missing), or None when its file cannot be read."""
    out = workspace.files / THUMBNAILS / "assets" / f"{asset_id}.png"
    if out.exists():
        return out
    with workspace.session() as session:
        asset = session.get(Asset, asset_id)
    if asset is None:
        return None
    source = Path(asset.path)
    try:
        if source.stat().st_size > MAX_SOURCE:
            return None
        return _write(source.read_bytes(), out)
    except OSError:
        return None


def trove_thumbnails(workspace: Workspace, item_ids: Iterable[int]) -> dict[int, Path]:
    """Previews of found images by item id: those already made, and those a walk of a local root can make."""
    wanted = set(item_ids)
    folder = workspace.files / THUMBNAILS / "trove"
    done = {item_id: folder / f"{item_id}.png" for item_id in wanted if (folder / f"{item_id}.png").exists()}
    missing = wanted - done.keys()
    if not missing:
        return done
    with workspace.session() as session:
        rows = session.execute(
            select(TroveItemRow.id, TroveItemRow.display_path, TroveItemRow.sha256, Trove.root)
            .join(Trove, Trove.id == TroveItemRow.trove_id)
            .where(TroveItemRow.id.in_(sorted(missing)))
        ).all()
    by_root: dict[str, dict[str, tuple[int, str | None]]] = {}
    for item_id, display_path, sha256, root in rows:
        by_root.setdefault(root, {})[display_path] = (item_id, sha256)
    for root, items in by_root.items():
        path = Path(root)
        if "://" in root or not path.exists():
            continue  # a web listing is not fetched again for a preview
        for item in walk(path):
            entry = items.get(item.display_path)
            if entry is None or item.opener is None or (item.size or 0) > MAX_SOURCE:
                continue
            with item.opener() as stream:
                data = stream.read(MAX_SOURCE + 1)
            if hashlib.sha256(data).hexdigest() != entry[1]:
                continue  # the file changed since it was taken into custody: no preview rather than a wrong one
            made = _write(data, folder / f"{entry[0]}.png")
            if made is not None:
                done[entry[0]] = made
    return done


def _write(data: bytes, out: Path) -> Path | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail(SIZE)
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(".tmp")
            image.convert("RGB").save(tmp, "PNG")
            tmp.replace(out)
            return out
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
