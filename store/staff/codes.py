"""One-time codes for a staff account's first login or reset: hashed, single use, short-lived.

A code is texted to the staff member's own phone (6 digits, ``sms.otp_validity``
like MK) or, for someone without a phone, shown once to the admin who made
it (8 digits, a day, so it can be handed over). A new code voids the earlier
ones. Codes are stored as a salted SHA-256: a code is worth minutes and a
slow hash would cost a second per teacher of a 60-teacher import.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import Enum

import sqlite_utils

from store.school import users
from store.core.clock import iso, now_iso, utcnow
from store.core.connection import transaction
from store.core.errors import UserError

SHOWN_LIFETIME_S = 24 * 3600


class Delivery(str, Enum):
    """How a code reaches its owner."""

    SMS = "sms"
    SHOWN = "shown"

    @property
    def digits(self) -> int:
        return 6 if self is Delivery.SMS else 8


def _hash(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _matches(code: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(_hash(code, salt), stored)


def issue(db: sqlite_utils.Database, user_id: int, delivery: Delivery | str, *, issued_by: str,
          lifetime_s: int) -> str:
    """A new code for ``user_id`` (earlier unused codes stop working); the caller sends or shows it once."""
    delivery = Delivery(delivery)
    code = f"{secrets.randbelow(10 ** delivery.digits):0{delivery.digits}d}"
    now = utcnow()
    db.execute("UPDATE account_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL", [iso(now), user_id])
    db.execute("INSERT INTO account_codes (user_id, code_hash, delivery, issued_by, created_at, expires_at) "
               "VALUES (?, ?, ?, ?, ?, ?)", [user_id, _hash(code), delivery.value, issued_by, iso(now),
                                             iso(now + timedelta(seconds=lifetime_s))])
    return code


def redeem(db: sqlite_utils.Database, login: str, code: str, password: str) -> int:
    """Set the password of ``login``'s active account with a valid code; returns the user id or UserError."""
    if len(password) < users.MIN_PASSWORD:
        raise UserError(f"mật khẩu cần ít nhất {users.MIN_PASSWORD} ký tự")
    code = "".join(code.split()).replace("-", "")
    with transaction(db):
        row = db.execute("SELECT id FROM users WHERE login = ? AND active = 1", [login.strip()]).fetchone()
        found = None
        if row is not None:
            for code_id, stored in db.execute("SELECT id, code_hash FROM account_codes WHERE user_id = ? "
                                              "AND used_at IS NULL AND expires_at > ?", [row[0], now_iso()]):
                if _matches(code, stored):
                    found = code_id
        # An unknown login and a wrong code read the same: the form does not reveal who has an account.
        if found is None:
            raise UserError("mã sai, đã dùng hoặc đã hết hạn: nhờ quản trị trường gửi mã mới")
        db.execute("UPDATE account_codes SET used_at = ? WHERE id = ?", [now_iso(), found])
        users.set_password(db, row[0], password)
    return row[0]
