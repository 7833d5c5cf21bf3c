"""The principal's overview (SPEC §8): /staff/overview?term=1|2|CN&year=YYYY-YYYY[&school=CODE].

Per class of the school for the chosen term: students, learning and conduct
distributions (the store's TT22 code, as `KQ` answers a parent), the class
average of each scored subject's term averages (approved scores only),
absences with and without permission, and the parents' side — guardians
linked, guardians who texted, digest opt-outs, SMS delivered and failed — with
the whole school's figures on top. Admins and reviewers see their school, an
operator picks one; teachers get 403. Read only; each view is audited.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, render_template, request

from store.core import audit
from store.secondary import overview
from store.messaging import reports, trends
from store.core.clock import local_today
from store.rules.periods import Semester
from store.school.terms import current_term

from . import params, xlsx
from .auth import staff_required
from .db import get_db, settings
from .menu import MenuEntry
from .params import BadParam, TERM_CHOICES

bp = Blueprint("overview", __name__, url_prefix="/staff")
MENU = (MenuEntry("overview.school", "Tổng hợp"),)

VIEWERS = ("admin", "reviewer", "operator")


def _term_code(term: int) -> str:
    return Semester(term).param


@bp.route("/overview", endpoint="school")
@staff_required(*VIEWERS)
def school_page():
    """A school's classes for one term: results, averages, absences and parents' engagement."""
    db = get_db()
    args = request.args
    tz = settings().sms.timezone
    today = local_today(tz)
    schools = reports.schools(db) if g.staff.school_id is None else []
    try:
        school = params.school(db, args.get("school", "").strip())
        year = params.school_year(args.get("year", ""), today)
        term = params.term(args.get("term", ""))
    except BadParam as e:
        if e.status == 404:
            abort(404, description=str(e))
        flash(str(e), "error")
        return render_template("overview/school.html", data=None, school=None, schools=schools, year="",
                               term_code="", term_choices=TERM_CHOICES, levels=overview.LEVELS), e.status
    data, days = None, []
    if school is not None:
        if term is None:
            term = current_term(db, school["id"], today).term
        data = overview.school_overview(db, school["id"], year, term, tz)
        days = trends.delivery_days(db, school["id"], today, tz)
        audit.record(db, g.staff.login, "web:overview", school_id=school["id"], year=year,
                     term=_term_code(term), classes=len(data.classes), students=data.school.students)
    return render_template("overview/school.html", data=data, school=school, schools=schools, year=year,
                           term_code=_term_code(term) if term is not None else "", term_choices=TERM_CHOICES,
                           levels=overview.LEVELS, days=days,
                           learning_rows=[(c.name, c.learning) for c in data.classes] if data else [])


@bp.route("/overview.xlsx")
@staff_required(*VIEWERS)
def school_xlsx():
    """The overview of one school and term as XLSX: per class figures and subject averages."""
    db = get_db()
    tz = settings().sms.timezone
    today = local_today(tz)
    try:
        school = params.school(db, request.args.get("school", "").strip())
        year = params.school_year(request.args.get("year", ""), today)
        term = params.term(request.args.get("term", ""))
    except BadParam as e:
        abort(e.status, description=str(e))
    if school is None:
        abort(400, description="choose a school")
    if term is None:
        term = current_term(db, school["id"], today).term
    data = overview.school_overview(db, school["id"], year, term, tz)
    levels = list(overview.LEVELS)
    head = ["Lớp", "Sĩ số", *(f"Học tập {lv.label}" for lv in levels), "Học tập chưa đủ dữ liệu",
            *(f"Rèn luyện {lv.label}" for lv in levels), "Rèn luyện chưa đủ dữ liệu", "Vắng có phép",
            "Vắng không phép", "Phụ huynh đã liên kết", "Phụ huynh đã nhắn tin", "Tắt tin tổng hợp", "SMS đã đến",
            "SMS lỗi"]

    def figures(name, s):
        return [name, s.students, *(s.learning[lv] for lv in levels), s.learning[None],
                *(s.conduct[lv] for lv in levels), s.conduct[None], s.excused, s.unexcused,
                len(s.engagement.linked), len(s.engagement.texted), len(s.engagement.opted_out),
                s.engagement.delivered, s.engagement.failed]

    codes = [a.code for a in data.school.averages]

    def averages_of(c):
        by_code = {a.code: a.average for a in c.averages}
        return [c.name, *(str(by_code[k]) if by_code.get(k) is not None else "" for k in codes)]
    audit.record(db, g.staff.login, "web:export-overview", school_id=school["id"], year=year, term=_term_code(term))
    return xlsx.response(f"tong-hop-{school['code']}-{year}-{_term_code(term)}.xlsx", [
        ("Theo lớp", head, [figures("Toàn trường", data.school), *(figures(c.name, c) for c in data.classes)]),
        ("Điểm trung bình môn", ["Lớp", *(a.name for a in data.school.averages)],
         (averages_of(c) for c in data.classes)),
    ])
