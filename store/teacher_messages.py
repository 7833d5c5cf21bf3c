"""GV and NGHI texts for the homeroom teacher, and their answers."""
from __future__ import annotations

import sqlite_utils

from .clock import now_iso


def create(db: sqlite_utils.Database, kind: str, *, school_id: int, class_id: int | None, student_id: int,
           guardian_id: int, body: str, inbox_id: int | None = None) -> int:
    """Store a parent's GV / NGHI message; returns its id."""
    cur = db.execute(
        "INSERT INTO teacher_messages (kind, school_id, class_id, student_id, guardian_id, inbox_id, body, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, school_id, class_id, student_id, guardian_id, inbox_id, body, now_iso()])
    return cur.lastrowid
