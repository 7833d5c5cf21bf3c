"""What a parent's web page may show: the children linked to their account per school year, and dated scores.

Privacy rule (SPEC §9: a recycled number loses access when the year's list
no longer has it): a guardian sees a school year's data of a child only when
that year's link was active *and* the same guardian is linked, active, to
that child in the current school year. A number that lost its link this year
sees nothing, and the new owner of a recycled number never sees the previous
owner's children's past years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from store.core import clock
from store.school.families import Child
from store.school.records import Comment
from store.school.subjects import sort_key
from store.rules.tt22 import InvalidScore, Score, parse_score


@dataclass(frozen=True)
class LinkedChild:
    """A child as linked to a guardian for one school year (class of that year)."""

    school_year: str
    child: Child
    school_name: str


# The link of the shown year must be active, and so must the same pair's link of the current year.
_CHILDREN_SQL = """
SELECT students.id, students.code, students.full_name, students.given_name_folded,
       classes.id, classes.name, classes.grade, schools.id, schools.code, schools.level,
       guardian_links.id, guardian_links.digest_opt_out, classes.homeroom_teacher, schools.name
FROM guardian_links
JOIN guardian_links AS now_link ON now_link.guardian_id = guardian_links.guardian_id
     AND now_link.student_id = guardian_links.student_id AND now_link.school_year = :current
     AND now_link.active = 1
JOIN students ON students.id = guardian_links.student_id
JOIN enrollments ON enrollments.student_id = students.id AND enrollments.school_year = guardian_links.school_year
JOIN classes ON classes.id = enrollments.class_id
JOIN schools ON schools.id = classes.school_id
WHERE guardian_links.guardian_id = :guardian AND guardian_links.school_year = :year AND guardian_links.active = 1
"""
_ORDER = " ORDER BY schools.code, classes.name, students.full_name, students.code"


def _linked(row, school_year: str) -> LinkedChild:
    child = Child(student_id=row[0], code=row[1], full_name=row[2], given_name_folded=row[3], class_id=row[4],
                  class_name=row[5], grade=row[6], school_id=row[7], school_code=row[8], school_level=row[9],
                  link_id=row[10], digest_opt_out=bool(row[11]), homeroom_teacher=row[12])
    return LinkedChild(school_year, child, row[13])


def children(db: sqlite_utils.Database, guardian_id: int, school_year: str, current_year: str) -> list[LinkedChild]:
    """The guardian's children of ``school_year`` they may see (C1, C2 … order, as the SMS lists them)."""
    if school_year > current_year:
        return []
    rows = db.execute(_CHILDREN_SQL + _ORDER, {"guardian": guardian_id, "year": school_year,
                                               "current": current_year}).fetchall()
    return [_linked(r, school_year) for r in rows]


def child(db: sqlite_utils.Database, guardian_id: int, student_code: str, school_year: str,
          current_year: str) -> LinkedChild | None:
    """One child by student code for ``school_year``, or None when the guardian may not see it."""
    if school_year > current_year:
        return None
    row = db.execute(_CHILDREN_SQL + " AND students.code = :code",
                     {"guardian": guardian_id, "year": school_year, "current": current_year,
                      "code": student_code}).fetchone()
    return _linked(row, school_year) if row else None


def years(db: sqlite_utils.Database, guardian_id: int, student_id: int, current_year: str) -> list[str]:
    """The school years of a child this guardian may open, newest first."""
    rows = db.execute(
        "SELECT DISTINCT guardian_links.school_year FROM guardian_links "
        "JOIN guardian_links AS now_link ON now_link.guardian_id = guardian_links.guardian_id "
        "     AND now_link.student_id = guardian_links.student_id AND now_link.school_year = :current "
        "     AND now_link.active = 1 "
        "JOIN enrollments ON enrollments.student_id = guardian_links.student_id "
        "     AND enrollments.school_year = guardian_links.school_year "
        "WHERE guardian_links.guardian_id = :guardian AND guardian_links.student_id = :student "
        "AND guardian_links.active = 1 AND guardian_links.school_year <= :current "
        # a past year is offered only when it has something approved to show
        "AND (guardian_links.school_year = :current OR EXISTS (SELECT 1 FROM grades WHERE grades.student_id = "
        "     :student AND grades.school_year = guardian_links.school_year AND grades.status = 'approved') "
        "     OR EXISTS (SELECT 1 FROM results WHERE results.student_id = :student "
        "     AND results.school_year = guardian_links.school_year AND results.status = 'approved')) "
        "ORDER BY guardian_links.school_year DESC",
        {"guardian": guardian_id, "student": student_id, "current": current_year}).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class DatedScore:
    """One approved score with the date it was given."""

    date: date
    subject_code: str
    subject_name: str
    term: int
    kind: str            # TX, GK, CK
    seq: int
    value: Score
    corrected: bool
    entered: bool = False   # no date recorded with the score: the day it was entered stands in


utc_shift = clock.utc_shift


# The day a score belongs to: the date recorded with it, else the local day it was entered.
_SCORE_DAY = "COALESCE(grades.date, date(grades.entered_at, :shift))"


_KIND_ORDER = {"TX": 0, "GK": 1, "CK": 2}


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def default_week(weeks: list[date], today: date) -> date | None:
    """The week to show first: the latest with scores up to today (scores may be dated ahead), else the latest."""
    return next((w for w in weeks if w <= today), weeks[0] if weeks else None)


def score_weeks(db: sqlite_utils.Database, student_id: int, school_year: str,
                shift: str = "+420 minutes") -> list[date]:
    """Mondays of the weeks that have approved scores (by date given, else entered), newest first."""
    rows = db.execute(
        f"SELECT DISTINCT {_SCORE_DAY} FROM grades WHERE grades.student_id = :student "
        "AND grades.school_year = :year AND +grades.status = 'approved'",
        {"student": student_id, "year": school_year, "shift": shift}).fetchall()
    return sorted({week_of(date.fromisoformat(r[0])) for r in rows if r[0]}, reverse=True)


def week_scores(db: sqlite_utils.Database, student_id: int, school_id: int, grade: int, school_year: str,
                monday: date, shift: str = "+420 minutes") -> list[DatedScore]:
    """Approved scores of the week starting ``monday`` (by date given, else entered), by date, then
    report-card order, TX, GK, CK."""
    rows = db.execute(
        f"SELECT {_SCORE_DAY}, grades.date IS NULL, grades.subject_code, COALESCE(subjects.name, grades.subject_code), grades.term, "
        "grades.kind, grades.seq, grades.value, grades.corrected FROM grades "
        "LEFT JOIN subjects ON subjects.school_id = :school AND subjects.grade = :grade "
        "     AND subjects.code = grades.subject_code "
        "WHERE grades.student_id = :student AND grades.school_year = :year "
        f"AND {_SCORE_DAY} BETWEEN :start AND :end AND +grades.status = 'approved' "
        "ORDER BY 1",
        {"school": school_id, "grade": grade, "student": student_id, "year": school_year, "shift": shift,
         "start": monday.isoformat(), "end": (monday + timedelta(days=6)).isoformat()}).fetchall()
    out = []
    for day, entered, code, name, term, kind, seq, text, corrected in rows:
        try:
            value = parse_score(text)
        except InvalidScore:
            continue        # grades.py logs and skips these too; never shown
        out.append(DatedScore(date.fromisoformat(day), code, name, term, kind, seq, value, bool(corrected),
                              bool(entered)))
    return sorted(out, key=lambda s: (s.date, sort_key(s.subject_code), _KIND_ORDER[s.kind], s.seq))


def comments_between(db: sqlite_utils.Database, student_id: int, start: date, end: date,
                     limit: int = 3) -> list[Comment]:
    """The latest approved comments dated in [start, end], newest first (a past school year's)."""
    rows = db.execute(
        "SELECT comments.date, comments.subject_code, comments.body FROM comments "
        "WHERE comments.student_id = ? AND comments.status = 'approved' AND comments.date BETWEEN ? AND ? "
        "ORDER BY comments.date DESC, comments.id DESC LIMIT ?",
        [student_id, start.isoformat(), end.isoformat(), limit]).fetchall()
    return [Comment(date.fromisoformat(d), s, b) for d, s, b in rows]
