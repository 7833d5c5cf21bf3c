"""Correcting a guardian's number from the delivery report, so the resend reaches the family.

An admin corrects the numbers of their school's guardians (a guardian with
children at another school too is an operator's), an operator any. The
page is reached from a failure's "Sửa số" link; after saving, "Gửi lại" on
the report sends a new copy to the new number.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from store.core.clock import local_today, school_year_of
from store.messaging.contacts import numbers
from store.school.phones import mask, national
from store.school.users import Role

from .auth import staff_required
from .db import get_db, settings

bp = Blueprint("contacts", __name__, url_prefix="/staff")

FIX_ROLES = (Role.OPERATOR.value, Role.ADMIN.value)


def _back() -> str:
    """The delivery report of the day the staff member came from (never another site)."""
    raw = request.values.get("date", "")
    try:
        day = date.fromisoformat(raw).isoformat() if raw else None
    except ValueError:
        day = None
    return url_for("reports.delivery", **({"date": day} if day else {}))


@bp.route("/guardians/<int:guardian_id>/number", methods=["GET", "POST"])
@staff_required(*FIX_ROLES)
def number(guardian_id: int):
    """The guardian's children and number; POST sets a corrected number."""
    db = get_db()
    year = school_year_of(local_today(settings().sms.timezone))
    who = numbers.guardian(db, guardian_id, year)
    if who is None or not (g.staff.school_id is None or g.staff.school_id in who.school_ids):
        abort(404, description=f"no guardian #{guardian_id} in your school")
    typed = ""
    if request.method == "POST":
        typed = request.form.get("phone", "")
        try:
            phone = numbers.change_number(db, who, typed, actor=g.staff.login, school_id=g.staff.school_id)
        except numbers.NumberError as e:
            flash(e.message, "error")
            return render_template("contacts/number.html", who=who, shown=mask(who.phone), typed=typed,
                                   back=_back()), 400
        flash(f"Đã sửa số của {who.full_name or 'phụ huynh'} thành {national(phone)}. "
              "Bấm “Gửi lại” ở tin lỗi để gửi tới số mới.", "info")
        return redirect(_back(), code=303)
    return render_template("contacts/number.html", who=who, shown=mask(who.phone), typed=typed, back=_back())
