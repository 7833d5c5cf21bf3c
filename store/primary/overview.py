"""The principal's overview of a primary school (TT27): per class, counts per level per subject, results.

Counts only (no averages across subjects, no ranking): for a point, how many
pupils of each class are at T / H / C in each subject, at T / Đ / C over the
qualities and competences, and — for the year — how many have each year-end
result (official when imported, else computed) and each commendation.
Three queries for the whole school, then the pure rules of store.primary.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from store.school import subjects as subjects_mod
from store.school.levels import is_primary
from store.rules import tt27
from .assessments import Mark, SubjectMarks, computed_outcome, with_award
from store.rules.tt27 import Commendation, Point, QualityLevel, SubjectLevel, YearResult

_ROSTER = ("FROM classes c JOIN enrollments e ON e.class_id = c.id AND e.school_year = c.school_year "
           "WHERE c.school_id = :school AND c.school_year = :year")
QUERIES = {
    "roster": f"SELECT e.student_id, c.id, c.name, c.grade {_ROSTER} ORDER BY c.grade, c.name",
    "marks": "SELECT a.student_id, a.subject_code, a.point, a.level, a.score, a.comment, a.corrected "
             f"{_ROSTER.replace('WHERE', 'JOIN primary_assessments a ON a.student_id = e.student_id WHERE')} "
             "AND a.school_year = :year AND a.status = 'approved'",
    "qualities": "SELECT q.student_id, q.point, q.code, q.level "
                 f"{_ROSTER.replace('WHERE', 'JOIN primary_qualities q ON q.student_id = e.student_id WHERE')} "
                 "AND q.school_year = :year AND q.status = 'approved'",
    "results": "SELECT r.student_id, r.result, r.commendation, r.computed "
               f"{_ROSTER.replace('WHERE', 'JOIN primary_results r ON r.student_id = e.student_id WHERE')} "
               "AND r.school_year = :year AND r.status = 'approved'",
}


@dataclass
class ClassLevels:
    """One class at one point: pupils, counts per subject and level, quality levels, year-end results."""

    name: str
    grade: int
    pupils: int = 0
    subjects: dict[str, Counter] = field(default_factory=dict)       # code -> Counter of SubjectLevel
    qualities: Counter = field(default_factory=Counter)              # QualityLevel -> ratings given
    results: Counter = field(default_factory=Counter)                # YearResult | None -> pupils
    provisional: int = 0                                             # results computed, not imported
    commendations: Counter = field(default_factory=Counter)          # Commendation -> pupils


def school_levels(db: sqlite_utils.Database, school_id: int, school_year: str, point: Point) -> list[ClassLevels]:
    """Every primary class of the school with its counts at ``point`` (results only at CN)."""
    params = {"school": school_id, "year": school_year}
    roster = [r for r in db.execute(QUERIES["roster"], params).fetchall() if is_primary(r[3])]
    classes: dict[int, ClassLevels] = {}
    pupil_class = {}
    for sid, cid, name, grade in roster:
        cls = classes.setdefault(cid, ClassLevels(name, grade))
        cls.pupils += 1
        pupil_class[sid] = cid
    subjects = {g: subjects_mod.for_grade(db, school_id, g) for g in {c.grade for c in classes.values()}}
    for cls in classes.values():
        cls.subjects = {s.code: Counter() for s in subjects[cls.grade]}
    marks: dict[int, dict[str, dict[Point, Mark]]] = defaultdict(lambda: defaultdict(dict))
    for sid, code, pt, level, score, comment, fixed in db.execute(QUERIES["marks"], params):
        if sid in pupil_class:
            marks[sid][code][Point(pt)] = Mark(Point(pt), SubjectLevel(level), score, comment, bool(fixed))
    quals: dict[int, dict[Point, dict[str, QualityLevel]]] = defaultdict(lambda: defaultdict(dict))
    for sid, pt, code, level in db.execute(QUERIES["qualities"], params):
        if sid in pupil_class:
            quals[sid][Point(pt)][code] = QualityLevel(level)
    official = {r[0]: r[1:] for r in db.execute(QUERIES["results"], params)}
    for sid, cid in pupil_class.items():
        cls = classes[cid]
        for code, by_point in marks.get(sid, {}).items():
            if point in by_point and code in cls.subjects:
                cls.subjects[code][by_point[point].level] += 1
        cls.qualities.update(quals.get(sid, {}).get(point, {}).values())
        if point is Point.CN:
            _count_result(cls, sid, official, subjects[cls.grade], marks, quals)
    return list(classes.values())


def _count_result(cls: ClassLevels, sid: int, official, subjects, marks, quals) -> None:
    result, award, computed = official.get(sid, (None, None, 1))
    if not computed:
        cls.results[YearResult(result)] += 1
        if award:
            cls.commendations[Commendation(award)] += 1
        return
    pupil_marks = [SubjectMarks(s, marks.get(sid, {}).get(s.code, {})) for s in subjects]
    outcome = with_award(computed_outcome(cls.grade, pupil_marks, quals.get(sid, {}).get(Point.CN, {})), award)
    cls.results[outcome.result] += 1
    if outcome.result is not None:
        cls.provisional += 1
    if outcome.commendation:
        cls.commendations[outcome.commendation] += 1


def subject_names(db: sqlite_utils.Database, school_id: int, classes: list[ClassLevels]) -> list[tuple[str, str]]:
    """(code, name) of every subject any of the classes has, in the primary report-card order."""
    seen: dict[str, str] = {}
    for grade in sorted({c.grade for c in classes}):
        for s in subjects_mod.for_grade(db, school_id, grade):
            seen.setdefault(s.code, s.name)
    return sorted(seen.items(), key=lambda p: subjects_mod.sort_key(p[0], 1))


RESULT_ORDER = (*tt27.YearResult, None)
