"""GV and NGHI texts for the homeroom teacher, and their answers."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.core.clock import now_iso


def create(db: sqlite_utils.Database, kind: str, *, school_id: int, class_id: int | None, student_id: int,
           guardian_id: int, body: str, inbox_id: int | None = None) -> int:
    """Store a parent's GV / NGHI message; returns its id."""
    cur = db.execute(
        "INSERT INTO teacher_messages (kind, school_id, class_id, student_id, guardian_id, inbox_id, body, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, school_id, class_id, student_id, guardian_id, inbox_id, body, now_iso()])
    return cur.lastrowid


@dataclass(frozen=True)
class TeacherMessage:
    """A GV / NGHI text as staff read it, with the answer when there is one."""

    id: int
    kind: str
    school_id: int
    class_id: int | None
    class_name: str | None
    student_id: int
    student_code: str
    student_name: str
    guardian_id: int
    phone: str
    body: str
    created_at: str
    answer: str | None
    answered_by: str | None
    answered_at: str | None
    answer_message_id: int | None
    connection: str | None     # the connection the parent's text came in on


_COLUMNS = ("SELECT tm.id, tm.kind, tm.school_id, tm.class_id, c.name, tm.student_id, s.code, s.full_name, "
            "tm.guardian_id, g.phone, tm.body, tm.created_at, tm.answer, tm.answered_by, tm.answered_at, "
            "tm.answer_message_id, i.connection FROM teacher_messages tm "
            "JOIN students s ON s.id = tm.student_id JOIN guardians g ON g.id = tm.guardian_id "
            "LEFT JOIN classes c ON c.id = tm.class_id LEFT JOIN inbox i ON i.id = tm.inbox_id ")


def for_staff(db: sqlite_utils.Database, *, school_id: int | None, class_ids=None,
              limit: int = 200) -> list[TeacherMessage]:
    """Messages of ``school_id`` (None: every school), only ``class_ids`` when given; unanswered first, newest first."""
    where, params = ["1"], []
    if school_id is not None:
        where.append("tm.school_id = ?")
        params.append(school_id)
    if class_ids is not None:
        ids = sorted(class_ids)
        where.append(f"tm.class_id IN ({','.join('?' * len(ids))})" if ids else "0")
        params += ids
    rows = db.execute(_COLUMNS + f"WHERE {' AND '.join(where)} "
                      "ORDER BY tm.answered_at IS NOT NULL, tm.created_at DESC, tm.id DESC LIMIT ?",
                      [*params, limit]).fetchall()
    return [TeacherMessage(*r) for r in rows]


def get(db: sqlite_utils.Database, message_id: int) -> TeacherMessage | None:
    """One message by id (the caller checks the scope)."""
    row = db.execute(_COLUMNS + "WHERE tm.id = ?", [message_id]).fetchone()
    return TeacherMessage(*row) if row else None


def still_linked(db: sqlite_utils.Database, guardian_id: int, student_id: int, school_year: str) -> bool:
    """Whether the guardian's number is still linked to the student this school year (a recycled number is not)."""
    return db.execute("SELECT 1 FROM guardian_links WHERE guardian_id = ? AND student_id = ? AND school_year = ? "
                      "AND active = 1", [guardian_id, student_id, school_year]).fetchone() is not None


def record_answer(db: sqlite_utils.Database, message_id: int, *, answer: str, answered_by: str,
                  answer_message_id: int) -> bool:
    """Store the answer of an unanswered message; False when it had been answered meanwhile."""
    cur = db.execute("UPDATE teacher_messages SET answer = ?, answered_by = ?, answered_at = ?, "
                     "answer_message_id = ? WHERE id = ? AND answered_at IS NULL",
                     [answer, answered_by, now_iso(), answer_message_id, message_id])
    return cur.rowcount == 1
