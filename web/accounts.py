"""Staff accounts and API tokens on the web (SPEC §12): admins for their school, operators for every school.

- GET /staff/accounts?q=&school=: the accounts with search (login, name, ma_gv, phone digits); the
  form adding a staff member with an account.
- GET /staff/accounts/<id>: one account: its assignment in force, classes granted by hand, role.
- POST /staff/accounts/<id>/<action>: deactivate, activate, reset (the old password stops working and
  a new one-time code goes out), role, classes.
- GET/POST /staff/tokens, POST /staff/tokens/<id>/revoke: the JSON API's bearer tokens (shown once).
- GET/POST /staff/first-login: a new (or reset) account sets its password with its one-time code.

A code goes by SMS to the staff phone and is never shown; without a phone it is shown once, on the
page that made it (never in a redirect, a flash or the session). Every change is in audit_log with
who did it, never with a code or a token.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for

from outbox.account_codes import deliver
from outbox.wake import Wake
from store.core import audit
from store.school import tokens
from store.core.clock import local_today, school_year_of
from store.core.connection import transaction
from store.core.errors import UserError
from store.core.text import is_digits
from store.staff import accounts, codes
from store.school import assignments, roster
from store.school.roster import Position

from . import auth
from .auth import staff_required
from .db import get_db, redis, settings
from .menu import MenuEntry

bp = Blueprint("accounts", __name__, url_prefix="/staff")
MENU = (MenuEntry("accounts.accounts", "Tài khoản"), MenuEntry("accounts.tokens", "Token API"))

MANAGERS = ("admin", "operator")
ROLES = ("teacher", "reviewer", "admin")
ACTIONS = ("deactivate", "activate", "reset", "role", "classes")


def _today():
    return local_today(settings().sms.timezone)


def _schools() -> list[tuple[int, str]]:
    """(id, code) of the schools in the manager's scope."""
    rows = get_db().execute("SELECT id, code FROM schools ORDER BY code").fetchall()
    return [tuple(r) for r in rows if g.staff.can_see_school(r[0])]


def _school_arg(value: str | None) -> int | None:
    """The school chosen in a form (operators); an admin's own school whatever was sent."""
    if g.staff.school_id is not None:
        return g.staff.school_id
    return next((sid for sid, code in _schools() if code == (value or "").strip().upper()), None)


def _account(user_id: int) -> dict:
    """An account the manager may change, or 404 (another school's, or an operator for an admin)."""
    row = get_db().execute("SELECT id, login, role, school_id, active FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None or (g.staff.school_id is not None and (row[3] != g.staff.school_id or row[2] == "operator")):
        abort(404)
    return dict(zip(("id", "login", "role", "school_id", "active"), row))


def _no_store(response):
    """A page with a one-time code or token must not stay in any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _issue(db, user_id: int):
    """A new code for the account, sent or kept to show once; audited without the code."""
    with transaction(db):
        issued = deliver(db, settings(), user_id, actor=g.staff.login)
    if issued.message_id:
        Wake(redis(), settings().redis.prefix).ring()
    audit.record(db, g.staff.login, "web:account-code", school_id=_account(user_id)["school_id"],
                 account=issued.login, delivery=issued.delivery.value, phone=issued.phone_masked or None)
    return issued


# -- the list and adding -------------------------------------------------------------------------------------------
@bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@staff_required(*MANAGERS)
def accounts_page():
    db = get_db()
    if request.method == "POST":
        return _add(db)
    q = request.args.get("q", "").strip()[:60]
    school_id = _school_arg(request.args.get("school")) if g.staff.school_id is None else g.staff.school_id
    rows = accounts.listing(db, school_id=school_id, search=q, year=school_year_of(_today()))
    return _list(rows, q=q, school_id=school_id)


def _list(rows, status: int = 200, **context):
    return render_template("staff/accounts.html", rows=rows, schools=_schools(), positions=list(Position),
                           form=context.pop("form", {}), **context), status


def _add(db):
    form = request.form
    school_id = _school_arg(form.get("school"))
    try:
        if school_id is None:
            raise UserError("chọn trường")
        with transaction(db):
            staff_id = roster.add_member(db, school_id, form.get("code", ""), form.get("full_name", ""),
                                         phone=form.get("phone", "").strip() or None, email=form.get("email"),
                                         department=form.get("department"), position=form.get("position", "gv"))
            user_id = accounts.create_for(db, staff_id)
    except UserError as e:
        flash(f"Chưa thêm được: {e}", "error")
        return _list(accounts.listing(db, school_id=g.staff.school_id, year=school_year_of(_today())), 400,
                     q="", school_id=g.staff.school_id, form=form)
    member = roster.get(db, staff_id)
    audit.record(db, g.staff.login, "web:account-add", school_id=school_id, account=member.code,
                 position=member.position.value)
    issued = _issue(db, user_id)
    return _no_store(make_response(render_template("staff/account_code.html", issued=issued, made=True)))


# -- one account -------------------------------------------------------------------------------------------------
@bp.get("/accounts/<int:user_id>", endpoint="account")
@staff_required(*MANAGERS)
def account_page(user_id: int):
    db = get_db()
    acct = _account(user_id)
    row = next(a for a in accounts.listing(db, school_id=acct["school_id"], search=acct["login"], limit=50)
               if a.id == user_id)
    member = roster.by_user(db, user_id)
    today = _today()
    key = assignments.in_force(db, member.school_id, today) if member else None
    teaching = assignments.of_staff(db, member.id, key) if key else []
    classes = db.execute("SELECT id, name FROM classes WHERE school_id = ? AND school_year = ? ORDER BY grade, name",
                         [acct["school_id"], school_year_of(today)]).fetchall() if acct["school_id"] else []
    granted = {r[0] for r in db.execute("SELECT class_id FROM user_classes WHERE user_id = ?", [user_id])}
    return render_template("staff/account.html", a=row, member=member, key=key, teaching=teaching,
                           classes=classes, granted=granted, roles=ROLES)


@bp.post("/accounts/<int:user_id>/<action>", endpoint="account_action")
@staff_required(*MANAGERS)
def account_action(user_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    db = get_db()
    acct = _account(user_id)
    if action in ("deactivate", "reset") and user_id == g.staff.id:
        flash("Không thể tự khoá hoặc đặt lại tài khoản đang dùng.", "error")
        return redirect(url_for("accounts.account", user_id=user_id))
    detail: dict = {}
    try:
        with transaction(db):
            if action in ("deactivate", "activate"):
                accounts.set_active(db, user_id, action == "activate")
            elif action == "reset":
                accounts.lock_out(db, user_id)
            elif action == "role":
                detail["role"] = request.form.get("role", "")
                accounts.set_role(db, user_id, detail["role"])
            else:
                detail["classes"] = _chosen_classes(db, acct)
                accounts.grant_classes(db, user_id, detail["classes"])
    except UserError as e:
        flash(str(e), "error")
        return redirect(url_for("accounts.account", user_id=user_id))
    audit.record(db, g.staff.login, f"web:account-{action}", school_id=acct["school_id"], account=acct["login"],
                 **detail)
    if action == "reset":
        return _no_store(make_response(render_template("staff/account_code.html", issued=_issue(db, user_id),
                                                       made=False)))
    flash({"deactivate": "Đã khoá tài khoản: người dùng bị đăng xuất ngay.", "activate": "Đã mở lại tài khoản.",
           "role": "Đã đổi vai trò.", "classes": "Đã lưu các lớp được giao."}[action], "info")
    return redirect(url_for("accounts.account", user_id=user_id))


def _chosen_classes(db, acct: dict) -> list[int]:
    """The ticked classes, only those of the account's school this year."""
    wanted = {int(v) for v in request.form.getlist("class") if is_digits(v) and len(v) < 12}
    rows = db.execute("SELECT id FROM classes WHERE school_id = ? AND school_year = ?",
                      [acct["school_id"], school_year_of(_today())])
    return sorted(r[0] for r in rows if r[0] in wanted)


# -- API tokens ----------------------------------------------------------------------------------------------------
@bp.route("/tokens", methods=["GET", "POST"], endpoint="tokens")
@staff_required(*MANAGERS)
def tokens_page():
    db = get_db()
    made = None
    if request.method == "POST":
        school_id = _school_arg(request.form.get("school"))
        code = next((c for sid, c in _schools() if sid == school_id), None)
        label = request.form.get("label", "").strip()[:80] or None
        try:
            token_id, secret = tokens.create(db, request.form.get("scope", ""), school_code=code, label=label)
        except tokens.TokenError as e:
            flash(f"Chưa tạo được: {e}", "error")
            return _tokens(db, None, 400)
        audit.record(db, g.staff.login, "web:token-add", school_id=school_id, token_id=token_id,
                     scope=request.form.get("scope"), label=label)
        made = (token_id, secret)
    return _tokens(db, made)


def _tokens(db, made, status: int = 200):
    own = next((c for sid, c in _schools() if sid == g.staff.school_id), None)
    rows = [t for t in tokens.list_tokens(db) if g.staff.school_id is None or t["school"] == own]
    response = render_template("staff/tokens.html", rows=rows, made=made, schools=_schools(),
                               scopes=[s.value for s in tokens.Scope])
    return _no_store(make_response(response, status))


@bp.post("/tokens/<int:token_id>/revoke", endpoint="token_revoke")
@staff_required(*MANAGERS)
def token_revoke(token_id: int):
    db = get_db()
    row = db.execute("SELECT school_id FROM api_tokens WHERE id = ?", [token_id]).fetchone()
    if row is None or (g.staff.school_id is not None and row[0] != g.staff.school_id):
        abort(404)
    try:
        tokens.revoke(db, token_id)
    except tokens.TokenError as e:
        flash(str(e), "error")
        return redirect(url_for("accounts.tokens"))
    audit.record(db, g.staff.login, "web:token-revoke", school_id=row[0], token_id=token_id)
    flash(f"Đã thu hồi token #{token_id}.", "info")
    return redirect(url_for("accounts.tokens"))


# -- first login -------------------------------------------------------------------------------------------------
@bp.route("/first-login", methods=["GET", "POST"], endpoint="first_login")
def first_login():
    """Set the password with the one-time code from the SMS or from the admin."""
    login = (request.form.get("login") or request.args.get("login") or "").strip()[:80]
    if request.method == "GET":
        return render_template("first_login.html", login=login)
    if auth._blocked("staff", login):
        flash("Nhập sai quá nhiều lần: vui lòng thử lại sau 15 phút.", "error")
        return render_template("first_login.html", login=login), 429
    db = get_db()
    try:
        if request.form.get("password", "") != request.form.get("password2", ""):
            raise UserError("hai lần nhập mật khẩu không giống nhau")
        user_id = codes.redeem(db, login, request.form.get("code", ""), request.form.get("password", ""))
    except UserError as e:
        auth._failed("staff", login)
        flash(f"Chưa đặt được mật khẩu: {e}", "error")
        return render_template("first_login.html", login=login), 400
    auth._succeeded("staff", login)
    audit.record(db, login, "web:first-login")
    password_hash = db.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()[0]
    auth._start_session(password_hash, staff_id=user_id)
    flash("Đã đặt mật khẩu. Lần sau đăng nhập bằng tên đăng nhập và mật khẩu này.", "info")
    return redirect(url_for("staff.index"))

