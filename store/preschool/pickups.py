"""DON: a guardian's pickup change (người đón), recorded for the class teacher, who confirms or refuses it.

An SMS alone never authorises a pickup: the row stays 'pending' until the teacher,
who knows the family, confirms it on the web (by calling the parent when unsure).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Callable

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import transaction
from store.core.errors import StoreError


class PickupState(str, Enum):
    """Where a pickup change stands; only the teacher moves it on from pending."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"pending": "chờ cô xác nhận", "confirmed": "cô đã xác nhận", "refused": "cô không đồng ý"}[self.value]


class PickupError(StoreError):
    """A pickup change that is not this teacher's to decide, or already decided."""


@dataclass(frozen=True)
class Pickup:
    """One pickup change as the teacher reads it."""

    id: int
    class_id: int | None
    student_id: int
    student_name: str
    phone: str
    on_date: date
    person: str
    at_time: str | None
    state: PickupState
    created_at: str


def record(db: sqlite_utils.Database, *, school_id: int, class_id: int | None, student_id: int, guardian_id: int,
           on_date: date, person: str, at_time: str | None, inbox_id: int | None = None) -> int:
    """Store a DON text (one statement: inside the caller's transaction when there is one, as `ask`'s); its id."""
    cur = db.execute("INSERT INTO pickup_changes (school_id, class_id, student_id, guardian_id, inbox_id, on_date, "
                     "person, at_time, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [school_id, class_id, student_id, guardian_id, inbox_id, on_date.isoformat(), person,
                      at_time, now_iso()])
    return cur.lastrowid


def for_classes(db: sqlite_utils.Database, class_ids, since: date) -> list[Pickup]:
    """Pickup changes of ``class_ids`` from ``since`` on, pending first, newest first."""
    ids = sorted(class_ids)
    if not ids:
        return []
    rows = db.execute(
        "SELECT p.id, p.class_id, p.student_id, s.full_name, g.phone, p.on_date, p.person, p.at_time, p.state, "
        "p.created_at FROM pickup_changes p JOIN students s ON s.id = p.student_id "
        "JOIN guardians g ON g.id = p.guardian_id "
        f"WHERE p.class_id IN ({','.join('?' * len(ids))}) AND p.on_date >= ? "
        "ORDER BY p.state = 'pending' DESC, p.on_date DESC, p.id DESC", [*ids, since.isoformat()]).fetchall()
    return [Pickup(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]), r[6], r[7], PickupState(r[8]), r[9])
            for r in rows]


@dataclass(frozen=True)
class Decided:
    """A decided pickup change, with what the guardian's SMS about it needs."""

    pickup: Pickup
    school_id: int
    class_name: str | None
    guardian_id: int
    connection: str | None      # the connection the DON text came in on


def decide(db: sqlite_utils.Database, pickup_id: int, state: PickupState, *, by: str, class_ids,
           then: Callable[[Decided], None] | None = None) -> Decided:
    """Confirm or refuse a pending change of one of ``class_ids``; ``then`` runs in the same transaction
    (the guardian's SMS is queued with the decision or not at all); PickupError otherwise."""
    if state is PickupState.PENDING:
        raise PickupError("a decision confirms or refuses")
    with transaction(db):
        row = db.execute("SELECT p.class_id, p.state, p.school_id, c.name, p.guardian_id, i.connection "
                         "FROM pickup_changes p LEFT JOIN classes c ON c.id = p.class_id "
                         "LEFT JOIN inbox i ON i.id = p.inbox_id WHERE p.id = ?", [pickup_id]).fetchone()
        if row is None or row[0] not in set(class_ids):
            raise PickupError(f"pickup change {pickup_id} is not of your classes")
        if row[1] != PickupState.PENDING.value:
            raise PickupError(f"pickup change {pickup_id} is already {row[1]}")
        db.execute("UPDATE pickup_changes SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                   [state.value, by, now_iso(), pickup_id])
        pickup = next(p for p in for_classes(db, [row[0]], date.min) if p.id == pickup_id)
        decided = Decided(pickup, row[2], row[3], row[4], row[5])
        if then is not None:
            then(decided)
    return decided


def latest_for(db: sqlite_utils.Database, student_id: int, on_date: date) -> Pickup | None:
    """The child's latest pickup change for ``on_date`` (the parents' page shows its state)."""
    row = db.execute("SELECT id FROM pickup_changes WHERE student_id = ? AND on_date = ? ORDER BY id DESC LIMIT 1",
                     [student_id, on_date.isoformat()]).fetchone()
    if row is None:
        return None
    cid = db.execute("SELECT class_id FROM pickup_changes WHERE id = ?", [row[0]]).fetchone()[0]
    return next((p for p in for_classes(db, [cid], on_date) if p.id == row[0]), None)
