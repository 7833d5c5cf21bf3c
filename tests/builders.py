"""Small builders and look-ups several test files share (one copy, instead of one per file).

The row builder of the hand-made school is `tests.fixtures_store.Builder`;
these are for tests that work on the imported demo school.
"""
from __future__ import annotations

from store.review import approvals
from store.core.clock import local_today, now_iso, school_year_of

TZ = "Asia/Ho_Chi_Minh"


def school_id(db, code: str = "THCS-DD") -> int:
    """The id of the school with ``code``."""
    return db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()[0]


def approve_all(db, *, actor: str = "rv.dd", school: str | None = "THCS-DD",
                kind: str | None = None, tz: str = TZ) -> int:
    """Approve every pending group (of ``school``; None: every school; of the review spec named ``kind`` only when given)."""
    sid = school_id(db, school) if school is not None else None
    keys = [g.key for g in approvals.pending_groups(db, tz, school_id=sid) if kind is None or g.key.kind.name == kind]
    return approvals.approve(db, keys, actor=actor, tz=tz, school_id=sid)


def this_year() -> str:
    """The school year of today (in Hà Nội), the one the demo school is generated for."""
    return school_year_of(local_today(TZ))


def insert_grade(db, student: int, subject: str, year: str, term: int, kind: str, seq: int, value: str,
                 status: str = "approved", **columns) -> int:
    """One score row written straight into `grades` (replacing the one at the same place); returns its id.

    ``columns``: any other column of the row (entered_by, approved_at, corrected, date...).
    """
    row = {"student_id": student, "subject_code": subject, "school_year": year, "term": term, "kind": kind,
           "seq": seq, "value": value, "status": status, "entered_at": now_iso(), **columns}
    return db.execute(f"INSERT OR REPLACE INTO grades ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                      list(row.values())).lastrowid


def add_scores(db, student: int, year: str, subject: str, term: int, tx, gk=None, ck=None, **columns) -> None:
    """A term's TX list plus GK and CK of one subject (``columns`` as for insert_grade)."""
    rows = [("TX", i + 1, v) for i, v in enumerate(tx)] + ([("GK", 1, gk)] if gk else []) + \
           ([("CK", 1, ck)] if ck else [])
    for kind, seq, value in rows:
        insert_grade(db, student, subject, year, term, kind, seq, value, **columns)


def approved_by(login: str = "test") -> dict:
    """The approval columns of a row approved now by ``login``."""
    return {"approved_by": login, "approved_at": now_iso()}
