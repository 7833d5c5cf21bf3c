"""The blueprint and what its pages share: who may do what, and the staff member's school and classes."""
from __future__ import annotations

from flask import Blueprint, abort, g

from store.secondary import gradebook
from store.core.clock import local_today, school_year_of
from store.core.text import is_digits
from store.questions import quizzes

from ..db import get_db, settings
from ..menu import MenuEntry

bp = Blueprint("selftests", __name__)
MENU = (MenuEntry("selftests.bank", "Ngân hàng câu hỏi"), MenuEntry("selftests.quizzes", "Bài kiểm tra"))

READERS = ("teacher", "admin", "reviewer")
EDITORS = ("teacher", "admin")


def can_edit() -> bool:
    return g.staff.role.value in EDITORS


def require_editor() -> None:
    if not can_edit():
        abort(403)


def today():
    return local_today(settings().sms.timezone)


def year() -> str:
    return school_year_of(today())


def classes() -> list[gradebook.ClassChoice]:
    """The classes of this school year the staff member works in (a teacher's own, an admin's school)."""
    teacher = g.staff.role.value == "teacher"
    return gradebook.classes_for(get_db(), year(), school_id=g.staff.school_id,
                                 teacher_id=g.staff.id if teacher else None)


def class_scope() -> frozenset[int] | None:
    """The class ids a teacher's views are limited to (None: the whole school)."""
    return g.staff.class_ids if g.staff.role.value == "teacher" else None


def quiz_or_404(quiz_id: int) -> quizzes.Quiz:
    """A test of the staff member's school (a teacher's: one given to one of their classes)."""
    quiz = quizzes.get(get_db(), quiz_id)
    if quiz is None or quiz.school_id != g.staff.school_id:
        abort(404)
    scope = class_scope()
    if scope is not None and not {cid for cid, _ in quizzes.classes_of(get_db(), quiz.id)} & scope:
        abort(404)
    return quiz


def int_arg(source, name: str, default: int | None = None) -> int | None:
    raw = (source.get(name) or "").strip()
    if not raw:
        return default
    if not is_digits(raw) or len(raw) > 9:
        abort(400, description=f"“{name}” phải là một số như trang hiển thị, không phải “{raw[:20]}”")
    return int(raw)
