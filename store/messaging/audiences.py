"""Whom a bulk send can address: schools and their classes of a school year, grouped for a target picker."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class ClassRow:
    id: int
    name: str
    grade: int


@dataclass(frozen=True)
class SchoolClasses:
    """A school and its classes of the year, by grade then name."""

    id: int
    code: str
    name: str
    classes: tuple[ClassRow, ...]


def schools_with_classes(db: sqlite_utils.Database, school_id: int | None, school_year: str) -> list[SchoolClasses]:
    """The school ``school_id`` (None: every school, by code) with its classes of ``school_year``."""
    where, params = ("", []) if school_id is None else ("WHERE id = ?", [school_id])
    out = []
    for sid, code, name in db.execute(f"SELECT id, code, name FROM schools {where} ORDER BY code", params).fetchall():
        classes = db.execute("SELECT id, name, grade FROM classes WHERE school_id = ? AND school_year = ? "
                             "ORDER BY grade, name", [sid, school_year]).fetchall()
        out.append(SchoolClasses(sid, code, name, tuple(ClassRow(*c) for c in classes)))
    return out
