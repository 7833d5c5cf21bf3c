"""Which schools teach a level: a level code holding it ('TH', 'TH+THCS', 'MN+TH' for primary).

The staff menu shows a level's own pages (the TT27 book, the kindergarten grid), and the pages
open, only where this says yes.
"""
from __future__ import annotations

import sqlite_utils

from .levels import SchoolLevel, levels_of


def schools_with(db: sqlite_utils.Database, level: SchoolLevel) -> list[dict]:
    """Every school teaching ``level`` (id, code, name), by code."""
    rows = db.execute("SELECT id, code, name, level FROM schools ORDER BY code").fetchall()
    return [{"id": i, "code": c, "name": n} for i, c, n, lv in rows if level in levels_of(lv)]


def has_level(db: sqlite_utils.Database, school_id: int | None, level: SchoolLevel) -> bool:
    """True when the school teaches ``level``; ``None`` (an operator's every school): when any school does."""
    if school_id is None:
        return bool(schools_with(db, level))
    row = db.execute("SELECT level FROM schools WHERE id = ?", [school_id]).fetchone()
    return row is not None and level in levels_of(row[0])
