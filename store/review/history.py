"""What parents saw before a correction: an approved row's values, kept when an import or the grade book
changes it, so the reviewer reads old -> new and a send-back (store/review/corrections.py) restores them.

Below the approval queue: the import machinery and the grade books call ``remember`` inside their writes.
"""
from __future__ import annotations

import json

import sqlite_utils

from store.core.clock import now_iso


def remember(conn, table: str, rowid: int, values: dict) -> None:
    """Keep an approved row's ``values`` (and its approval) before a correction overwrites them.

    Called inside the writer's transaction; a row corrected twice before
    approval keeps what parents last saw.
    """
    row = conn.execute(f"SELECT approved_by, approved_at, corrected FROM {table} WHERE rowid = ?", [rowid]).fetchone() \
        if table == "grades" else conn.execute(f"SELECT approved_by, approved_at, 0 FROM {table} WHERE rowid = ?",
                                               [rowid]).fetchone()
    previous = {"values": values, "approved_by": row[0], "approved_at": row[1], "corrected": row[2]}
    conn.execute("INSERT OR REPLACE INTO corrections (tbl, row_id, previous, recorded_at) VALUES (?, ?, ?, ?)",
                 [table, rowid, json.dumps(previous, ensure_ascii=False, default=str), now_iso()])


def previous_values(db: sqlite_utils.Database, table: str, row_ids: list[int]) -> dict[int, dict]:
    """row id -> the values parents saw before the pending correction."""
    if not row_ids:
        return {}
    rows = db.execute(f"SELECT row_id, previous FROM corrections WHERE tbl = ? AND row_id IN "
                      f"({', '.join('?' * len(row_ids))})", [table, *row_ids]).fetchall()
    return {r: json.loads(p)["values"] for r, p in rows}
