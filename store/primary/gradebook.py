"""A primary class's book for one subject and point, as a teacher enters it on the web (TT27 form).

    book = load(db, choice, subject, point, year)       # every pupil: level, test score, comment
    saved = save(db, choice, subject, point, year, edits, login=...)

A row is a level (T/H/C), a periodic test score where TT27 holds one
(store.rules.tt27) and a comment. Rows are validated exactly as the
danhgia import validates them and written with its write (pending, entered
by the teacher; a changed approved level or score is marked "sửa"). One bad
row refuses the whole save (EntryRejected lists every problem).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import transaction
from store.imports.entry import ClassChoice, EntryContext, EntryRejected, Problem
from ..imports import primary as primary_import
from ..imports.base import Outcome, Student
from ..imports.errors import RowRejected
from store.school.subjects import Subject
from store.rules import tt27
from store.rules.tt27 import Point

MAX_COMMENT = 1000


@dataclass(frozen=True)
class PupilRow:
    """One enrolled pupil's stored level, score and comment at the point (None: nothing yet)."""

    student_id: int
    code: str
    name: str
    level: str | None
    score: int | None
    comment: str | None
    status: str | None
    corrected: bool

    @property
    def pending(self) -> bool:
        return self.status == "pending"


@dataclass(frozen=True)
class PointBook:
    """The book of a class, subject and point; ``test`` says whether TT27 holds a test there."""

    choice: ClassChoice
    subject: Subject
    school_year: str
    point: Point
    test: tt27.PeriodicTest
    rows: list[PupilRow]


@dataclass(frozen=True)
class RowEdit:
    """What the form sent for one pupil: level, score, comment (as typed)."""

    level: str
    score: str
    comment: str


def _not_in_class(choice: ClassChoice, school_year: str) -> str:
    return f"không học lớp {choice.name} năm học {school_year} (tải lại trang)"


def _pupils(db, class_id: int, school_year: str) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in db.execute(
        "SELECT s.id, s.code, s.full_name FROM enrollments e JOIN students s ON s.id = e.student_id "
        "WHERE e.class_id = ? AND e.school_year = ? ORDER BY s.given_name_folded, s.full_name, s.code",
        [class_id, school_year])]


def load(db: sqlite_utils.Database, choice: ClassChoice, subject: Subject, point: Point,
         school_year: str) -> PointBook:
    """Every pupil of the class with the subject's stored row at ``point`` (pending ones too)."""
    stored = {r[0]: r[1:] for r in db.execute(
        "SELECT a.student_id, a.level, a.score, a.comment, a.status, a.corrected FROM primary_assessments a "
        "JOIN enrollments e ON e.student_id = a.student_id AND e.school_year = a.school_year "
        "WHERE e.class_id = ? AND a.subject_code = ? AND a.school_year = ? AND a.point = ?",
        [choice.id, subject.code, school_year, point.value])}
    rows = []
    for sid, code, name in _pupils(db, choice.id, school_year):
        s = stored.get(sid)
        rows.append(PupilRow(sid, code, name, *(s[:4] if s else (None, None, None, None)),
                             bool(s[4]) if s else False))
    return PointBook(choice, subject, school_year, point, tt27.periodic_test(subject.code, choice.grade, point), rows)


def save(db: sqlite_utils.Database, choice: ClassChoice, subject: Subject, point: Point, school_year: str,
         edits: Mapping[int, RowEdit], *, login: str) -> int:
    """Write the changed rows in one transaction; returns how many changed; EntryRejected writes nothing."""
    with transaction(db):
        pupils = {sid: (code, name) for sid, code, name in _pupils(db, choice.id, school_year)}
        problems, ops = [], []
        for sid, edit in sorted(edits.items(), key=lambda e: list(pupils).index(e[0]) if e[0] in pupils else 1e9):
            code, name = pupils.get(sid, ("?", "?"))
            if sid not in pupils:
                problems.append(Problem(code, name, "học sinh", str(sid), _not_in_class(choice, school_year)))
                continue
            level, score, comment = edit.level.strip(), edit.score.strip(), " ".join(edit.comment.split())
            if not (level or score or comment):
                continue
            if len(comment) > MAX_COMMENT:
                problems.append(Problem(code, name, "nhận xét", comment[:40] + "…",
                                        f"nhận xét dài {len(comment)} ký tự, quá {MAX_COMMENT} ký tự (rút gọn lại)"))
                continue
            pupil = Student(sid, code, choice.school_id, choice.school_code, choice.id, choice.grade)
            try:
                values = primary_import.subject_values(pupil, subject.code, point, level, score)
            except RowRejected as e:
                problems.append(Problem(code, name, "mức / điểm", f"{level} {score}".strip(), e.reason))
                continue
            ops.append(primary_import.assessment_op(pupil, school_year, point, subject.code, values,
                                                     comment or None))
        if problems:
            raise EntryRejected(problems)
        ctx = EntryContext(conn=db.conn, file_name="", now=now_iso(), login=login)
        return sum(1 for op in ops if primary_import.write(ctx, op) is not Outcome.UNCHANGED)


@dataclass(frozen=True)
class QualityBook:
    """A class's qualities and competences at a point: every pupil's stored level (and status) per rated code."""

    choice: ClassChoice
    school_year: str
    point: Point
    codes: tuple[str, ...]
    rows: list[tuple[int, str, str, dict[str, tuple[str, str]]]]    # (id, code, name, {quality: (level, status)})


def load_qualities(db: sqlite_utils.Database, choice: ClassChoice, point: Point, school_year: str) -> QualityBook:
    """Every pupil of the class with their stored quality levels at ``point`` (pending ones too)."""
    stored: dict[int, dict[str, tuple[str, str]]] = {}
    for sid, code, level, status in db.execute(
            "SELECT q.student_id, q.code, q.level, q.status FROM primary_qualities q JOIN enrollments e "
            "ON e.student_id = q.student_id AND e.school_year = q.school_year WHERE e.class_id = ? "
            "AND q.school_year = ? AND q.point = ?", [choice.id, school_year, point.value]):
        stored.setdefault(sid, {})[code] = (level, status)
    rows = [(sid, code, name, stored.get(sid, {})) for sid, code, name in _pupils(db, choice.id, school_year)]
    return QualityBook(choice, school_year, point, tt27.rated_qualities(choice.grade), rows)


def save_qualities(db: sqlite_utils.Database, choice: ClassChoice, point: Point, school_year: str,
                   levels: Mapping[tuple[int, str], str], *, login: str) -> int:
    """Write the typed quality levels ((pupil id, code) -> 'T'/'Đ'/'C') in one transaction; EntryRejected else."""
    with transaction(db):
        pupils = {sid: (code, name) for sid, code, name in _pupils(db, choice.id, school_year)}
        problems, ops = [], []
        for (sid, code), typed in sorted(levels.items()):
            if not typed.strip():
                continue
            who = pupils.get(sid, ("?", "?"))
            if sid not in pupils:
                problems.append(Problem(*who, code, typed, _not_in_class(choice, school_year)))
                continue
            pupil = Student(sid, who[0], choice.school_id, choice.school_code, choice.id, choice.grade)
            try:
                quality = primary_import.quality_code(pupil, code)
                ops.append(primary_import.quality_op(pupil, school_year, point, quality,
                                                     primary_import.quality_level(quality, typed)))
            except RowRejected as e:
                problems.append(Problem(*who, tt27.quality_name(code), typed, e.reason))
        if problems:
            raise EntryRejected(problems)
        ctx = EntryContext(conn=db.conn, file_name="", now=now_iso(), login=login)
        return sum(1 for op in ops if primary_import.write(ctx, op) is not Outcome.UNCHANGED)
