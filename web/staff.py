"""The staff home: today's messages per state, pending approvals and unanswered GV/NGHI per school in scope,
and the coordinator's round: per class, what was entered today and what waits for approval."""
from __future__ import annotations

from flask import Blueprint, current_app, g, render_template

from outbox.states import MessageState
from store.messaging import reports
from store.review import approvals
from store.core.clock import local_today
from store.staff import rounds
from store.school.users import Role

from .auth import staff_required
from .db import get_db, settings
from .menu import MenuEntry

bp = Blueprint("staff", __name__, url_prefix="/staff")
MENU = (MenuEntry("staff.index", "Tổng quan"),)


@bp.route("/")
@staff_required()
def index():
    """One row per school in the staff member's scope (a teacher's: their classes only)."""
    db = get_db()
    tz = settings().sms.timezone
    today = local_today(tz)
    staff = g.staff
    class_ids = staff.class_ids if staff.role is Role.TEACHER else None
    rows = []
    for school in reports.schools(db):
        if not staff.can_see_school(school["id"]):
            continue
        report = reports.delivery(db, today, tz, school_id=school["id"], class_ids=class_ids)
        rows.append({**school, "counts": report.counts, "total": report.total,
                     "pending": approvals.pending_approvals(db, school["id"], class_ids),
                     "unanswered": reports.unanswered_teacher_messages(db, school["id"], class_ids)})
    # The coordinator's round, per class (one school in scope: an admin's, a reviewer's, a teacher's classes).
    classes = rounds.daily(db, staff.school_id, today, tz, class_ids=class_ids) if staff.school_id else []
    return render_template("staff/index.html", rows=rows, day=today.isoformat(), classes=classes,
                           round_kinds=rounds.KINDS,
                           states=tuple(s.value for s in MessageState),
                           has=lambda endpoint: endpoint in current_app.view_functions)
