"""What the approval queue needs of one reviewed table: declared beside its domain, listed in store.registry.review.

A spec says how the table's rows join to their school and class, which
subject and "corrected" columns they have, which columns a pending row shows
and how to say them in Vietnamese for the reviewer (``describe``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# The school year of a dated row ('YYYY-MM-DD'): August starts a new one (store.core.clock.school_year_of).
YEAR_OF_DATE = ("(CASE WHEN CAST(substr(t.date, 6, 2) AS INTEGER) >= 8 "
                "THEN substr(t.date, 1, 4) || '-' || (CAST(substr(t.date, 1, 4) AS INTEGER) + 1) "
                "ELSE (CAST(substr(t.date, 1, 4) AS INTEGER) - 1) || '-' || substr(t.date, 1, 4) END)")


@dataclass(frozen=True)
class ReviewSpec:
    """One table whose rows wait for approval: what a group of them is and what a row says."""

    name: str           # the table its rows live in (and a group key's kind)
    label: str          # Vietnamese, the queue's "Loại" column
    school: str         # SQL: the row's school id
    klass: str          # SQL: the row's class id
    subject: str        # SQL: the subject a group is of ('' for none)
    corrected: str      # SQL: 1 when the row corrects an approved one
    source: str         # SQL: FROM ... with the table as ``t``
    detail: str         # SQL: the columns ``describe`` is given, in its order
    describe: Callable[[tuple], str]      # what a pending row says, in Vietnamese
    per_student: bool = True              # rows name a student (events: a school's or a class's)

    @property
    def value(self) -> str:
        """The table, as the str Enum this replaces read (templates and forms write ``kind.value``)."""
        return self.name


def student_source(table: str, year: str) -> str:
    """FROM of a per-student table: its student, their enrollment in ``year`` (SQL) and that class."""
    return (f"{table} t JOIN students s ON s.id = t.student_id "
            f"LEFT JOIN enrollments e ON e.student_id = t.student_id AND e.school_year = {year} "
            "LEFT JOIN classes c ON c.id = e.class_id")


def per_student(name: str, label: str, year: str, detail: str, describe: Callable[[tuple], str], *,
                subject: str = "''", corrected: str = "0") -> ReviewSpec:
    """The spec of a table of per-student rows (every reviewed table but events)."""
    return ReviewSpec(name, label, "s.school_id", "e.class_id", subject, corrected, student_source(name, year),
                      detail, describe)
