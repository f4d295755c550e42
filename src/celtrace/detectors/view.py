"""What a detector sees: a read-only window on the store, with the chain loaded once per run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session

from celtrace.chain.graph import Chain


@dataclass
class StoreView:
    """The store as detectors read it. Detectors never write; the runner stores what they return."""

    session: Session

    @cached_property
    def chain(self) -> Chain:
        """Vendors, people, links and accounts, loaded on first use."""
        return Chain.load(self.session)
