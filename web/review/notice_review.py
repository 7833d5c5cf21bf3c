"""Teachers' announcements to their own classes: the composer's teacher rules and the approval of what waits.

The composer itself is the admins' one (web/review/announce.py, /staff/announce);
for a teacher it offers only their classes of this school year, and this
module decides what a confirmed send becomes, by the school's setting
(store.review.teacher_notices): queued at once, a request in the approval queue,
or refused. Reviewers, admins and operators approve ("Duyệt": queued then,
quiet hours and the chosen time still hold) or return ("Trả lại", with a
reason the teacher reads on the composer page) on the approvals page.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from outbox.announce import enqueue_send
from outbox.wake import Wake
from store.messaging import announcements
from store.core import audit
from store.review import notice_requests
from store.core.clock import iso, local_today, parse_iso, school_year_of, utcnow
from store.core.connection import transaction
from store.review.notice_requests import RequestStatus
from store.review.teacher_notices import NoticeRefused, TeacherNotices, authorise, own_classes, setting
from store.school.users import Role

from web.auth import staff_required
from web.db import get_db, redis, settings

bp = Blueprint("notice_review", __name__, url_prefix="/staff/announce/requests")

APPROVERS = ("reviewer", "admin", "operator")


def is_teacher() -> bool:
    return g.staff.role is Role.TEACHER


def _today():
    return local_today(settings().sms.timezone)


def own_class_ids() -> dict[int, str]:
    """The logged-in teacher's classes of this school year (id -> name)."""
    return own_classes(get_db(), g.staff.id, g.staff.school_id, school_year_of(_today()), _today())


def only_own(targets: list[dict]) -> list[dict]:
    """The composer's targets a teacher may choose: their own classes, one by one (no khối, no school)."""
    own = own_class_ids()
    return [t for t in targets if t["class_id"] in own]


def class_scope() -> frozenset[int] | None:
    """What "Thông báo đã gửi" shows: a teacher's classes; None (the whole school) for other roles."""
    return frozenset(own_class_ids()) if is_teacher() else None


def mode() -> TeacherNotices | None:
    """The school's setting for the logged-in teacher; None for other roles."""
    return setting(get_db(), g.staff.school_id) if is_teacher() else None


def gate() -> None:
    """Refuse the composer (403) to a teacher whose school does not let teachers announce."""
    if mode() is TeacherNotices.OFF:
        abort(403, description="Trường không cho phép giáo viên gửi thông báo: liên hệ quản trị trường.")


def hidden_for(staff) -> bool:
    """The menu hides the composer from teachers of a school that does not let them announce."""
    return staff.role is Role.TEACHER and setting(get_db(), staff.school_id) is TeacherNotices.OFF


def check_wanted(wanted: list[str], targets: list[dict]) -> None:
    """A teacher posting a target the form never offered them (another class, a khối, the school): 403."""
    offered = {t["value"] for t in targets}
    if is_teacher() and any(v not in offered for v in wanted):
        abort(403, description="Giáo viên chỉ gửi thông báo cho lớp mình chủ nhiệm hoặc dạy trong năm học này.")


def submit(db, target: dict, sms, include_opted_out: bool, send_at) -> bool:
    """Whether a teacher's confirmed send now waits for approval (a request, saved here); False: the caller
    queues it at once (the school's DIRECT).

    The store checks the classes again (NoticeRefused, a 403), whatever the form offered.
    """
    year, today = school_year_of(_today()), _today()
    class_ids = target["class_ids"] or []
    try:
        found = authorise(db, user_id=g.staff.id, school_id=target["school_id"], class_ids=class_ids,
                          school_year=year, today=today)
        if found is TeacherNotices.APPROVAL:
            with transaction(db):
                rid = notice_requests.submit(
                    db, user_id=g.staff.id, author=g.staff.login, school_id=target["school_id"], school_year=year,
                    class_ids=class_ids, target=target["label"], text=sms.text, parts=sms.parts,
                    include_opted_out=include_opted_out, send_at=iso(send_at) if send_at else None, today=today)
                audit.record(db, g.staff.login, "web:announce-request", school_id=target["school_id"], request=rid,
                             class_ids=class_ids, text=sms.text)
    except NoticeRefused as e:
        abort(403, description=e.message)
    if found is TeacherNotices.APPROVAL:
        flash("Đã gửi thông báo tới người duyệt: phụ huynh nhận được sau khi thông báo được duyệt.", "info")
    return found is TeacherNotices.APPROVAL


@bp.app_context_processor
def _template_helpers() -> dict:
    """Callables the composer and approval pages use (queried only where a page calls them)."""
    return {"teacher_notice_mode": lambda: mode() if g.get("staff") else None,
            "my_notice_requests": lambda: notice_requests.of_author(get_db(), g.staff.login),
            "waiting_notice_requests": _waiting}


def _waiting() -> list:
    """Requests an approver decides on (a teacher: their own that still wait)."""
    if is_teacher():
        return [r for r in notice_requests.of_author(get_db(), g.staff.login) if r.status is RequestStatus.PENDING]
    return notice_requests.pending(get_db(), g.staff.school_id)


def _visible(request_id: int) -> notice_requests.Request:
    req = notice_requests.get(get_db(), request_id)
    if req is None or not g.staff.can_see_school(req.school_id):
        abort(404)
    return req


def _back():
    return redirect(url_for("review.approvals") + "#notice-requests"), 303


class _Decided(Exception):
    """Someone approved or returned the request meanwhile."""


@bp.route("/<int:request_id>/approve", methods=["POST"])
@staff_required(*APPROVERS)
def approve(request_id: int):
    """"Duyệt": queue the teacher's announcement to the guardians of the class(es) this school year."""
    req, db, cfg = _visible(request_id), get_db(), settings()
    if req.status is not RequestStatus.PENDING:
        flash(f"Thông báo #{req.id} đã được xử lý ({req.status.label}).", "error")
        return _back()
    author = db.execute("SELECT id FROM users WHERE login = ? AND active = 1", [req.author]).fetchone()
    try:
        if author is None:
            raise NoticeRefused(f"Tài khoản {req.author} không còn hoạt động: hãy trả lại thông báo.")
        authorise(db, user_id=author[0], school_id=req.school_id, class_ids=req.class_ids,
                  school_year=req.school_year, today=_today())
    except NoticeRefused as e:
        flash(f"Không duyệt được: {e.message}", "error")
        return _back()
    everyone = announcements.recipients(db, req.school_id, req.school_year, class_ids=req.class_ids)
    chosen = everyone if req.include_opted_out else [r for r in everyone if not r.opted_out]
    if not chosen:
        flash("Không có phụ huynh nào nhận thông báo này: hãy trả lại cho giáo viên.", "error")
        return _back()
    send_at = parse_iso(req.send_at) if req.send_at else None
    send_at = send_at if send_at and send_at > utcnow() else None      # a time already past: at once
    try:
        with transaction(db):
            ids, send_id = enqueue_send(
                db, cfg, school_id=req.school_id, class_id=req.class_ids[0] if len(req.class_ids) == 1 else None,
                class_ids=req.class_ids, target=req.target, text=req.text, parts=req.parts, chosen=chosen,
                send_at=send_at, sent_by=req.author, approved_by=g.staff.login)
            if not notice_requests.mark_sent(db, req.id, by=g.staff.login, send_id=send_id):
                raise _Decided
            audit.record(db, g.staff.login, "web:announce-approve", school_id=req.school_id, request=req.id,
                         author=req.author, recipients=len(ids), total_parts=req.parts * len(ids),
                         first_message=ids[0], last_message=ids[-1])
    except _Decided:
        flash(f"Thông báo #{req.id} vừa được người khác xử lý.", "error")
        return _back()
    Wake(redis(), cfg.redis.prefix).ring()
    flash(f"Đã duyệt thông báo của {req.author_name or req.author} ({req.target}): {len(ids)} tin "
          f"({req.parts * len(ids)} phần SMS) vào hàng gửi.", "info")
    return _back()


@bp.route("/<int:request_id>/return", methods=["POST"])
@staff_required(*APPROVERS)
def send_back(request_id: int):
    """"Trả lại": the request goes back to the teacher with the reason; nothing is sent."""
    req, db = _visible(request_id), get_db()
    try:
        with transaction(db):
            if not notice_requests.send_back(db, req.id, by=g.staff.login, reason=request.form.get("reason", "")):
                raise _Decided
            audit.record(db, g.staff.login, "web:announce-return", school_id=req.school_id, request=req.id,
                         author=req.author)
    except NoticeRefused as e:
        flash(f"Không trả lại được: {e.message}", "error")
        return _back()
    except _Decided:
        flash(f"Thông báo #{req.id} đã được xử lý ({req.status.label}).", "error")
        return _back()
    flash(f"Đã trả lại thông báo cho {req.author_name or req.author}.", "info")
    return _back()
