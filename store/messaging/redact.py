"""Other schools' children taken out of stored replies shown to one school's staff.

A `CON` or "which child?" reply lists every child of the number, in every
school; school A's inbox shows that reply, so school B's child's name and
class are replaced before it is shown (the message row itself stays whole).
"""
from __future__ import annotations

import sqlite_utils

from store.core.text import fold

HIDDEN = "(hoc sinh truong khac)"


def other_schools_children(db: sqlite_utils.Database, phone: str, school_id: int) -> list[tuple[str, str]]:
    """(full name, class name) of every child ever linked to ``phone`` at a school other than ``school_id``."""
    return db.execute(
        "SELECT DISTINCT st.full_name, c.name FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id "
        "JOIN students st ON st.id = l.student_id JOIN enrollments e ON e.student_id = st.id "
        "AND e.school_year = l.school_year JOIN classes c ON c.id = e.class_id "
        "WHERE g.phone = ? AND c.school_id != ?", [phone, school_id]).fetchall()


def redact(text: str, children: list[tuple[str, str]]) -> str:
    """``text`` with each child's name (accented or not), and the class right after it, replaced by HIDDEN;
    a line about such a child (it starts with the name: marks, absences, comments) is HIDDEN as a whole."""
    for name, class_name in children:
        for form in {name, fold(name)}:
            text = text.replace(f"{form} {class_name}", HIDDEN).replace(f"{form} ({class_name})", HIDDEN)
            text = text.replace(form, HIDDEN)
    return "\n".join(HIDDEN if line.startswith(HIDDEN) else line for line in text.split("\n"))


def for_school(db: sqlite_utils.Database, rows: list[dict], school_id: int) -> list[dict]:
    """``rows`` (with ``phone`` and ``reply``) with other schools' children redacted from the replies."""
    cache: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        if row.get("reply") and row.get("phone"):
            if row["phone"] not in cache:
                cache[row["phone"]] = other_schools_children(db, row["phone"], school_id)
            row["reply"] = redact(row["reply"], cache[row["phone"]])
    return rows
