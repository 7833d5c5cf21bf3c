"""Forum rooms and who may enter them (SPEC §14).

Membership is never stored: it follows the school year's guardian links and
the staff member's scope (their school and, for a teacher, their classes), so
a recycled number or a moved teacher loses access the day the data changes.
Rooms themselves are rows made the first time someone needs them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from store.core.clock import now_iso
from .forum_rules import ROOM_LABELS, RoomKind

MODERATOR_ROLES = frozenset({"operator", "admin", "reviewer"})


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a guardian (guardian_id) or a staff member (user_id, role, school, classes)."""

    guardian_id: int | None = None
    user_id: int | None = None
    login: str | None = None
    role: str | None = None              # operator / admin / reviewer / teacher
    school_id: int | None = None         # None for an operator: every school
    class_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None

    def staff_of(self, school_id: int) -> bool:
        """A staff member of ``school_id`` (an operator is staff of every school)."""
        return self.is_staff and (self.school_id is None or self.school_id == school_id)


@dataclass(frozen=True)
class Room:
    """One room with what it is about."""

    id: int
    school_id: int
    school_name: str
    kind: RoomKind
    school_year: str
    class_id: int | None
    class_name: str | None
    student_id: int | None
    student_name: str | None

    @property
    def label(self) -> str:
        return ROOM_LABELS[self.kind].format(cls=self.class_name or "", pupil=self.student_name or "")


@dataclass(frozen=True)
class ChildPlace:
    """Where a guardian's child is this school year."""

    student_id: int
    class_id: int
    class_name: str
    school_id: int


_ROOM_SQL = ("SELECT r.id, r.school_id, s.name, r.kind, r.school_year, r.class_id, c.name, r.student_id, st.full_name "
             "FROM forum_rooms r JOIN schools s ON s.id = r.school_id LEFT JOIN classes c ON c.id = r.class_id "
             "LEFT JOIN students st ON st.id = r.student_id ")


def _room(row) -> Room:
    return Room(row[0], row[1], row[2], RoomKind(row[3]), row[4], row[5], row[6], row[7], row[8])


def get(db: sqlite_utils.Database, room_id: int) -> Room | None:
    """A room by id (the caller checks who may see it)."""
    row = db.execute(_ROOM_SQL + "WHERE r.id = ?", [room_id]).fetchone()
    return _room(row) if row else None


def ensure(db: sqlite_utils.Database, school_id: int, kind: RoomKind, school_year: str, *,
           class_id: int | None = None, student_id: int | None = None) -> Room:
    """The room of that kind, made on first use (an upsert on the rooms' unique key)."""
    db.execute("INSERT INTO forum_rooms (school_id, kind, school_year, class_id, student_id, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
               [school_id, kind.value, school_year, class_id, student_id, now_iso()])
    row = db.execute(_ROOM_SQL + "WHERE r.school_id = ? AND r.kind = ? AND r.school_year = ? "
                     "AND IFNULL(r.class_id, 0) = ? AND IFNULL(r.student_id, 0) = ?",
                     [school_id, kind.value, school_year, class_id or 0, student_id or 0]).fetchone()
    return _room(row)


def children_of(db: sqlite_utils.Database, guardian_id: int, school_year: str) -> list[ChildPlace]:
    """The guardian's children with an active link and a class this school year."""
    rows = db.execute(
        "SELECT st.id, c.id, c.name, c.school_id FROM guardian_links gl JOIN students st ON st.id = gl.student_id "
        "JOIN enrollments e ON e.student_id = st.id AND e.school_year = gl.school_year "
        "JOIN classes c ON c.id = e.class_id "
        "WHERE gl.guardian_id = ? AND gl.school_year = ? AND gl.active = 1 ORDER BY c.school_id, c.name, st.id",
        [guardian_id, school_year]).fetchall()
    return [ChildPlace(*r) for r in rows]


def for_guardian(db: sqlite_utils.Database, guardian_id: int, school_year: str) -> list[Room]:
    """The parent rooms of the guardian's children's classes and schools, in a stable order."""
    rooms: dict[int, Room] = {}
    for child in children_of(db, guardian_id, school_year):
        for room in (ensure(db, child.school_id, RoomKind.CLASS_PARENTS, school_year, class_id=child.class_id),
                     ensure(db, child.school_id, RoomKind.SCHOOL_PARENTS, school_year)):
            rooms.setdefault(room.id, room)
    return sorted(rooms.values(), key=lambda r: (r.school_id, r.kind is RoomKind.SCHOOL_PARENTS, r.class_name or ""))


def _school_classes(db: sqlite_utils.Database, viewer: Viewer, school_id: int, school_year: str) -> list[int]:
    rows = db.execute("SELECT id FROM classes WHERE school_id = ? AND school_year = ? ORDER BY name",
                      [school_id, school_year]).fetchall()
    ids = [r[0] for r in rows]
    return ids if viewer.role in MODERATOR_ROLES else [i for i in ids if i in viewer.class_ids]


def for_staff(db: sqlite_utils.Database, viewer: Viewer, school_year: str) -> list[Room]:
    """Every room of the staff member's schools they may enter: school rooms, then their classes' rooms."""
    if viewer.school_id is not None:
        schools = [viewer.school_id]
    else:
        schools = [r[0] for r in db.execute("SELECT id FROM schools ORDER BY code")]
    out: list[Room] = []
    for school_id in schools:
        out.append(ensure(db, school_id, RoomKind.SCHOOL_STAFF, school_year))
        out.append(ensure(db, school_id, RoomKind.SCHOOL_PARENTS, school_year))
        for class_id in _school_classes(db, viewer, school_id, school_year):
            out.append(ensure(db, school_id, RoomKind.CLASS_STAFF, school_year, class_id=class_id))
            out.append(ensure(db, school_id, RoomKind.CLASS_PARENTS, school_year, class_id=class_id))
    return out


def _pupil_class(db: sqlite_utils.Database, student_id: int, school_year: str) -> int | None:
    row = db.execute("SELECT class_id FROM enrollments WHERE student_id = ? AND school_year = ?",
                     [student_id, school_year]).fetchone()
    return row[0] if row else None


def can_enter(db: sqlite_utils.Database, viewer: Viewer, room: Room) -> bool:
    """Whether ``viewer`` may read and post in ``room``: the one access rule every page and SMS asks."""
    if not viewer.is_staff:
        if viewer.guardian_id is None or not room.kind.for_guardians:
            return False
        places = children_of(db, viewer.guardian_id, room.school_year)
        if room.kind is RoomKind.SCHOOL_PARENTS:
            return any(p.school_id == room.school_id for p in places)
        return any(p.class_id == room.class_id for p in places)
    if not viewer.staff_of(room.school_id):
        return False
    if viewer.role in MODERATOR_ROLES or room.kind in (RoomKind.SCHOOL_STAFF, RoomKind.SCHOOL_PARENTS):
        return True
    class_id = room.class_id if room.student_id is None else _pupil_class(db, room.student_id, room.school_year)
    return class_id in viewer.class_ids


def can_moderate(db: sqlite_utils.Database, viewer: Viewer, room: Room) -> bool:
    """Moderators: the school's admins, reviewers and operators; a teacher for the rooms of their own classes."""
    if not viewer.is_staff or not can_enter(db, viewer, room):
        return False
    return viewer.role in MODERATOR_ROLES or (room.class_id is not None and room.class_id in viewer.class_ids)


def pupil_room(db: sqlite_utils.Database, viewer: Viewer, student_id: int, school_year: str) -> Room | None:
    """The staff room about one pupil, when the pupil is in a class the viewer may see; else None."""
    row = db.execute("SELECT c.school_id FROM enrollments e JOIN classes c ON c.id = e.class_id "
                     "WHERE e.student_id = ? AND e.school_year = ?", [student_id, school_year]).fetchone()
    if row is None or not viewer.is_staff:
        return None
    room = ensure(db, row[0], RoomKind.PUPIL, school_year, student_id=student_id)
    return room if can_enter(db, viewer, room) else None
