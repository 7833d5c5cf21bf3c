"""School terms: which one is current, and their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from store.core.clock import school_year_of
from store.rules.periods import Semester

# Without imported terms, term II is taken to start on this day of the
# school year's second calendar year (the ministry's plans end term I in
# mid-January).
FALLBACK_TERM2_START = (1, 16)


@dataclass(frozen=True)
class Term:
    """One term of a school year; dates are None when the school imported no terms."""

    school_year: str
    term: Semester
    starts_on: date | None
    ends_on: date | None


def _terms(db: sqlite_utils.Database, school_id: int, school_year: str) -> list[Term]:
    rows = db.execute(
        "SELECT term, starts_on, ends_on FROM terms WHERE school_id = ? AND school_year = ? ORDER BY term",
        [school_id, school_year]).fetchall()
    return [Term(school_year, Semester(t), date.fromisoformat(s), date.fromisoformat(e)) for t, s, e in rows]


def current_term(db: sqlite_utils.Database, school_id: int, today: date) -> Term:
    """The term containing ``today``; between terms the latest started one; before term I, term I."""
    year = school_year_of(today)
    terms = _terms(db, school_id, year)
    if not terms:
        first_year = int(year[:4])
        term2_start = date(first_year + 1, *FALLBACK_TERM2_START)
        return Term(year, Semester.HK2 if today >= term2_start else Semester.HK1, None, None)
    for t in terms:
        if t.starts_on <= today <= t.ends_on:
            return t
    started = [t for t in terms if t.starts_on <= today]
    if started:
        return max(started, key=lambda t: t.starts_on)
    return next((t for t in terms if t.term is Semester.HK1), terms[0])


def calendar_dates(school_year: str, term: Semester) -> tuple[date, date]:
    """A term's days when the school imported none: 1 August to term II's fallback start, then to 31 July."""
    first_year = int(school_year[:4])
    term2_start = date(first_year + 1, *FALLBACK_TERM2_START)
    return {Semester.HK1: (date(first_year, 8, 1), term2_start - timedelta(days=1)),
            Semester.HK2: (term2_start, date(first_year + 1, 7, 31)),
            Semester.YEAR: (date(first_year, 8, 1), date(first_year + 1, 7, 31))}[Semester(term)]


def term_dates(db: sqlite_utils.Database, school_id: int, school_year: str, term: Semester) -> tuple[date, date]:
    """First and last day of a term or the whole year (Semester.YEAR, stored 0); calendar fallbacks when
    the school imported none."""
    terms = {t.term: t for t in _terms(db, school_id, school_year)}
    term = Semester(term)
    if term is Semester.YEAR:
        one, two = (terms[t] if t in terms else None for t in (Semester.HK1, Semester.HK2))
        return (one.starts_on if one else calendar_dates(school_year, Semester.HK1)[0],
                two.ends_on if two else calendar_dates(school_year, Semester.HK2)[1])
    if term in terms:
        return terms[term].starts_on, terms[term].ends_on
    return calendar_dates(school_year, term)


def planned_dates(school_year: str) -> dict[Semester, tuple[date, date]]:
    """A typical imported calendar (what the demo schools import): HK1 from early September to mid
    January, HK2 to the end of May."""
    y = int(school_year[:4])
    return {Semester.HK1: (date(y, 9, 5), date(y + 1, 1, 16)), Semester.HK2: (date(y + 1, 1, 18), date(y + 1, 5, 31))}
