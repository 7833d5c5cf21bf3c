"""Polls and sign-ups for staff (SPEC §13): compose with the exact SMS and its cost, send once, results, export.

- /staff/polls/new: the composer. "Xem trước" saves the poll as not yet sent
  (its number is in the SMS, so the preview is the exact text) and shows the
  text, parts, recipients and total parts.
- /staff/polls/<id>: the poll; reviewers, admins and operators send it
  (a teacher's poll for their own class waits for them, as announcements
  do), remind the guardians who have not answered once, close it early; the
  results (counts, response rate per class, who has not answered for named
  polls) and the XLSX export.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from outbox import composer, poll_notices
from outbox.wake import Wake
from store.core import audit
from store.core.clock import local_today, school_year_of, utcnow
from store.community import poll_results, polls
from store.community.poll_rules import PollError, PollKind, PollStatus, Target, parse_options
from store.core.connection import transaction
from store.messaging.inbox import dedup_window
from store.school.phones import mask

from web import targets as send_targets
from web.auth import staff_required
from web.db import get_db, redis, settings
from web.menu import MenuEntry
from web.community.poll_export import workbook

bp = Blueprint("polls", __name__, url_prefix="/staff/polls")
MENU = (MenuEntry("polls.index", "Khảo sát"),)

SENDERS = ("reviewer", "admin", "operator")
COMPOSERS = ("reviewer", "admin", "operator", "teacher")


def _year() -> str:
    return school_year_of(local_today(settings().sms.timezone))


def _targets(db) -> list[dict]:
    """School, grades and classes of this year the staff member may ask (a teacher: their own classes)."""
    return [{**t, "target": Target(t["kind"])} for t in
            send_targets.choices(db, _year(), school_label="{name}: toàn trường",
                                  own_classes_only=g.staff.role.value == "teacher")]


def _closes_at(raw: str) -> datetime:
    """The form's local `YYYY-MM-DDTHH:MM` as UTC; PollError naming the field when unreadable."""
    try:
        local = datetime.strptime((raw or "").strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        raise PollError("hạn trả lời không đọc được: chọn ngày và giờ") from None
    if not 2000 <= local.year <= 2100:
        raise PollError("hạn trả lời phải trong các năm 2000–2100")
    return local.replace(tzinfo=ZoneInfo(settings().sms.timezone))


def _visible(poll_id: int) -> polls.Poll:
    poll = polls.get(get_db(), poll_id)
    if poll is None or not g.staff.can_see_school(poll.school_id):
        abort(404)
    if g.staff.role.value == "teacher" and poll.class_id not in g.staff.class_ids:
        abort(404)
    return poll


@bp.route("/")
@staff_required(*COMPOSERS)
def index():
    """The polls of the staff member's school (a teacher: of their classes), newest first."""
    rows = polls.for_school(get_db(), g.staff.school_id)
    if g.staff.role.value == "teacher":
        rows = [p for p in rows if p.class_id in g.staff.class_ids]
    return render_template("polls/index.html", rows=rows, Status=PollStatus)


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*COMPOSERS)
def new():
    """The composer: saves the poll unsent and shows its exact SMS."""
    db = get_db()
    targets = _targets(db)
    form = request.form if request.method == "POST" else {}
    default_close = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo(settings().sms.timezone))
    view = dict(targets=targets, form=form, default_close=default_close.strftime("%Y-%m-%dT20:00"))
    if request.method == "GET":
        return render_template("polls/new.html", **view)
    target = next((t for t in targets if t["value"] == form.get("target")), None)
    try:
        if target is None:
            raise PollError("chọn nơi nhận: toàn trường, một khối hoặc một lớp")
        kind = PollKind.SIGNUP if form.get("kind") == "signup" else PollKind.POLL
        poll_id = polls.create(db, school_id=target["school_id"], school_year=_year(), kind=kind,
                               target=target["target"], grade=target["grade"], class_id=target["class_id"],
                               question=form.get("question", ""),
                               options=parse_options(form.get("options", ""), signup=kind is PollKind.SIGNUP),
                               anonymous=bool(form.get("anonymous")), public_tally=bool(form.get("public")),
                               closes_at=_closes_at(form.get("closes", "")), created_by=g.staff.login)
    except PollError as e:
        flash(f"Chưa lưu được khảo sát: {e}.", "error")
        return render_template("polls/new.html", **view), 400
    return redirect(url_for("polls.show", poll_id=poll_id)), 303


@bp.route("/<int:poll_id>")
@staff_required(*COMPOSERS)
def show(poll_id: int):
    """The poll: its exact SMS and cost before sending; afterwards the results."""
    db = get_db()
    poll = _visible(poll_id)
    sms = poll_notices.invitation(settings(), poll)
    people = polls.invitees(db, poll) if poll.status is PollStatus.PENDING else []
    missing = poll_results.not_answered(db, poll)
    if missing:
        audit.record(db, g.staff.login, "web:poll-missing", school_id=poll.school_id, poll=poll.id,
                     students=len(missing))
    return render_template("polls/show.html", poll=poll, sms=sms, invitees=people, Status=PollStatus,
                           can_send=g.staff.role.value in SENDERS, counts=poll_results.counts(db, poll),
                           rates=poll_results.per_class(db, poll), missing=missing,
                           to_remind=len(poll_results.to_remind(db, poll)), mask=mask,
                           quiet_hours=settings().sms.quiet_hours, part_price=settings().digest.part_price)


def _ring() -> None:
    Wake(redis(), settings().redis.prefix).ring()


@bp.route("/<int:poll_id>/open", methods=["POST"])
@staff_required(*SENDERS)
def open_(poll_id: int):
    """Send a previewed poll: exactly the recipients and parts shown, once."""
    db, cfg = get_db(), settings()
    poll = _visible(poll_id)
    sms = poll_notices.invitation(cfg, poll)
    people = polls.invitees(db, poll)
    back = redirect(url_for("polls.show", poll_id=poll_id)), 303
    shown = composer.preview(sms, len(people))
    if not shown.matches(request.form.get("expected")):
        flash(composer.CHANGED, "error")
        return back
    if not sms.fits:
        flash(f"Tin mời cần {sms.parts} phần SMS, tối đa {sms.max_parts}: hãy viết câu hỏi, lựa chọn ngắn lại.",
              "error")
        return back
    try:
        with transaction(db):
            invited = polls.open_poll(db, poll_id, by=g.staff.login, sms_text=sms.text)
            ids = poll_notices.send_invitations(db, cfg, poll, invited, sms)
    except PollError as e:
        flash(f"Chưa gửi được: {e}.", "error")
        return back
    _ring()
    flash(shown.queued(len(ids), "tin mời"), "info")
    return back


def _action(poll_id: int, do, done: str):
    db = get_db()
    _visible(poll_id)
    try:
        with transaction(db):
            result = do(db)
    except PollError as e:
        flash(f"Chưa làm được: {e}.", "error")
    else:
        flash(done.format(result), "info")
    return redirect(url_for("polls.show", poll_id=poll_id)), 303


@bp.route("/<int:poll_id>/cancel", methods=["POST"])
@staff_required(*COMPOSERS)
def cancel(poll_id: int):
    """Drop a poll that was not sent (a teacher their own; reviewers any)."""
    return _action(poll_id, lambda db: polls.cancel(db, poll_id, by=g.staff.login), "Đã hủy khảo sát chưa gửi.")


@bp.route("/<int:poll_id>/remind", methods=["POST"])
@staff_required(*SENDERS)
def remind(poll_id: int):
    """The one reminder, to guardians who have not answered (held until morning in quiet hours)."""
    poll = _visible(poll_id)
    if poll.status is not PollStatus.OPEN or poll.reminded_at:
        flash("Chỉ nhắc được một lần, khi khảo sát đang mở.", "error")
        return redirect(url_for("polls.show", poll_id=poll_id)), 303
    response = _action(poll_id, lambda db: poll_notices.send_reminder(db, settings(), poll),
                       "Đã xếp {} tin nhắc vào hàng gửi (chỉ phụ huynh chưa trả lời).")
    _ring()
    return response


@bp.route("/<int:poll_id>/close", methods=["POST"])
@staff_required(*SENDERS)
def close(poll_id: int):
    """Close now (an anonymous poll drops who answered)."""
    window = dedup_window(settings().sms)
    return _action(poll_id, lambda db: polls.close(db, poll_id, by=g.staff.login, dedup_window_s=window),
                   "Đã đóng khảo sát.")


@bp.route("/<int:poll_id>.xlsx")
@staff_required(*COMPOSERS)
def export(poll_id: int):
    """Counts, rates per class, answers (and who has not answered, for named polls) as an XLSX file."""
    poll = _visible(poll_id)
    return workbook(get_db(), poll)
