"""Printable term reports (phiếu liên lạc) as PDF: one pupil, or a whole class one page per pupil.
A primary pupil's card is in its TT27 form (web/primary/report_card.py).

Staff of the school (a teacher: their classes only) print for families
without a phone; each print is audited. Approved data only, as parents see it.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, request

from outbox.templating import fmt_term
from store.core import audit
from store.secondary import grades, results
from store.school import levels, records
from store.core.clock import local_today, school_year_of
from store.rules.periods import PeriodError, Semester
from store.school.terms import current_term
from store.school.users import Role

from . import report_card
from .primary import report_card as primary_card
from .auth import staff_required
from .db import get_db, settings

bp = Blueprint("printing", __name__, url_prefix="/staff/print")

_PUPILS = ("SELECT s.id, s.code, s.full_name, c.id, c.name, c.grade, c.homeroom_teacher, sc.id, sc.name, sc.level "
           "FROM students s JOIN enrollments e ON e.student_id = s.id AND e.school_year = :year "
           "JOIN classes c ON c.id = e.class_id JOIN schools sc ON sc.id = c.school_id ")


def _term(school_id: int) -> Semester:
    raw = request.args.get("term", "").strip().upper()
    if not raw:
        return current_term(get_db(), school_id, local_today(settings().sms.timezone)).term
    try:
        return Semester.parse(raw)
    except PeriodError:
        abort(400, description=f"term must be 1, 2 or CN, not {raw[:10]!r}")


def _allowed(school_id: int, class_id: int) -> bool:
    staff = g.staff
    if not staff.can_see_school(school_id):
        return False
    return staff.role is not Role.TEACHER or class_id in staff.class_ids


def _card(db, row, year: str, term: int) -> report_card.Card:
    sid, code, name, _, class_name, grade, homeroom, school_id, school, _level = row
    if levels.is_primary(grade):
        return primary_card.card(db, row, year, term)      # TT27: levels per point, never an average
    reports = grades.taken(grades.term_reports(db, sid, school_id, grade, year, term), grade)
    learning = results.learning_result(db, sid, school_id, grade, year, term, reports=reports)
    conduct = results.conduct(db, sid, year, term)
    absences = records.absences(db, sid, year, term)
    reasons = results.learning_reasons(learning)
    shown = learning.level.label if learning.level else "chưa đủ điểm"
    shown += " (tạm tính)" if learning.level and learning.provisional else ""
    shown += f" — vì {'; '.join(reasons)}" if reasons else ""
    comments = [f"{c.date.strftime('%d/%m/%Y')} {c.subject_code or 'GVCN'}: {c.body}"
                for c in records.latest_comments(db, sid, limit=4)]
    return report_card.Card(
        school, year, term, name, code, class_name, homeroom, [report_card.score_row(r) for r in reports], shown,
        (conduct.level.label + (" (tạm tính)" if conduct.provisional else "")) if conduct.level else "chưa có đánh giá",
        absences.excused, absences.unexcused, comments)


def _pdf(cards, filename: str, title: str) -> Response:
    try:
        data = report_card.render(cards, title)
    except report_card.FontMissing as e:
        abort(500, description=str(e))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.route("/student/<code>")
@staff_required()
def student(code: str):
    """One pupil's phiếu liên lạc for the term asked (default: the current term)."""
    db = get_db()
    year = school_year_of(local_today(settings().sms.timezone))
    row = db.execute(_PUPILS + "WHERE s.code = :code", {"year": year, "code": code.strip().upper()}).fetchone()
    if row is None or not _allowed(row[7], row[3]):
        abort(404, description=f"no pupil {code[:20]!r} in your classes this year")
    term = _term(row[7])
    audit.record(db, g.staff.login, "web:print", school_id=row[7], student_id=row[0], term=term)
    return _pdf([_card(db, row, year, term)], f"phieu-lien-lac-{row[1]}-{fmt_term(term)}.pdf", row[2])


@bp.route("/class/<int:class_id>")
@staff_required()
def klass(class_id: int):
    """A class's phiếu liên lạc, one page per pupil in name order."""
    db = get_db()
    year = school_year_of(local_today(settings().sms.timezone))
    rows = db.execute(_PUPILS + "WHERE c.id = :cid ORDER BY s.full_name, s.code",
                      {"year": year, "cid": class_id}).fetchall()
    if not rows or not _allowed(rows[0][7], class_id):
        abort(404, description=f"no class #{class_id} of yours this year")
    term = _term(rows[0][7])
    audit.record(db, g.staff.login, "web:print-class", school_id=rows[0][7], class_id=class_id, term=term,
                 pupils=len(rows))
    cards = [_card(db, r, year, term) for r in rows]
    return _pdf(cards, f"phieu-lien-lac-{rows[0][4]}-{fmt_term(term)}.pdf", f"Lớp {rows[0][4]}")
