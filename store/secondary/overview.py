"""The principal's overview of one school and term: per class, results, averages, absences and engagement.

Built for a whole school at once (hundreds of students): one query per table
for the school, then each student's subject reports, learning result and
conduct in Python with the same pure functions SMS `KQ` goes through
(grades.build_report, results.computed_learning, tt22.official_or_computed,
tt22.year_conduct) — never one query per student or subject.

Every query below starts from the school's classes of the year (an index)
and reaches the per-student tables through their student_id indexes;
tests/test_overview.py checks each plan with EXPLAIN QUERY PLAN.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlite_utils

from store.school import terms as terms_mod
from store.core.clock import iso
from store.secondary.grades import YEAR, Row, SubjectReport, build_report, taken
from store.messaging.reports import FAILED_STATES
from store.secondary.results import computed_learning
from store.school.subjects import Subject, sort_key
from store.rules.tt22 import Level, SubjectKind, official_or_computed, round_half_up, year_conduct

DELIVERED = "delivered"
LEVELS = (Level.T, Level.K, Level.D, Level.CD)

# The school's students of the year, each with their class: the root every other query joins from.
_ROSTER = ("FROM classes c JOIN enrollments e ON e.class_id = c.id AND e.school_year = c.school_year "
           "WHERE c.school_id = :school AND c.school_year = :year")

# Named so the tests can EXPLAIN each one with the same parameters (see plans()).
QUERIES: dict[str, str] = {
    "classes": "SELECT c.id, c.name, c.grade FROM classes c WHERE c.school_id = :school AND c.school_year = :year "
               "ORDER BY c.grade, c.name",
    "roster": f"SELECT e.student_id, e.class_id {_ROSTER}",
    "subjects": "SELECT s.grade, s.code, s.name, s.kind, s.periods_per_year FROM subjects s "
                "WHERE s.school_id = :school",
    # The unary + keeps SQLite off grades_status (every approved score of every school).
    "grades": "SELECT g.student_id, g.subject_code, g.term, g.kind, g.seq, g.value, g.corrected "
              f"{_ROSTER.replace('WHERE', 'JOIN grades g ON g.student_id = e.student_id WHERE')} "
              "AND g.school_year = :year AND (:term = 0 OR g.term = :term) AND +g.status = 'approved'",
    "results": "SELECT r.student_id, r.learning "
               f"{_ROSTER.replace('WHERE', 'JOIN results r ON r.student_id = e.student_id WHERE')} "
               "AND r.school_year = :year AND r.term = :term AND r.status = 'approved' AND r.learning IS NOT NULL",
    "conduct": "SELECT k.student_id, k.term, k.rating "
               f"{_ROSTER.replace('WHERE', 'JOIN conduct k ON k.student_id = e.student_id WHERE')} "
               "AND k.school_year = :year AND k.status = 'approved'",
    "absences": "SELECT e.class_id, a.excused, COUNT(*) "
                f"{_ROSTER.replace('WHERE', 'JOIN attendance a ON a.student_id = e.student_id WHERE')} "
                "AND a.date BETWEEN :first_day AND :last_day AND a.status = 'approved' "
                "GROUP BY e.class_id, a.excused",
    # A guardian "texted" when a text from their number reached us in the period, answered for this
    # school or for no school (help, unknown words); duplicates of one text are not texts.
    "guardians": "SELECT e.class_id, l.guardian_id, MAX(l.digest_opt_out), "
                 "EXISTS (SELECT 1 FROM guardians gu JOIN inbox i ON i.phone = gu.phone "
                 "WHERE gu.id = l.guardian_id AND i.received_at >= :start AND i.received_at < :end "
                 "AND i.state != 'duplicate' AND (i.school_id = :school OR i.school_id IS NULL)) "
                 f"{_ROSTER.replace('WHERE', 'JOIN guardian_links l ON l.student_id = e.student_id WHERE')} "
                 "AND l.school_year = :year AND l.active = 1 GROUP BY e.class_id, l.guardian_id",
    "messages": "SELECT m.class_id, m.student_id, m.state, COUNT(*) FROM messages m "
                "WHERE m.school_id = :school AND m.created_at >= :start AND m.created_at < :end "
                "GROUP BY m.class_id, m.student_id, m.state",
}


@dataclass(frozen=True)
class Pupil:
    """One student of the roster, what the subject filter (store.secondary.grades.taken: the khối) needs to know."""

    student_id: int
    class_id: int
    grade: int
    school_level: str


@dataclass(frozen=True)
class SubjectAverage:
    """The mean of the term (or year) averages of a scored subject over the students that have one."""

    code: str
    name: str
    average: Decimal | None
    counted: int


@dataclass
class Engagement:
    """Parents' side of a class or the school: ids, so the school's figures count each guardian once."""

    linked: set[int] = field(default_factory=set)
    texted: set[int] = field(default_factory=set)
    opted_out: set[int] = field(default_factory=set)
    delivered: int = 0
    failed: int = 0


@dataclass
class Summary:
    """One class's (or the whole school's) figures for the term."""

    name: str
    grade: int | None
    students: int = 0
    learning: Counter = field(default_factory=Counter)   # Level or None (not enough data yet) -> students
    conduct: Counter = field(default_factory=Counter)
    averages: list[SubjectAverage] = field(default_factory=list)
    excused: int = 0
    unexcused: int = 0
    engagement: Engagement = field(default_factory=Engagement)

    def count(self, what: str, level: str | None) -> int:
        """Students of ``what`` ('learning' / 'conduct') at a level code ('T'...'CD'), '' or None = none yet."""
        counter = self.learning if what == "learning" else self.conduct
        return counter[Level(level) if level else None]


@dataclass(frozen=True)
class SchoolOverview:
    """The overview of a school for a term (1, 2) or the year (0)."""

    school_id: int
    school_year: str
    term: int
    first_day: date
    last_day: date
    school: Summary
    classes: list[Summary]


def period_bounds(first_day: date, last_day: date, tz: str) -> tuple[str, str]:
    """UTC [start, end) of local days first_day..last_day, as stored timestamps compare."""
    zone = ZoneInfo(tz)
    return (iso(datetime.combine(first_day, time(0), zone)),
            iso(datetime.combine(last_day + timedelta(days=1), time(0), zone)))


def params(db: sqlite_utils.Database, school_id: int, school_year: str, term: int, tz: str) -> dict:
    """The parameters every query of the overview takes."""
    first_day, last_day = terms_mod.term_dates(db, school_id, school_year, term)
    start, end = period_bounds(first_day, last_day, tz)
    return {"school": school_id, "year": school_year, "term": term, "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(), "start": start, "end": end}


def plans(db: sqlite_utils.Database, args: dict) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every query: name -> the plan's detail lines."""
    return {name: [r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", args)] for name, sql in QUERIES.items()}


def _subjects(db: sqlite_utils.Database, args: dict) -> dict[int, list[Subject]]:
    by_grade: dict[int, list[Subject]] = defaultdict(list)
    for grade, code, name, kind, periods in db.execute(QUERIES["subjects"], args):
        by_grade[grade].append(Subject(code, name, SubjectKind(kind), periods))
    return {g: sorted(s, key=lambda x: sort_key(x.code)) for g, s in by_grade.items()}


def _student_results(pupil: Pupil, subjects: Sequence[Subject], rows: dict[str, list[Row]], args: dict,
                     official: Level | None, ratings: dict[int, Level]):
    """One student's subject reports, learning level and conduct level, as KQ computes them."""
    year, term = args["year"], args["term"]
    reports = taken([build_report(s, year, term, rows.get(s.code, ())) for s in subjects], pupil.grade)
    learning = official_or_computed(official, None if official else computed_learning(reports)).level
    if term != YEAR:
        conduct = ratings.get(term)
    else:
        conduct = official_or_computed(ratings.get(0), year_conduct(ratings.get(1), ratings.get(2))).level
    return reports, learning, conduct


def _class_averages(subjects: Sequence[Subject], reports: Iterable[SubjectReport]) -> list[SubjectAverage]:
    values: dict[str, list[Decimal]] = defaultdict(list)
    for r in reports:
        if r.subject.scored and r.average is not None:
            values[r.subject.code].append(r.average)
    return [_mean(s.code, s.name, values.get(s.code, [])) for s in subjects if s.scored]


def _mean(code: str, name: str, values: list[Decimal]) -> SubjectAverage:
    average = round_half_up(sum(values, Decimal(0)) / len(values)) if values else None
    return SubjectAverage(code, name, average, len(values))


def school_overview(db: sqlite_utils.Database, school_id: int, school_year: str, term: int, tz: str) -> SchoolOverview:
    """The overview of ``school_id`` for ``term`` (1, 2; 0 = the year) of ``school_year``.

    A student's subject reports are the ones they study (store.secondary.grades.taken:
    the secondary rule for THPT chosen subjects), as KQ counts them.
    """
    args = params(db, school_id, school_year, term, tz)
    by_class, roster = _roster(db, school_id, args)
    school = Summary("", None)
    _add_learning(db, args, by_class, school, roster)
    _add_absences(db, args, by_class, school)
    _add_engagement(db, args, by_class, school, {p.student_id: p.class_id for p in roster})
    first_day, last_day = date.fromisoformat(args["first_day"]), date.fromisoformat(args["last_day"])
    return SchoolOverview(school_id, school_year, term, first_day, last_day, school, list(by_class.values()))


def _roster(db: sqlite_utils.Database, school_id: int, args: dict) -> tuple[dict[int, Summary], list[Pupil]]:
    """An empty summary per class of the year, and every enrolled pupil."""
    level = db.execute("SELECT level FROM schools WHERE id = ?", [school_id]).fetchone()[0]
    by_class = {cid: Summary(name, grade) for cid, name, grade in db.execute(QUERIES["classes"], args)}
    grade_of = {cid: s.grade for cid, s in by_class.items()}
    return by_class, [Pupil(sid, cid, grade_of[cid], level) for sid, cid in db.execute(QUERIES["roster"], args)]


def _marks(db: sqlite_utils.Database, args: dict):
    """Each student's approved rows per subject, official learning results and conduct ratings per term."""
    rows: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for sid, code, *rest in db.execute(QUERIES["grades"], args):
        rows[sid][code].append(tuple(rest))
    official = {sid: Level(v) for sid, v in db.execute(QUERIES["results"], args)}
    ratings: dict[int, dict[int, Level]] = defaultdict(dict)
    for sid, t, rating in db.execute(QUERIES["conduct"], args):
        ratings[sid][t] = Level(rating)
    return rows, official, ratings


def _add_learning(db: sqlite_utils.Database, args: dict, by_class: dict[int, Summary], school: Summary,
                  roster: list[Pupil]) -> None:
    """Learning and conduct levels counted per class and school, and the subject averages."""
    subjects = _subjects(db, args)
    rows, official, ratings = _marks(db, args)
    class_reports: dict[int, list[SubjectReport]] = defaultdict(list)
    school_reports: list[SubjectReport] = []
    for p in roster:
        reports, learning, conduct = _student_results(p, subjects.get(p.grade, []), rows.get(p.student_id, {}),
                                                      args, official.get(p.student_id), ratings.get(p.student_id, {}))
        for summary in (by_class[p.class_id], school):
            summary.students += 1
            summary.learning[learning] += 1
            summary.conduct[conduct] += 1
        class_reports[p.class_id].extend(reports)
        school_reports.extend(reports)
    for cid, summary in by_class.items():
        summary.averages = _class_averages(subjects.get(summary.grade, []), class_reports[cid])
    school.averages = _class_averages(_school_subjects(subjects), school_reports)


def _add_absences(db: sqlite_utils.Database, args: dict, by_class: dict[int, Summary], school: Summary) -> None:
    """Days absent with and without permission, per class and school."""
    for cid, excused, n in db.execute(QUERIES["absences"], args):
        for summary in (by_class[cid], school):
            if excused:
                summary.excused += n
            else:
                summary.unexcused += n


def _add_engagement(db: sqlite_utils.Database, args: dict, by_class: dict[int, Summary], school: Summary,
                    class_of: dict[int, int]) -> None:
    """Guardians linked, opted out and texting, and SMS delivered and failed, per class and school."""
    for cid, guardian, opted_out, texted in db.execute(QUERIES["guardians"], args):
        for e in (by_class[cid].engagement, school.engagement):
            e.linked.add(guardian)
            if opted_out:
                e.opted_out.add(guardian)
            if texted:
                e.texted.add(guardian)
    for cid, sid, state, n in db.execute(QUERIES["messages"], args):
        cid = cid if cid in by_class else class_of.get(sid)
        targets = [school.engagement] + ([by_class[cid].engagement] if cid in by_class else [])
        for e in targets:
            if state == DELIVERED:
                e.delivered += n
            elif state in FAILED_STATES:
                e.failed += n


def _school_subjects(by_grade: dict[int, list[Subject]]) -> list[Subject]:
    """Every subject code of the school once (the first grade's name), in report-card order."""
    seen: dict[str, Subject] = {}
    for grade in sorted(by_grade):
        for s in by_grade[grade]:
            seen.setdefault(s.code, s)
    return sorted(seen.values(), key=lambda s: sort_key(s.code))
