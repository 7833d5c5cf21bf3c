"""Who is staff and who reviews what, read from the staff roster (issue 18's tables).

Kept small on purpose: at merge these queries may be swapped for issue 18's.
A department head is ``position = 'to_truong'`` of the item's department; the
principal is ``hieu_truong`` or ``pho_hieu_truong`` of the school.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

PRINCIPALS = frozenset({"hieu_truong", "pho_hieu_truong"})
HEAD = "to_truong"

_COLUMNS = "id, school_id, full_name, phone, department_id, position, user_id"


@dataclass(frozen=True)
class Member:
    """One active staff member of a school."""

    id: int
    school_id: int
    full_name: str
    phone: str | None
    department_id: int | None
    position: str
    user_id: int | None

    @property
    def is_principal(self) -> bool:
        """Hiệu trưởng or phó hiệu trưởng."""
        return self.position in PRINCIPALS

    @property
    def is_head(self) -> bool:
        """Tổ trưởng of a department."""
        return self.position == HEAD and self.department_id is not None


def by_phone(db: sqlite_utils.Database, phone: str) -> Member | None:
    """The active staff member whose phone (E.164) is ``phone``; the first by id when several schools list it."""
    row = db.execute(f"SELECT {_COLUMNS} FROM staff WHERE phone = ? AND active = 1 ORDER BY id LIMIT 1",
                     [phone]).fetchone()
    return Member(*row) if row else None


def of_user(db: sqlite_utils.Database, user_id: int, school_id: int | None = None) -> Member | None:
    """The active staff row linked to web account ``user_id`` (in ``school_id`` when given)."""
    sql = f"SELECT {_COLUMNS} FROM staff WHERE user_id = ? AND active = 1"
    args: list = [user_id]
    if school_id is not None:
        sql += " AND school_id = ?"
        args.append(school_id)
    row = db.execute(sql + " ORDER BY id LIMIT 1", args).fetchone()
    return Member(*row) if row else None


def reviews(member: Member | None, school_id: int, department_id: int | None) -> bool:
    """Whether ``member`` reviews items of that school and department (head of it, or principal)."""
    if member is None or member.school_id != school_id:
        return False
    return member.is_principal or (member.is_head and member.department_id == department_id)


def departments(db: sqlite_utils.Database, school_id: int) -> list[tuple[int, str]]:
    """(id, name) of the school's departments, by name."""
    return [tuple(r) for r in db.execute("SELECT id, name FROM departments WHERE school_id = ? ORDER BY name_key",
                                         [school_id])]
