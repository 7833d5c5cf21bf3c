"""A guardian and the children their phone number may ask about (current school year only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from store.core.clock import school_year_of


@dataclass(frozen=True)
class Child:
    """One child linked to a guardian for the school year, with their class and school."""

    student_id: int
    code: str
    full_name: str
    given_name_folded: str
    class_id: int
    class_name: str
    grade: int
    school_id: int
    school_code: str
    school_level: str
    link_id: int
    digest_opt_out: bool
    homeroom_teacher: str | None


@dataclass(frozen=True)
class Family:
    """A guardian with their children, C1, C2, … in ``children`` order."""

    guardian_id: int
    phone: str
    full_name: str | None
    email: str | None
    school_year: str
    children: tuple[Child, ...]

    def child(self, number: int) -> Child | None:
        """The child called C<number> (1-based), or None."""
        return self.children[number - 1] if 1 <= number <= len(self.children) else None


# Links are per school year and the class is the one of that year; a child
# with a link but no enrollment that year has no class to answer about and
# is left out. The order (school, class, name, code) makes C1, C2 stable.
_FAMILY_SQL = """
SELECT guardians.id, guardians.phone, guardians.full_name, guardians.email,
       students.id, students.code, students.full_name, students.given_name_folded,
       classes.id, classes.name, classes.grade, schools.id, schools.code, schools.level,
       guardian_links.id, guardian_links.digest_opt_out, classes.homeroom_teacher
FROM guardians
JOIN guardian_links ON guardian_links.guardian_id = guardians.id
     AND guardian_links.school_year = :year AND guardian_links.active = 1
JOIN students ON students.id = guardian_links.student_id
JOIN enrollments ON enrollments.student_id = students.id AND enrollments.school_year = :year
JOIN classes ON classes.id = enrollments.class_id
JOIN schools ON schools.id = classes.school_id
WHERE guardians.phone = :phone
ORDER BY schools.code, classes.name, students.full_name, students.code
"""


def guardian_by_phone(db: sqlite_utils.Database, phone_e164: str, today: date) -> Family | None:
    """The guardian with this E.164 number and their children of the current school year; None for strangers."""
    year = school_year_of(today)
    rows = db.execute(_FAMILY_SQL, {"year": year, "phone": phone_e164}).fetchall()
    if not rows:
        return None
    guardian_id, phone, name, email = rows[0][:4]
    children = tuple(
        Child(student_id=r[4], code=r[5], full_name=r[6], given_name_folded=r[7], class_id=r[8],
              class_name=r[9], grade=r[10], school_id=r[11], school_code=r[12], school_level=r[13],
              link_id=r[14], digest_opt_out=bool(r[15]), homeroom_teacher=r[16])
        for r in rows)
    return Family(guardian_id, phone, name, email, year, children)
