"""Fixtures for the store query tests: a THCS school, the SQL a block runs, the dates and scores they share."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest

from store.school.subjects import Subject
from store.rules.tt22 import SubjectKind

YEAR = "2025-2026"
TODAY = date(2025, 10, 20)
PHONE = "+84912345678"
TOAN = Subject("TOAN", "Toan", SubjectKind.SCORED, 70)      # 3 TX a term
# The digest's news window.
AFTER = "2025-10-20T10:00:00.000Z"
UNTIL = "2025-10-21T10:00:00.000Z"


@contextmanager
def statements(db):
    """Collect every SQL statement (values expanded) run on ``db`` inside the block."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.conn.set_trace_callback(None)


@pytest.fixture
def school(store_builder):
    """A THCS school with terms, a grade-8 subject list, two classes and a family."""
    b = store_builder
    sid = b.school("THCS01")
    b.term(sid, 1, "2025-09-05", "2026-01-15")
    b.term(sid, 2, "2026-01-19", "2026-05-25")
    c8a2 = b.klass(sid, "8A2", grade=8, homeroom_teacher="Tran Thi Lan")
    c8a1 = b.klass(sid, "8A1", grade=8, homeroom_teacher="Le Van Hung")
    for code in ("NN2", "MYTHUAT", "TOAN", "ZZZ", "ABC", "VAN"):
        kind = "nhanxet" if code == "MYTHUAT" else "diem"
        b.subject(sid, code, grade=8, kind=kind, periods=35 if code == "MYTHUAT" else 105)
    return {"id": sid, "8A2": c8a2, "8A1": c8a1}


def full_term(b, student, term=1, value="8", art="D"):
    """Every subject of ``school`` scored ``value`` (the comment subject ``art``) in ``term``."""
    for code in ("TOAN", "VAN", "NN2", "ABC", "ZZZ"):
        b.scores(student, code, [value, value, value, value], value, value, term=term)
    b.scores(student, "MYTHUAT", [art, art], art, art, term=term)
