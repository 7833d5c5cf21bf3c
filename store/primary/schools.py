"""Which schools have primary grades (TT27): a level code with TH in it ('TH', 'TH+THCS', 'MN+TH').

The staff menu shows the primary pages, and the pages open, only where this says yes.
"""
from __future__ import annotations

import sqlite_utils

from store.school.levels import SchoolLevel, levels_of


def primary_schools(db: sqlite_utils.Database) -> list[dict]:
    """Every school with primary grades (id, code, name), by code."""
    rows = db.execute("SELECT id, code, name, level FROM schools ORDER BY code").fetchall()
    return [{"id": i, "code": c, "name": n} for i, c, n, lv in rows if SchoolLevel.TH in levels_of(lv)]


def has_primary(db: sqlite_utils.Database, school_id: int | None) -> bool:
    """True when the school has primary grades; ``None`` (an operator's every school): when any school has."""
    if school_id is None:
        return bool(primary_schools(db))
    row = db.execute("SELECT level FROM schools WHERE id = ?", [school_id]).fetchone()
    return row is not None and SchoolLevel.TH in levels_of(row[0])
