"""The teacher's weighing form for a class and a day: load it, save it all or nothing (pending)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from store.core.clock import now_iso
from store.core.connection import transaction
from store.imports.entry import EntryContext, EntryRejected, Problem
from store.imports.base import upsert_reviewed

from . import growth
from store.rules.preschool import InvalidValue
from .weighing import check


@dataclass(frozen=True)
class FormRow:
    """One child of the class's weighing form with their measurement of that day, if any."""

    student_id: int
    code: str
    name: str
    weight_kg: float | None
    height_cm: float | None
    status: str | None
    outside: tuple[str, ...] | None = None     # the WHO indicators out of range (None: not measured/classified)


def class_form(db: sqlite_utils.Database, class_id: int, school_year: str, day: date) -> list[FormRow]:
    """Every child of the class with their measurement of ``day`` and its WHO indicators out of range."""
    rows = db.execute(
        "SELECT s.id, s.code, s.full_name, m.weight_kg, m.height_cm, m.status, s.birth_date, s.sex FROM enrollments e "
        "JOIN students s ON s.id = e.student_id LEFT JOIN growth_measurements m ON m.student_id = s.id AND m.date = ? "
        "WHERE e.class_id = ? AND e.school_year = ? ORDER BY s.given_name_folded, s.full_name",
        [day.isoformat(), class_id, school_year]).fetchall()
    out = []
    for sid, code, name, w, h, status, born, sex in rows:
        outside = None
        if w is not None and born:
            try:
                found = growth.classify(sex, date.fromisoformat(born), day, w, h)
                outside = tuple(i.label for i in found.outside())
            except InvalidValue:
                pass
        out.append(FormRow(sid, code, name, w, h, status, outside))
    return out


def save_class(db: sqlite_utils.Database, rows: list[FormRow], day: date, typed: dict[int, tuple[str, str]], *,
               login: str) -> int:
    """Write the typed measurements (pending) in one transaction; EntryRejected names each bad child."""
    by_id = {r.student_id: r for r in rows}
    problems, writes = [], []
    for sid, (w, h) in sorted(typed.items()):
        row = by_id.get(sid)
        if row is None or not (w.strip() or h.strip()):
            continue
        born, sex = db.execute("SELECT birth_date, sex FROM students WHERE id = ?", [sid]).fetchone()
        try:
            writes.append((sid, *check(sex, born, row.code, day, w, h)))
        except InvalidValue as e:
            problems.append(Problem(row.code, row.name, "cân đo", f"{w} kg, {h} cm", e.reason))
    if problems:
        raise EntryRejected(problems)
    with transaction(db) as conn:
        ctx = EntryContext(conn=conn, file_name="", now=now_iso(), login=login)
        outcomes = [upsert_reviewed(ctx, "growth_measurements", {"student_id": sid, "date": day.isoformat()},
                                    {"weight_kg": w, "height_cm": h}) for sid, w, h in writes]
    return sum(o.value != "unchanged" for o in outcomes)
