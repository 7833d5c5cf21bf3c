"""The school's question bank: filter, add, edit, remove, and import from Word or Excel files."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from store.core import audit
from store.core.connection import transaction
from store.core.text import is_digits
from store.questions import bank, levels
from store.questions.errors import ImportRejected, QuestionError
from store.questions.importing import Defaults, import_questions

from ..auth import staff_required
from ..db import get_db
from .blueprint import READERS, bp, can_edit, int_arg, require_editor

LEVELS = tuple(levels.Level)


def _filters(source) -> dict:
    return {"subject": (source.get("subject") or "").strip().upper(), "grade": int_arg(source, "grade"),
            "topic": (source.get("topic") or "").strip(), "level": (source.get("level") or "").strip().upper()}


@bp.route("/staff/questions", endpoint="bank")
@staff_required(*READERS)
def bank_list():
    """The bank, filtered by subject, grade, topic and level."""
    f = _filters(request.args)
    questions = bank.search(get_db(), g.staff.school_id, **f)
    return render_template("selftests/bank.html", questions=questions, f=f, levels=LEVELS,
                           facets=bank.facets(get_db(), g.staff.school_id), can_edit=can_edit())


def _draft(form) -> bank.Draft:
    choices = [form.get(f"choice_{letter}", "") for letter in bank.LETTERS]
    while choices and not choices[-1].strip():
        choices.pop()
    key = form.get("answer", "")
    grade = form.get("grade", "").strip()
    return bank.Draft(body=form.get("body", ""), choices=choices,
                      answer=bank.LETTERS.index(key) if key and key in bank.LETTERS else None,
                      level=form.get("level", ""), subject_code=form.get("subject_code", ""),
                      grade=int(grade) if is_digits(grade) and len(grade) <= 2 else None,
                      topic=form.get("topic", ""), explanation=form.get("explanation", ""),
                      keys_marked=1 if key else 0)


def _form_values(q: bank.Question | None, source=None) -> dict:
    if source is not None:
        return {k: source.get(k, "") for k in ("body", "subject_code", "grade", "topic", "level", "answer",
                                                "explanation", *(f"choice_{x}" for x in bank.LETTERS))}
    if q is None:
        return {"grade": "", "level": "NB"}
    values = {"body": q.body, "subject_code": q.subject_code, "grade": str(q.grade), "topic": q.topic,
              "level": q.level.value, "answer": q.key_letter, "explanation": q.explanation}
    values.update({f"choice_{bank.LETTERS[i]}": c for i, c in enumerate(q.choices)})
    return values


@bp.route("/staff/questions/new", methods=["GET", "POST"], endpoint="question_new")
@bp.route("/staff/questions/<int:question_id>", methods=["GET", "POST"], endpoint="question_edit")
@staff_required(*READERS)
def question_form(question_id: int | None = None):
    """Add a question, or edit one (tests already made keep the version they were made with)."""
    db = get_db()
    existing = bank.get(db, g.staff.school_id, question_id) if question_id is not None else None
    if question_id is not None and (existing is None or not existing.active):
        abort(404)
    if request.method == "POST":
        require_editor()
        try:
            q = bank.checked(_draft(request.form), g.staff.school_id)
        except QuestionError as e:
            flash(f"Chưa lưu: {e}.", "error")
            return render_template("selftests/question.html", q=existing, v=_form_values(None, request.form),
                                   levels=LEVELS, letters=bank.LETTERS, can_edit=True), 400
        with transaction(db):
            if existing is None:
                question_id = bank.add(db, q, g.staff.login)
            else:
                bank.update(db, question_id, q)
            audit.record(db, g.staff.login, "web:question-save", school_id=g.staff.school_id, question=question_id)
        flash("Đã lưu câu hỏi.", "info")
        return redirect(url_for("selftests.bank", subject=q.subject_code, grade=q.grade), code=303)
    return render_template("selftests/question.html", q=existing, v=_form_values(existing), levels=LEVELS,
                           letters=bank.LETTERS, can_edit=can_edit())


@bp.route("/staff/questions/<int:question_id>/delete", methods=["POST"], endpoint="question_delete")
@staff_required(*READERS)
def question_delete(question_id: int):
    """Take a question out of the bank."""
    require_editor()
    db = get_db()
    if bank.get(db, g.staff.school_id, question_id) is None:
        abort(404)
    with transaction(db):
        bank.deactivate(db, g.staff.school_id, question_id)
        audit.record(db, g.staff.login, "web:question-delete", school_id=g.staff.school_id, question=question_id)
    flash("Đã bỏ câu hỏi khỏi ngân hàng (các bài kiểm tra đã tạo vẫn giữ câu này).", "info")
    return redirect(url_for("selftests.bank"), code=303)


@bp.route("/staff/questions/import", methods=["GET", "POST"], endpoint="bank_import")
@staff_required(*READERS)
def bank_import():
    """Upload a .docx or .xlsx: every question checked; one bad question and nothing is written."""
    if request.method == "GET":
        return render_template("selftests/import.html", problems=[], levels=LEVELS, v={}, can_edit=can_edit())
    require_editor()
    upload = request.files.get("file")
    v = {k: request.form.get(k, "") for k in ("subject_code", "grade", "topic", "level")}
    grade = v["grade"].strip()
    defaults = Defaults(v["subject_code"].strip().upper(), int(grade) if is_digits(grade) and len(grade) <= 2 else None,
                        v["topic"].strip(), v["level"].strip())
    if upload is None or not upload.filename:
        flash("Chọn một tệp .docx hoặc .xlsx.", "error")
        return render_template("selftests/import.html", problems=[], levels=LEVELS, v=v, can_edit=True), 400
    suffix = Path(upload.filename).suffix.lower()
    name = secure_filename(upload.filename)
    name = name if name and Path(name).suffix.lower() == suffix else f"cau_hoi{suffix}"
    with tempfile.TemporaryDirectory(prefix="sll-questions-") as folder:
        path = Path(folder) / name
        upload.save(path)
        try:
            done = import_questions(get_db(), path, g.staff.school_id, g.staff.login, defaults)
        except ImportRejected as e:
            flash(f"Chưa nhập câu nào: {len(e.problems)} câu hỏi không hợp lệ. Sửa tệp rồi tải lên lại.", "error")
            return render_template("selftests/import.html", problems=e.problems, levels=LEVELS, v=v,
                                   can_edit=True), 400
        except QuestionError as e:
            flash(str(e), "error")
            return render_template("selftests/import.html", problems=[], levels=LEVELS, v=v, can_edit=True), 400
    audit.record(get_db(), g.staff.login, "web:question-import", school_id=g.staff.school_id, file=name,
                 questions=done.questions)
    flash(f"Đã nhập {done.questions} câu hỏi từ {name}.", "info")
    return redirect(url_for("selftests.bank"), code=303)
