"""A primary pupil's approved TT27 assessments: levels, test scores and comments per point, qualities, the year.

Only approved rows are read (nothing pending reaches a parent). Nothing here
averages across subjects or compares pupils: every function takes one
student and returns that student's levels.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import sqlite_utils

from store.school import subjects as subjects_mod
from store.school.subjects import Subject
from store.rules import tt27
from store.rules.tt27 import Commendation, Point, QualityLevel, SubjectLevel, YearInputs, YearResult


@dataclass(frozen=True)
class Mark:
    """One subject at one point: its level, test score (where held) and comment."""

    point: Point
    level: SubjectLevel
    score: int | None
    comment: str | None
    corrected: bool


@dataclass(frozen=True)
class SubjectMarks:
    """A subject of the pupil's grade with its approved marks by point."""

    subject: Subject
    marks: dict[Point, Mark]

    def at(self, point: Point) -> Mark | None:
        """The mark at ``point``, or None when not assessed (or not approved) yet."""
        return self.marks.get(Point(point))


@dataclass(frozen=True)
class YearOutcome:
    """The year-end result: official (imported, approved) or computed ("tạm tính"), with its reason."""

    result: YearResult | None
    provisional: bool
    commendation: Commendation | None
    reason: str                 # why not the next level up ('' when official or at the top)
    missing: tuple[str, ...]    # what is not in yet, when no result can be computed


_MARKS_SQL = ("SELECT subject_code, point, level, score, comment, corrected FROM primary_assessments "
              "WHERE student_id = ? AND school_year = ? AND status = 'approved'")


def subject_marks(db: sqlite_utils.Database, student_id: int, school_id: int, grade: int,
                  school_year: str) -> list[SubjectMarks]:
    """Every subject of the grade, in report-card order, with its approved marks at each point. Two queries."""
    by_subject: dict[str, dict[Point, Mark]] = defaultdict(dict)
    for code, point, level, score, comment, fixed in db.execute(_MARKS_SQL, [student_id, school_year]):
        by_subject[code][Point(point)] = Mark(Point(point), SubjectLevel(level), score, comment, bool(fixed))
    return [SubjectMarks(s, by_subject.get(s.code, {})) for s in subjects_mod.for_grade(db, school_id, grade)]


def qualities(db: sqlite_utils.Database, student_id: int, school_year: str) -> dict[Point, dict[str, QualityLevel]]:
    """Approved quality and competence levels by point, each in report order."""
    out: dict[Point, dict[str, QualityLevel]] = defaultdict(dict)
    rows = db.execute("SELECT point, code, level FROM primary_qualities WHERE student_id = ? AND school_year = ? "
                      "AND status = 'approved'", [student_id, school_year]).fetchall()
    order = {c: i for i, c in enumerate(tt27.QUALITY_ORDER)}
    for point, code, level in sorted(rows, key=lambda r: order.get(r[1], len(order))):
        out[Point(point)][code] = QualityLevel(level)
    return dict(out)


def latest_point(marks: list[SubjectMarks], quals: dict[Point, dict]) -> Point | None:
    """The latest point with any approved data (the default of DIEM / KQ / NX), or None."""
    seen = {p for m in marks for p in m.marks} | set(quals)
    return max(seen, key=tt27.POINTS.index) if seen else None


def _official(db: sqlite_utils.Database, student_id: int, school_year: str):
    return db.execute("SELECT result, commendation, computed FROM primary_results WHERE student_id = ? "
                      "AND school_year = ? AND status = 'approved'", [student_id, school_year]).fetchone()


def year_outcome(db: sqlite_utils.Database, student_id: int, grade: int, school_year: str,
                 marks: list[SubjectMarks], quals: dict[Point, dict]) -> YearOutcome:
    """The year-end result: the official one when imported and approved, else computed at CN, else what is missing.

    A row a commendation round wrote over a computed result (``computed``) is not official: the result is computed
    again (tạm tính, so a corrected CN level counts) and carries the round's award while it allows it."""
    official = _official(db, student_id, school_year)
    if official and not official[2]:
        return YearOutcome(YearResult(official[0]), False, Commendation(official[1]) if official[1] else None, "", ())
    outcome = computed_outcome(grade, marks, quals.get(Point.CN, {}))
    return with_award(outcome, official[1]) if official else outcome


def with_award(outcome: YearOutcome, award: str | None) -> YearOutcome:
    """A computed outcome with the award a commendation round gave: Tiêu biểu holds only on Hoàn thành tốt."""
    if award == Commendation.TIEU_BIEU.value and outcome.result is not None and tt27.may_be_tieu_bieu(outcome.result):
        return replace(outcome, commendation=Commendation.TIEU_BIEU)
    return outcome


def computed_outcome(grade: int, marks: list[SubjectMarks], cn_qualities: dict[str, QualityLevel]) -> YearOutcome:
    """The year-end result computed from CN levels and tests (pure), marked provisional, with its reason."""
    levels = {m.subject.code: (m.at(Point.CN).level if m.at(Point.CN) else None) for m in marks}
    tests = {m.subject.code: m.at(Point.CN).score for m in marks
             if m.at(Point.CN) is not None and m.at(Point.CN).score is not None}
    missing = tt27.missing_for_year(grade, levels, cn_qualities, tests)
    if missing or not marks:
        return YearOutcome(None, True, None, "", tuple(missing))
    rated = {c: v for c, v in cn_qualities.items() if c in tt27.rated_qualities(grade)}
    inputs = YearInputs({c: v for c, v in levels.items() if v is not None}, rated, tests)
    result = tt27.year_result(inputs)
    return YearOutcome(result, True, tt27.commendation(result), tt27.explain(inputs), ())


@dataclass(frozen=True)
class PointComment:
    """A teacher's comment on one subject at one point."""

    point: Point
    subject_code: str
    body: str


def has_point(marks: list[SubjectMarks], quals: dict[Point, dict], point: Point) -> bool:
    """True when anything was approved at ``point``."""
    return any(m.at(point) for m in marks) or bool(quals.get(point))


def point_comments(marks: list[SubjectMarks], point: Point) -> list[PointComment]:
    """The comments of ``point``, in report-card order."""
    return [PointComment(point, m.subject.code, m.at(point).comment) for m in marks
            if m.at(point) is not None and m.at(point).comment]


def quality_clause(levels: dict[str, QualityLevel], grade: int | None = None) -> str:
    """Qualities and competences in one clause: 'đều Tốt', or 'Tốt, trừ Chăm chỉ Đạt'.

    With ``grade``, a point where only some of the qualities the grade rates are approved never reads
    'đều Tốt' (nor 'Tốt, trừ …', which speaks for the others too): the approved ones by name (or counted,
    when many), then how many are not assessed yet.
    """
    if not levels:
        return "chưa đánh giá"
    values = list(levels.values())
    missing = len(set(tt27.rated_qualities(grade)) - set(levels)) if grade is not None else 0
    if missing:
        named = (", ".join(f"{tt27.quality_name(c)} {v.label}" for c, v in levels.items()) if len(levels) <= 3
                 else _counted(values))
        return f"{named}; {missing} mục chưa đánh giá"
    usual = max(set(values), key=lambda v: (values.count(v), v.rank))
    others = [f"{tt27.quality_name(c)} {v.label}" for c, v in levels.items() if v is not usual]
    if not others:
        return f"đều {usual.label}"
    if len(others) <= 2:
        return f"{usual.label}, trừ {', '.join(others)}"
    # Many exceptions read better as counts; the names are on the parents' page.
    return _counted(values)


def _counted(values: list[QualityLevel]) -> str:
    return ", ".join(f"{values.count(v)} {v.label}" for v in sorted(set(values), key=lambda v: -v.rank))
