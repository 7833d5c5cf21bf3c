"""Learning result and conduct: official when imported and approved, else computed ("tam tinh")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from store.secondary import grades as grades_mod
from store.secondary.grades import SubjectReport
from store.rules.periods import Semester
from store.rules.tt22 import Level, Outcome, SubjectResult, learning_level_of, official_or_computed, shortfall, year_conduct


@dataclass(frozen=True)
class LearningResult:
    """A term's or the year's learning result with the subject reports it was computed from."""

    school_year: str
    term: Semester
    level: Level | None
    provisional: bool
    reports: tuple[SubjectReport, ...]


@dataclass(frozen=True)
class ConductResult:
    """A term's or the year's conduct (rèn luyện); level None when not assessed yet."""

    school_year: str
    term: Semester
    level: Level | None
    provisional: bool


def _official_learning(db: sqlite_utils.Database, student_id: int, school_year: str, term: Semester) -> Level | None:
    row = db.execute(
        "SELECT learning FROM results WHERE student_id = ? AND school_year = ? AND term = ? "
        "AND status = 'approved' AND learning IS NOT NULL", [student_id, school_year, term]).fetchone()
    return Level(row[0]) if row else None


def computed_learning(reports: Sequence[SubjectReport]) -> Level | None:
    """TT22 learning level from every subject's report; None while a subject has no result."""
    return learning_level_of(SubjectResult(r.subject.code, r.subject.kind, r.result) for r in reports)


def learning_reasons(result: LearningResult) -> list[str]:
    """Why the learning result is Chưa đạt or Đạt (TT22 thresholds), from the subjects' results."""
    if result.level is None:
        return []
    return shortfall((SubjectResult(r.subject.code, r.subject.kind, r.result) for r in result.reports), result.level)


def learning_result(db: sqlite_utils.Database, student_id: int, school_id: int, grade: int, school_year: str,
                    term: Semester, reports: Sequence[SubjectReport] | None = None) -> LearningResult:
    """The official learning result of a term (1, 2) or the year (0), else the provisional computed one.

    ``reports`` (from grades.term_reports for the same term) saves the
    queries when the caller already has them.
    """
    if reports is None:
        reports = grades_mod.term_reports(db, student_id, school_id, grade, school_year, term)
    official = _official_learning(db, student_id, school_year, term)
    outcome: Outcome = official_or_computed(official, None if official else computed_learning(reports))
    return LearningResult(school_year, term, outcome.level, outcome.provisional, tuple(reports))


def conduct(db: sqlite_utils.Database, student_id: int, school_year: str, term: Semester) -> ConductResult:
    """Approved conduct of a term; for the year (Semester.YEAR) the official row, else computed from I and II."""
    rows = db.execute(
        "SELECT term, rating FROM conduct WHERE student_id = ? AND school_year = ? AND status = 'approved'",
        [student_id, school_year]).fetchall()
    ratings = {t: Level(r) for t, r in rows}
    if term != Semester.YEAR:
        return ConductResult(school_year, term, ratings.get(term), provisional=False)
    outcome = official_or_computed(ratings.get(0), year_conduct(ratings.get(1), ratings.get(2)))
    return ConductResult(school_year, 0, outcome.level, outcome.provisional)
