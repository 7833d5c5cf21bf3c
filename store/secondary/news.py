"""What a school approved in a time window: the evening digest's raw material."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from store.school.events import COLUMNS as EVENT_COLUMNS
from store.school.events import Event, from_row
from store.school.records import Session
from store.rules.tt22 import InvalidScore, Level, Score, parse_score

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradeItem:
    """An approved score; ``corrected`` marks one changed after approval ("sua")."""

    student_id: int
    school_year: str
    term: int
    subject_code: str
    kind: str
    seq: int
    value: Score
    corrected: bool
    approved_at: str


@dataclass(frozen=True)
class CommentItem:
    """An approved teacher comment."""

    student_id: int
    date: date
    subject_code: str
    body: str
    approved_at: str


@dataclass(frozen=True)
class AbsenceItem:
    """An approved absence."""

    student_id: int
    date: date
    session: Session
    excused: bool
    reason: str | None
    approved_at: str


@dataclass(frozen=True)
class ConductItem:
    """An approved conduct rating of a term (or the year, term 0)."""

    student_id: int
    school_year: str
    term: int
    level: Level
    approved_at: str


@dataclass(frozen=True)
class ChildNews:
    """Everything new for one child, each list in a stable order."""

    student_id: int
    grades: tuple[GradeItem, ...] = ()
    comments: tuple[CommentItem, ...] = ()
    absences: tuple[AbsenceItem, ...] = ()
    conduct: tuple[ConductItem, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to tell."""
        return not (self.grades or self.comments or self.absences or self.conduct or self.events)


@dataclass(frozen=True)
class News:
    """A school's approvals in (after, until]: per-student items plus the school's and classes' events."""

    school_id: int
    after: str | None
    until: str
    students: dict[int, ChildNews] = field(default_factory=dict)
    events: tuple[Event, ...] = ()

    def for_child(self, student_id: int, class_id: int | None) -> ChildNews:
        """One child's news with the events of their class and of the whole school."""
        own = self.students.get(student_id, ChildNews(student_id))
        events = tuple(e for e in self.events if e.class_id is None or e.class_id == class_id)
        return ChildNews(student_id, own.grades, own.comments, own.absences, own.conduct, events)


# Each table is read once for the whole school through its approved_at
# index; the students join (by primary key) keeps the school's rows only.
# The window is (after, until]: a digest's cutoff_to is the next one's
# cutoff_from, so an approval is in exactly one digest.
# The unary + on status keeps SQLite on the approved_at index (grades_status
# would walk every approved score ever).
_WINDOW = "{t}.approved_at > :after AND {t}.approved_at <= :until AND +{t}.status = 'approved'"
_OF_SCHOOL = "JOIN students ON students.id = {t}.student_id AND students.school_id = :school"


def _select(table: str, columns: str, order: str) -> str:
    return (f"SELECT {columns} FROM {table} {_OF_SCHOOL.format(t=table)} "
            f"WHERE {_WINDOW.format(t=table)} ORDER BY {order}")


GRADES_SQL = _select(
    "grades", "grades.student_id, grades.school_year, grades.term, grades.subject_code, grades.kind, grades.seq, "
    "grades.value, grades.corrected, grades.approved_at",
    "grades.student_id, grades.school_year, grades.term, grades.subject_code, grades.kind, grades.seq")
COMMENTS_SQL = _select(
    "comments", "comments.student_id, comments.date, comments.subject_code, comments.body, comments.approved_at",
    "comments.student_id, comments.date, comments.id")
ABSENCES_SQL = _select(
    "attendance", "attendance.student_id, attendance.date, attendance.session, attendance.excused, "
    "attendance.reason, attendance.approved_at",
    "attendance.student_id, attendance.date, attendance.session")
CONDUCT_SQL = _select(
    "conduct", "conduct.student_id, conduct.school_year, conduct.term, conduct.rating, conduct.approved_at",
    "conduct.student_id, conduct.school_year, conduct.term")
EVENTS_SQL = (f"SELECT {EVENT_COLUMNS} FROM events WHERE events.school_id = :school AND "
              + _WINDOW.format(t="events") + " ORDER BY events.date, events.id")


# A stored score ('7.5', '8', '10') in tenths of a point as an exact integer ('D'/'CD' are never summed).
GRADE_TENTHS = ("(CASE WHEN instr(value, '.') THEN CAST(replace(value, '.', '') AS INTEGER) "
                "ELSE CAST(value AS INTEGER) * 10 END)")


def approved_between(db: sqlite_utils.Database, school_id: int, after_utc: str | None,
                     until_utc: str) -> News:
    """Every item of the school approved in (after_utc, until_utc]; after None = from the start. Five queries."""
    params = {"school": school_id, "after": after_utc or "", "until": until_utc}
    buckets: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in db.execute(GRADES_SQL, params):
        try:
            value = parse_score(r[6])
        except InvalidScore as e:
            logger.warning("skipping stored score of student %s: %s", r[0], e)
            continue
        buckets[r[0]]["grades"].append(GradeItem(r[0], r[1], r[2], r[3], r[4], r[5], value, bool(r[7]), r[8]))
    for r in db.execute(COMMENTS_SQL, params):
        buckets[r[0]]["comments"].append(CommentItem(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4]))
    for r in db.execute(ABSENCES_SQL, params):
        buckets[r[0]]["absences"].append(
            AbsenceItem(r[0], date.fromisoformat(r[1]), Session(r[2]), bool(r[3]), r[4], r[5]))
    for r in db.execute(CONDUCT_SQL, params):
        buckets[r[0]]["conduct"].append(ConductItem(r[0], r[1], r[2], Level(r[3]), r[4]))
    events = tuple(from_row(r) for r in db.execute(EVENTS_SQL, params))
    students = {
        sid: ChildNews(sid, tuple(b["grades"]), tuple(b["comments"]), tuple(b["absences"]), tuple(b["conduct"]))
        for sid, b in sorted(buckets.items())}
    return News(school_id, after_utc, until_utc, students, events)
