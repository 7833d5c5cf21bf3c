"""/staff/approvals: the approval queue grouped by kind, class, subject, who entered them and the day.

A reviewer, admin or operator approves a group, several groups, or chosen
rows of one group, or sends them back with a reason; teachers see the queue
of their classes, read only.
"""
from __future__ import annotations

import json

from flask import abort, flash, g, redirect, render_template, request, url_for

from outbox import alerts
from store.review import approvals, corrections
from store.core import audit
from store.registry import review as review_registry
from store.review.approvals import ApprovalError, GroupKey

from web.auth import safe_target, staff_required
from web.db import get_db, settings
from web.review.blueprint import APPROVERS, bp, class_scope as _class_scope, ring as _ring


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
        _ring()      # schools with absence alerts text them now
    flash(f"Đã duyệt {n} dòng. Phụ huynh xem được ngay qua SMS và trong tin tổng hợp tối nay.", "info")
    return redirect(url_for("review.approvals")), 303

