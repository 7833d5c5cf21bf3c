"""/staff/messages: parents' GV / NGHI texts (teachers: their classes), unanswered first, with a reply box.

The answer goes back by SMS, measured and refused over sms.max_parts.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from outbox import messages, notices
from store.core import audit
from store.school import phones
from store.messaging import teacher_messages
from store.core.clock import local_today, school_year_of
from store.core.connection import transaction

from web.auth import staff_required
from web.db import get_db, settings
from web.review.blueprint import bp, class_scope as _class_scope, ring as _ring

MAX_ANSWER = 1000        # characters typed; the part budget is what really limits it


@bp.route("/messages", endpoint="teacher_messages")
@staff_required()
def teacher_messages_page():
    db = get_db()
    rows = teacher_messages.for_staff(db, school_id=g.staff.school_id, class_ids=_class_scope())
    for school_id, student_id in sorted({(m.school_id, m.student_id) for m in rows}):
        audit.record(db, g.staff.login, "web:teacher-messages", school_id=school_id, student_id=student_id)
    return render_template("review/messages.html", rows=rows, mask=phones.mask, max_answer=MAX_ANSWER,
                           quiet_hours=settings().sms.quiet_hours, max_parts=settings().sms.max_parts)


def _visible_message(message_id: int) -> teacher_messages.TeacherMessage:
    msg = teacher_messages.get(get_db(), message_id)
    if msg is None or not g.staff.can_see_school(msg.school_id):
        abort(404)
    scope = _class_scope()
    if scope is not None and msg.class_id not in scope:
        abort(404)
    return msg


class _AlreadyAnswered(Exception):
    """Someone answered the message between the page load and this answer."""


@bp.route("/messages/<int:message_id>/answer", methods=["POST"])
@staff_required()
def answer(message_id: int):
    msg = _visible_message(message_id)
    text = request.form.get("answer", "").strip()
    back = redirect(url_for("review.teacher_messages") + f"#m{message_id}"), 303
    if msg.answered_at:
        flash(f"Tin #{message_id} đã được {msg.answered_by} trả lời.", "error")
        return back
    if not text:
        flash("Câu trả lời trống: hãy nhập nội dung.", "error")
        return back
    if len(text) > MAX_ANSWER:
        flash(f"Câu trả lời dài {len(text)} ký tự, tối đa {MAX_ANSWER}.", "error")
        return back
    cfg = settings()
    sms = notices.teacher_answer(cfg, kind=msg.kind, class_name=msg.class_name, student_name=msg.student_name,
                                 answer=text)
    if not sms.fits:
        flash(f"Tin trả lời cần {sms.parts} tin SMS, tối đa {sms.max_parts}: hãy viết ngắn lại "
              f"({sms.units} ký tự khi đã bỏ dấu).", "error")
        return back
    db = get_db()
    if not teacher_messages.still_linked(db, msg.guardian_id, msg.student_id,
                                         school_year_of(local_today(cfg.sms.timezone))):
        flash("Số điện thoại này không còn gắn với học sinh trong năm học này: không gửi.", "error")
        return back
    names = {c.name for c in cfg.smsc}
    try:
        with transaction(db):
            mid = messages.enqueue(db, cfg, phone=msg.phone, body=sms.text, kind=messages.MessageKind.TEACHER,
                                   connection=msg.connection if msg.connection in names else None,
                                   school_id=msg.school_id, class_id=msg.class_id, student_id=msg.student_id,
                                   guardian_id=msg.guardian_id)
            if not teacher_messages.record_answer(db, message_id, answer=text, answered_by=g.staff.login,
                                                  answer_message_id=mid):
                raise _AlreadyAnswered
            audit.record(db, g.staff.login, "web:answer", school_id=msg.school_id, student_id=msg.student_id,
                         teacher_message=message_id, message=mid, phone=phones.mask(msg.phone))
    except _AlreadyAnswered:
        flash(f"Tin #{message_id} vừa được người khác trả lời.", "error")
        return back
    _ring()
    flash(f"Đã gửi trả lời tới {phones.mask(msg.phone)} ({sms.parts} tin SMS).", "info")
    return back

