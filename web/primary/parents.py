"""The parents' page of a primary pupil (TT27): levels, test scores and comments per point, qualities, the year.

Read by the same store functions as the SMS forms (store.primary.assessments),
so page and SMS never differ. No average, no rank, no other pupil: only this
child's levels. web.parents hands over the checked, linked child.
"""
from __future__ import annotations

from datetime import date

from flask import render_template

from store.school import events, records, terms
from store.secondary import parent_view
from store.rules.periods import Semester
from store.primary import assessments as pa
from store.rules import tt27


def child_page(db, linked, *, year: str, current: str, today: date, years: list[str]):
    """The whole primary page of one linked child for ``year``."""
    c = linked.child
    marks = pa.subject_marks(db, c.student_id, c.school_id, c.grade, year)
    quals = pa.qualities(db, c.student_id, year)
    outcome = pa.year_outcome(db, c.student_id, c.grade, year, marks, quals)
    rated = tt27.rated_qualities(c.grade)
    absences = records.absences(db, c.student_id, year, 0)
    if year == current:
        comments = records.latest_comments(db, c.student_id, limit=3)
        upcoming = events.upcoming(db, c.school_id, c.class_id, today, limit=5)
        notices = events.announcements(db, c.school_id, c.class_id, limit=3)
    else:
        start, end = terms.term_dates(db, c.school_id, year, Semester.YEAR)
        comments = parent_view.comments_between(db, c.student_id, start, end, limit=3)
        upcoming, notices = [], []
    groups = [(label, [q for q in rated if tt27.QUALITIES[q][1] == key]) for key, label in tt27.QUALITY_GROUPS.items()]
    return render_template(
        "parents/child_th.html", linked=linked, c=c, year=year, current=current, years=years, marks=marks,
        points=tt27.POINTS, quals=quals, groups=groups, quality_name=tt27.quality_name, outcome=outcome,
        cn_done=bool(quals.get(tt27.Point.CN)) or any(m.at(tt27.Point.CN) for m in marks), absences=absences,
        comments=comments, upcoming=upcoming, notices=notices)
