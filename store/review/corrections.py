"""Corrections and send-backs of the approval queue.

When a row a parent already saw changes (a corrected score), its approved
values are kept here first, so the reviewer reads old → new and sending the
correction back ("Trả lại") restores exactly what parents saw. Sending back
a new row deletes it. Every send-back is recorded with its reason for
whoever entered the rows (a teacher, or the school for an import file).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store.review.approvals import ApprovalError, GroupKey, _group_filter
from store.core.clock import now_iso
from store.review.history import previous_values  # noqa: F401  (the queue's pages read it here)
from store.core.connection import transaction
from store.review.status import APPROVAL, ReviewStatus as R, sql_in

MAX_REASON = 500


@dataclass(frozen=True)
class Returned:
    """A group sent back: what, how many rows, why, by whom and when."""

    id: int
    kind: str
    class_name: str | None
    subject: str
    entered_by: str | None
    entered_day: str
    rows: int
    reason: str
    returned_by: str
    returned_at: str


def send_back(db: sqlite_utils.Database, key: GroupKey, reason: str, *, actor: str, tz: str,
              school_id: int | None, row_ids: list[int] | None = None) -> int:
    """Send the pending rows of ``key`` (only ``row_ids`` when given) back with ``reason``; rows sent back.

    A correction returns to the approved values it replaced; a new row is
    deleted. ``school_id`` is the reviewer's scope (None: an operator).
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApprovalError("Cần ghi lý do trả lại.")
    if len(reason) > MAX_REASON:
        raise ApprovalError(f"Lý do dài quá {MAX_REASON} ký tự.")
    if school_id is not None and key.school_id != school_id:
        raise ApprovalError("that group belongs to another school")
    spec, table = key.kind, key.kind.name
    where, params = _group_filter(spec, key, tz)
    if row_ids is not None:
        where += f" AND t.rowid IN ({','.join('?' * len(row_ids))})" if row_ids else " AND 0"
        params += list(row_ids)
    with transaction(db):
        ids = [r[0] for r in db.execute(f"SELECT t.rowid FROM {spec.source} WHERE {where}", params)]
        kept = dict(db.execute(f"SELECT row_id, previous FROM corrections WHERE tbl = ? AND row_id IN "
                               f"({', '.join('?' * len(ids))})", [table, *ids]).fetchall()) if ids else {}
        for rowid in ids:
            if rowid in kept:
                _restore(db, table, rowid, json.loads(kept[rowid]))
            else:
                db.execute(f"DELETE FROM {table} WHERE rowid = ? AND status = '{R.PENDING.value}'", [rowid])
        if ids:
            db.execute("INSERT INTO approval_returns (school_id, class_id, kind, subject, entered_by, entered_day, "
                       "rows, reason, returned_by, returned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [key.school_id, key.class_id, table, key.subject, key.entered_by, key.day.isoformat(),
                        len(ids), reason, actor, now_iso()])
    return len(ids)


def _restore(db, table: str, rowid: int, previous: dict) -> None:
    values = previous["values"]
    sets = ", ".join(f"{c} = ?" for c in values)
    extra = ", corrected = ?" if table == "grades" else ""
    db.execute(f"UPDATE {table} SET {sets}, status = '{R.APPROVED.value}', approved_by = ?, approved_at = ?{extra} "
               f"WHERE rowid = ? AND status IN {sql_in(APPROVAL.sources_of(R.APPROVED))}",
               [*values.values(), previous["approved_by"], previous["approved_at"],
                *([previous["corrected"]] if extra else []), rowid])
    db.execute("DELETE FROM corrections WHERE tbl = ? AND row_id = ?", [table, rowid])


def returned(db: sqlite_utils.Database, *, school_id: int | None, entered_by: str | None = None,
             limit: int = 20) -> list[Returned]:
    """The latest send-backs of a school (None: every school), only ``entered_by``'s when given."""
    where, params = ["1"], []
    if school_id is not None:
        where.append("r.school_id = ?")
        params.append(school_id)
    if entered_by is not None:
        where.append("r.entered_by = ?")
        params.append(entered_by)
    rows = db.execute(
        "SELECT r.id, r.kind, c.name, r.subject, r.entered_by, r.entered_day, r.rows, r.reason, r.returned_by, "
        f"r.returned_at FROM approval_returns r LEFT JOIN classes c ON c.id = r.class_id WHERE {' AND '.join(where)} "
        "ORDER BY r.returned_at DESC, r.id DESC LIMIT ?", [*params, limit]).fetchall()
    return [Returned(*r) for r in rows]
