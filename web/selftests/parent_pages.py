"""A guardian's side: their children's tests, answered on the web, and the result page the SMS links to."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from store.core import audit
from store.secondary import parent_view
from store.core.clock import utcnow
from store.core.connection import transaction
from store.core.text import is_digits
from store.school.phones import mask
from store.questions import attempts, quizzes
from store.questions.attempts import Outcome

from ..auth import parent_required
from ..db import get_db
from .blueprint import bp, year

REFUSALS = {"closed": "Bài kiểm tra đã đóng, không nộp thêm được.",
            "not_open": "Bài kiểm tra chưa mở.",
            "limit": "Con đã làm đủ số lần cho phép."}


def _children() -> dict[int, object]:
    current = year()
    return {lc.child.student_id: lc.child for lc in parent_view.children(get_db(), g.guardian_id, current, current)}


def _actor() -> str:
    row = get_db().execute("SELECT phone FROM guardians WHERE id = ?", [g.guardian_id]).fetchone()
    return mask(row[0] if row else None)


@bp.route("/parent/tests", endpoint="parent_tests")
@parent_required
def parent_tests():
    """Every test of the guardian's children this school year, with the child's own attempts (no ranking)."""
    db = get_db()
    kids = _children()
    now = utcnow()
    rows = []
    for variant, quiz in quizzes.variants_of_students(db, list(kids), year()):
        done = attempts.of_variant(db, variant.id)
        rows.append({"variant": variant, "quiz": quiz, "child": kids[variant.student_id], "state": quiz.state(now),
                     "attempts": done, "last": done[-1] if done else None})
    return render_template("selftests/parent_tests.html", rows=rows)


def _variant_or_404(code: str):
    variant = quizzes.variant_by_code(get_db(), code.strip().upper())
    kids = _children()
    if variant is None or variant.student_id not in kids or not quizzes.in_year(get_db(), variant, year()):
        abort(404)                   # another family's, or one of an earlier school year
    return variant, quizzes.get(get_db(), variant.quiz_id), kids[variant.student_id]


def _picks(form, items) -> tuple:
    out = []
    for item in items:
        raw = form.get(f"q{item.position}", "")
        out.append(int(raw) if is_digits(raw) and int(raw) < len(item.choices) else None)
    return tuple(out)


@bp.route("/parent/tests/<code>", methods=["GET", "POST"], endpoint="parent_test")
@parent_required
def parent_test(code: str):
    """One child's variant: answer it while open; after, each attempt with keys once solutions are open."""
    db = get_db()
    variant, quiz, child = _variant_or_404(code)
    items = quizzes.items(db, quiz.id)
    now = utcnow()
    if request.method == "POST":
        picks = _picks(request.form, items)
        if all(p is None for p in picks):
            flash("Chưa chọn đáp án nào: bài chưa được nộp.", "error")
            return redirect(url_for("selftests.parent_test", code=variant.code), code=303)
        with transaction(db):
            done = attempts.submit(db, quiz, variant, picks, source="web", now=now,
                                   guardian_id=g.guardian_id)
            audit.record(db, _actor(), "web:parent:quiz-submit", school_id=child.school_id,
                         student_id=child.student_id, quiz=quiz.id, outcome=done.outcome.value)
        if done.outcome is Outcome.REFUSED:
            flash(REFUSALS[done.reason], "error")
        else:
            flash(f"Đã chấm: đúng {done.mark.correct}/{done.mark.total}.", "info")
        return redirect(url_for("selftests.parent_test", code=variant.code), code=303)
    done = attempts.of_variant(db, variant.id)
    marks = [attempts.mark_of(db, variant, a.picks) for a in done]
    audit.record(db, _actor(), "web:parent:quiz", school_id=child.school_id, student_id=child.student_id, quiz=quiz.id)
    state = quiz.state(now)
    return render_template("selftests/parent_test.html", variant=variant, quiz=quiz, child=child, items=items,
                           attempts=list(zip(done, marks)), state=state,
                           can_answer=state == "open" and len(done) < quiz.max_attempts,
                           solutions=attempts.solutions_open(quiz, len(done), now), letters="ABCDEF")


@bp.record_once
def _sms_link(state) -> None:
    """`Xem loi giai: <site>/p/bl/<code>` in the BL reply lands on the child's test (after the parent login)."""
    state.app.add_url_rule("/p/bl/<code>", "selftests_sms_link",
                           lambda code: redirect(url_for("selftests.parent_test", code=code)))
