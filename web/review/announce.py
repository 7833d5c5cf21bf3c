"""/staff/announce: an announcement to a school, grades or classes, previewed before sending.

The preview shows the exact text, parts per SMS, recipients and total
parts; the send takes exactly what was previewed, once.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for

from outbox import composer, notices
from outbox.announce import enqueue_send
from store.messaging import announcements
from store.core import audit
from store.core.clock import local_today, school_year_of, utcnow
from store.core.connection import transaction

from web.review import notice_review
from web import targets as send_targets
from web.auth import staff_required
from web.db import get_db, redis, settings
from web.review.blueprint import ANNOUNCERS, bp, ring as _ring


def _targets(db) -> list[dict]:
    """Schools, grades and this year's classes the staff member may announce to."""
    out = send_targets.choices(db, school_year_of(local_today(settings().sms.timezone)))
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
    shown = composer.preview(sms, len(chosen))
    if not shown.matches((form.get("recipients", "").strip(), form.get("parts", "").strip())):
        flash(composer.CHANGED, "error")
        return render_template("review/announce.html", **view, nonce=secrets.token_urlsafe(16)), 409
    cfg, nonce = settings(), form.get("nonce", "")
    if not composer.claim_once(redis(), cfg.redis.prefix, "announce", nonce):
        flash("Thông báo này đã được gửi (bấm gửi hai lần?).", "error")
        return redirect(url_for("review.announce")), 303
    if notice_review.is_teacher() and notice_review.submit(db, target, sms, bool(form.get("include_opted_out")),
                                                           send_at):      # waits for approval
        return redirect(url_for("review.announce")), 303
    try:
        ids = _enqueue_announcement(db, cfg, target, sms, chosen, bool(form.get("include_opted_out")), send_at)
    except Exception:
        composer.release(redis(), cfg.redis.prefix, "announce", nonce)     # nothing was sent
        raise
    _ring()
    when = f", gửi lúc {send_at.astimezone(ZoneInfo(cfg.sms.timezone)).strftime('%H:%M %d/%m/%Y')}" if send_at else ""
    flash(shown.queued(len(ids), "tin thông báo", when), "info")
    return redirect(url_for("review.announce_sent")), 303


@bp.route("/announce/sent")
@staff_required(*ANNOUNCERS)
def announce_sent():
    """"Thông báo đã gửi": every send with its text, target, count, delivered rate and failures."""
    notice_review.gate()
    sends = announcements.sent(get_db(), school_id=g.staff.school_id, class_scope=notice_review.class_scope())
    return render_template("review/announce_sent.html", sends=sends)


announce.staff_hidden = announce_sent.staff_hidden = notice_review.hidden_for     # the menu (web/menu.py)


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
