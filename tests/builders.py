"""Small builders and look-ups several test files share (one copy, instead of one per file).

The row builder of the hand-made school is `tests.fixtures_store.Builder`;
these are for tests that work on the imported demo school.
"""
from __future__ import annotations

from store import approvals
from store.clock import now_iso

TZ = "Asia/Ho_Chi_Minh"


def school_id(db, code: str = "THCS-DD") -> int:
    """The id of the school with ``code``."""
    return db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()[0]


def approve_all(db, *, actor: str = "rv.dd", school: str | None = "THCS-DD",
                kind: approvals.Kind | None = None, tz: str = TZ) -> int:
    """Approve every pending group (of ``school``; None: every school; of ``kind`` only when given)."""
    sid = school_id(db, school) if school is not None else None
    keys = [g.key for g in approvals.pending_groups(db, tz, school_id=sid) if kind is None or g.key.kind is kind]
    return approvals.approve(db, keys, actor=actor, tz=tz, school_id=sid)


def insert_grade(db, student: int, subject: str, year: str, term: int, kind: str, seq: int, value: str,
                 status: str = "approved") -> None:
    """One score row written straight into `grades` (replacing the one at the same place)."""
    db.execute("INSERT OR REPLACE INTO grades (student_id, subject_code, school_year, term, kind, seq, value, status, "
               "entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [student, subject, year, term, kind, seq, value, status, now_iso()])
