"""Tests: making one, its printable sheets, results per pupil, item analysis, export, adopting scores."""
from __future__ import annotations

import random
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from store.core import audit
from store.core.clock import iso, parse_iso, utcnow
from store.core.connection import transaction
from store.core.text import is_digits
from store.secondary.gradebook import EntryRejected
from store.questions import analysis, bank, quizzes
from store.questions.adopt import Pick, adopt
from store.questions.errors import QuestionError
from store.questions.sheet import class_sheet

from ..auth import staff_required
from ..db import get_db, settings
from .blueprint import READERS, bp, can_edit, class_scope, classes, int_arg, quiz_or_404, require_editor, today, year


def _zone() -> ZoneInfo:
    return ZoneInfo(settings().sms.timezone)


@bp.app_template_filter("localtime")
def _localtime(text: str) -> str:
    return parse_iso(text).astimezone(_zone()).strftime("%H:%M %d/%m/%Y")


@bp.route("/staff/tests", endpoint="quizzes")
@staff_required(*READERS)
def quiz_list():
    """The tests of the school (a teacher's: those given to their classes)."""
    tests = quizzes.of_school(get_db(), g.staff.school_id, class_scope())
    now = utcnow()
    return render_template("selftests/quizzes.html", tests=[(q, q.state(now)) for q in tests], can_edit=can_edit())


def _local_datetime(raw: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=_zone())
    except ValueError as e:
        raise QuestionError(f"{name} “{raw}” không hợp lệ: chọn ngày và giờ") from e


def _create(form, choices) -> int:
    """The test the form describes, created in one transaction; QuestionError names what is wrong."""
    subject = (form.get("subject") or "").strip().upper()
    grade = int_arg(form, "grade")
    allowed = {c.id: c for c in choices}
    class_ids = [int(x) for x in form.getlist("class") if is_digits(x)]
    if any(cid not in allowed for cid in class_ids):
        abort(404)
    if any(allowed[cid].grade != grade for cid in class_ids):
        raise QuestionError(f"chỉ giao đề khối {grade} cho lớp khối {grade}")
    opens = _local_datetime(form.get("opens", ""), "giờ mở")
    closes = _local_datetime(form.get("closes", ""), "giờ đóng")
    rng = random.Random(secrets.randbits(64))
    db = get_db()
    with transaction(db):
        if form.get("mode") == "draw":
            count = int_arg(form, "count", 0)
            ids = quizzes.draw(db, g.staff.school_id, subject, grade, count, rng, topic=form.get("draw_topic", ""),
                               level=form.get("draw_level", ""))
        else:
            ids = [int(x) for x in form.getlist("question") if is_digits(x)]
        quiz_id = quizzes.create(db, school_id=g.staff.school_id, title=form.get("title", ""),
                                 code=form.get("code", "").strip() or None, subject=subject, grade=grade,
                                 question_ids=ids, class_ids=class_ids, opens=opens, closes=closes,
                                 max_attempts=int_arg(form, "attempts", 1), login=g.staff.login, school_year=year(),
                                 rng=rng)
        audit.record(db, g.staff.login, "web:quiz-create", school_id=g.staff.school_id, quiz=quiz_id)
    return quiz_id


@bp.route("/staff/tests/new", methods=["GET", "POST"], endpoint="quiz_new")
@staff_required(*READERS)
def quiz_new():
    """Pick the subject and grade, then the questions (or how many to draw), classes, times, attempts."""
    require_editor()
    source = request.form if request.method == "POST" else request.args
    subject = (source.get("subject") or "").strip().upper()
    grade = int_arg(source, "grade")
    choices = [c for c in classes() if grade is None or c.grade == grade]
    pool = bank.search(get_db(), g.staff.school_id, subject=subject, grade=grade) if subject and grade else []
    status = 200
    if request.method == "POST":
        try:
            quiz_id = _create(request.form, classes())
        except QuestionError as e:
            flash(f"Chưa tạo: {e}.", "error")
            status = 400
        else:
            flash("Đã tạo bài kiểm tra và mã đề riêng cho từng học sinh.", "info")
            return redirect(url_for("selftests.quiz", quiz_id=quiz_id), code=303)
    return render_template("selftests/quiz_new.html", subject=subject, grade=grade, choices=choices, pool=pool,
                           f=source, levels=tuple(bank.Level), facets=bank.facets(get_db(), g.staff.school_id)), status


@bp.route("/staff/tests/<int:quiz_id>", endpoint="quiz")
@staff_required(*READERS)
def quiz_page(quiz_id: int):
    """A test: its classes and sheets, every pupil's result, and the item analysis."""
    db = get_db()
    quiz = quiz_or_404(quiz_id)
    scope = class_scope()
    if can_edit():
        with transaction(db):          # a pupil who joined a class since gets a variant too
            quizzes.add_variants(db, quiz.id, year(), random.Random(secrets.randbits(64)))
    classes_shown = [(cid, name) for cid, name in quizzes.classes_of(db, quiz.id) if scope is None or cid in scope]
    rows = analysis.results(db, quiz.id, scope)
    with transaction(db):
        for r in rows:
            audit.record(db, g.staff.login, "web:quiz-results", school_id=quiz.school_id, student_id=r.student_id,
                         quiz=quiz.id)
    return render_template("selftests/quiz.html", quiz=quiz, state=quiz.state(utcnow()), classes=classes_shown,
                           rows=rows, items=quizzes.items(db, quiz.id), stats=analysis.item_analysis(db, quiz.id, scope),
                           letters=bank.LETTERS, can_edit=can_edit(), adoptable=_adoptable(quiz))


def _adoptable(quiz) -> dict[int, list[str]]:
    """Per class of the staff member: the grade-book columns a score may go into."""
    from store.secondary import gradebook
    out = {}
    for choice in classes():
        subject = next((s for s in gradebook.subjects_of(get_db(), choice) if s.code == quiz.subject_code), None)
        if subject is not None and subject.scored:
            out[choice.id] = [c.label for c in gradebook.columns_of(subject)]
    return out


@bp.route("/staff/tests/<int:quiz_id>/sheet/<int:class_id>.pdf", endpoint="sheet")
@staff_required(*READERS)
def sheet(quiz_id: int, class_id: int):
    """The printable PDF of one class: pupils' codes, then each pupil's own variant."""
    db = get_db()
    quiz = quiz_or_404(quiz_id)
    scope = class_scope()
    names = dict(quizzes.classes_of(db, quiz.id))
    if class_id not in names or (scope is not None and class_id not in scope):
        abort(404)
    school = db.execute("SELECT name FROM schools WHERE id = ?", [quiz.school_id]).fetchone()[0]
    try:
        pdf = class_sheet(db, quiz, class_id, school_name=school, class_name=names[class_id],
                          shortcode=settings().smsc[0].source_addr, tz=settings().sms.timezone, generated=utcnow())
    except QuestionError as e:
        abort(500, description=str(e))
    audit.record(db, g.staff.login, "web:quiz-sheet", school_id=quiz.school_id, quiz=quiz.id, class_id=class_id)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{quiz.code}-{names[class_id]}.pdf"'})


@bp.route("/staff/tests/<int:quiz_id>/export.xlsx", endpoint="export")
@staff_required(*READERS)
def export(quiz_id: int):
    """Results and item analysis as an .xlsx."""
    db = get_db()
    quiz = quiz_or_404(quiz_id)
    data = analysis.export_xlsx(db, quiz, class_scope())
    audit.record(db, g.staff.login, "web:quiz-export", school_id=quiz.school_id, quiz=quiz.id)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{quiz.code}-ket-qua.xlsx"'})


@bp.route("/staff/tests/<int:quiz_id>/adopt", methods=["POST"], endpoint="adopt")
@staff_required(*READERS)
def adopt_scores(quiz_id: int):
    """Write ticked pupils' marks into a grade-book column: pending grades, approved as usual."""
    require_editor()
    quiz = quiz_or_404(quiz_id)
    class_id = int_arg(request.form, "class")
    choice = next((c for c in classes() if c.id == class_id), None)
    if choice is None or class_id not in dict(quizzes.classes_of(get_db(), quiz.id)):
        abort(404)
    term = int_arg(request.form, "term", 1)
    if term not in (1, 2):
        abort(400, description="học kỳ phải là 1 hoặc 2")
    raw_pick = request.form.get("pick", "first")
    if raw_pick not in ("first", "best"):
        abort(400, description="chọn lần làm đầu hoặc lần cao nhất")
    pick = Pick(raw_pick)
    ticked = {int(x) for x in request.form.getlist("student") if is_digits(x)}
    try:
        done = adopt(get_db(), quiz, choice, term=term, column=request.form.get("column", ""), pick=pick,
                     student_ids=ticked, login=g.staff.login, today=today(), school_year=year())
    except (QuestionError, EntryRejected) as e:
        flash(f"Chưa ghi điểm: {e}.", "error")
        return redirect(url_for("selftests.quiz", quiz_id=quiz.id), code=303)
    audit.record(get_db(), g.staff.login, "web:quiz-adopt", school_id=quiz.school_id, quiz=quiz.id,
                 class_id=choice.id, column=request.form.get("column"), term=term, written=done.written)
    skipped = "; ".join(f"{name}: {why}" for name, why in done.skipped)
    flash(f"Đã ghi {done.written} điểm vào sổ, chờ duyệt." + (f" Bỏ qua — {skipped}." if skipped else ""), "info")
    return redirect(url_for("selftests.quiz", quiz_id=quiz.id), code=303)


@bp.route("/staff/tests/<int:quiz_id>/closing", methods=["POST"], endpoint="closing")
@staff_required(*READERS)
def closing(quiz_id: int):
    """Close a test now, or move its closing time (pupils' attempts so far stay)."""
    require_editor()
    quiz = quiz_or_404(quiz_id)
    db = get_db()
    try:
        closes = utcnow() if request.form.get("now") else _local_datetime(request.form.get("closes", ""), "giờ đóng")
        with transaction(db):
            quizzes.set_closing(db, quiz, closes)
            audit.record(db, g.staff.login, "web:quiz-closing", school_id=quiz.school_id, quiz=quiz.id,
                         closes_at=iso(closes))
    except QuestionError as e:
        flash(f"Chưa đổi: {e}.", "error")
    else:
        flash(f"Bài {quiz.code} đóng lúc {_localtime(iso(closes))}.", "info")
    return redirect(url_for("selftests.quiz", quiz_id=quiz.id), code=303)
