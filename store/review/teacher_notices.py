"""Teachers' announcements to their own classes: the school's setting and who may write to which class.

A school chooses (``schools.teacher_notices``, the admin's page /staff/school):
teachers' announcements go out at once, wait for a reviewer's approval (the
default), or are not allowed. Whatever the form shows, a teacher writes only
to the classes they head or teach this school year (the assignment in force,
plus classes an admin granted by hand), never a khối or the whole school:
``authorise`` is the one check, and the approval queue calls it again.
"""
from __future__ import annotations

from datetime import date
from enum import Enum

import sqlite_utils

from store.core.errors import StoreError
from store.school.assignments import scope


class TeacherNotices(str, Enum):
    """What happens to a teacher's announcement at a school."""

    DIRECT = "direct"        # gửi ngay: queued at once (quiet hours and the chosen time still hold)
    APPROVAL = "approval"    # cần duyệt: waits for a reviewer or admin
    OFF = "off"              # không cho phép

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {TeacherNotices.DIRECT: "Gửi ngay, không cần duyệt",
          TeacherNotices.APPROVAL: "Cần duyệt trước khi gửi",
          TeacherNotices.OFF: "Không cho phép"}
DEFAULT = TeacherNotices.APPROVAL


class NoticeRefused(StoreError):
    """A teacher may not send this announcement; ``message`` is the Vietnamese reason shown to them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def setting(db: sqlite_utils.Database, school_id: int) -> TeacherNotices:
    """The school's choice (the default for an unknown school)."""
    row = db.execute("SELECT teacher_notices FROM schools WHERE id = ?", [school_id]).fetchone()
    return TeacherNotices(row[0]) if row else DEFAULT


def set_setting(db: sqlite_utils.Database, school_id: int, value: TeacherNotices | str) -> TeacherNotices:
    """Store the school's choice; ValueError for a value that is not one of TeacherNotices."""
    value = TeacherNotices(value)
    db.execute("UPDATE schools SET teacher_notices = ? WHERE id = ?", [value.value, school_id])
    return value


def own_classes(db: sqlite_utils.Database, user_id: int, school_id: int, school_year: str,
                today: date) -> dict[int, str]:
    """Class id -> name of the classes of ``school_id`` and ``school_year`` the teacher heads or teaches."""
    ids = sorted(scope(db, user_id, today))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return dict(db.execute(f"SELECT id, name FROM classes WHERE id IN ({marks}) AND school_id = ? "
                           "AND school_year = ? ORDER BY name", [*ids, school_id, school_year]).fetchall())


def authorise(db: sqlite_utils.Database, *, user_id: int, school_id: int, class_ids: list[int] | None,
              school_year: str, today: date) -> TeacherNotices:
    """The school's setting when the teacher may announce to ``class_ids``; NoticeRefused otherwise."""
    mode = setting(db, school_id)
    if mode is TeacherNotices.OFF:
        raise NoticeRefused("Trường không cho phép giáo viên gửi thông báo: liên hệ quản trị trường.")
    if not class_ids:
        raise NoticeRefused("Giáo viên chỉ gửi thông báo cho lớp mình, không gửi cho cả khối hay toàn trường.")
    own = own_classes(db, user_id, school_id, school_year, today)
    foreign = [c for c in class_ids if c not in own]
    if foreign:
        raise NoticeRefused("Giáo viên chỉ gửi thông báo cho lớp mình chủ nhiệm hoặc dạy trong năm học này.")
    return mode
