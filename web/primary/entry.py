"""Staff pages of primary schools (TT27): the teacher's book per class, subject and point, and the overview.

- GET/POST /staff/entry/th?class=<id>&subject=<code>&point=<GK1|CK1|GK2|CN>: a level (T/H/C), a test
  score where TT27 holds one and a comment per pupil; all or nothing, pending until approved
  (store.primary.gradebook, validated as the danhgia import validates).
- GET /staff/overview/th?point=…&year=…[&school=CODE]: per class, counts per level per subject, the
  qualities' levels and, at CN, the year-end results and commendations (store.primary.overview).

Scope as the secondary pages: a teacher their classes (user_classes) and subjects, admins and
reviewers their school, operators every school; reviewers read only; outside the scope is a 404.
Only a school with primary grades (level TH, alone or joined) has these pages: elsewhere the menu
hides them and they answer 404 in Vietnamese (an operator: while no school has primary grades).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from store.core import audit
from store.secondary import gradebook
from store.school import levels
from store.core.clock import local_today, school_year_of
from store.core.connection import transaction
from store.core.text import is_digits
from store.secondary.gradebook import EntryRejected
from store.primary import gradebook as th_book
from store.primary import overview as th_overview
from store.school.level_schools import has_level, schools_with
from store.school.levels import SchoolLevel
from store.rules import tt27
from store.rules.tt27 import Point

from web import params
from web.auth import staff_required
from web.db import get_db, settings
from web.entry import EDITORS
from web.level_gate import LevelGate
from web.menu import MenuEntry
from web.overview import VIEWERS
from web.params import BadParam, school as _school, school_year as _year

bp = Blueprint("primary", __name__, url_prefix="/staff")
MENU = (MenuEntry("primary.entry", "Nhập đánh giá TH"), MenuEntry("primary.overview", "Tổng hợp TH"))


ONLY_PRIMARY = "trang này chỉ dành cho trường có cấp tiểu học (lớp 1–5, Thông tư 27)"
GATE = LevelGate(SchoolLevel.TH, "tiểu học", ONLY_PRIMARY)


def _point(raw: str) -> Point:
    point = tt27.find_point(raw or "CK1")
    if point is None:
        abort(400, description="đợt phải là GK1, CK1, GK2 hoặc CN")
    return point


QUALITIES = "PCNL"      # the book's pseudo-subject: the class's qualities and competences at the point


def _quality_edits(form) -> dict[tuple[int, str], str]:
    out = {}
    for name, typed in form.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "q" and is_digits(parts[1]) and len(parts[1]) < 13:
            out[(int(parts[1]), parts[2])] = typed
    return out


def _edits(form) -> dict[int, th_book.RowEdit]:
    ids = {int(k[2:]) for k in form if k.startswith("m-") and is_digits(k[2:]) and len(k) < 16}
    return {sid: th_book.RowEdit(form.get(f"m-{sid}", ""), form.get(f"d-{sid}", ""), form.get(f"n-{sid}", ""))
            for sid in ids}


@bp.route("/entry/th", methods=["GET", "POST"], endpoint="entry")
@staff_required()
def entry_page():
    """One primary class's levels, test scores and comments for one subject and point."""
    GATE.refuse_elsewhere()
    today = local_today(settings().sms.timezone)
    year = school_year_of(today)
    source = request.form if request.method == "POST" else request.args
    choices = [c for c in params.class_choices(year, today) if levels.is_primary(c.grade)]
    class_id = params.number(source, "class")
    choice = next((c for c in choices if c.id == class_id), None) if class_id is not None else None
    if class_id is not None and choice is None:
        abort(404)
    subjects = gradebook.subjects_of(get_db(), choice) if choice else []
    code = source.get("subject", "").strip().upper()
    subject = next((s for s in subjects if s.code == code), None) if code else None
    point = _point(source.get("point", ""))
    if code == QUALITIES and choice is not None and choice.subject_codes is None:
        return _qualities_page(choice, subjects, point, year, choices)
    if code and subject is None:
        abort(404)
    can_edit = g.staff.role.value in EDITORS
    db, problems, typed = get_db(), [], {}
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if subject is None:
            abort(400, description="chọn lớp và môn trước")
        edits = _edits(request.form)
        try:
            changed = th_book.save(db, choice, subject, point, year, edits, login=g.staff.login)
        except EntryRejected as e:
            problems = e.problems
            typed = {sid: e for sid, e in edits.items()}
        else:
            with transaction(db):
                for sid in sorted(edits):
                    audit.record(db, g.staff.login, "web:primary-entry", school_id=choice.school_id, student_id=sid,
                                 subject=subject.code, point=point.value)
            flash(f"Đã lưu {changed} đánh giá, chờ duyệt." if changed else "Không có gì thay đổi.", "info")
            return redirect(url_for("primary.entry", **{"class": choice.id, "subject": subject.code,
                                                         "point": point.value}), code=303)
    book = th_book.load(db, choice, subject, point, year) if subject else None
    if book:
        with transaction(db):
            for row in book.rows:
                audit.record(db, g.staff.login, "web:primary-book", school_id=choice.school_id,
                             student_id=row.student_id, subject=subject.code, point=point.value)
    return render_template("primary/entry.html", choices=choices, choice=choice, subjects=subjects, subject=subject,
                           point=point, points=tt27.POINTS, year=year, book=book, can_edit=can_edit,
                           problems=problems, typed=typed, qualities_code=QUALITIES), (400 if problems else 200)


def _qualities_page(choice, subjects, point: Point, year: str, choices):
    """The homeroom teacher's (GVCN's) qualities and competences of the class at ``point``."""
    db, problems, typed = get_db(), [], {}
    can_edit = g.staff.role.value in EDITORS
    if request.method == "POST":
        if not can_edit:
            abort(403)
        typed = _quality_edits(request.form)
        try:
            changed = th_book.save_qualities(db, choice, point, year, typed, login=g.staff.login)
        except EntryRejected as e:
            problems = e.problems
        else:
            with transaction(db):
                for sid in sorted({k[0] for k in typed}):
                    audit.record(db, g.staff.login, "web:primary-qualities", school_id=choice.school_id,
                                 student_id=sid, point=point.value)
            flash(f"Đã lưu {changed} đánh giá phẩm chất, năng lực, chờ duyệt." if changed else "Không có gì thay đổi.",
                  "info")
            return redirect(url_for("primary.entry", **{"class": choice.id, "subject": QUALITIES,
                                                         "point": point.value}), code=303)
    book = th_book.load_qualities(db, choice, point, year)
    return render_template("primary/qualities.html", choices=choices, choice=choice, subjects=subjects,
                           point=point, points=tt27.POINTS, year=year, book=book, can_edit=can_edit,
                           problems=problems, typed=typed, quality_name=tt27.quality_name,
                           qualities_code=QUALITIES), (400 if problems else 200)


@bp.route("/overview/th", endpoint="overview")
@staff_required(*VIEWERS)
def overview_page():
    """A primary school's classes at one point: counts per level per subject, qualities, year-end results."""
    GATE.refuse_elsewhere()
    db = get_db()
    today = local_today(settings().sms.timezone)
    schools = schools_with(db, SchoolLevel.TH) if g.staff.school_id is None else []
    try:
        school = _school(db, request.args.get("school", "").strip())
        year = _year(request.args.get("year", ""), today)
    except BadParam as e:
        abort(e.status, description=str(e))
    if school is not None and not has_level(db, school["id"], SchoolLevel.TH):
        abort(404, description=f"Trường {school['code']} không có cấp tiểu học: {ONLY_PRIMARY}")
    point = _point(request.args.get("point", ""))
    classes = names = []
    if school is not None:
        classes = th_overview.school_levels(db, school["id"], year, point)
        names = th_overview.subject_names(db, school["id"], classes)
        audit.record(db, g.staff.login, "web:primary-overview", school_id=school["id"], year=year,
                     point=point.value, classes=len(classes))
    return render_template("primary/overview.html", school=school, schools=schools, year=year, point=point,
                           points=tt27.POINTS, classes=classes, names=names, subject_levels=list(tt27.SubjectLevel),
                           quality_levels=list(tt27.QualityLevel), results=th_overview.RESULT_ORDER,
                           commendations=list(tt27.Commendation))


GATE.mark(entry_page, overview_page)      # the menu (web/menu.py)
