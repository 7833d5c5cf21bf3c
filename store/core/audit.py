"""The audit log: every read of a child's data by staff, `ask` or the API."""
from __future__ import annotations

import json

import sqlite_utils

from store.core.clock import now_iso


def record(db: sqlite_utils.Database, actor: str, action: str, *, school_id: int | None = None,
           student_id: int | None = None, **detail) -> None:
    """Append one entry; ``detail`` is stored as JSON."""
    db.execute(
        "INSERT INTO audit_log (at, actor, action, school_id, student_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [now_iso(), actor, action, school_id, student_id,
         json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None],
    )
