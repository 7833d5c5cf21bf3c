"""Staff reports: the delivery report with resend, and the inbox of parents' texts with their answers.

Scope: an operator sees every school (and chooses one), every other role their own school only (another
school's code or message is a 404), a teacher only their classes. Phones are masked in every list; each
view is written to the audit log.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from outbox import messages
from outbox.states import MessageState
from outbox.wake import Wake
from store.core import audit
from store.messaging import reports
from store.messaging.contacts import numbers, reasons
from store.core.clock import local_today, parse_iso
from store.school.phones import mask
from store.school.users import Role

from . import frame, params, xlsx
from .auth import staff_required
from .db import get_db, redis, settings
from .menu import MenuEntry
from .params import BadParam

bp = Blueprint("reports", __name__, url_prefix="/staff")
MENU = (MenuEntry("reports.delivery", "Báo cáo gửi tin"), MenuEntry("reports.inbox", "Tin phụ huynh"))

RESEND_ROLES = (Role.OPERATOR.value, Role.ADMIN.value)
STATES = tuple(s.value for s in MessageState)
PER_PAGE = 50


def _tz() -> str:
    return settings().sms.timezone


def _local(ts: str | None) -> str:
    """A stored UTC timestamp as local 'dd/mm/yyyy HH:MM'."""
    return parse_iso(ts).astimezone(ZoneInfo(_tz())).strftime("%d/%m/%Y %H:%M") if ts else ""


def _error_page(template: str, e: BadParam, **context):
    if e.status == 404:
        abort(404, description=str(e))
    flash(str(e), "error")
    return render_template(template, **context), e.status


# -- the delivery report -----------------------------------------------------------------------------------------
@bp.route("/delivery")
@staff_required()
def delivery():
    """Counts per state of a day's messages and the failures with the SMSC's reason."""
    db = get_db()
    args = request.args
    try:
        day = params.day(args.get("date"), default=local_today(_tz()))
        scope = params.scope(db, args.get("school", "").strip(), args.get("class", "").strip(), day)
    except BadParam as e:
        return _error_page("reports/delivery.html", e, report=None, schools=[], scope=None,
                           day=args.get("date", ""), states=STATES)
    school_id = scope.school["id"] if scope.school else None
    report = reports.delivery(db, day, _tz(), school_id=school_id, class_ids=scope.class_ids)
    by_class = (reports.delivery_by_class(db, day, _tz(), school_id=school_id, class_ids=scope.class_ids)
                if school_id is not None and scope.class_name is None else {})
    who = numbers.recipients(db, [f["id"] for f in report.failures])
    failures = [{**f, **who.get(f["id"], {}), "phone": mask(f["phone"]), "time": _local(f["created_at"]),
                 "advice": reasons.advice(f["state"], f["reason"])} for f in report.failures]
    audit.record(db, g.staff.login, "web:report-delivery", school_id=school_id, date=day.isoformat(),
                 **({"class": scope.class_name} if scope.class_name else {}))
    return render_template("reports/delivery.html", report=report, failures=failures, by_class=by_class,
                           scope=scope, day=day.isoformat(), states=STATES,
                           schools=reports.schools(db) if g.staff.school_id is None else [],
                           can_resend=g.staff.role.value in RESEND_ROLES)


@bp.route("/delivery/<int:message_id>/resend", methods=["POST"])
@staff_required(*RESEND_ROLES)
def resend(message_id: int):
    """Queue a new copy of a message that did not arrive, and wake the senders."""
    db = get_db()
    back = url_for("reports.delivery", **{k: v for k in ("date", "school", "class")
                                          if (v := request.form.get(k, "").strip())})
    msg = reports.message_scope(db, message_id)
    # can_see_school(None) is true for operators only: a message of no school (a stranger's hint) is theirs.
    if msg is None or not g.staff.can_see_school(msg["school_id"]):
        abort(404, description=f"no message #{message_id} in your school")
    copy = messages.pending_copy(db, message_id)
    if copy is not None:
        flash(f"Tin #{message_id} đã được xếp gửi lại (bản sao #{copy} đang chờ gửi).", "info")
        return redirect(back, code=303)
    if messages.requeue(db, message_id, actor=g.staff.login) is None:
        flash(f"Tin #{message_id} đang ở trạng thái {msg['state']}: chỉ gửi lại được tin "
              f"{', '.join(reports.FAILED_STATES)}.", "error")
        return redirect(back, code=303)
    Wake(redis(), settings().redis.prefix).ring()
    audit.record(db, g.staff.login, "web:resend", school_id=msg["school_id"], student_id=msg["student_id"],
                 message=message_id)
    flash(f"Đã xếp gửi lại tin #{message_id} (một bản sao mới đang chờ gửi).", "info")
    return redirect(back, code=303)


# -- parents' texts --------------------------------------------------------------------------------------------
@bp.route("/inbox")
@staff_required()
def inbox():
    """Parents' texts with the answer that was sent, newest first."""
    db = get_db()
    args = request.args
    try:
        day = params.day(args.get("date"), default=None)
        page = args.get("page", "1")
        if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= 100_000:
            raise BadParam(f"page must be a number from 1 to 100000, not {page[:20]!r}")
        scope = params.scope(db, args.get("school", "").strip(), "", day or local_today(_tz()))
    except BadParam as e:
        return _error_page("reports/inbox.html", e, result=None, rows=[], schools=[], scope=None,
                           day=args.get("date", ""))
    school_id = scope.school["id"] if scope.school else None
    search = args.get("q", "").strip()[:100] or None
    result = reports.texts(db, tz=_tz(), school_id=school_id, class_ids=scope.class_ids, day=day,
                           page=int(page), per_page=PER_PAGE, search=search)
    rows = [{**r, "phone": mask(r["phone"] or r["source_addr"]), "time": _local(r["received_at"])}
            for r in result.rows]
    audit.record(db, g.staff.login, "web:inbox", school_id=school_id, page=result.page, shown=len(rows),
                 **({"date": day.isoformat()} if day else {}))
    return render_template("reports/inbox.html", result=result, rows=rows, scope=scope,
                           day=day.isoformat() if day else "", search=search or "",
                           schools=reports.schools(db) if g.staff.school_id is None else [])


# -- spreadsheet downloads (same scope and parameters as the pages) --------------------------------------------
@bp.route("/delivery.xlsx")
@staff_required()
def delivery_xlsx():
    """The delivery report as XLSX: counts per state, per class, and every failure with what to do."""
    db = get_db()
    try:
        day = params.day(request.args.get("date"), default=local_today(_tz()))
        scope = params.scope(db, request.args.get("school", "").strip(), request.args.get("class", "").strip(), day)
    except BadParam as e:
        abort(e.status, description=str(e))
    school_id = scope.school["id"] if scope.school else None
    report = reports.delivery(db, day, _tz(), school_id=school_id, class_ids=scope.class_ids)
    by_class = (reports.delivery_by_class(db, day, _tz(), school_id=school_id, class_ids=scope.class_ids)
                if school_id is not None else {})
    who = numbers.recipients(db, [f["id"] for f in report.failures])
    labels = [frame.state_vi(s) for s in STATES]
    failures = ([f["id"], _local(f["created_at"]), (who.get(f["id"]) or {}).get("student_name"),
                 (who.get(f["id"]) or {}).get("class_name"), (who.get(f["id"]) or {}).get("guardian_name"),
                 mask(f["phone"]), frame.kind_vi(f["kind"]), frame.state_vi(f["state"]),
                 reasons.advice(f["state"], f["reason"]).text, f["reason"]] for f in report.failures)
    audit.record(db, g.staff.login, "web:export-delivery", school_id=school_id, date=day.isoformat())
    name = f"bao-cao-gui-tin-{(scope.school or {}).get('code', 'tat-ca')}-{day.isoformat()}.xlsx"
    return xlsx.response(name, [
        ("Theo trạng thái", ["Ngày", *labels, "Tổng"], [[day.strftime("%d/%m/%Y"),
                                                        *(report.counts.get(s, 0) for s in STATES), report.total]]),
        ("Theo lớp", ["Lớp", *labels], ([n or "(không theo lớp)", *(c.get(s, 0) for s in STATES)]
                                        for n, c in by_class.items())),
        ("Tin lỗi", ["#", "Giờ", "Học sinh", "Lớp", "Phụ huynh", "Số", "Loại", "Trạng thái", "Cần làm",
                     "Lý do của nhà mạng"], failures),
    ])


@bp.route("/inbox.xlsx")
@staff_required()
def inbox_xlsx():
    """Parents' texts (the page's day, school and search) with the answers, as XLSX, up to 100 000 rows."""
    db = get_db()
    args = request.args
    try:
        day = params.day(args.get("date"), default=None)
        scope = params.scope(db, args.get("school", "").strip(), "", day or local_today(_tz()))
    except BadParam as e:
        abort(e.status, description=str(e))
    school_id = scope.school["id"] if scope.school else None
    search = args.get("q", "").strip()[:100] or None

    def rows():
        for page in range(1, 21):
            result = reports.texts(db, tz=_tz(), school_id=school_id, class_ids=scope.class_ids, day=day,
                                   page=page, per_page=5000, search=search)
            for r in result.rows:
                reply = "(mã MK – ẩn)" if r["reply_kind"] == "otp" else r["reply"]
                yield [_local(r["received_at"]), mask(r["phone"] or r["source_addr"]), r["text"], r["command"],
                       r["school"], reply, frame.state_vi(r["reply_state"] or r["state"]), r["reply_reason"]]
            if not result.has_next:
                return

    audit.record(db, g.staff.login, "web:export-inbox", school_id=school_id,
                 **({"date": day.isoformat()} if day else {}), **({"search": search} if search else {}))
    return xlsx.response(f"tin-phu-huynh-{day.isoformat() if day else 'tat-ca'}.xlsx", [
        ("Tin phụ huynh", ["Giờ nhận", "Số", "Tin phụ huynh", "Lệnh", "Trường", "Trả lời", "Trạng thái", "Lý do"],
         rows())])
