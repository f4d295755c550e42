"""Sanctions lists in the workspace store: load (replacing an older release), list, and read back."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from celtrace.errors import CeltraceError, InputError
from celtrace.lists.formats import read_lists
from celtrace.lists.model import Identifier, LoadedList, Target, TargetName
from celtrace.workspace import Workspace
from celtrace.workspace.schema import SanctionList, TargetRow

if TYPE_CHECKING:
    from celtrace.screening import Screener

# Rows per INSERT: large enough to be fast, small enough that memory stays flat on a full export.
BATCH = 2000


@dataclass(frozen=True)
class LoadSummary:
    """What one ``lists load`` did for one list."""

    list: str
    format: str
    published: str | None
    targets: int
    duplicates: int
    replaced: str | None

    def to_json(self) -> dict[str, Any]:
        """The summary as ``lists load --json`` prints it."""
        return asdict(self)


def load_lists(
    workspace: Workspace, paths: list[Path], fmt: str = "auto", published: str | None = None, force: bool = False
) -> list[LoadSummary]:
    """Load list files, one transaction per list; a failure leaves the previously loaded release in place."""
    return [_load(workspace, loaded, force) for loaded in read_lists(paths, fmt, published)]


def _load(workspace: Workspace, loaded: LoadedList, force: bool) -> LoadSummary:
    info = loaded.info
    files = [_file_record(Path(name)) for name in info.files]
    with workspace.change("lists load", list=info.name, published=info.published, files=files) as change:
        session = change.session
        previous = session.scalars(
            select(SanctionList).where(SanctionList.name == info.name, SanctionList.active.is_(True))
        ).first()
        if previous and previous.published and info.published and info.published < previous.published and not force:
            raise InputError(
                f"this {info.name} was published {info.published}, before the loaded one ({previous.published}); "
                "pass --force to load it anyway",
                file=info.files[0],
            )
        row = SanctionList(
            name=info.name,
            format=info.format,
            published=info.published,
            loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            files=files,
            target_count=0,
            programs={},
            active=True,
        )
        session.add(row)
        session.flush()
        seen: set[str] = set()
        programs: Counter[str] = Counter()
        duplicates = 0
        targets = iter(loaded.targets)
        while batch := list(islice(targets, BATCH)):
            rows = []
            for target in batch:
                if target.id in seen:
                    duplicates += 1
                    continue
                seen.add(target.id)
                programs.update(set(target.programs))
                rows.append(_to_row(row.id, target))
            if rows:
                session.execute(insert(TargetRow), rows)
        if not seen:
            raise InputError(f"no {info.name} entries found: is this the right file?", file=info.files[0])
        row.target_count = len(seen)
        row.programs = dict(sorted(programs.items()))
        if previous is not None:
            previous.active = False
            session.execute(delete(TargetRow).where(TargetRow.list_id == previous.id))
        change.detail.update(targets=len(seen), replaced=previous.published if previous else None)
    return LoadSummary(
        info.name, info.format, info.published, len(seen), duplicates, previous.published if previous else None
    )


def _file_record(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"path": str(path), "sha256": digest.hexdigest(), "size": path.stat().st_size}


def _to_row(list_id: int, target: Target) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "id": target.id,
        "schema": target.schema,
        "names": [asdict(name) for name in target.names],
        "programs": list(target.programs),
        "countries": list(target.countries),
        "addresses": list(target.addresses),
        "identifiers": [asdict(identifier) for identifier in target.identifiers],
        "birth_dates": list(target.birth_dates),
        "listed_on": target.listed_on,
        "remarks": target.remarks,
    }


def active_lists(session: Session) -> list[SanctionList]:
    """The lists screening uses now, by name."""
    return list(session.scalars(select(SanctionList).where(SanctionList.active.is_(True)).order_by(SanctionList.name)))


def list_history(session: Session) -> list[SanctionList]:
    """Every load, newest first: what the workspace was screened against, and when."""
    return list(session.scalars(select(SanctionList).order_by(SanctionList.id.desc())))


def active_targets(session: Session) -> Iterator[Target]:
    """Every target of every active list, with its list's name."""
    query = (
        select(TargetRow, SanctionList.name)
        .join(SanctionList, TargetRow.list_id == SanctionList.id)
        .where(SanctionList.active.is_(True))
        .order_by(TargetRow.list_id, TargetRow.id)
        .execution_options(yield_per=BATCH)
    )
    for row, list_name in session.execute(query):
        yield Target(
            id=row.id,
            schema=row.schema,  # type: ignore[arg-type]
            names=[TargetName(**name) for name in row.names],
            programs=list(row.programs),
            countries=list(row.countries),
            addresses=list(row.addresses),
            identifiers=[Identifier(**identifier) for identifier in row.identifiers],
            birth_dates=list(row.birth_dates),
            listed_on=row.listed_on,
            remarks=row.remarks,
            list_name=list_name,
        )


def build_screener(session: Session) -> Screener:
    """A screener over every active list; raises CeltraceError when none is loaded."""
    from celtrace.screening import Screener

    if not active_lists(session):
        raise CeltraceError("no sanctions list is loaded: run `celtrace lists load FILE...` first")
    return Screener(active_targets(session))
