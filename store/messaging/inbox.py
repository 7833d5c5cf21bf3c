"""Parent texts (MO) as received: stored before the SMSC gets its deliver_sm_resp."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlite_utils

from store.core.clock import iso, utcnow
from store.core.connection import transaction


def dedup_key(source_addr: str, text: str | None, reference: str) -> str:
    """The identity of a re-delivered MO: same source, text and SMSC reference."""
    raw = f"{source_addr}\x00{text or ''}\x00{reference}".encode("utf-8", "replace")
    return hashlib.sha256(raw).hexdigest()[:32]


def dedup_window(sms) -> int:
    """The longest time a stored MO's dedup key can still match a re-delivery (settings.sms)."""
    return max(sms.mo_dedup_window, sms.mo_retry_window)


def insert_mo(db: sqlite_utils.Database, *, connection: str, source_addr: str, phone: str | None,
              text: str | None, data_coding: int, key: str, dedup_window_s: int) -> tuple[int, bool]:
    """Insert one MO inside the caller's transaction; returns (inbox id, is_duplicate).

    A text with the same key within the dedup window is stored too (the
    record stays complete) but marked `duplicate`, so it is never answered
    twice; without its text when the first copy's text was already blanked
    (an anonymous poll's answer, store.community.poll_privacy).
    """
    now = utcnow()
    since = iso(now - timedelta(seconds=dedup_window_s))
    earlier = db.execute("SELECT max(text IS NULL) FROM inbox WHERE dedup_key = ? AND received_at >= ?",
                         [key, since]).fetchone()[0] if dedup_window_s > 0 else None
    duplicate = earlier is not None
    if earlier:
        text = None
    cur = db.execute(
        "INSERT INTO inbox (connection, source_addr, phone, text, data_coding, dedup_key, received_at, state) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [connection, source_addr, phone, text, data_coding, key, iso(now), "duplicate" if duplicate else "received"])
    return cur.lastrowid, duplicate


def store_mo(db: sqlite_utils.Database, **fields) -> tuple[int, bool]:
    """insert_mo() in a transaction of its own (the check and the insert together)."""
    with transaction(db):
        return insert_mo(db, **fields)


def pending(db: sqlite_utils.Database, limit: int = 1000) -> list[int]:
    """Ids of stored MOs not answered yet (after a crash they are answered on start)."""
    return [r[0] for r in db.execute("SELECT id FROM inbox WHERE state = 'received' ORDER BY id LIMIT ?", [limit])]


def mark(db: sqlite_utils.Database, inbox_id: int, state: str, *, command: str | None = None,
         school_id: int | None = None, reply_id: int | None = None) -> None:
    """Record what became of an MO (answered with reply_id, or ignored)."""
    db.execute("UPDATE inbox SET state = ?, command = ?, school_id = ?, reply_id = ?, answered_at = ? WHERE id = ?",
               [state, command, school_id, reply_id, iso(utcnow()), inbox_id])
