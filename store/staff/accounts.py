"""Staff accounts: one per staff member, made by the teachers import or the accounts page.

An imported teacher's login is ``<ma_gv>.<ma_truong>`` in lower case
(``gv001.thcs-dd``); the account starts without a password (users.UNUSABLE)
and waits in account_invites for its first one-time code.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import sqlite_utils

from store.school import users
from store.core.clock import now_iso
from store.core.errors import UserError
from store.school.phones import mask

from store.school.roster import Position


def login_for(school_code: str, staff_code: str) -> str:
    """The login of an imported staff member: 'GV 001' at THCS-DD -> 'gv001.thcs-dd'."""
    return re.sub(r"\s+", "", f"{staff_code}.{school_code}").lower()


def create_for(db: sqlite_utils.Database, staff_id: int, role: users.Role | str | None = None) -> int:
    """An account (no password yet, invited) for a staff member that has none; returns the user id."""
    row = db.execute("SELECT st.code, st.full_name, st.position, sc.code, st.user_id FROM staff st "
                     "JOIN schools sc ON sc.id = st.school_id WHERE st.id = ?", [staff_id]).fetchone()
    code, name, position, school_code, user_id = row
    if user_id is not None:
        return user_id
    role = users.Role(role) if role else Position(position).role
    login = login_for(school_code, code)
    taken = db.execute("SELECT id, school_id FROM users WHERE login = ?", [login]).fetchone()
    if taken is not None:
        raise UserError(f"tên đăng nhập {login} đã có")
    user_id = users.add_user(db, login, role.value, None, school_code=school_code, full_name=name)
    db.execute("UPDATE staff SET user_id = ? WHERE id = ?", [user_id, staff_id])
    db.execute("INSERT OR IGNORE INTO account_invites (user_id, created_at) VALUES (?, ?)", [user_id, now_iso()])
    return user_id


def pending_invites(db: sqlite_utils.Database, school_id: int | None = None, since: str | None = None) -> list[int]:
    """Accounts still waiting for their first code (of ``school_id``, made from ``since`` on, when given)."""
    sql = ("SELECT i.user_id FROM account_invites i JOIN users u ON u.id = i.user_id "
           "WHERE i.issued_at IS NULL AND u.active = 1 AND i.created_at >= ?")
    params: list = [since or ""]
    if school_id is not None:
        sql += " AND u.school_id = ?"
        params.append(school_id)
    return [r[0] for r in db.execute(sql + " ORDER BY i.user_id", params)]


def mark_invited(db: sqlite_utils.Database, user_id: int) -> None:
    """The account's first code went out."""
    db.execute("UPDATE account_invites SET issued_at = ? WHERE user_id = ? AND issued_at IS NULL",
               [now_iso(), user_id])


def set_active(db: sqlite_utils.Database, user_id: int, active: bool) -> None:
    """(De)activate an account and its staff member: a deactivated one is logged out at the next request."""
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
    db.execute("UPDATE staff SET active = ? WHERE user_id = ?", [int(active), user_id])


LOCK_ACTIONS = ("web:account-deactivate", "web:account-activate")


def locked_by(db: sqlite_utils.Database, user_id: int) -> str | None:
    """The login of the admin whose deactivation on the accounts page still holds, else None.

    An import leaves such an account locked (a teacher an admin locked is not let back in because the
    school's SMAS list still names them); an account the import itself deactivated (--replace) is not
    held, so the file listing the teacher again makes them active again. The audit log is the record:
    the account's latest deactivate or activate on the page decides.
    """
    row = db.execute("SELECT login, school_id, active FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None or row[2]:
        return None
    for actor, action, detail in db.execute(
            "SELECT actor, action, detail FROM audit_log WHERE school_id IS ? AND action IN (?, ?) ORDER BY id DESC",
            [row[1], *LOCK_ACTIONS]):
        if json.loads(detail or "{}").get("account") == row[0]:
            return actor if action == LOCK_ACTIONS[0] else None
    return None


def set_role(db: sqlite_utils.Database, user_id: int, role: str) -> None:
    """Give a school account another role (operator is for the command line)."""
    try:
        role = users.Role(role)
    except ValueError:
        raise UserError(f"vai trò không hợp lệ: {role!r}") from None
    if role is users.Role.OPERATOR:
        raise UserError("tài khoản vận hành chỉ tạo bằng dòng lệnh (user add)")
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role.value, user_id])


def lock_out(db: sqlite_utils.Database, user_id: int) -> None:
    """A reset: the old password stops working (every session of the account ends) until a code sets a new one."""
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [users.UNUSABLE, user_id])


def grant_classes(db: sqlite_utils.Database, user_id: int, class_ids: list[int]) -> None:
    """Replace the classes granted by hand (beside the imported assignment) with ``class_ids`` (every subject)."""
    db.execute("DELETE FROM user_classes WHERE user_id = ?", [user_id])
    db.conn.executemany("INSERT INTO user_classes (user_id, class_id) VALUES (?, ?)", [(user_id, c) for c in class_ids])


@dataclass(frozen=True)
class Account:
    """One line of the accounts page."""

    id: int
    login: str
    full_name: str | None
    role: users.Role
    school_id: int | None
    school_code: str | None
    active: bool
    has_password: bool
    staff_id: int | None
    staff_code: str | None
    phone_masked: str
    position: Position | None
    department: str | None
    granted: tuple[str, ...]


def listing(db: sqlite_utils.Database, *, school_id: int | None, search: str = "", year: str | None = None,
            limit: int = 500) -> list[Account]:
    """The accounts of ``school_id`` (None: every school), filtered by login, name, ma_gv or phone digits."""
    sql = ("SELECT u.id, u.login, COALESCE(st.full_name, u.full_name), u.role, u.school_id, sc.code, u.active, "
           "u.password_hash != ?, st.id, st.code, st.phone, st.position, d.name FROM users u "
           "LEFT JOIN schools sc ON sc.id = u.school_id LEFT JOIN staff st ON st.user_id = u.id "
           "LEFT JOIN departments d ON d.id = st.department_id WHERE 1 = 1")
    params: list = [users.UNUSABLE]
    if school_id is not None:
        sql += " AND u.school_id = ?"
        params.append(school_id)
    term = search.strip()
    if term:
        like = f"%{term}%"
        sql += (" AND (u.login LIKE ? OR COALESCE(st.full_name, u.full_name, '') LIKE ? OR COALESCE(st.code, '') "
                "LIKE ? OR (? != '' AND COALESCE(st.phone, '') LIKE ?))")
        digits = re.sub(r"\D", "", term).lstrip("0")
        params += [like, like, like, digits, f"%{digits}%"]
    rows = db.execute(sql + " ORDER BY sc.code, u.active DESC, u.login LIMIT ?", [*params, limit]).fetchall()
    return [Account(r[0], r[1], r[2], users.Role(r[3]), r[4], r[5], bool(r[6]), bool(r[7]), r[8], r[9],
                    mask(r[10]) if r[10] else "", Position(r[11]) if r[11] else None, r[12],
                    _granted(db, r[0], year)) for r in rows]


def _granted(db, user_id: int, year: str | None) -> tuple[str, ...]:
    sql = ("SELECT c.name FROM user_classes uc JOIN classes c ON c.id = uc.class_id WHERE uc.user_id = ?"
           + (" AND c.school_year = ?" if year else "") + " ORDER BY c.name")
    return tuple(r[0] for r in db.execute(sql, [user_id, year] if year else [user_id]))
