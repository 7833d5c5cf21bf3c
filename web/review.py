"""What staff release to parents: the approval queue, answers to GV / NGHI texts, announcements.

- /staff/approvals: pending rows of the staff member's school grouped by
  kind, class, subject, who entered them and the day; a reviewer, admin or
  operator approves a group, several groups, or chosen rows of one group.
  Teachers see the queue of their classes, read only.
- /staff/messages: parents' GV / NGHI texts (teachers: their classes),
  unanswered first, with a reply box; the answer goes back by SMS.
- /staff/announce: an announcement to a school or one class, previewed with
  the exact text, parts per SMS, recipients and total parts before sending.
  Teachers announce to their own classes, at once or after approval (web/notice_review.py).
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from outbox import alerts, messages, notices
from outbox.announce import enqueue_send
from outbox.wake import Wake
from store import announcements, approvals, audit, corrections, phones, review_registry, teacher_messages
from store.approvals import ApprovalError, GroupKey
from store.clock import local_today, school_year_of, utcnow
from store.connection import transaction

from . import notice_review
from .auth import safe_target, staff_required
from .db import get_db, redis, settings
from .menu import MenuEntry

bp = Blueprint("review", __name__, url_prefix="/staff")
MENU = (MenuEntry("review.approvals", "Duyệt"),
        MenuEntry("review.teacher_messages", "GV / Nghỉ"),
        MenuEntry("review.announce", "Thông báo"))

APPROVERS = ("reviewer", "admin", "operator")
ANNOUNCERS = ("reviewer", "admin", "operator", "teacher")     # a teacher: own classes (notice_review)
MAX_ANSWER = 1000        # characters typed; the part budget is what really limits it


def _class_scope():
    """A teacher's classes; None for roles that see the whole school."""
    return g.staff.class_ids if g.staff.role.value == "teacher" else None


def _ring() -> None:
    Wake(redis(), settings().redis.prefix).ring()


# -- approval queue ----------------------------------------------------------------------------
@bp.route("/approvals", endpoint="approvals")
@staff_required()
def approvals_page():
    groups = approvals.pending_groups(get_db(), settings().sms.timezone, school_id=g.staff.school_id,
                                      class_ids=_class_scope())
    teacher = g.staff.role.value == "teacher"
    sent_back = corrections.returned(get_db(), school_id=g.staff.school_id,
                                     entered_by=g.staff.login if teacher else None)
    return render_template("review/approvals.html", groups=groups, can_approve=g.staff.role.value in APPROVERS,
                           key_json=_key_json, sent_back=sent_back,
                           kind_labels={k.name: k.label for k in review_registry.REVIEW_SPECS})


def _key_json(key: GroupKey) -> str:
    return json.dumps(key.as_list(), ensure_ascii=False)


def _parse_key(raw: str) -> GroupKey:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as e:
        raise ApprovalError(f"not a group of the approval queue: {raw!r}") from e
    return GroupKey.from_list(value)


def _visible_key(raw: str) -> GroupKey:
    """The group named by ``raw``, 404 when it is not one this staff member may see."""
    try:
        key = _parse_key(raw)
    except ApprovalError:
        abort(404)
    if not g.staff.can_see_school(key.school_id):
        abort(404)
    scope = _class_scope()
    if scope is not None and key.class_id not in scope:
        abort(404)
    return key


@bp.route("/approvals/group")
@staff_required()
def approval_group():
    key = _visible_key(request.args.get("key", ""))
    db = get_db()
    rows = approvals.pending_rows(db, key, settings().sms.timezone, class_ids=_class_scope())
    for student_id in sorted({r.student_id for r in rows if r.student_id is not None}):
        audit.record(db, g.staff.login, "web:approval-rows", school_id=key.school_id, student_id=student_id,
                     kind=key.kind.value)
    class_name = db.execute("SELECT name FROM classes WHERE id = ?", [key.class_id]).fetchone() if key.class_id else None
    before = corrections.previous_values(db, key.kind.value, [r.id for r in rows if r.corrected])
    return render_template("review/approval_group.html", key=key, key_raw=_key_json(key), rows=rows,
                           class_name=class_name[0] if class_name else None, before=before,
                           can_approve=g.staff.role.value in APPROVERS)


@bp.route("/approvals/return", methods=["POST"])
@staff_required(*APPROVERS)
def send_back():
    """"Trả lại": send a group (or its chosen rows) back to whoever entered it, with a reason."""
    back = safe_target(request.form.get("back"), url_for("review.approvals"))
    try:
        key = _parse_key(request.form.get("group", ""))
        row_ids = [int(r) for r in request.form.getlist("row")] if request.form.get("scope") == "rows" else None
        if row_ids == []:
            raise ApprovalError("Chưa chọn dòng nào để trả lại.")
    except (ApprovalError, ValueError) as e:
        flash(f"Không trả lại được: {e}", "error")
        return redirect(back), 303
    if not g.staff.can_see_school(key.school_id):
        abort(404)
    db = get_db()
    try:
        n = corrections.send_back(db, key, request.form.get("reason", ""), actor=g.staff.login,
                                  tz=settings().sms.timezone, school_id=g.staff.school_id, row_ids=row_ids)
    except ApprovalError as e:
        flash(f"Không trả lại được: {e}", "error")
        return redirect(back), 303
    audit.record(db, g.staff.login, "web:send-back", school_id=key.school_id, rows=n, group=key.as_list())
    flash(f"Đã trả lại {n} dòng cho {key.entered_by or 'người nhập'}; điểm đã sửa trở về giá trị phụ huynh "
          "đã thấy.", "info")
    return redirect(url_for("review.approvals"), code=303)


@bp.route("/approvals", methods=["POST"])
@staff_required(*APPROVERS)
def approve():
    raw_keys = request.form.getlist("group")
    raw_rows = request.form.getlist("row")
    back = safe_target(request.form.get("back"), url_for("review.approvals"))
    if not raw_keys:
        flash("Chưa chọn nhóm nào để duyệt.", "error")
        return redirect(back), 303
    try:
        keys = [_parse_key(k) for k in raw_keys]
        row_ids = None
        if request.form.get("scope") == "rows":
            if not raw_rows:
                raise ApprovalError("Chưa chọn dòng nào để duyệt.")
            row_ids = [int(r) for r in raw_rows]
    except (ApprovalError, ValueError) as e:
        flash(f"Không duyệt được: {e}", "error")
        return redirect(back), 303
    for key in keys:
        if not g.staff.can_see_school(key.school_id):
            abort(404)
    db = get_db()
    try:
        n = approvals.approve(db, keys, actor=g.staff.login, tz=settings().sms.timezone,
                              school_id=g.staff.school_id, row_ids=row_ids)
    except ApprovalError as e:
        flash(f"Không duyệt được: {e}", "error")
        return redirect(back), 303
    for school_id in sorted({k.school_id for k in keys}):
        audit.record(db, g.staff.login, "web:approve", school_id=school_id, rows=n,
                     groups=[k.as_list() for k in keys if k.school_id == school_id],
                     chosen_rows=len(row_ids) if row_ids is not None else None)
    if any(k.kind.name == "attendance" for k in keys) and alerts.send_absence_alerts(db, settings()):
        Wake(redis(), settings().redis.prefix).ring()      # schools with absence alerts text them now
    flash(f"Đã duyệt {n} dòng. Phụ huynh xem được ngay qua SMS và trong tin tổng hợp tối nay.", "info")
    return redirect(url_for("review.approvals")), 303


# -- GV / NGHI ---------------------------------------------------------------------------------
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
            mid = messages.enqueue(db, cfg, phone=msg.phone, body=sms.text, kind=messages.Kind.TEACHER,
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


# -- announcements -----------------------------------------------------------------------------
def _targets(db) -> list[dict]:
    """Schools and this year's classes the staff member may announce to."""
    year = school_year_of(local_today(settings().sms.timezone))
    where, params = ("", []) if g.staff.school_id is None else ("WHERE s.id = ?", [g.staff.school_id])
    out = []
    for sid, code, name in db.execute(f"SELECT s.id, s.code, s.name FROM schools s {where} ORDER BY s.code", params):
        out.append({"value": f"school:{sid}", "label": f"{name} ({code}): toàn trường", "school_id": sid,
                    "school_name": name, "class_id": None, "class_name": None, "class_ids": None})
        classes = db.execute("SELECT id, name, grade FROM classes WHERE school_id = ? AND school_year = ? "
                             "ORDER BY grade, name", [sid, year]).fetchall()
        for grade in sorted({c[2] for c in classes}):
            ids = [c[0] for c in classes if c[2] == grade]
            out.append({"value": f"grade:{sid}:{grade}", "label": f"{code}: khối {grade}", "school_id": sid,
                        "school_name": name, "class_id": None, "class_name": None, "class_ids": ids,
                        "group": f"khối {grade}"})
        for cid, cname, _ in classes:
            out.append({"value": f"class:{cid}", "label": f"{code}: lớp {cname}", "school_id": sid,
                        "school_name": name, "class_id": cid, "class_name": cname, "class_ids": [cid]})
    return notice_review.only_own(out) if notice_review.is_teacher() else out


def _combined(chosen: list[dict]) -> dict | str:
    """Several targets as one (a school wins over its classes); a message when they cannot be combined."""
    if len({t["school_id"] for t in chosen}) > 1:
        return "Chọn nơi nhận trong cùng một trường."
    whole = next((t for t in chosen if t["class_ids"] is None), None)
    if whole is not None or len(chosen) == 1:
        return whole or chosen[0]
    ids = sorted({cid for t in chosen for cid in t["class_ids"]})
    labels = [t.get("group") or f"lớp {t['class_name']}" for t in chosen]
    first = chosen[0]
    return {"value": ",".join(t["value"] for t in chosen), "label": ", ".join(labels), "school_id": first["school_id"],
            "school_name": first["school_name"], "class_id": None, "class_name": None, "class_ids": ids,
            "group": ", ".join(labels)}


def _send_at(raw: str):
    """The scheduled time typed (local 'YYYY-MM-DDTHH:MM') as UTC, None for at once; ValueError with the reason."""
    if not raw.strip():
        return None
    try:
        local = datetime.fromisoformat(raw.strip()).replace(tzinfo=ZoneInfo(settings().sms.timezone))
    except ValueError:
        raise ValueError(f"Giờ gửi “{raw[:20]}” không hợp lệ: chọn ngày và giờ.") from None
    moment = local.astimezone(ZoneInfo("UTC"))
    if moment <= utcnow():
        raise ValueError("Giờ gửi đã qua: chọn một thời điểm sắp tới, hoặc để trống để gửi ngay.")
    if moment > utcnow() + timedelta(days=60):
        raise ValueError("Chỉ hẹn gửi trong vòng 60 ngày.")
    return moment


def _plan(form, targets):
    """(target, sms, recipients, chosen recipients, error) for the posted form."""
    text = form.get("text", "").strip()
    wanted = [v for raw in form.getlist("target") for v in raw.split(",") if v] if hasattr(form, "getlist") else []
    picked = [t for t in targets if t["value"] in wanted]
    if not picked or len(picked) != len(set(wanted)):
        return None, None, [], [], "Chọn nơi nhận: toàn trường, một khối hoặc một hay nhiều lớp."
    target = _combined(picked)
    if isinstance(target, str):
        return None, None, [], [], target
    if not text:
        return target, None, [], [], "Nội dung thông báo trống."
    sms = notices.announcement(settings(), school_name=target["school_name"], class_name=target["class_name"],
                               text=text, group=target.get("group"))
    year = school_year_of(local_today(settings().sms.timezone))
    everyone = announcements.recipients(get_db(), target["school_id"], year, target["class_id"],
                                        class_ids=target["class_ids"] if target["class_id"] is None else None)
    chosen = everyone if form.get("include_opted_out") else [r for r in everyone if not r.opted_out]
    error = None
    if not sms.fits:
        error = (f"Thông báo cần {sms.parts} tin SMS cho mỗi phụ huynh, tối đa {sms.max_parts} "
                 f"(sms.max_parts): hãy viết ngắn lại.")
    elif not chosen:
        error = "Không có phụ huynh nào nhận thông báo này."
    return target, sms, everyone, chosen, error


@bp.route("/announce", methods=["GET", "POST"])
@staff_required(*ANNOUNCERS)
def announce():
    notice_review.gate()
    db = get_db()
    targets = _targets(db)
    form = request.form if request.method == "POST" else {}
    if request.method == "GET":
        return render_template("review/announce.html", targets=targets, form=form, sms=None)
    notice_review.check_wanted([v for raw in form.getlist("target") for v in raw.split(",") if v], targets)
    target, sms, everyone, chosen, error = _plan(form, targets)
    try:
        send_at = _send_at(form.get("send_at", ""))
    except ValueError as e:
        error, send_at = error or str(e), None
    view = dict(targets=targets, form=form, target=target, sms=sms, everyone=everyone, chosen=chosen,
                quiet_hours=settings().sms.quiet_hours, send_at=send_at,
                picked=[v for raw in form.getlist("target") for v in raw.split(",") if v])
    if error:
        flash(error, "error")
        return render_template("review/announce.html", **view, nonce=None), 400
    if form.get("action") != "send":
        return render_template("review/announce.html", **view, nonce=secrets.token_urlsafe(16))
    # What was previewed must be what is sent: same recipients and parts, one send per preview.
    try:
        expected = (int(form.get("recipients", "")), int(form.get("parts", "")))
    except ValueError:
        expected = None
    if expected != (len(chosen), sms.parts):
        flash("Số người nhận hoặc số tin đã thay đổi từ lúc xem trước: hãy kiểm tra lại rồi gửi.", "error")
        return render_template("review/announce.html", **view, nonce=secrets.token_urlsafe(16)), 409
    nonce = form.get("nonce", "")
    if not nonce or not redis().set(f"{settings().redis.prefix}announce:{nonce}", 1, nx=True, ex=86400):
        flash("Thông báo này đã được gửi (bấm gửi hai lần?).", "error")
        return redirect(url_for("review.announce")), 303
    if notice_review.is_teacher() and notice_review.submit(db, target, sms, bool(form.get("include_opted_out")),
                                                           send_at):      # waits for approval
        return redirect(url_for("review.announce")), 303
    cfg = settings()
    try:
        ids = _enqueue_announcement(db, cfg, target, sms, chosen, bool(form.get("include_opted_out")), send_at)
    except Exception:
        redis().delete(f"{cfg.redis.prefix}announce:{nonce}")     # nothing was sent: the preview stays usable
        raise
    _ring()
    when = f", gửi lúc {send_at.astimezone(ZoneInfo(cfg.sms.timezone)).strftime('%H:%M %d/%m/%Y')}" if send_at else ""
    flash(f"Đã xếp {len(ids)} tin thông báo ({sms.parts * len(ids)} phần SMS) vào hàng gửi{when}.", "info")
    return redirect(url_for("review.announce_sent")), 303


@bp.route("/announce/sent")
@staff_required(*ANNOUNCERS)
def announce_sent():
    """"Thông báo đã gửi": every send with its text, target, count, delivered rate and failures."""
    notice_review.gate()
    sends = announcements.sent(get_db(), school_id=g.staff.school_id, class_scope=notice_review.class_scope())
    return render_template("review/announce_sent.html", sends=sends)


announce.staff_hidden = announce_sent.staff_hidden = notice_review.hidden_for     # the menu (web/__init__.py)


def _enqueue_announcement(db, cfg, target, sms, chosen, included_opted_out: bool, send_at=None) -> list[int]:
    """One queued message per recipient, the send's trace and the audit entry, in one transaction."""
    with transaction(db):
        ids, _ = enqueue_send(db, cfg, school_id=target["school_id"], class_id=target["class_id"],
                              class_ids=target["class_ids"], target=target["label"], text=sms.text, parts=sms.parts,
                              chosen=chosen, send_at=send_at, sent_by=g.staff.login)
        audit.record(db, g.staff.login, "web:announce", school_id=target["school_id"], class_id=target["class_id"],
                     text=sms.text, recipients=len(ids), parts_each=sms.parts, total_parts=sms.parts * len(ids),
                     included_opted_out=included_opted_out, first_message=ids[0], last_message=ids[-1])
    return ids
