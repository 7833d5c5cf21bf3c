"""Query parameters of the staff and parent pages, and the staff member's scope they narrow.

One exception, `BadParam`, for a parameter a page cannot use (its message
names it; `status` 404 when the thing asked for is outside the viewer's
scope). A page that wants to show its own form again catches it; one that
does not lets it rise to `error_page`, registered in web/__init__.py, which
renders the Vietnamese error page in the site frame (JSON under /api/).
A store refusal (`store.core.errors.StoreError`) no page caught is a 400 the same
way, naming what was refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app, g
from werkzeug.exceptions import BadRequest, NotFound

from store.secondary import gradebook
from store.messaging import reports
from store.core.clock import school_year_of
from store.core.errors import BackupError, SchemaError, StoreError
from store.rules.periods import SEMESTER_CHOICES, PeriodError, Semester
from store.school.users import Role

from .db import get_db

YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")
TERM_CHOICES = SEMESTER_CHOICES     # the term pickers
# How a message names a parameter (the page's words, not the query's).
NAMES = {"class": "lớp", "term": "học kỳ", "subject": "môn", "year": "năm học", "date": "ngày", "page": "trang",
         "school": "trường"}


class BadParam(ValueError):
    """A query parameter a page cannot use; the message names it, ``status`` is 400 or 404."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def error_page(e: BadParam):
    """The 400 (or 404) page in the site frame for a parameter no page caught."""
    wrapped = NotFound(description=str(e)) if e.status == 404 else BadRequest(description=str(e))
    return current_app.handle_http_exception(wrapped)


def store_error_page(e: StoreError):
    """A refusal of the store no page caught (a poll, an approval, an account...): the 400 page naming it.

    A damaged or foreign database and a failed backup are the server's trouble,
    not the request's: they stay a logged 500.
    """
    if isinstance(e, (SchemaError, BackupError)):
        raise e
    return current_app.handle_http_exception(BadRequest(description=str(e)))


def init_app(app) -> None:
    """The one error handler for parameters and store refusals that rose out of a page."""
    app.register_error_handler(BadParam, error_page)
    app.register_error_handler(StoreError, store_error_page)


def number(source, name: str) -> int | None:
    """The whole number ``source[name]`` (a form or the query), None when not given."""
    raw = source.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:     # "²".isdigit() is True, int("²") fails
        raise BadParam(f"{NAMES.get(name, name)} phải là số như trên trang, không phải '{raw[:20]}'")
    return int(raw)


def is_school_year(raw: str) -> bool:
    """Whether ``raw`` reads as a school year 'YYYY-YYYY' of two following years."""
    m = YEAR_RE.match(raw)
    return bool(m) and int(m.group(2)) == int(m.group(1)) + 1


def term(raw: str) -> Semester | None:
    """HK1, HK2 or the year from '1' / 'HK1' / '2' / 'HK2' / 'CN'; None when not given."""
    if not raw:
        return None
    try:
        return Semester.parse(raw)
    except PeriodError:
        raise BadParam(f"học kỳ phải là 1, 2 hoặc CN, không phải '{raw[:20]}'") from None


def school_year(raw: str, today: date) -> str:
    """The school year asked for, this one when not given."""
    if not raw:
        return school_year_of(today)
    if not is_school_year(raw.strip()) or not 2000 <= int(raw.strip()[:4]) <= 2100:
        raise BadParam(f"năm học phải có dạng 2025-2026, không phải '{raw[:20]}'")
    return raw.strip()


def day(raw: str | None, *, default: date | None) -> date | None:
    """A 'YYYY-MM-DD' parameter as a date, ``default`` when not given."""
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParam(f"ngày phải có dạng YYYY-MM-DD, không phải '{raw[:20]}'") from None


def school(db, code: str) -> dict | None:
    """The school shown: the staff member's own, or the one an operator chose (None: not chosen yet)."""
    schools = reports.schools(db)
    by_code = {s["code"]: s for s in schools}
    if g.staff.school_id is None:
        if code and code not in by_code:
            raise BadParam(f"không có trường '{code[:30]}'")
        return by_code.get(code)
    own = {s["id"]: s for s in schools}[g.staff.school_id]
    if code and code != own["code"]:
        raise BadParam(f"trường '{code[:30]}' không phải trường của bạn", 404)
    return own


def class_choices(school_year: str, today: date) -> list[gradebook.ClassChoice]:
    """The classes the staff member enters marks or notes for (a teacher: this term's assignment)."""
    teacher = g.staff.role.value == "teacher"
    return gradebook.classes_for(get_db(), school_year, school_id=g.staff.school_id,
                                 teacher_id=g.staff.id if teacher else None, today=today)


@dataclass(frozen=True)
class Scope:
    """What one report shows: a school (None: every school, operators only) and classes (None: all)."""

    school: dict | None
    class_ids: frozenset[int] | None
    class_name: str | None
    class_options: list[str]


def scope(db, school_code: str, class_name: str, on: date) -> Scope:
    """The staff member's scope narrowed to the school and class asked for (BadParam when not allowed)."""
    staff = g.staff
    chosen_school = school(db, school_code)
    teacher = staff.role is Role.TEACHER
    if teacher:
        options = reports.classes_named(db, staff.class_ids)
    elif chosen_school is not None:
        options = reports.school_classes(db, chosen_school["id"], school_year_of(on))
    else:
        options = []
    names = list(dict.fromkeys(name for _, name in options))
    class_ids = frozenset(staff.class_ids) if teacher else None
    if class_name:
        chosen = frozenset(cid for cid, name in options if name == class_name)
        if not chosen:
            if teacher:
                raise BadParam(f"class {class_name!r} is not one of yours", 404)
            if chosen_school is None:
                raise BadParam("choose a school to see one class")
            raise BadParam(f"no class {class_name!r} in {chosen_school['code']} in {school_year_of(on)}")
        class_ids = chosen
    return Scope(chosen_school, class_ids, class_name or None, names)
