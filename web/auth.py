"""Who is asking: staff and parent login, logout, the decorators pages use, the login rate limit.

Staff log in with their login and password (`user add`); parents with their
phone number and the password they set with an MK code. The session holds
only an id and a keyed digest of the password hash; every request reloads
the account, so a deactivated user, or every other session of an account
whose password changed, is out at once. Attempts are counted in Redis (web.login_limit); sessions live in Redis
(web.sessions), so logout ends them.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from store.core import audit
from store.school import guardian_accounts, phones, users
from store.core.clock import local_today
from store.core.errors import UserError
from store.school.assignments import scope as staff_scope

from . import login_limit, sessions
from .db import get_db, settings

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member and their scope."""

    id: int
    login: str
    role: users.Role
    school_id: int | None        # None: an operator, every school
    class_ids: frozenset[int]    # a teacher's classes

    def can_see_school(self, school_id: int) -> bool:
        return self.school_id is None or self.school_id == school_id


def _load_staff(user_id: int) -> Staff | None:
    db = get_db()
    user = users.active_user(db, user_id)
    if user is None or not _same_password(user.password_hash) or not sessions.alive(session.get("sid")):
        return None
    classes = frozenset(staff_scope(db, user.id, local_today(settings().sms.timezone)))   # this term's assignment
    return Staff(user.id, user.login, user.role, user.school_id, classes)


def staff_required(*roles: str):
    """Page decorator: a logged-in staff member (of one of ``roles`` when given) in ``g.staff``."""
    allowed = {users.Role(r) for r in roles}

    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            staff = _load_staff(session["staff_id"]) if "staff_id" in session else None
            if staff is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if allowed and staff.role not in allowed:
                abort(403)
            g.staff = staff
            return view(*args, **kwargs)
        inner.staff_roles = frozenset(allowed)      # the menu shows a page only to roles it lets in
        return inner
    return wrap


def parent_required(view):
    """Page decorator: a logged-in parent, their guardian id in ``g.guardian_id``."""
    @functools.wraps(view)
    def inner(*args, **kwargs):
        gid = session.get("guardian_id")
        hashed = guardian_accounts.password_hash(get_db(), gid) if gid is not None else None
        # Only an account with a password has sessions (a forged cookie for a number without one opens nothing).
        if not hashed or not _same_password(hashed) or not sessions.alive(session.get("sid")):
            return redirect(url_for("auth.parent_login"))
        g.guardian_id = gid
        return view(*args, **kwargs)
    return inner


# -- rate limit (web.login_limit) --------------------------------------------------------------
_blocked = login_limit.blocked
_succeeded = login_limit.succeeded


def _failed(kind: str, account: str) -> None:
    """A wrong password: already counted before the check (login_limit.blocked)."""


def _fingerprint(password_hash: str | None) -> str:
    """A keyed digest of the account's password hash, kept in the session (which is readable, not secret)."""
    return hmac.new(current_app.secret_key.encode(), (password_hash or "").encode(), hashlib.sha256).hexdigest()[:20]


def _same_password(password_hash: str | None) -> bool:
    """Whether the session was opened with the account's current password: a new password ends other sessions."""
    return hmac.compare_digest(session.get("pw", ""), _fingerprint(password_hash))


def _start_session(password_hash: str | None, **ids) -> None:
    sessions.end(session.get("sid"))
    session.clear()            # a new session id for the new login (no fixation)
    session.permanent = True
    session.update(ids, pw=_fingerprint(password_hash), sid=sessions.open_session())


def _guardian_hash(gid: int) -> str | None:
    return guardian_accounts.password_hash(get_db(), gid)


def safe_target(target: str | None, default: str, *, under: str = "/") -> str:
    """``target`` when it is a path of this site under ``under``, else ``default`` (no open redirect).

    Browsers drop tabs and newlines and read a backslash as a slash, so
    "/<tab>/evil.example" would leave the site: such targets are refused too.
    """
    target = target or ""
    if any(c < " " or c == "\\" for c in target) or target.startswith("//") or not target.startswith(under):
        return default
    return target


def _safe_next(default: str) -> str:
    return safe_target(request.args.get("next") or request.form.get("next"), default)


@bp.route("/")
def home():
    """The front door: parents and staff each to their login (or their pages when logged in)."""
    if "guardian_id" in session:
        return redirect(url_for("parents.index"))
    if "staff_id" in session:
        return redirect(url_for("staff.index"))
    return render_template("home.html")


# -- staff -------------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        name = request.form.get("login", "").strip()
        password = request.form.get("password", "")
        if login_limit.too_long(name):
            flash("Sai tên đăng nhập hoặc mật khẩu.", "error")
            return render_template("login.html", login=""), 400
        if _blocked("staff", name):
            flash("Đăng nhập sai quá nhiều lần: vui lòng thử lại sau 15 phút.", "error")
            return render_template("login.html", login=name), 429
        user = users.check_login(get_db(), name, password) if name and password else None
        if user is None:
            _failed("staff", name)
            flash("Sai tên đăng nhập hoặc mật khẩu.", "error")
            return render_template("login.html", login=name), 401
        _succeeded("staff", name)
        _start_session(user["password_hash"], staff_id=user["id"])
        return redirect(_safe_next(url_for("staff.index")))
    return render_template("login.html", login="")


@bp.route("/logout", methods=["POST"])
def logout():
    was_parent = "guardian_id" in session
    sessions.end(session.get("sid"))      # a cookie copied before now opens nothing
    session.clear()
    return redirect(url_for("auth.parent_login" if was_parent else "auth.login"))


# -- parents -----------------------------------------------------------------------------------
def _parent_phone(template: str, too_many: str):
    """(E.164 phone, None) from the form, or (None, the page refusing it): not a mobile number, or locked out."""
    raw = request.form.get("phone", "")
    try:
        phone = phones.normalise(raw)
    except phones.PhoneError:
        flash(f"«{raw}» không phải số di động Việt Nam.", "error")
        return None, (render_template(template, phone=raw), 400)
    if _blocked("parent", phone):
        flash(f"{too_many}: vui lòng thử lại sau 15 phút.", "error")
        return None, (render_template(template, phone=raw), 429)
    return phone, None


@bp.route("/parent/login", methods=["GET", "POST"])
def parent_login():
    if request.method == "POST":
        phone, refused = _parent_phone("parent_login.html", "Đăng nhập sai quá nhiều lần")
        if refused:
            return refused
        raw = request.form.get("phone", "")
        gid = guardian_accounts.check_password(get_db(), phone, request.form.get("password", ""))
        if gid is None:
            _failed("parent", phone)
            flash("Sai số điện thoại hoặc mật khẩu. Chưa có mật khẩu? Nhắn MK tới số của trường.", "error")
            return render_template("parent_login.html", phone=raw), 401
        _succeeded("parent", phone)
        _start_session(_guardian_hash(gid), guardian_id=gid)
        return redirect(url_for("parents.index"))
    return render_template("parent_login.html", phone="")


@bp.route("/parent/password", methods=["GET", "POST"])
def parent_password():
    """Set (or reset) the web password with a code from `MK`."""
    if request.method == "POST":
        phone, refused = _parent_phone("parent_password.html", "Nhập sai quá nhiều lần")
        if refused:
            return refused
        raw = request.form.get("phone", "")
        db = get_db()
        try:
            gid = guardian_accounts.set_password(db, phone, request.form.get("code", ""),
                                                 request.form.get("password", ""))
        except UserError as e:
            _failed("parent", phone)
            flash(str(e), "error")
            return render_template("parent_password.html", phone=raw), 400
        audit.record(db, phones.mask(phone), "web:set-password")
        _succeeded("parent", phone)
        _start_session(_guardian_hash(gid), guardian_id=gid)
        flash("Đã đặt mật khẩu.", "info")
        return redirect(url_for("parents.index"))
    return render_template("parent_password.html", phone="")
