"""School terms: which one is current, and their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from .clock import school_year_of

# Without imported terms, term II is taken to start on this day of the
# school year's second calendar year (the ministry's plans end term I in
# mid-January).
FALLBACK_TERM2_START = (1, 16)


@dataclass(frozen=True)
class Term:
    """One term of a school year; dates are None when the school imported no terms."""

    school_year: str
    term: int
    starts_on: date | None
    ends_on: date | None


def _terms(db: sqlite_utils.Database, school_id: int, school_year: str) -> list[Term]:
    rows = db.execute(
        "SELECT term, starts_on, ends_on FROM terms WHERE school_id = ? AND school_year = ? ORDER BY term",
        [school_id, school_year]).fetchall()
    return [Term(school_year, t, date.fromisoformat(s), date.fromisoformat(e)) for t, s, e in rows]


def current_term(db: sqlite_utils.Database, school_id: int, today: date) -> Term:
    """The term containing ``today``; between terms the latest started one; before term I, term I."""
    year = school_year_of(today)
    terms = _terms(db, school_id, year)
    if not terms:
        first_year = int(year[:4])
        term2_start = date(first_year + 1, *FALLBACK_TERM2_START)
        return Term(year, 2 if today >= term2_start else 1, None, None)
    for t in terms:
        if t.starts_on <= today <= t.ends_on:
            return t
    started = [t for t in terms if t.starts_on <= today]
    if started:
        return max(started, key=lambda t: t.starts_on)
    return next((t for t in terms if t.term == 1), terms[0])


def term_dates(db: sqlite_utils.Database, school_id: int, school_year: str, term: int) -> tuple[date, date]:
    """First and last day of a term (0 = the whole year); calendar fallbacks when not imported."""
    terms = {t.term: t for t in _terms(db, school_id, school_year)}
    first_year = int(school_year[:4])
    term2_start = date(first_year + 1, *FALLBACK_TERM2_START)
    fallback = {1: (date(first_year, 8, 1), term2_start - timedelta(days=1)),
                2: (term2_start, date(first_year + 1, 7, 31))}
    if term == 0:
        starts = terms[1].starts_on if 1 in terms else fallback[1][0]
        ends = terms[2].ends_on if 2 in terms else fallback[2][1]
        return starts, ends
    if term in terms:
        return terms[term].starts_on, terms[term].ends_on
    return fallback[term]
