"""Time zones: the zone a reader assumes for timestamps that carry none, and conversion to UTC.

Every event's ``ts`` is naive UTC (``events.COLUMNS``); a reader converts what the log says with :func:`to_utc`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celtrace.errors import InputError
from celtrace.logs.formats import ReaderOptions


def zone_of(options: ReaderOptions, path: Path) -> ZoneInfo:
    """The zone a reader assumes for timestamps without one; an unknown name is the user's error."""
    try:
        return ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InputError(f"unknown time zone {options.timezone!r}", file=str(path), field="timezone") from error


def to_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive UTC datetime from one that is aware, or naive and local to ``zone``."""
    if moment.tzinfo is None:
        if zone.key == "UTC":
            return moment
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)
