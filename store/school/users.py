"""Staff accounts: roles, school scope, hashed passwords."""
from __future__ import annotations

import secrets
from contextlib import nullcontext
from enum import Enum
from typing import NamedTuple

import sqlite_utils

from store.core import passwords
from store.core.clock import now_iso
from store.core.connection import transaction
from store.core.errors import UserError


class Role(str, Enum):
    OPERATOR = "operator"   # every school
    ADMIN = "admin"         # one school
    REVIEWER = "reviewer"   # approves what goes out
    TEACHER = "teacher"     # own classes and subjects


MIN_PASSWORD = 10
# The password_hash of an account whose owner has not set a password yet (a one-time code sets it):
# no password matches it.
UNUSABLE = "!"


class ActiveUser(NamedTuple):
    """An active staff account as a request reloads it (the hash ends sessions opened with an old password)."""

    id: int
    login: str
    role: Role
    school_id: int | None
    password_hash: str


def active_user(db: sqlite_utils.Database, user_id: int) -> ActiveUser | None:
    """The account with this id while it is active, else None."""
    row = db.execute("SELECT id, login, role, school_id, password_hash FROM users WHERE id = ? AND active = 1",
                     [user_id]).fetchone()
    return None if row is None else ActiveUser(row[0], row[1], Role(row[2]), row[3], row[4])


def generate_password() -> str:
    """A random password to print once (about 72 bits)."""
    return secrets.token_urlsafe(9)


def add_user(db: sqlite_utils.Database, login: str, role: str, password: str | None, *,
             school_code: str | None = None, class_names: list[str] = (), full_name: str | None = None) -> int:
    """Create a staff account (``password`` None: none yet, UNUSABLE); returns its id. Raises UserError."""
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"unknown role {role!r} (operator, admin, reviewer, teacher)") from None
    login = login.strip()
    if not login or any(c.isspace() for c in login):
        raise UserError("login must be one word")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    if db.execute("SELECT 1 FROM users WHERE login = ?", [login]).fetchone():
        raise UserError(f"login {login!r} already exists")
    school_id = None
    if school_code:
        row = db.execute("SELECT id FROM schools WHERE code = ?", [school_code]).fetchone()
        if not row:
            raise UserError(f"unknown school {school_code!r}")
        school_id = row[0]
    if role is not Role.OPERATOR and school_id is None:
        raise UserError(f"a {role.value} belongs to one school: give --school")
    if class_names and role is not Role.TEACHER:
        raise UserError("--class is for teachers")
    class_ids = []
    for name in class_names:
        row = db.execute("SELECT id FROM classes WHERE school_id = ? AND name = ? ORDER BY school_year DESC LIMIT 1",
                         [school_id, name]).fetchone()
        if not row:
            raise UserError(f"unknown class {name!r} in school {school_code}")
        class_ids.append(row[0])
    # Inside a caller's transaction (the teachers import) the account is part of it.
    with nullcontext() if db.conn.in_transaction else transaction(db):
        cur = db.execute(
            "INSERT INTO users (login, password_hash, role, school_id, full_name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [login, passwords.hash_password(password) if password is not None else UNUSABLE, role.value, school_id,
             full_name, now_iso()])
        user_id = cur.lastrowid
        for cid in class_ids:
            db.execute("INSERT INTO user_classes (user_id, class_id) VALUES (?, ?)", [user_id, cid])
    return user_id


def check_login(db: sqlite_utils.Database, login: str, password: str) -> dict | None:
    """The active user row for a correct login and password, else None."""
    row = db.execute("SELECT * FROM users WHERE login = ? AND active = 1", [login]).fetchone()
    if row is None or row[2] == UNUSABLE:
        # Same work for a missing login (one hash check), so timing does not reveal logins.
        passwords.check(None, password)
        return None
    cols = [d[0] for d in db.conn.execute("SELECT * FROM users LIMIT 0").description]
    user = dict(zip(cols, row))
    if user["password_hash"] == UNUSABLE:
        passwords.check(None, password)          # the same work as a wrong password
        return None
    ok, upgraded = passwords.check(user["password_hash"], password)
    if upgraded:
        with transaction(db):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [upgraded, user["id"]])
        user["password_hash"] = upgraded
    return user if ok else None


def set_password(db: sqlite_utils.Database, user_id: int, password: str) -> None:
    """Set a staff account's password (after a one-time code); UserError when it is too short."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [passwords.hash_password(password), user_id])
