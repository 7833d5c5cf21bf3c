"""Polls on the parents' website: the open polls asking about their children, answered with one click."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from outbox import poll_notices
from outbox.wake import Wake
from store.community import poll_answers, polls
from store.community.poll_rules import Place, PollError

from web.auth import parent_required
from web.db import get_db, redis, settings

bp = Blueprint("parent_polls", __name__, url_prefix="/parent/polls")


@bp.app_template_filter("poll_time")
def _poll_time(stamp: str | None) -> str:
    """A stored UTC time as the school reads it: HH:MM dd/mm/yyyy."""
    from zoneinfo import ZoneInfo

    from store.core.clock import parse_iso
    return parse_iso(stamp).astimezone(ZoneInfo(settings().sms.timezone)).strftime("%H:%M %d/%m/%Y") if stamp else ""


def _names(db, student_ids) -> dict[int, str]:
    ids = sorted(set(student_ids))
    if not ids:
        return {}
    return dict(db.execute(f"SELECT id, full_name FROM students WHERE id IN ({','.join('?' * len(ids))})", ids))


@bp.route("/")
@parent_required
def index():
    """Each open poll with the guardian's children it asks about and their answers so far."""
    db = get_db()
    rows = []
    for poll in polls.open_for_guardian(db, g.guardian_id):
        asked = poll_answers.asked_children(db, poll.id, g.guardian_id)
        names = _names(db, [s for s, _ in asked])
        current = poll_answers.current(db, poll.id, g.guardian_id)
        rows.append({"poll": poll, "children": [(sid, names.get(sid, ""), current.get(sid)) for sid, _ in asked]})
    return render_template("parents/polls.html", rows=rows, Place=Place)


@bp.route("/<int:poll_id>", methods=["POST"])
@parent_required
def answer(poll_id: int):
    """Answer (or withdraw with option 0) for one child asked about."""
    db = get_db()
    poll = polls.get(db, poll_id)
    if poll is None or not poll_answers.asked_children(db, poll_id, g.guardian_id):
        abort(404)
    try:
        option = int(request.form.get("option", ""))
        student_id = int(request.form.get("student", ""))
    except ValueError:
        abort(400, description="Chọn một lựa chọn.")
    try:
        result = poll_answers.answer(db, poll, g.guardian_id, option, student_ids=[student_id], source="web")
    except PollError as e:
        flash(f"Chưa ghi được: {e}.", "error")
        return redirect(url_for("parent_polls.index")), 303
    if result.promoted:
        poll_notices.notify_promoted(db, settings(), poll, result.promoted)
        Wake(redis(), settings().redis.prefix).ring()
    got = result.answers[0]
    if got.option is None:
        flash("Đã rút câu trả lời.", "info")
    elif got.place is Place.WAITING:
        flash(f"“{poll.option(option).label}” đã đủ chỗ: con bạn trong danh sách chờ; có chỗ sẽ nhắn tin.", "info")
    else:
        flash(f"Đã ghi: {poll.option(option).label}.", "info")
    return redirect(url_for("parent_polls.index")), 303
