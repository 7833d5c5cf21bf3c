"""Trends for the overview's pictures: a school's messages per local day over the last weeks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from store.core.clock import utc_shift
from store.messaging.reports import FAILED_STATES, _day_bounds


@dataclass(frozen=True)
class Day:
    """One local day's messages of a school: delivered, failed (any failed state) and the rest."""

    day: date
    delivered: int
    failed: int
    other: int

    @property
    def total(self) -> int:
        return self.delivered + self.failed + self.other


def delivery_days(db: sqlite_utils.Database, school_id: int, today: date, tz: str, days: int = 30) -> list[Day]:
    """The last ``days`` local days up to ``today``, oldest first, each with its counts (zeros included)."""
    first = today - timedelta(days=days - 1)
    start, end = _day_bounds(first, tz)[0], _day_bounds(today, tz)[1]
    counts: dict[str, list[int]] = {(first + timedelta(days=i)).isoformat(): [0, 0, 0] for i in range(days)}
    for day, state, n in db.execute(
            "SELECT date(created_at, ?) AS d, state, count(*) FROM messages WHERE school_id = ? "
            "AND created_at >= ? AND created_at < ? GROUP BY d, state",
            [utc_shift(tz, today), school_id, start, end]):
        if day in counts:
            counts[day][0 if state == "delivered" else 1 if state in FAILED_STATES else 2] += n
    return [Day(date.fromisoformat(d), *c) for d, c in counts.items()]
