"""What a detector sees: a read-only window on the store, with shared parts loaded once per run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from celtrace.chain.graph import Chain

if TYPE_CHECKING:
    from celtrace.config import Settings
    from celtrace.logs.engine import EventEngine
    from celtrace.screening import Screener

T = TypeVar("T")


@dataclass
class StoreView:
    """The store as detectors read it. Detectors never write; the runner stores what they return."""

    session: Session
    #: The workspace's files folder, where imported logs' events are; None for a view without logs.
    files: Path | None = None
    #: The engine that runs the queries over the logs' events: ``duckdb`` (in process) or ``spark``.
    engine: str = "duckdb"
    #: Where Spark runs (``Settings.spark_master``), for ``engine="spark"``.
    settings: Settings | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def chain(self) -> Chain:
        """Vendors, people, links and accounts, loaded on first use."""
        return Chain.load(self.session)

    @cached_property
    def screener(self) -> Screener | None:
        """A screener over the active sanctions lists, or None when no list is loaded."""
        from celtrace.lists.store import active_lists, build_screener

        return build_screener(self.session) if active_lists(self.session) else None

    @cached_property
    def events(self) -> EventEngine | None:
        """The engine with the ``events`` view over every imported log (``logs.engine``), or None without logs."""
        from celtrace.logs import engine

        return None if self.files is None else engine.open_events(self.session, self.files, self.engine, self.settings)

    def event_rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of a query over the ``events`` view as dicts; none when no log has been imported."""
        if self.events is None:
            return []
        return self.events.rows(sql)

    def close(self) -> None:
        """Release what the view opened (the engine over the logs)."""
        events = self.__dict__.pop("events", None)
        if events is not None:
            events.close()

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """A result two detectors need, computed once per run (e.g. the chain's sanctions matches)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]
