"""Who a school announcement goes to: the guardians of a school or of one class, this school year.

One message per guardian (a parent of two children in the school gets it
once). Recipients are the active guardian links of the school year whose
child is enrolled in the school (or the class) that year. A guardian whose
every link in scope stopped the evening digest (HUY/STOP) is counted apart:
the composer leaves them out unless staff choose to include them.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Recipient:
    """One guardian to text, with the child (when only one is in scope) the message is about."""

    guardian_id: int
    phone: str
    student_id: int | None      # the only child in scope, else None
    class_id: int | None        # that child's class
    opted_out: bool             # every link in scope has the digest stopped


def recipients(db: sqlite_utils.Database, school_id: int, school_year: str,
               class_id: int | None = None) -> list[Recipient]:
    """Guardians of the school's (or the class's) children this school year, ordered by guardian id."""
    rows = db.execute(
        "SELECT g.id, g.phone, count(DISTINCT l.student_id), min(l.student_id), min(e.class_id), "
        "min(l.digest_opt_out) FROM guardian_links l "
        "JOIN guardians g ON g.id = l.guardian_id "
        "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
        "JOIN classes c ON c.id = e.class_id "
        "WHERE l.active = 1 AND l.school_year = :year AND c.school_id = :school "
        "AND (:class IS NULL OR c.id = :class) "
        "GROUP BY g.id ORDER BY g.id",
        {"year": school_year, "school": school_id, "class": class_id}).fetchall()
    return [Recipient(gid, phone, sid if n == 1 else None, cid if n == 1 else None, bool(out))
            for gid, phone, n, sid, cid, out in rows]
