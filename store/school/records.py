"""A student's approved absences and teacher comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

import sqlite_utils

from store.school import terms as terms_mod
from store.rules.periods import Semester


class Session(str, Enum):
    """Which part of the day an absence covers (attendance.session)."""

    MORNING = "S"    # sáng
    AFTERNOON = "C"  # chiều
    DAY = "N"        # cả ngày


@dataclass(frozen=True)
class Absence:
    """One approved absence."""

    date: date
    session: Session
    excused: bool
    reason: str | None


@dataclass(frozen=True)
class Absences:
    """Absences of a period with the counts of records with and without permission."""

    start: date
    end: date
    items: tuple[Absence, ...]

    @property
    def excused(self) -> int:
        """Number of absences with permission (có phép)."""
        return sum(1 for a in self.items if a.excused)

    @property
    def unexcused(self) -> int:
        """Number of absences without permission (không phép)."""
        return sum(1 for a in self.items if not a.excused)


@dataclass(frozen=True)
class Comment:
    """One approved teacher comment; subject_code '' is the homeroom teacher's."""

    date: date
    subject_code: str
    body: str


def absences(db: sqlite_utils.Database, student_id: int, school_year: str, term: int | None = None,
             start: date | None = None, end: date | None = None) -> Absences:
    """Approved absences in [start, end], by default the term's (0 = year) or the whole school year's dates."""
    if start is None or end is None:
        row = db.execute("SELECT school_id FROM students WHERE id = ?", [student_id]).fetchone()
        school_id = row[0] if row else 0
        term_start, term_end = terms_mod.term_dates(db, school_id, school_year,
                                                    Semester.YEAR if term is None else term)
        start = start or term_start
        end = end or term_end
    rows = db.execute(
        "SELECT attendance.date, attendance.session, attendance.excused, attendance.reason FROM attendance "
        "WHERE attendance.student_id = ? AND attendance.date BETWEEN ? AND ? AND attendance.status = 'approved' "
        "ORDER BY attendance.date, CASE attendance.session WHEN 'S' THEN 0 WHEN 'C' THEN 1 ELSE 2 END",
        [student_id, start.isoformat(), end.isoformat()]).fetchall()
    items = tuple(Absence(date.fromisoformat(d), Session(s), bool(x), r) for d, s, x, r in rows)
    return Absences(start, end, items)


def latest_comments(db: sqlite_utils.Database, student_id: int, limit: int = 3) -> list[Comment]:
    """The latest approved comments, newest first."""
    rows = db.execute(
        "SELECT comments.date, comments.subject_code, comments.body FROM comments "
        "WHERE comments.student_id = ? AND comments.status = 'approved' "
        "ORDER BY comments.date DESC, comments.id DESC LIMIT ?", [student_id, limit]).fetchall()
    return [Comment(date.fromisoformat(d), s, b) for d, s, b in rows]
