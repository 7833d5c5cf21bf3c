"""MK one-time codes for setting the web password: hashed, single use, short-lived."""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from store.core.clock import iso, now_iso, utcnow
from store.core.connection import transaction

DIGITS = 6


def issue(db: sqlite_utils.Database, guardian_id: int, lifetime_s: int) -> str:
    """A new code for ``guardian_id``; earlier unused codes stop working."""
    code = f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"
    now = utcnow()
    db.execute("UPDATE otp_codes SET used_at = ? WHERE guardian_id = ? AND used_at IS NULL", [iso(now), guardian_id])
    db.execute("INSERT INTO otp_codes (guardian_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
               [guardian_id, generate_password_hash(code), iso(now), iso(now + timedelta(seconds=lifetime_s))])
    return code


def redeem(db: sqlite_utils.Database, guardian_id: int, code: str) -> bool:
    """True, once, for a valid unexpired code; the code is used up either way it matches."""
    with transaction(db):
        rows = db.execute("SELECT id, code_hash FROM otp_codes WHERE guardian_id = ? AND used_at IS NULL "
                          "AND expires_at > ?", [guardian_id, now_iso()]).fetchall()
        for row_id, code_hash in rows:
            if check_password_hash(code_hash, code.strip()):
                db.execute("UPDATE otp_codes SET used_at = ? WHERE id = ?", [now_iso(), row_id])
                return True
    return False
