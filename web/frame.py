"""The site frame every page shares: the school's name, Vietnamese labels, local dates, error pages.

Jinja filters: `state_vi` / `kind_vi` / `role_vi` (message states, message
kinds and staff roles in Vietnamese), `local_dt` (a stored UTC timestamp as
local dd/mm/yyyy HH:MM), `vn_date` (an ISO date or a date as dd/mm/yyyy).
HTTP errors of the pages (400, 403, 404, 405, 500) render in the frame
with a way back; /api/ keeps its JSON errors.
"""
from __future__ import annotations

import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, render_template, request, session
from werkzeug.exceptions import HTTPException

from store.core.clock import local_today, parse_iso, school_year_of
from store.messaging.reports import STATE_LABELS

STATE_VI = {
    **STATE_LABELS,        # message states, from the state table
    # inbox states of a parent's text
    "received": "đã nhận", "answered": "đã trả lời", "ignored": "bỏ qua", "duplicate": "trùng",
}
KIND_VI = {
    "reply": "trả lời", "otp": "mã MK", "digest": "tin tổng hợp", "announcement": "thông báo",
    "teacher": "tin GVCN", "alert": "báo vắng", "hint": "hướng dẫn",
}
ROLE_VI = {"operator": "vận hành", "admin": "quản trị trường", "reviewer": "duyệt tin", "teacher": "giáo viên"}
ERRORS = {
    400: ("Yêu cầu không hợp lệ", "Trang không dùng được dữ liệu đã gửi."),
    403: ("Không có quyền", "Tài khoản của bạn không được mở trang này."),
    404: ("Không tìm thấy", "Trang hoặc dữ liệu này không có, hoặc không thuộc phạm vi của bạn."),
    405: ("Không hỗ trợ", "Trang này không nhận kiểu yêu cầu đó."),
    413: ("Tệp quá lớn", "Tệp gửi lên vượt giới hạn cho phép."),
    500: ("Lỗi hệ thống", "Đã có lỗi; lỗi đã được ghi lại. Hãy thử lại sau."),
}


def _value(v) -> str:
    return getattr(v, "value", v) if v is not None else ""


def state_vi(v) -> str:
    """A message or inbox state in Vietnamese ('delivered' -> 'đã đến')."""
    return STATE_VI.get(_value(v), _value(v))


def kind_vi(v) -> str:
    """A message kind in Vietnamese ('digest' -> 'tin tổng hợp')."""
    return KIND_VI.get(_value(v), _value(v))


def role_vi(v) -> str:
    """A staff role in Vietnamese ('admin' -> 'quản trị trường')."""
    return ROLE_VI.get(_value(v), _value(v))


def _tz() -> str:
    from .db import settings
    return settings().sms.timezone


def local_dt(ts) -> str:
    """A stored UTC timestamp (ISO text or datetime) as local 'dd/mm/yyyy HH:MM'."""
    if not ts:
        return ""
    moment = parse_iso(ts) if isinstance(ts, str) else ts
    return moment.astimezone(ZoneInfo(_tz())).strftime("%d/%m/%Y %H:%M")


def vn_date(d) -> str:
    """An ISO date text or a date as 'dd/mm/yyyy' (anything else unchanged)."""
    if isinstance(d, (date, datetime)):
        return d.strftime("%d/%m/%Y")
    try:
        return date.fromisoformat(str(d)[:10]).strftime("%d/%m/%Y") if d else ""
    except ValueError:
        return str(d)


def school_names() -> list[str]:
    """The schools of the page's viewer: a staff member's school, a parent's children's schools."""
    from .db import get_db
    staff = g.get("staff")
    try:
        if staff is not None:
            if staff.school_id is None:
                return ["Tất cả các trường"]
            row = get_db().execute("SELECT name FROM schools WHERE id = ?", [staff.school_id]).fetchone()
            return [row[0]] if row else []
        if session.get("staff_id"):
            # An error page before the view loaded g.staff: the account's school, for the name only.
            row = get_db().execute("SELECT u.school_id, s.name FROM users u LEFT JOIN schools s ON s.id = u.school_id "
                                   "WHERE u.id = ? AND u.active = 1", [session["staff_id"]]).fetchone()
            return ([row[1]] if row[0] else ["Tất cả các trường"]) if row else []
        guardian = g.get("guardian_id") or session.get("guardian_id")
        if guardian:
            year = school_year_of(local_today(_tz()))
            return [r[0] for r in get_db().execute(
                "SELECT DISTINCT s.name FROM guardian_links l JOIN students st ON st.id = l.student_id "
                "JOIN schools s ON s.id = st.school_id WHERE l.guardian_id = ? AND l.school_year = ? "
                "AND l.active = 1 ORDER BY s.name", [guardian, year])]
    except (sqlite3.Error, OSError):    # the frame never turns a page into an error; the page reports its own
        return []
    return []


def _frame() -> dict:
    return {"school_names": school_names()}


def _error_page(e: HTTPException):
    if request.path.startswith("/api/"):
        from .api import _http_error
        return _http_error(e)
    code = e.code or 500
    title, text = ERRORS.get(code, (e.name, ""))
    detail = e.description if code != 500 and e.description != type(e).description else ""
    back = "parents.index" if request.path.startswith("/parent") else (
        "staff.index" if request.path.startswith("/staff") else "auth.home")
    response = render_template("error.html", code=code, title=title, text=text, detail=detail, back=back)
    return response, code, {"Allow": ", ".join(e.valid_methods)} if getattr(e, "valid_methods", None) else {}


def init_app(app: Flask) -> None:
    """Filters, the frame's context and the error pages."""
    app.jinja_env.filters.update(state_vi=state_vi, kind_vi=kind_vi, role_vi=role_vi, local_dt=local_dt,
                                 vn_date=vn_date)
    app.context_processor(_frame)
    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, _error_page)
