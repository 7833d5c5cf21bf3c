"""Parents' web accounts: the password is set with an MK code and checked at login."""
from __future__ import annotations

import sqlite_utils

from store.school import otp
from store.core import passwords
from store.core.connection import transaction
from store.core.errors import UserError

MIN_PASSWORD = 8


def guardian_id(db: sqlite_utils.Database, phone: str) -> int | None:
    """The guardian with this E.164 number, if any."""
    row = db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()
    return row[0] if row else None


def password_hash(db: sqlite_utils.Database, guardian: int) -> str | None:
    """The guardian's password hash (None: no password set, or no such guardian)."""
    row = db.execute("SELECT password_hash FROM guardians WHERE id = ?", [guardian]).fetchone()
    return row[0] if row else None


def check_password(db: sqlite_utils.Database, phone: str, password: str) -> int | None:
    """The guardian id for a correct phone and password, else None (same work either way)."""
    row = db.execute("SELECT id, password_hash FROM guardians WHERE phone = ?", [phone]).fetchone()
    ok, upgraded = passwords.check(row[1] if row else None, password)
    if not ok:
        return None
    if upgraded:
        with transaction(db):
            db.execute("UPDATE guardians SET password_hash = ? WHERE id = ?", [upgraded, row[0]])
    return row[0]


def set_password(db: sqlite_utils.Database, phone: str, code: str, password: str) -> int:
    """Set the web password with a valid MK code; returns the guardian id or raises UserError."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    gid = guardian_id(db, phone)
    # An unknown number and a wrong code read the same, so the form does not reveal who is registered.
    if gid is None or not otp.redeem(db, gid, code):
        raise UserError("mã sai, đã dùng hoặc đã hết hạn: nhắn MK tới số của trường để nhận mã mới")
    with transaction(db):
        db.execute("UPDATE guardians SET password_hash = ? WHERE id = ?", [passwords.hash_password(password), gid])
    return gid
