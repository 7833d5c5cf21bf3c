"""Reading outbox messages for the JSON API: one message in full, and the names its parameters use.

A day's messages page by page are store.messaging.reports.delivery_messages (the
delivery report's own selection).
"""
from __future__ import annotations

import sqlite_utils

MESSAGE_FIELDS = ("id", "kind", "phone", "state", "part_count", "encoding", "attempts", "duplicates", "error_code",
                  "reason", "connection", "created_at", "not_before", "valid_until", "submitted_at", "final_at",
                  "updated_at", "school_id", "student_id", "school", "class")
PART_FIELDS = ("id", "seq", "state", "connection", "smsc_id", "error_code", "submitted_at", "final_at")
RECEIPT_FIELDS = ("id", "part_seq", "connection", "smsc_id", "stat", "err", "received_at")

# The class a message is about: its own, else its student's latest class at the message's school.
_CLASS_OF = ("coalesce(m.class_id, (SELECT e.class_id FROM enrollments e JOIN classes ec ON ec.id = e.class_id "
             "WHERE e.student_id = m.student_id AND ec.school_id = m.school_id ORDER BY e.school_year DESC LIMIT 1))")


def school_id(db: sqlite_utils.Database, code: str) -> int | None:
    """The id of the school with this code, None when there is none."""
    row = db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()
    return row[0] if row else None


def school_code(db: sqlite_utils.Database, school: int) -> str | None:
    """The code of school ``school``."""
    row = db.execute("SELECT code FROM schools WHERE id = ?", [school]).fetchone()
    return row[0] if row else None


def class_exists(db: sqlite_utils.Database, name: str, school: int | None) -> bool:
    """Whether a class called ``name`` (any school year) exists at one school, or at any school."""
    if school is None:
        return db.execute("SELECT 1 FROM classes WHERE name = ?", [name]).fetchone() is not None
    return db.execute("SELECT 1 FROM classes WHERE name = ? AND school_id = ?", [name, school]).fetchone() is not None


def message(db: sqlite_utils.Database, message_id: int) -> dict | None:
    """One message with its parts and every receipt matched to them; None when there is no such message."""
    row = db.execute(
        "SELECT m.id, m.kind, m.phone, m.state, m.parts, m.encoding, m.attempts, m.duplicates, m.error_code, "
        "m.reason, m.connection, m.created_at, m.not_before, m.valid_until, m.submitted_at, m.final_at, "
        "m.updated_at, m.school_id, m.student_id, s.code, c.name FROM messages m "
        f"LEFT JOIN schools s ON s.id = m.school_id LEFT JOIN classes c ON c.id = {_CLASS_OF} WHERE m.id = ?",
        [message_id]).fetchone()
    if row is None:
        return None
    msg = dict(zip(MESSAGE_FIELDS, row))
    msg["parts"] = [dict(zip(PART_FIELDS, r)) for r in db.execute(
        "SELECT id, seq, state, connection, smsc_id, error_code, submitted_at, final_at FROM message_parts "
        "WHERE message_id = ? ORDER BY seq", [message_id])]
    msg["receipts"] = [dict(zip(RECEIPT_FIELDS, r)) for r in db.execute(
        "SELECT r.id, p.seq, r.connection, r.smsc_id, r.stat, r.err, r.received_at FROM receipts r "
        "JOIN message_parts p ON p.id = r.part_id WHERE p.message_id = ? ORDER BY r.id", [message_id])]
    return msg
