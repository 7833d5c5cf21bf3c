"""The staff roster: departments (tổ chuyên môn), staff members, their positions and phones."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import sqlite_utils

from store.core.text import fold
from store.school.users import Role


class Position(str, Enum):
    """chuc_vu: a staff member's position in the school."""

    TEACHER = "gv"
    DEPARTMENT_HEAD = "to_truong"
    PRINCIPAL = "hieu_truong"
    VICE_PRINCIPAL = "pho_hieu_truong"
    CLERK = "van_thu"
    COORDINATOR = "dieu_phoi"

    @property
    def label(self) -> str:
        """The Vietnamese name of the position."""
        return LABELS[self]

    @property
    def role(self) -> Role:
        """The web role an account of this position gets (changeable on the accounts page)."""
        return ROLES[self]


LABELS = {Position.TEACHER: "Giáo viên", Position.DEPARTMENT_HEAD: "Tổ trưởng chuyên môn",
          Position.PRINCIPAL: "Hiệu trưởng", Position.VICE_PRINCIPAL: "Phó hiệu trưởng",
          Position.CLERK: "Văn thư", Position.COORDINATOR: "Điều phối viên"}
# Principals manage the school's accounts; the coordinator approves what is entered; a clerk is
# a teacher without classes (the library uses the position itself).
ROLES = {Position.TEACHER: Role.TEACHER, Position.DEPARTMENT_HEAD: Role.TEACHER, Position.PRINCIPAL: Role.ADMIN,
         Position.VICE_PRINCIPAL: Role.ADMIN, Position.CLERK: Role.TEACHER, Position.COORDINATOR: Role.REVIEWER}


def name_key(name: str) -> str:
    """departments.name_key: lower case, no diacritics, single spaces ('Tổ  Toán - Tin' -> 'to toan - tin')."""
    return " ".join(fold(name).lower().split())


@dataclass(frozen=True)
class StaffMember:
    """One staff row with its school and department names."""

    id: int
    school_id: int
    school_code: str
    code: str
    full_name: str
    phone: str | None
    email: str | None
    department: str | None
    position: Position
    user_id: int | None
    active: bool


_SELECT = ("SELECT st.id, st.school_id, sc.code, st.code, st.full_name, st.phone, st.email, d.name, st.position, "
           "st.user_id, st.active FROM staff st JOIN schools sc ON sc.id = st.school_id "
           "LEFT JOIN departments d ON d.id = st.department_id ")


def _member(row) -> StaffMember:
    return StaffMember(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], Position(row[8]), row[9],
                       bool(row[10]))


def by_phone(db: sqlite_utils.Database, phone_e164: str) -> list[StaffMember]:
    """The active staff members registered with this E.164 number (one per school they work at)."""
    rows = db.execute(_SELECT + "WHERE st.phone = ? AND st.active = 1 ORDER BY sc.code, st.code", [phone_e164])
    return [_member(r) for r in rows]


def by_user(db: sqlite_utils.Database, user_id: int) -> StaffMember | None:
    """The staff member an account belongs to, if it was made for one."""
    row = db.execute(_SELECT + "WHERE st.user_id = ?", [user_id]).fetchone()
    return _member(row) if row else None


def get(db: sqlite_utils.Database, staff_id: int) -> StaffMember | None:
    """One staff member by id."""
    row = db.execute(_SELECT + "WHERE st.id = ?", [staff_id]).fetchone()
    return _member(row) if row else None


def department_id(db: sqlite_utils.Database, school_id: int, name: str) -> tuple[int, bool]:
    """The id of the school's department called ``name`` (any spelling of it), created when new; (id, created)."""
    key = name_key(name)
    row = db.execute("SELECT id FROM departments WHERE school_id = ? AND name_key = ?", [school_id, key]).fetchone()
    if row:
        return row[0], False
    cur = db.execute("INSERT INTO departments (school_id, name, name_key) VALUES (?, ?, ?)",
                     [school_id, " ".join(name.split()), key])
    return cur.lastrowid, True


def departments(db: sqlite_utils.Database, school_id: int) -> list[tuple[int, str]]:
    """(id, name) of a school's departments, by name."""
    return [tuple(r) for r in db.execute("SELECT id, name FROM departments WHERE school_id = ? ORDER BY name_key",
                                         [school_id])]


def add_member(db: sqlite_utils.Database, school_id: int, code: str, full_name: str, *, phone: str | None = None,
               email: str | None = None, department: str | None = None, position: str = "gv") -> int:
    """A new staff member (the accounts page's "add"); UserError in Vietnamese naming what is wrong."""
    from store.school import phones
    from store.core.errors import UserError
    code = "".join(code.split()).upper()
    full_name = " ".join(full_name.split())
    if not code or not full_name:
        raise UserError("cần mã cán bộ (ma_gv) và họ tên")
    try:
        position = Position(position)
    except ValueError:
        raise UserError(f"chức vụ không hợp lệ: {position!r}") from None
    if phone:
        try:
            phone = phones.normalise(phone)
        except phones.PhoneError:
            raise UserError(f"«{phone}» không phải số di động Việt Nam") from None
    if db.execute("SELECT 1 FROM staff WHERE school_id = ? AND code = ?", [school_id, code]).fetchone():
        raise UserError(f"mã cán bộ {code} đã có ở trường này")
    dept = department_id(db, school_id, department)[0] if department and department.strip() else None
    cur = db.execute("INSERT INTO staff (school_id, code, full_name, phone, email, department_id, position) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", [school_id, code, full_name, phone or None,
                                                      (email or "").strip() or None, dept, position.value])
    return cur.lastrowid
