"""A primary school's TT27 approvals in a time window: the evening digest's primary material.

Read like store.secondary.news: each table once for the whole school through its
approved_at index, the window (after, until], only approved rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from store.rules.tt27 import Commendation, Point, QualityLevel, SubjectLevel, YearResult


@dataclass(frozen=True)
class MarkItem:
    """An approved level (and test score, comment) of one subject at one point."""

    point: Point
    subject_code: str
    level: SubjectLevel
    score: int | None
    comment: str | None
    corrected: bool


@dataclass
class PrimaryNews:
    """One pupil's primary news: marks, quality levels by point, the official year-end result."""

    marks: list[MarkItem] = field(default_factory=list)
    qualities: dict[Point, dict[str, QualityLevel]] = field(default_factory=lambda: defaultdict(dict))
    result: tuple[YearResult, Commendation | None] | None = None
    result_provisional: bool = False        # computed for a commendation round's award (tạm tính)
    grade: int | None = None        # the khối of the qualities' year (which qualities it rates)


_WINDOW = "t.approved_at > :after AND t.approved_at <= :until AND +t.status = 'approved'"
_OF_SCHOOL = "JOIN students s ON s.id = t.student_id AND s.school_id = :school"
_MARKS = (f"SELECT t.student_id, t.point, t.subject_code, t.level, t.score, t.comment, t.corrected "
          f"FROM primary_assessments t {_OF_SCHOOL} WHERE {_WINDOW} ORDER BY t.student_id, t.id")
_QUALITIES = (f"SELECT t.student_id, t.point, t.code, t.level, c.grade FROM primary_qualities t {_OF_SCHOOL} "
              "LEFT JOIN enrollments e ON e.student_id = t.student_id AND e.school_year = t.school_year "
              f"LEFT JOIN classes c ON c.id = e.class_id WHERE {_WINDOW} ORDER BY t.student_id")
_RESULTS = (f"SELECT t.student_id, t.result, t.commendation, t.computed FROM primary_results t {_OF_SCHOOL} "
            f"WHERE {_WINDOW}")


def approved_between(db: sqlite_utils.Database, school_id: int, after_utc: str | None,
                     until_utc: str) -> dict[int, PrimaryNews]:
    """Every primary pupil of the school with TT27 rows approved in (after, until]; three queries."""
    params = {"school": school_id, "after": after_utc or "", "until": until_utc}
    out: dict[int, PrimaryNews] = defaultdict(PrimaryNews)
    for sid, point, code, level, score, comment, fixed in db.execute(_MARKS, params):
        out[sid].marks.append(MarkItem(Point(point), code, SubjectLevel(level), score, comment, bool(fixed)))
    for sid, point, code, level, grade in db.execute(_QUALITIES, params):
        out[sid].qualities[Point(point)][code] = QualityLevel(level)
        out[sid].grade = grade
    for sid, result, award, computed in db.execute(_RESULTS, params):
        out[sid].result = (YearResult(result), Commendation(award) if award else None)
        out[sid].result_provisional = bool(computed)
    return dict(out)
