"""Helpers for the review pages' tests on the demo school: a student's ids this year, the messages of one kind."""
from __future__ import annotations

from .builders import this_year as year

TZ = "Asia/Ho_Chi_Minh"


def student(db, code):
    """(student id, class id, school id)."""
    return db.execute("SELECT s.id, e.class_id, s.school_id FROM students s JOIN enrollments e ON e.student_id = s.id "
                      "AND e.school_year = ? WHERE s.code = ?", [year(), code]).fetchone()


def outbox(db, kind):
    return db.execute("SELECT id, phone, body, kind, school_id, student_id, not_before, created_at, state FROM "
                      "messages WHERE kind = ? ORDER BY id", [kind]).fetchall()
