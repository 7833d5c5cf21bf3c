"""School events (exams, meetings, holidays) and announcements (kind 'thongbao')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

ANNOUNCEMENT = "thongbao"


@dataclass(frozen=True)
class Event:
    """One approved event or announcement; class_id None = the whole school."""

    id: int
    class_id: int | None
    date: date
    kind: str
    title: str
    body: str


COLUMNS = "events.id, events.class_id, events.date, events.kind, events.title, events.body"


def from_row(row) -> Event:
    """An Event from a row of COLUMNS."""
    return Event(row[0], row[1], date.fromisoformat(row[2]), row[3], row[4], row[5])


def upcoming(db: sqlite_utils.Database, school_id: int, class_id: int | None, today: date,
             limit: int = 5) -> list[Event]:
    """Approved events from today on for the class and the whole school, soonest first (no announcements)."""
    rows = db.execute(
        f"SELECT {COLUMNS} FROM events WHERE events.school_id = :school AND events.date >= :today "
        "AND events.kind != :ann AND events.status = 'approved' "
        "AND (events.class_id IS NULL OR events.class_id = :class) "
        "ORDER BY events.date, events.id LIMIT :limit",
        {"school": school_id, "today": today.isoformat(), "ann": ANNOUNCEMENT, "class": class_id,
         "limit": limit}).fetchall()
    return [from_row(r) for r in rows]


def announcements(db: sqlite_utils.Database, school_id: int, class_id: int | None, limit: int = 3) -> list[Event]:
    """The latest approved announcements for the class and the whole school, newest first."""
    rows = db.execute(
        f"SELECT {COLUMNS} FROM events WHERE events.school_id = :school AND events.kind = :ann "
        "AND events.status = 'approved' AND (events.class_id IS NULL OR events.class_id = :class) "
        "ORDER BY events.date DESC, events.approved_at DESC, events.id DESC LIMIT :limit",
        {"school": school_id, "ann": ANNOUNCEMENT, "class": class_id, "limit": limit}).fetchall()
    return [from_row(r) for r in rows]
