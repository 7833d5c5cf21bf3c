"""Who a failed message was for (pupil, class, guardian) and correcting a guardian's number."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from store.core import audit
from store.core.connection import transaction
from store.school.phones import PhoneError, normalise


class NumberError(ValueError):
    """A number that cannot be set; ``message`` is the Vietnamese sentence for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Guardian:
    """A guardian as the number page shows them, with the schools of their children this year."""

    id: int
    phone: str
    full_name: str | None
    children: tuple[tuple[str, str, str, int], ...]    # (student name, class, school code, school id)

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(c[3] for c in self.children)


def recipients(db: sqlite_utils.Database, message_ids: Iterable[int]) -> dict[int, dict]:
    """message id -> the pupil's name, class and the guardian (id, name) the message was for."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = db.execute(
        "SELECT m.id, s.full_name, c.name, g.id, g.full_name FROM messages m "
        "LEFT JOIN students s ON s.id = m.student_id LEFT JOIN classes c ON c.id = m.class_id "
        "LEFT JOIN guardians g ON g.id = m.guardian_id "
        f"WHERE m.id IN ({', '.join('?' * len(ids))})", ids).fetchall()
    return {r[0]: {"student_name": r[1], "class_name": r[2], "guardian_id": r[3], "guardian_name": r[4]}
            for r in rows}


def guardian(db: sqlite_utils.Database, guardian_id: int, school_year: str) -> Guardian | None:
    """The guardian with their children linked for ``school_year``; None when there is no such guardian."""
    row = db.execute("SELECT id, phone, full_name FROM guardians WHERE id = ?", [guardian_id]).fetchone()
    if row is None:
        return None
    kids = db.execute(
        "SELECT s.full_name, coalesce(c.name, ''), sc.code, s.school_id FROM guardian_links l "
        "JOIN students s ON s.id = l.student_id JOIN schools sc ON sc.id = s.school_id "
        "LEFT JOIN enrollments e ON e.student_id = s.id AND e.school_year = l.school_year "
        "LEFT JOIN classes c ON c.id = e.class_id "
        "WHERE l.guardian_id = ? AND l.school_year = ? AND l.active = 1 ORDER BY s.full_name",
        [guardian_id, school_year]).fetchall()
    return Guardian(row[0], row[1], row[2], tuple(tuple(k) for k in kids))


def change_number(db: sqlite_utils.Database, who: Guardian, raw: str, *, actor: str,
                  school_id: int | None) -> str:
    """Set ``who``'s number to ``raw`` (any Vietnamese spelling); returns the E.164 number.

    The web password is cleared (it was set from the old number; the parent
    sets a new one with an MK code). ``school_id`` is the acting staff's
    school (None: an operator); a guardian shared with another school is left
    to an operator. Raises NumberError with the reason.
    """
    try:
        phone = normalise(raw)
    except PhoneError as e:
        raise NumberError(f"Số “{raw.strip()[:20]}” không phải số di động Việt Nam hợp lệ.") from e
    if phone == who.phone:
        raise NumberError("Số mới giống số đang dùng.")
    if school_id is not None and who.school_ids - {school_id}:
        raise NumberError("Phụ huynh này còn có con ở trường khác: nhờ bộ phận vận hành sửa số.")
    with transaction(db):
        other = db.execute("SELECT id FROM guardians WHERE phone = ? AND id != ?", [phone, who.id]).fetchone()
        if other is not None:
            raise NumberError("Số này đã là số của một phụ huynh khác trong hệ thống.")
        db.execute("UPDATE guardians SET phone = ?, password_hash = NULL WHERE id = ?", [phone, who.id])
        audit.record(db, actor, "guardian-number", school_id=school_id, old=who.phone[-3:], new=phone[-3:],
                     guardian=who.id)
    return phone
