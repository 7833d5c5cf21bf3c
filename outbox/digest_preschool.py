"""The kindergarten lines of the evening digest: the day's note only when it was not as usual, the week's
line on the week's last school day, a new measurement.

The digest builder asks a source for each child's extra lines; this one reads
store.preschool once per run (three queries for the whole school). The week's line
goes with the digest that carries the week's last school day's notes (Friday, a
later day with notes, or the day before the school's holidays `nghi` to Friday), so a
week approved late still gets it once.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlite_utils

from store.preschool import measurements, notes
from store.rules.preschool import Note, Week, is_last_school_day, week_of

from .templating import fmt_date


@dataclass
class PreschoolSource:
    """The kindergarten news of one school and window; ``lines(student_id)`` gives a child's digest lines."""

    by_student: dict[int, list[tuple[date, Note]]]
    weeks: dict[int, Week] = field(default_factory=dict)
    measured: dict[int, measurements.Measured] = field(default_factory=dict)

    def students(self) -> set[int]:
        """The children with a note, a week line or a measurement in the window (any other has no lines)."""
        return set(self.by_student) | set(self.weeks) | set(self.measured)

    def lines(self, student_id: int) -> list[str]:
        """'Nhật ký 14/3: ăn ít; nhắc mang: bỉm/tã', 'Tuần 10-14/3: đi học 5/5, …', 'Cân đo 14/3: 15,2 kg, 101 cm'."""
        out = [f"Nhật ký {fmt_date(day)}: {note.line()}" for day, note in self.by_student.get(student_id, ())
               if not note.is_usual()]
        if student_id in self.weeks:
            out.append(self.weeks[student_id].line())
        m = self.measured.get(student_id)
        if m is not None:
            w, h = (f"{x:g}".replace(".", ",") for x in (m.weight_kg, m.height_cm))
            out.append(f"Cân đo {fmt_date(m.date)}: {w} kg, {h} cm (nhắn CAN)")
        return out

    def summary(self, student_id: int) -> str:
        """The same in a few words when the detail would not fit one part: the first line, the rest counted."""
        lines = self.lines(student_id)
        return lines[0] + (f" (+{len(lines) - 1})" if len(lines) > 1 else "") if lines else ""


def _weeks(db: sqlite_utils.Database, school_id: int, window: dict[int, list[tuple[date, Note]]]) -> dict[int, Week]:
    """The week line of each child whose notes in the window include the week's last school day."""
    days = {d for items in window.values() for d, _ in items}
    if not days:
        return {}
    first, last = min(days) - timedelta(days=6), max(days) + timedelta(days=6)
    school_days = notes.school_days(db, school_id, first, last)
    holidays = notes.holidays(db, school_id, first, last)
    closing = {d for d in days if is_last_school_day(d, school_days, holidays)}
    if not closing:
        return {}
    rows = db.execute(
        f"SELECT n.student_id, n.date, {notes.NOTE_COLUMNS} FROM daily_notes n JOIN students s ON s.id = n.student_id "
        "WHERE s.school_id = ? AND n.status = 'approved' AND n.date BETWEEN ? AND ?",
        [school_id, (min(closing) - timedelta(days=6)).isoformat(), max(closing).isoformat()]).fetchall()
    by: dict[int, dict[date, Note]] = defaultdict(dict)
    for sid, day, *cols in rows:
        by[sid][date.fromisoformat(day)] = notes.note_of(cols)
    out = {}
    for sid, items in window.items():
        ends = [d for d, _ in items if d in closing]
        if ends:
            end = max(ends)
            monday = end - timedelta(days=end.weekday())
            week = week_of({d: n for d, n in by[sid].items() if monday <= d <= end})
            if week is not None:
                out[sid] = week
    return out


def source(db: sqlite_utils.Database, school_id: int, after_utc: str | None, until_utc: str) -> PreschoolSource:
    """The kindergarten digest source of one run."""
    window = notes.approved_between(db, school_id, after_utc, until_utc)
    measured = {sid: m for sid in measurements.measured_between(db, school_id, after_utc, until_utc)
                if (m := measurements.latest(db, sid)) is not None}
    return PreschoolSource(window, _weeks(db, school_id, window), measured)
