"""The coordinator's daily round (SPEC §12): per class, what was entered today and what still waits for approval."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from store.core.clock import iso, school_year_of

# What is entered per student (table -> label), then the class's own events.
KINDS = {"grades": "Điểm", "conduct": "Rèn luyện", "attendance": "Chuyên cần", "comments": "Nhận xét",
         "events": "Sự kiện"}


@dataclass
class ClassRound:
    """One class's day: rows entered today and rows pending, per kind."""

    class_id: int
    name: str
    homeroom: str | None
    entered: dict[str, int] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)

    @property
    def entered_total(self) -> int:
        return sum(self.entered.values())

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


def _bounds(day: date, tz: str) -> tuple[str, str]:
    start = datetime.combine(day, time(0), ZoneInfo(tz))
    return iso(start), iso(start + timedelta(days=1))


def daily(db: sqlite_utils.Database, school_id: int, day: date, tz: str, *,
          class_ids: Collection[int] | None = None) -> list[ClassRound]:
    """Every class of the school year (only ``class_ids`` when given), by grade and name."""
    year = school_year_of(day)
    lo, hi = _bounds(day, tz)
    rounds = {cid: ClassRound(cid, name, homeroom) for cid, name, homeroom in db.execute(
        "SELECT id, name, homeroom_teacher FROM classes WHERE school_id = ? AND school_year = ? ORDER BY grade, name",
        [school_id, year]) if class_ids is None or cid in class_ids}
    params = {"school": school_id, "year": year, "lo": lo, "hi": hi}
    for table in KINDS:
        if table == "events":
            sql = ("SELECT class_id, sum(entered_at >= :lo AND entered_at < :hi), sum(status = 'pending') "
                   "FROM events WHERE school_id = :school AND class_id IS NOT NULL GROUP BY class_id")
        else:
            sql = (f"SELECT e.class_id, sum(t.entered_at >= :lo AND t.entered_at < :hi), sum(t.status = 'pending') "
                   f"FROM {table} t JOIN enrollments e ON e.student_id = t.student_id AND e.school_year = :year "
                   "JOIN classes c ON c.id = e.class_id WHERE c.school_id = :school GROUP BY e.class_id")
        for cid, entered, pending in db.execute(sql, params):
            if cid in rounds:
                if entered:
                    rounds[cid].entered[table] = entered
                if pending:
                    rounds[cid].pending[table] = pending
    return list(rounds.values())
