"""A student's approved scores per subject and term, with TT22 averages."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlite_utils

from store.school import levels
from store.school import subjects as subjects_mod
from store.rules.periods import Semester
from store.school.subjects import Subject
from store.rules.tt22 import InvalidScore, Mark, Score, comment_term_result, comment_year_result, parse_score, studied, term_average, year_average

logger = logging.getLogger(__name__)

YEAR = Semester.YEAR  # term 0 = the whole school year


@dataclass(frozen=True)
class SubjectReport:
    """One subject's approved scores and result for a term (1, 2) or the year (0).

    For a term: TX in stt order, GK, CK (Decimal or Mark), ``average`` (scored,
    rounded, None until GK and CK exist) or ``mark`` (comment subject).
    For the year: ``parts`` holds the reports of terms I and II, ``average``
    the year average, ``mark`` the year mark; tx/gk/ck are empty.
    """

    subject: Subject
    school_year: str
    term: Semester
    tx: tuple[Score, ...] = ()
    gk: Score | None = None
    ck: Score | None = None
    corrected: bool = False
    average: Decimal | None = None
    mark: Mark | None = None
    parts: tuple[SubjectReport, ...] = ()

    @property
    def result(self) -> Score | None:
        """The subject's result: the average of a scored subject, the mark of a comment one."""
        return self.average if self.subject.scored else self.mark

    @property
    def term1(self) -> Score | None:
        """Term I result inside a year report."""
        return self.parts[0].result if self.parts else None

    @property
    def term2(self) -> Score | None:
        """Term II result inside a year report."""
        return self.parts[1].result if len(self.parts) > 1 else None

    @property
    def has_scores(self) -> bool:
        """True when any approved score exists (in either term for a year report)."""
        if self.parts:
            return any(p.has_scores for p in self.parts)
        return bool(self.tx) or self.gk is not None or self.ck is not None


# (term, kind, seq, value, corrected) of approved rows.
Row = tuple[int, str, int, str, int]


def _term_report(subject: Subject, school_year: str, term: Semester, rows: Iterable[Row]) -> SubjectReport:
    tx: list[tuple[int, Score]] = []
    gk = ck = None
    corrected = False
    for _, kind, seq, text, fixed in rows:
        try:
            value = parse_score(text)
        except InvalidScore as e:
            logger.warning("skipping stored score of %s: %s", subject.code, e)
            continue
        corrected = corrected or bool(fixed)
        if kind == "TX":
            tx.append((seq, value))
        elif kind == "GK":
            gk = value
        elif kind == "CK":
            ck = value
    tx_values = tuple(v for _, v in sorted(tx, key=lambda p: p[0]))
    average = mark = None
    values = [*tx_values, *(v for v in (gk, ck) if v is not None)]
    # The term's result exists only once the required TX are all in (TT22: 2/3/4 by periods a
    # year): an average over the TX approved so far would differ from the school's report.
    if subject.scored:
        if all(isinstance(v, Decimal) for v in values):
            if len(tx_values) >= subject.tx_per_term:
                average = term_average(tx_values, gk, ck)
        else:
            logger.warning("scored subject %s has D/CD values; no average", subject.code)
    elif all(isinstance(v, Mark) for v in values):
        mark = comment_term_result(tx_values, gk, ck, tx_required=subject.tx_per_term)
    else:
        logger.warning("comment subject %s has numeric values; no mark", subject.code)
    return SubjectReport(subject, school_year, term, tx_values, gk, ck, corrected, average, mark)


def build_report(subject: Subject, school_year: str, term: Semester, rows: Iterable[Row]) -> SubjectReport:
    """The report of one subject from its approved rows (pure; the queries below feed it)."""
    by_term: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_term[row[0]].append(row)
    if term != YEAR:
        return _term_report(subject, school_year, term, by_term.get(term, []))
    parts = tuple(_term_report(subject, school_year, t, by_term.get(t, [])) for t in (Semester.HK1, Semester.HK2))
    if subject.scored:
        average, mark = year_average(parts[0].average, parts[1].average), None
    else:
        average, mark = None, comment_year_result(parts[0].mark, parts[1].mark)
    return SubjectReport(subject, school_year, YEAR, corrected=any(p.corrected for p in parts),
                         average=average, mark=mark, parts=parts)


_TERM_FILTER = "AND grades.term = :term"


def _rows_sql(term: Semester, one_subject: bool) -> str:
    # The unary + keeps SQLite off the grades_status index, which would walk
    # every approved score of every school instead of one student's rows.
    return ("SELECT grades.subject_code, grades.term, grades.kind, grades.seq, grades.value, grades.corrected "
            "FROM grades WHERE grades.student_id = :student AND grades.school_year = :year "
            + ("AND grades.subject_code = :subject " if one_subject else "")
            + (_TERM_FILTER + " " if term != YEAR else "")
            + "AND +grades.status = 'approved'")


def subject_report(db: sqlite_utils.Database, student_id: int, subject: Subject, school_year: str,
                   term: Semester) -> SubjectReport:
    """One subject's approved scores and average for a term (1, 2) or the year (0)."""
    rows = db.execute(_rows_sql(term, True),
                      {"student": student_id, "year": school_year, "subject": subject.code, "term": term})
    return build_report(subject, school_year, term, (r[1:] for r in rows))


def term_reports(db: sqlite_utils.Database, student_id: int, school_id: int, grade: int, school_year: str,
                 term: Semester) -> list[SubjectReport]:
    """Every subject of the grade, in report-card order, for a term or the year: two queries in all."""
    subjects = subjects_mod.for_grade(db, school_id, grade)
    rows = db.execute(_rows_sql(term, False), {"student": student_id, "year": school_year, "term": term})
    by_subject: dict[str, list[Row]] = defaultdict(list)
    for code, *rest in rows:
        by_subject[code].append(tuple(rest))
    return [build_report(s, school_year, term, by_subject.get(s.code, [])) for s in subjects]


def taken(reports: list[SubjectReport], grade: int) -> list[SubjectReport]:
    """The subjects a pupil of ``grade`` studies: where the level has chosen subjects (THPT, by khối,
    so a THCS+THPT school too) a chosen one without a score is left out; elsewhere every report."""
    required = levels.spec_of_grade(grade).required_subjects
    return reports if required is None else studied(reports, required)
