"""A school's settings on the web: /staff/school (admins for their school, operators for every school).

Today one setting: what happens to a teacher's announcement to their class
(store.review.teacher_notices): "gửi ngay", "cần duyệt" (the default) or "không cho
phép". Every change is in audit_log.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from store.core import audit
from store.review.teacher_notices import TeacherNotices, set_setting

from .auth import staff_required
from .db import get_db
from .menu import MenuEntry

bp = Blueprint("school_settings", __name__, url_prefix="/staff/school")
MENU = (MenuEntry("school_settings.edit", "Cài đặt trường"),)

MANAGERS = ("admin", "operator")


def _schools() -> list[dict]:
    """The schools in the manager's scope with their settings."""
    rows = get_db().execute("SELECT id, code, name, teacher_notices FROM schools ORDER BY code").fetchall()
    return [{"id": r[0], "code": r[1], "name": r[2], "teacher_notices": TeacherNotices(r[3])}
            for r in rows if g.staff.can_see_school(r[0])]


@bp.route("", methods=["GET"], endpoint="edit")
@staff_required(*MANAGERS)
def edit():
    return render_template("staff/school_settings.html", schools=_schools(), choices=list(TeacherNotices))


@bp.route("", methods=["POST"])
@staff_required(*MANAGERS)
def save():
    try:
        school_id = int(request.form.get("school", ""))
        value = TeacherNotices(request.form.get("teacher_notices", ""))
    except ValueError:
        abort(400, description="Chọn một trường và một cách gửi thông báo của giáo viên.")
    if not g.staff.can_see_school(school_id) or not any(s["id"] == school_id for s in _schools()):
        abort(404)
    db = get_db()
    set_setting(db, school_id, value)
    audit.record(db, g.staff.login, "web:school-settings", school_id=school_id, teacher_notices=value.value)
    flash(f"Đã lưu: thông báo của giáo viên — {value.label.lower()}.", "info")
    return redirect(url_for("school_settings.edit")), 303
