"""Who gets an answer: strangers one hint a day, pumps one refusal an hour-limit."""
from __future__ import annotations

from datetime import date, timedelta

import sqlite_utils

from settings import Settings
from store.core.clock import iso, now_iso, utcnow


def commands_last_hour(db: sqlite_utils.Database, phone: str) -> int:
    """Texts stored from ``phone`` in the last hour (the inbox is the count)."""
    since = iso(utcnow() - timedelta(hours=1))
    return db.execute("SELECT count(*) FROM inbox WHERE phone = ? AND received_at > ? AND state != 'duplicate'",
                      [phone, since]).fetchone()[0]


def stranger_hint_allowed(db: sqlite_utils.Database, phone: str, today: date, settings: Settings) -> bool:
    """Whether a stranger may get the registration hint: a Vietnamese number (others only when
    sms.stranger_hint_foreign), and fewer than sms.stranger_hints_per_day hints today (an SMS-pumping cap)."""
    if not phone.startswith("+84") and not settings.sms.stranger_hint_foreign:
        return False
    sent = db.execute("SELECT count(*) FROM sender_notices WHERE local_date = ? AND kind = 'stranger'",
                      [today.isoformat()]).fetchone()[0]
    return sent < settings.sms.stranger_hints_per_day


def first_notice_today(db: sqlite_utils.Database, phone: str, today: date, kind: str) -> bool:
    """Record a notice of ``kind`` for ``phone`` today; True only the first time."""
    cur = db.execute("INSERT OR IGNORE INTO sender_notices (phone, local_date, kind, sent_at) VALUES (?, ?, ?, ?)",
                     [phone, today.isoformat(), kind, now_iso()])
    return cur.rowcount == 1
