"""One column type for moments: always stored in UTC, always read back time-zone aware.

PostgreSQL keeps the zone of a `timestamptz`; SQLite keeps none and hands back naive values.
Every moment column uses `UTCDateTime`, so no reader ever has to guess which one it got.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("A moment must carry its time zone; use timetable.clock.now().")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
