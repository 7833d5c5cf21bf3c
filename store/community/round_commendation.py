"""A commendation round's outcome into the year-end result (TT27 art. 15.1b), pending approval like any result.

The homeroom teacher decides per pupil (C: đề cử, K: không) after seeing the
teachers' nominations; each decision becomes the pupil's `primary_results`
row for the school year, status pending, so nothing reaches a guardian until
a reviewer approves it (store.review.approvals). "Học sinh Tiêu biểu" goes
only on a Hoàn thành tốt result: the result already entered (imported,
pending or approved) when there is one, else the one computed from the
approved CN assessments. That row is marked `computed`: the reviewer approves
the award, not an official result, and every reader shows the result as tạm
tính and computes it again (a corrected CN level changes it; the award holds
only while it is Hoàn thành tốt) until an imported result replaces it.
A pupil without a result yet, or with another one, is reported, not written.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.core import audit
from store.core.clock import now_iso
from store.core.connection import atomic
from store.primary import assessments
from store.review.history import remember
from store.review.status import ReviewStatus
from store.rules import tt27
from store.rules.tt27 import Commendation, Point, YearResult
from store.school import levels
from .poll_rules import PollError
from .rounds import LEVELS, Round, RoundKind, pupils

PENDING = ReviewStatus.PENDING.value


@dataclass(frozen=True)
class Outcome:
    """What the decisions did: rows written, and the pupils left alone with why."""

    written: int
    skipped: tuple[tuple[str, str], ...]     # (pupil's name, reason)


def _entered(db, student_id: int, school_year: str):
    """(rowid, result, commendation, status, computed) of the pupil's result row, or None."""
    return db.execute("SELECT rowid, result, commendation, status, computed FROM primary_results WHERE student_id = ? "
                      "AND school_year = ?", [student_id, school_year]).fetchone()


def _computed(db, rnd: Round, grade: int, student_id: int) -> YearResult | None:
    marks = assessments.subject_marks(db, student_id, rnd.school_id, grade, rnd.school_year)
    quals = assessments.qualities(db, student_id, rnd.school_year)
    return assessments.computed_outcome(grade, marks, quals.get(Point.CN, {})).result


def _write(db, rnd: Round, student_id: int, row, result: YearResult, award: Commendation | None, by: str) -> int:
    """Insert or change the pupil's result row to ``award``, pending; 0 when nothing changes."""
    value = award.value if award else None
    if row is None:
        db.execute("INSERT INTO primary_results (student_id, school_year, result, commendation, status, entered_by, "
                   f"entered_at, computed) VALUES (?, ?, ?, ?, '{PENDING}', ?, ?, 1)",
                   [student_id, rnd.school_year, result.value, value, by, now_iso()])
        return 1
    rowid, old_result, old_award, status, computed = row
    if old_award == value:
        return 0
    if status == ReviewStatus.APPROVED.value:      # what parents saw: the reviewer reads old -> new
        remember(db.conn, "primary_results", rowid, {"result": old_result, "commendation": old_award})
    db.execute(f"UPDATE primary_results SET commendation = ?, result = ?, status = '{PENDING}', entered_by = ?, "
               "entered_at = ?, approved_by = NULL, approved_at = NULL WHERE rowid = ?",
               [value, result.value if computed and result else old_result, by, now_iso(), rowid])
    return 1


def _decide(db, rnd: Round, grade: int, student_id: int, level: str, by: str) -> tuple[int, str | None]:
    """One pupil's decision: (rows written, reason it was not written or None)."""
    row = _entered(db, student_id, rnd.school_year)
    result = YearResult(row[1]) if row and not row[4] else _computed(db, rnd, grade, student_id)
    current = Commendation(row[2]) if row and row[2] else None
    if level == "K":
        if current is not Commendation.TIEU_BIEU:
            return 0, None
        return _write(db, rnd, student_id, row, result, None, by), None
    if result is None:
        return 0, "chưa có kết quả cuối năm (thiếu đánh giá CN)"
    if result is YearResult.HTXS:
        return 0, "đã là Học sinh Xuất sắc"
    if not tt27.may_be_tieu_bieu(result):
        return 0, f"kết quả {result.label}: Học sinh Tiêu biểu cần Hoàn thành tốt"
    return _write(db, rnd, student_id, row, result, Commendation.TIEU_BIEU, by), None


def to_commendation(db: sqlite_utils.Database, rnd: Round, decisions: dict[int, str], *, by: str) -> Outcome:
    """The homeroom teacher's decisions (student id -> C or K) as pending year-end results; audited."""
    if rnd.kind is not RoundKind.COMMENDATION:
        raise PollError("chỉ phiếu học sinh tiêu biểu ghi vào khen thưởng")
    grade, class_name = db.execute("SELECT grade, name FROM classes WHERE id = ?", [rnd.class_id]).fetchone()
    if not levels.is_primary(grade):
        raise PollError("khen thưởng Học sinh Tiêu biểu chỉ dành cho lớp tiểu học")
    names = {p.student_id: p.full_name for p in pupils(db, rnd.class_id, rnd.school_year)}
    written, skipped = 0, []
    with atomic(db):
        for sid, level in decisions.items():
            if sid not in names:
                raise PollError(f"học sinh mã số {sid} không thuộc lớp {class_name} năm học {rnd.school_year}")
            if level not in LEVELS[RoundKind.COMMENDATION]:
                raise PollError(f"mức “{level}” không hợp lệ cho {names[sid]}")
            n, why = _decide(db, rnd, grade, sid, level, by)
            written += n
            if why:
                skipped.append((names[sid], why))
        audit.record(db, by, "round:to-commendation", school_id=rnd.school_id, round=rnd.id, rows=written,
                     skipped=len(skipped))
    return Outcome(written, tuple(skipped))
