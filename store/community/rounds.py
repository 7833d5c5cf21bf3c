"""Teacher rounds (phiếu bình xét, SPEC §13): a homeroom teacher asks the class's teachers about each pupil.

Who votes follows the teaching assignment in force (store.school.assignments);
results are for the homeroom teacher and the school's leaders only; the
outcome goes into the conduct entry as pending rows, approved like any grade.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import Enum

import sqlite_utils

from store.core import audit
from store.core.clock import now_iso
from store.core.connection import atomic
from store.review.status import ReviewStatus
from store.school import assignments, levels
from .poll_rules import PollError


class RoundKind(str, Enum):
    CONDUCT = "conduct"              # TT22 Điều 19.3: subject teachers' view of conduct
    COMMENDATION = "commendation"    # TT27 Art. 13: "Học sinh Tiêu biểu" nominations


class RoundStatus(str, Enum):
    OPEN = "open"
    CLOSED = "closed"


LEVELS: dict[RoundKind, dict[str, str]] = {
    RoundKind.CONDUCT: {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt"},
    RoundKind.COMMENDATION: {"C": "Đề cử", "K": "Không"},
}
KIND_LABELS = {RoundKind.CONDUCT: "rèn luyện", RoundKind.COMMENDATION: "học sinh tiêu biểu"}


@dataclass(frozen=True)
class Round:
    id: int
    school_id: int
    class_id: int
    class_name: str
    school_year: str
    term: int
    kind: RoundKind
    status: RoundStatus
    opened_by: int
    opened_at: str

    @property
    def label(self) -> str:
        return f"Phiếu {KIND_LABELS[self.kind]} lớp {self.class_name} HK{self.term}"


@dataclass(frozen=True)
class Pupil:
    number: int          # stt in the class list (what PB texts)
    student_id: int
    full_name: str


_SQL = ("SELECT r.id, r.school_id, r.class_id, c.name, r.school_year, r.term, r.kind, r.status, r.opened_by, "
        "r.opened_at FROM rounds r JOIN classes c ON c.id = r.class_id ")


def _round(row) -> Round:
    return Round(*row[:6], RoundKind(row[6]), RoundStatus(row[7]), row[8], row[9])


def get(db: sqlite_utils.Database, round_id: int) -> Round | None:
    row = db.execute(_SQL + "WHERE r.id = ?", [round_id]).fetchone()
    return _round(row) if row else None


def pupils(db: sqlite_utils.Database, class_id: int, school_year: str) -> list[Pupil]:
    """The class list in its usual order (given name, then full name): stt 1, 2, …"""
    rows = db.execute("SELECT s.id, s.full_name FROM enrollments e JOIN students s ON s.id = e.student_id "
                      "WHERE e.class_id = ? AND e.school_year = ? ORDER BY s.given_name_folded, s.full_name, s.code",
                      [class_id, school_year]).fetchall()
    return [Pupil(n, sid, name) for n, (sid, name) in enumerate(rows, 1)]


def teachers(db: sqlite_utils.Database, class_id: int, school_id: int, today: date) -> dict[int, str]:
    """staff id -> name of everyone assigned to the class in the assignment in force (homeroom included)."""
    key = assignments.in_force(db, school_id, today)
    if key is None:
        return {}
    return dict(db.execute(
        "SELECT DISTINCT st.id, st.full_name FROM teaching_assignments t JOIN staff st ON st.id = t.staff_id "
        "WHERE t.class_id = ? AND t.school_year = ? AND t.term = ? AND t.active = 1 AND st.active = 1 "
        "ORDER BY st.full_name", [class_id, *key]).fetchall())


def homeroom_classes(db: sqlite_utils.Database, user_id: int, school_id: int, today: date) -> list[tuple[int, str]]:
    """(class id, name) of the classes whose homeroom teacher the account is, by the assignment in force."""
    key = assignments.in_force(db, school_id, today)
    if key is None:
        return []
    return [tuple(r) for r in db.execute(
        "SELECT DISTINCT c.id, c.name FROM teaching_assignments t JOIN staff st ON st.id = t.staff_id "
        "JOIN classes c ON c.id = t.class_id WHERE st.user_id = ? AND t.school_year = ? AND t.term = ? "
        "AND t.homeroom = 1 AND t.active = 1 ORDER BY c.name", [user_id, *key])]


def open_round(db: sqlite_utils.Database, *, school_id: int, class_id: int, school_year: str, term: int,
               kind: RoundKind, user_id: int, by: str) -> int:
    """A new open round (one open round per class and kind; conduct for TT22 classes, commendation for primary
    ones); its id."""
    grade = db.execute("SELECT grade FROM classes WHERE id = ?", [class_id]).fetchone()[0]
    if kind is RoundKind.COMMENDATION and not levels.is_primary(grade):
        raise PollError("phiếu học sinh tiêu biểu (TT27) chỉ dành cho lớp tiểu học")
    if kind is RoundKind.CONDUCT and levels.scheme_of(grade) is not levels.Scheme.TT22:
        raise PollError("phiếu rèn luyện (TT22) chỉ dành cho lớp THCS, THPT")
    if db.execute("SELECT 1 FROM rounds WHERE class_id = ? AND kind = ? AND status = 'open'",
                  [class_id, kind.value]).fetchone():
        raise PollError("lớp này đang có một phiếu cùng loại chưa đóng")
    with atomic(db):
        rid = db.execute("INSERT INTO rounds (school_id, class_id, school_year, term, kind, status, opened_by, "
                         "opened_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
                         [school_id, class_id, school_year, term, kind.value, user_id, now_iso()]).lastrowid
        audit.record(db, by, "round:open", school_id=school_id, round=rid, class_id=class_id, kind=kind.value)
    return rid


def vote(db: sqlite_utils.Database, rnd: Round, staff_id: int, student_id: int, level: str, *,
         source: str) -> None:
    """One teacher's level for one pupil (replaced while the round is open)."""
    if rnd.status is not RoundStatus.OPEN:
        raise PollError("phiếu đã đóng")
    if level not in LEVELS[rnd.kind]:
        raise PollError(f"mức “{level}” không có; dùng {', '.join(LEVELS[rnd.kind])}")
    db.execute("INSERT INTO round_votes (round_id, staff_id, student_id, level, source, at) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (round_id, staff_id, student_id) DO UPDATE SET level = excluded.level, "
               "source = excluded.source, at = excluded.at", [rnd.id, staff_id, student_id, level, source, now_iso()])


def votes_of(db: sqlite_utils.Database, round_id: int, staff_id: int) -> dict[int, str]:
    """student id -> level this teacher gave."""
    return dict(db.execute("SELECT student_id, level FROM round_votes WHERE round_id = ? AND staff_id = ?",
                           [round_id, staff_id]).fetchall())


def tally(db: sqlite_utils.Database, round_id: int) -> dict[int, Counter]:
    """student id -> Counter of levels."""
    out: dict[int, Counter] = {}
    for sid, level, n in db.execute("SELECT student_id, level, COUNT(*) FROM round_votes WHERE round_id = ? "
                                    "GROUP BY student_id, level", [round_id]):
        out.setdefault(sid, Counter())[level] = n
    return out


def voted(db: sqlite_utils.Database, round_id: int) -> set[int]:
    """Staff ids who gave at least one level."""
    return {r[0] for r in db.execute("SELECT DISTINCT staff_id FROM round_votes WHERE round_id = ?", [round_id])}


def close(db: sqlite_utils.Database, rnd: Round, *, by: str) -> None:
    """OPEN → CLOSED (audited)."""
    if rnd.status is not RoundStatus.OPEN:
        raise PollError("phiếu đã đóng")
    with atomic(db):
        db.execute("UPDATE rounds SET status = 'closed', closed_at = ? WHERE id = ?", [now_iso(), rnd.id])
        audit.record(db, by, "round:close", school_id=rnd.school_id, round=rnd.id)


def to_conduct(db: sqlite_utils.Database, rnd: Round, decisions: dict[int, str], *, by: str) -> int:
    """The homeroom teacher's final ratings as pending conduct rows of the term (approved like any grade).

    A rating that changes an approved one goes back to pending; an unchanged one is left alone. Returns the
    number of rows written.
    """
    if rnd.kind is not RoundKind.CONDUCT:
        raise PollError("chỉ phiếu rèn luyện ghi vào rèn luyện")
    class_pupils = {p.student_id for p in pupils(db, rnd.class_id, rnd.school_year)}
    written = 0
    PENDING = ReviewStatus.PENDING.value     # a changed rating waits for the reviewer again
    with atomic(db):
        for sid, level in decisions.items():
            if sid not in class_pupils or level not in LEVELS[RoundKind.CONDUCT]:
                raise PollError(f"mức “{level}” không hợp lệ")
            cur = db.execute(
                "INSERT INTO conduct (student_id, school_year, term, rating, status, entered_by, entered_at) "
                f"VALUES (?, ?, ?, ?, '{PENDING}', ?, ?) ON CONFLICT (student_id, school_year, term) DO UPDATE SET "
                f"rating = excluded.rating, status = '{PENDING}', entered_by = excluded.entered_by, "
                "entered_at = excluded.entered_at, approved_by = NULL, approved_at = NULL "
                "WHERE conduct.rating != excluded.rating",
                [sid, rnd.school_year, rnd.term, level, by, now_iso()])
            written += cur.rowcount
        audit.record(db, by, "round:to-conduct", school_id=rnd.school_id, round=rnd.id, rows=written)
    return written


def open_for_teacher(db: sqlite_utils.Database, staff_id: int, class_name: str, today: date) -> list[Round]:
    """Open rounds of the named class (this school year) that this staff member is asked to answer."""
    rows = db.execute(_SQL + "JOIN staff st ON st.id = ? AND st.school_id = r.school_id "
                      "WHERE r.status = 'open' AND upper(c.name) = upper(?) ORDER BY r.id DESC",
                      [staff_id, class_name]).fetchall()
    found = [_round(r) for r in rows]
    return [r for r in found if staff_id in teachers(db, r.class_id, r.school_id, today)]
