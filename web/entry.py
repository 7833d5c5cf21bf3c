"""Teacher data entry (SPEC §8): a class's grade book for one subject and term, edited on the web.

- GET /staff/entry?class=<id>&subject=<code>&term=<1|2>: pick a class, a subject and a term; the
  book shows every enrolled student with TX1..TXn, GK, CK (pending values marked), the term
  average once approved and as parents see it now, and a comment box.
- POST /staff/entry: the edited cells and comments, all or nothing (store.secondary.gradebook.save).

Scope: a teacher opens only their classes (store.school.assignments.scope: the assignment in force
plus user_classes) and, where their row names a subject,
only that subject; admins and reviewers their school, operators every school. Reviewers read only.
Anything outside the scope is a 404.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from store.core import audit
from store.secondary import gradebook
from store.school import levels, terms
from store.core.clock import local_today, school_year_of
from store.core.connection import transaction
from store.secondary.gradebook import CellEdit, EntryRejected

from outbox.templating import fmt_number

from . import params, xlsx
from .auth import staff_required
from .db import get_db, settings
from .menu import MenuEntry

bp = Blueprint("entry", __name__, url_prefix="/staff")
MENU = (MenuEntry("entry.gradebook", "Nhập điểm"),)

EDITORS = ("teacher", "admin", "operator")
_CELL = re.compile(r"c-(\d{1,12})-([A-Z]{2}\d?)")
_COMMENT = re.compile(r"nx-(\d{1,12})")
CHOOSE_FIRST = "chọn lớp và môn trước"


def _selection(source, year: str, today):
    """(choices, choice, subjects, subject, term) from the query or the form; 404 outside the scope."""
    choices = params.class_choices(year, today)
    class_id = params.number(source, "class")
    choice = subject = None
    subjects = []
    if class_id is not None:
        choice = next((c for c in choices if c.id == class_id), None)
        if choice is None:
            abort(404)
        subjects = gradebook.subjects_of(get_db(), choice)
    code = source.get("subject", "").strip().upper()
    if code:
        subject = next((s for s in subjects if s.code == code), None)
        if subject is None:
            abort(404)
    term = params.number(source, "term")
    if term is None:
        school_id = choice.school_id if choice else g.staff.school_id
        current = terms.current_term(get_db(), school_id, today) if school_id is not None else None
        term = current.term if current is not None and current.school_year == year else 1
    if term not in (1, 2):
        abort(400, description="học kỳ phải là 1 hoặc 2")
    return choices, choice, subjects, subject, term


def _edits(form) -> tuple[dict, dict]:
    cells, comments = {}, {}
    for name, typed in form.items():
        m = _CELL.fullmatch(name)
        if m:
            sid, label = int(m.group(1)), m.group(2)
            cells[(sid, label)] = CellEdit(form.get(f"o-{sid}-{label}", ""), typed)
            continue
        m = _COMMENT.fullmatch(name)
        if m:
            comments[int(m.group(1))] = typed
    return cells, comments


@bp.route("/entry", methods=["GET", "POST"], endpoint="gradebook")
@staff_required()
def gradebook_page():
    tz = settings().sms.timezone
    today = local_today(tz)
    year = school_year_of(today)
    source = request.form if request.method == "POST" else request.args
    choices, choice, subjects, subject, term = _selection(source, year, today)
    if choice is not None and levels.is_primary(choice.grade):
        # A primary class is assessed by levels per point (TT27): its own book.
        return redirect(url_for("primary.entry", **{"class": choice.id, "subject": subject.code if subject else ""}),
                        code=303)
    can_edit = g.staff.role.value in EDITORS
    db = get_db()
    problems, typed = [], {}
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if subject is None:
            abort(400, description=CHOOSE_FIRST)
        cells, comments = _edits(request.form)
        try:
            saved = gradebook.save(db, choice, subject, term, year, cells, comments, login=g.staff.login,
                                   today=today)
        except EntryRejected as e:
            problems = e.problems
            typed = {f"{sid}-{label}": edit.typed for (sid, label), edit in cells.items()}
            typed.update({f"nx-{sid}": text for sid, text in comments.items()})
        else:
            with transaction(db):
                for sid in sorted(saved.student_ids):
                    audit.record(db, g.staff.login, "web:grade-entry", school_id=choice.school_id, student_id=sid,
                                 subject=subject.code, term=term)
            if saved.grades or saved.comments:
                flash(f"Đã lưu {saved.grades} điểm và {saved.comments} nhận xét, chờ duyệt.", "info")
            else:
                flash("Không có gì thay đổi.", "info")
            return redirect(url_for("entry.gradebook", **{"class": choice.id, "subject": subject.code,
                                                           "term": term}), code=303)
    book = None
    if subject is not None:
        book = gradebook.load(db, choice, subject, term, year)
        with transaction(db):
            for row in book.rows:
                audit.record(db, g.staff.login, "web:gradebook", school_id=choice.school_id,
                             student_id=row.student_id, subject=subject.code, term=term)
    return render_template("entry/gradebook.html", choices=choices, choice=choice, subjects=subjects,
                           subject=subject, term=term, year=year, book=book, can_edit=can_edit,
                           problems=problems, typed=typed), (400 if problems else 200)


@bp.route("/entry.xlsx")
@staff_required()
def gradebook_xlsx():
    """The class grade book of one subject and term as XLSX (pending scores included, marked)."""
    tz = settings().sms.timezone
    today = local_today(tz)
    year = school_year_of(today)
    _, choice, _, subject, term = _selection(request.args, year, today)
    if subject is None:
        abort(400, description=CHOOSE_FIRST)
    db = get_db()
    book = gradebook.load(db, choice, subject, term, year)
    labels = [c.label for c in book.columns]

    def shown(cell):
        return "" if cell is None else fmt_number(cell.value) + (" (chờ duyệt)" if cell.pending else "")

    rows = ([i, r.code, r.name, *(shown(r.cells[label]) for label in labels), fmt_number(r.result),
             fmt_number(r.approved_result)] for i, r in enumerate(book.rows, start=1))
    with transaction(db):
        audit.record(db, g.staff.login, "web:export-gradebook", school_id=choice.school_id, subject=subject.code,
                     term=term, students=len(book.rows))
    return xlsx.response(f"so-diem-{choice.name}-{subject.code}-HK{term}.xlsx", [
        (f"{choice.name} {subject.code} HK{term}", ["#", "Mã HS", "Họ tên", *labels, "TB (kể cả chờ duyệt)",
                                                   "TB phụ huynh thấy"], rows)])
