"""Growth measurements and stage assessments of a child, as a parent may read them (approved only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from . import growth
from store.rules.preschool import DOMAINS, InvalidValue


@dataclass(frozen=True)
class Measured:
    """One approved measurement and its WHO classification (None when the child's sex or birth date is missing)."""

    date: date
    weight_kg: float
    height_cm: float
    growth: growth.Growth | None


def history(db: sqlite_utils.Database, student_id: int, limit: int = 40) -> list[Measured]:
    """The child's approved measurements, oldest first."""
    born, sex = db.execute("SELECT birth_date, sex FROM students WHERE id = ?", [student_id]).fetchone() or (None, None)
    rows = db.execute("SELECT date, weight_kg, height_cm FROM growth_measurements WHERE student_id = ? "
                      "AND status = 'approved' ORDER BY date DESC LIMIT ?", [student_id, limit]).fetchall()
    out = []
    for day, w, h in reversed(rows):
        on = date.fromisoformat(day)
        try:
            g = growth.classify(sex, date.fromisoformat(born), on, w, h) if born else None
        except InvalidValue:
            g = None
        out.append(Measured(on, w, h, g))
    return out


def latest(db: sqlite_utils.Database, student_id: int) -> Measured | None:
    """The child's last approved measurement."""
    found = history(db, student_id, limit=1)
    return found[-1] if found else None


@dataclass(frozen=True)
class Stage:
    """One approved stage assessment: the stage, its domains' levels and comments."""

    dot: str
    levels: dict[str, tuple[str, str | None]]     # domain -> (D/CD, comment)


def stages(db: sqlite_utils.Database, student_id: int, school_year: str) -> list[Stage]:
    """The child's approved stage assessments of the year, in the order they were approved."""
    rows = db.execute("SELECT dot, domain, level, comment FROM preschool_assessments WHERE student_id = ? "
                      "AND school_year = ? AND status = 'approved' ORDER BY approved_at, id",
                      [student_id, school_year]).fetchall()
    by: dict[str, dict] = {}
    for dot, domain, level, comment in rows:
        by.setdefault(dot, {})[domain] = (level, comment)
    order = list(DOMAINS)
    return [Stage(dot, dict(sorted(lv.items(), key=lambda kv: order.index(kv[0])))) for dot, lv in by.items()]


def measured_between(db: sqlite_utils.Database, school_id: int, after_utc: str | None, until_utc: str) -> set[int]:
    """Children of the school with a measurement approved in (after, until] (the digest's "new measurement")."""
    rows = db.execute("SELECT DISTINCT m.student_id FROM growth_measurements m JOIN students s ON s.id = m.student_id "
                      "WHERE s.school_id = ? AND m.status = 'approved' AND m.approved_at > ? AND m.approved_at <= ?",
                      [school_id, after_utc or "", until_utc]).fetchall()
    return {sid for (sid,) in rows}
