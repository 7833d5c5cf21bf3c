"""Who a school announcement goes to: the guardians of a school or of one class, this school year.

One message per guardian (a parent of two children in the school gets it
once). Recipients are the active guardian links of the school year whose
child is enrolled in the school (or the class) that year. A guardian whose
every link in scope stopped the evening digest (HUY/STOP) is counted apart:
the composer leaves them out unless staff choose to include them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store.core.clock import now_iso
from store.messaging.states import FINAL, MessageState


@dataclass(frozen=True)
class Recipient:
    """One guardian to text, with the child (when only one is in scope) the message is about."""

    guardian_id: int
    phone: str
    student_id: int | None      # the only child in scope, else None
    class_id: int | None        # that child's class
    opted_out: bool             # every link in scope has the digest stopped


def recipients(db: sqlite_utils.Database, school_id: int, school_year: str,
               class_id: int | None = None, class_ids: list[int] | None = None) -> list[Recipient]:
    """Guardians of the school's (or the class's, or ``class_ids``') children this school year, by guardian id."""
    if class_ids is not None:
        return [r for r in _recipients(db, school_id, school_year, None, json.dumps(sorted(class_ids)))]
    return _recipients(db, school_id, school_year, class_id, None)


def _recipients(db, school_id: int, school_year: str, class_id: int | None, class_ids: str | None):
    rows = db.execute(
        "SELECT g.id, g.phone, count(DISTINCT l.student_id), min(l.student_id), min(e.class_id), "
        "min(l.digest_opt_out) FROM guardian_links l "
        "JOIN guardians g ON g.id = l.guardian_id "
        "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
        "JOIN classes c ON c.id = e.class_id "
        "WHERE l.active = 1 AND l.school_year = :year AND c.school_id = :school "
        "AND (:class IS NULL OR c.id = :class) "
        "AND (:classes IS NULL OR c.id IN (SELECT value FROM json_each(:classes))) "
        "GROUP BY g.id ORDER BY g.id",
        {"year": school_year, "school": school_id, "class": class_id, "classes": class_ids}).fetchall()
    return [Recipient(gid, phone, sid if n == 1 else None, cid if n == 1 else None, bool(out))
            for gid, phone, n, sid, cid, out in rows]


@dataclass(frozen=True)
class Sent:
    """One announcement as sent, with what became of its messages."""

    id: int
    target: str
    text: str
    parts: int
    recipients: int
    send_at: str | None
    sent_by: str
    sent_at: str
    states: dict[str, int]
    approved_by: str | None = None      # who approved a teacher's send

    @property
    def delivered(self) -> int:
        return self.states.get("delivered", 0)

    @property
    def failed(self) -> int:
        return sum(self.states.get(s.value, 0) for s in FINAL if s is not MessageState.delivered)

    @property
    def delivered_rate(self) -> float | None:
        """Share of the messages that reached a handset (None before any was sent)."""
        return self.delivered / self.recipients if self.recipients else None


def record_send(db: sqlite_utils.Database, *, school_id: int, target: str, class_ids: list[int] | None, text: str,
                parts: int, message_ids: list[int], send_at: str | None, sent_by: str,
                approved_by: str | None = None) -> int:
    """The trace of one send (inside the caller's transaction with the messages); its id."""
    return db.execute(
        "INSERT INTO announcement_sends (school_id, target, class_ids, text, parts, recipients, first_message, "
        "last_message, send_at, sent_by, sent_at, approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [school_id, target, json.dumps(sorted(class_ids)) if class_ids is not None else None, text, parts,
         len(message_ids), min(message_ids), max(message_ids), send_at, sent_by, now_iso(), approved_by]).lastrowid


def sent(db: sqlite_utils.Database, *, school_id: int | None, limit: int = 50,
         class_scope: frozenset[int] | None = None) -> list[Sent]:
    """The latest sends of a school (None: every school), newest first, with their messages' states.

    ``class_scope`` (a teacher's classes): only the sends that went to those classes alone.
    """
    scope = json.dumps(sorted(class_scope)) if class_scope is not None else None
    out = []
    for row in db.execute(
            "SELECT a.id, a.target, a.text, a.parts, a.recipients, a.send_at, a.sent_by, a.sent_at, a.school_id, "
            "a.first_message, a.last_message, a.approved_by FROM announcement_sends a "
            "WHERE (:school IS NULL OR a.school_id = :school) AND (:scope IS NULL OR (a.class_ids IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM json_each(a.class_ids) c WHERE c.value NOT IN "
            "(SELECT value FROM json_each(:scope))))) ORDER BY a.id DESC LIMIT :limit",
            {"school": school_id, "scope": scope, "limit": limit}).fetchall():
        states = dict(db.execute(
            "SELECT state, count(*) FROM messages WHERE id BETWEEN ? AND ? AND kind = 'announcement' "
            "AND school_id = ? GROUP BY state", [row[9], row[10], row[8]]).fetchall())
        out.append(Sent(*row[:8], states, row[11]))
    return out


def for_class(db: sqlite_utils.Database, school_id: int, class_id: int, since: str, limit: int = 5) -> list[Sent]:
    """Sends since ``since`` (UTC) that reached a class: the whole school's and those naming the class."""
    rows = db.execute(
        "SELECT a.id, a.target, a.text, a.parts, a.recipients, a.send_at, a.sent_by, a.sent_at FROM "
        "announcement_sends a WHERE a.school_id = ? AND a.sent_at >= ? AND (a.class_ids IS NULL OR ? IN "
        "(SELECT value FROM json_each(a.class_ids))) ORDER BY a.id DESC LIMIT ?",
        [school_id, since, class_id, limit]).fetchall()
    return [Sent(*r, {}) for r in rows]
