"""Daily notes (nhật ký) of kindergarten classes: the teacher's class day, a child's last note, a week.

A saved class day has a row for every child; a school whose kindergarten notes need no
approval (preschool_settings) has them approved by the teacher's save, else they wait in
the approval queue like grades. A parent reads approved notes only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import transaction
from store.review.status import ReviewStatus

from store.rules.preschool import Amount, Note, Week, week_of

NOTE_COLUMNS = "present, an, ngu, ngu_phut, ve_sinh, suc_khoe, nhac, nhan_xet"


def note_of(row) -> Note:
    """A Note from the NOTE_COLUMNS of a row."""
    present, an, ngu, minutes, ve_sinh, suc_khoe, nhac, nhan_xet = row
    return Note(bool(present), Amount(an), Amount(ngu), minutes, ve_sinh, suc_khoe,
                tuple(p for p in nhac.split(";") if p), nhan_xet)


def _values(note: Note) -> tuple:
    return (int(note.present), note.an.value, note.ngu.value, note.ngu_phut, note.ve_sinh, note.suc_khoe,
            ";".join(note.nhac), note.nhan_xet)


def need_approval(db: sqlite_utils.Database, school_id: int) -> bool:
    """Whether this school's kindergarten notes wait for a reviewer (the default) or reach parents at once."""
    row = db.execute("SELECT notes_need_approval FROM preschool_settings WHERE school_id = ?", [school_id]).fetchone()
    return True if row is None else bool(row[0])


def set_need_approval(db: sqlite_utils.Database, school_id: int, needed: bool) -> None:
    """Set the school's per-school setting (its own transaction)."""
    with transaction(db):
        db.execute("INSERT INTO preschool_settings (school_id, notes_need_approval) VALUES (?, ?) "
                   "ON CONFLICT (school_id) DO UPDATE SET notes_need_approval = excluded.notes_need_approval",
                   [school_id, int(needed)])


@dataclass(frozen=True)
class GridRow:
    """One child of the class grid: the saved note (None: not saved yet, shown as usual) and its status."""

    student_id: int
    code: str
    name: str
    note: Note | None
    status: str | None


def class_day(db: sqlite_utils.Database, class_id: int, school_year: str, day: date) -> list[GridRow]:
    """Every child of the class that year with their note of ``day``, by name."""
    rows = db.execute(
        f"SELECT s.id, s.code, s.full_name, n.id, {', '.join('n.' + c.strip() for c in NOTE_COLUMNS.split(','))}, "
        "n.status FROM enrollments e JOIN students s ON s.id = e.student_id "
        "LEFT JOIN daily_notes n ON n.student_id = s.id AND n.date = ? "
        "WHERE e.class_id = ? AND e.school_year = ? ORDER BY s.given_name_folded, s.full_name",
        [day.isoformat(), class_id, school_year]).fetchall()
    return [GridRow(r[0], r[1], r[2], note_of(r[4:12]) if r[3] is not None else None, r[12]) for r in rows]


def write_note(conn, student_id: int, day: date, note: Note, *, by: str, approved: bool, now: str) -> bool:
    """Insert or update one note inside the caller's transaction; True when something changed."""
    found = conn.execute(f"SELECT id, {NOTE_COLUMNS}, status FROM daily_notes WHERE student_id = ? AND date = ?",
                         (student_id, day.isoformat())).fetchone()
    review = (ReviewStatus.APPROVED.value, by, now) if approved else (ReviewStatus.PENDING.value, None, None)
    if found is None:
        conn.execute(f"INSERT INTO daily_notes (student_id, date, {NOTE_COLUMNS}, status, approved_by, approved_at, "
                     f"entered_by, entered_at) VALUES ({', '.join('?' * 15)})",
                     (student_id, day.isoformat(), *_values(note), *review, by, now))
        return True
    if note_of(found[1:9]) == note and (found[9] == ReviewStatus.APPROVED or not approved):
        return False
    conn.execute(f"UPDATE daily_notes SET {', '.join(c.strip() + ' = ?' for c in NOTE_COLUMNS.split(','))}, "
                 "status = ?, approved_by = ?, approved_at = ?, entered_by = ?, entered_at = ? WHERE id = ?",
                 (*_values(note), *review, by, now, found[0]))
    return True


def save_day(db: sqlite_utils.Database, school_id: int, day: date, notes: dict[int, Note], *, by: str) -> int:
    """Save a class day's notes (already validated) in one transaction; returns how many rows changed."""
    approved = not need_approval(db, school_id)
    now = now_iso()
    with transaction(db) as conn:
        return sum(write_note(conn, sid, day, note, by=by, approved=approved, now=now)
                   for sid, note in sorted(notes.items()))


def latest(db: sqlite_utils.Database, student_id: int, on_or_before: date) -> tuple[date, Note] | None:
    """The child's approved note of ``on_or_before`` or the last school day before it."""
    row = db.execute(f"SELECT date, {NOTE_COLUMNS} FROM daily_notes WHERE student_id = ? AND date <= ? "
                     "AND status = 'approved' ORDER BY date DESC LIMIT 1",
                     [student_id, on_or_before.isoformat()]).fetchone()
    return (date.fromisoformat(row[0]), note_of(row[1:])) if row else None


def week(db: sqlite_utils.Database, student_id: int, day: date) -> Week | None:
    """The child's approved notes of the calendar week of ``day`` up to ``day``, counted."""
    monday = day - timedelta(days=day.weekday())
    rows = db.execute(f"SELECT date, {NOTE_COLUMNS} FROM daily_notes WHERE student_id = ? AND date BETWEEN ? AND ? "
                      "AND status = 'approved'", [student_id, monday.isoformat(), day.isoformat()]).fetchall()
    return week_of({date.fromisoformat(r[0]): note_of(r[1:]) for r in rows})


def recent(db: sqlite_utils.Database, student_id: int, limit: int = 10) -> list[tuple[date, Note]]:
    """The child's last approved notes, newest first (the parents' page)."""
    rows = db.execute(f"SELECT date, {NOTE_COLUMNS} FROM daily_notes WHERE student_id = ? AND status = 'approved' "
                      "ORDER BY date DESC LIMIT ?", [student_id, limit]).fetchall()
    return [(date.fromisoformat(r[0]), note_of(r[1:])) for r in rows]


def approved_between(db: sqlite_utils.Database, school_id: int, after_utc: str | None,
                     until_utc: str) -> dict[int, list[tuple[date, Note]]]:
    """Notes of the school approved in (after, until], per child, oldest first (the digest window)."""
    rows = db.execute(
        f"SELECT n.student_id, n.date, {', '.join('n.' + c.strip() for c in NOTE_COLUMNS.split(','))} "
        "FROM daily_notes n JOIN students s ON s.id = n.student_id WHERE s.school_id = ? AND n.status = 'approved' "
        "AND n.approved_at > ? AND n.approved_at <= ? ORDER BY n.date",
        [school_id, after_utc or "", until_utc]).fetchall()
    out: dict[int, list[tuple[date, Note]]] = {}
    for r in rows:
        out.setdefault(r[0], []).append((date.fromisoformat(r[1]), note_of(r[2:])))
    return out


def school_days(db: sqlite_utils.Database, school_id: int, first: date, last: date) -> set[date]:
    """The days in [first, last] on which the school's classes have notes."""
    rows = db.execute("SELECT DISTINCT n.date FROM daily_notes n JOIN students s ON s.id = n.student_id "
                      "WHERE s.school_id = ? AND n.date BETWEEN ? AND ?",
                      [school_id, first.isoformat(), last.isoformat()]).fetchall()
    return {date.fromisoformat(d) for (d,) in rows}


def absent_days(db: sqlite_utils.Database, student_id: int, first: date, last: date) -> list[date]:
    """The approved school days in [first, last] the child was marked absent (vắng) on the daily note."""
    rows = db.execute("SELECT date FROM daily_notes WHERE student_id = ? AND present = 0 AND status = 'approved' "
                      "AND date BETWEEN ? AND ? ORDER BY date", [student_id, first.isoformat(), last.isoformat()])
    return [date.fromisoformat(d) for (d,) in rows.fetchall()]


def remarks(db: sqlite_utils.Database, student_id: int, limit: int = 3) -> list[tuple[date, str]]:
    """The teacher's latest approved remarks (nhận xét) of the daily notes, newest first."""
    rows = db.execute("SELECT date, nhan_xet FROM daily_notes WHERE student_id = ? AND status = 'approved' "
                      "AND nhan_xet != '' ORDER BY date DESC LIMIT ?", [student_id, limit]).fetchall()
    return [(date.fromisoformat(d), text) for d, text in rows]


def holidays(db: sqlite_utils.Database, school_id: int, first: date, last: date) -> frozenset[date]:
    """The school's whole-school approved holidays (events of kind `nghi`) in [first, last]."""
    rows = db.execute("SELECT date FROM events WHERE school_id = ? AND class_id IS NULL AND kind = 'nghi' "
                      "AND status = 'approved' AND date BETWEEN ? AND ?",
                      [school_id, first.isoformat(), last.isoformat()]).fetchall()
    return frozenset(date.fromisoformat(d) for (d,) in rows)
