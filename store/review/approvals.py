"""The approval queue: pending rows of one school, grouped, and their approval.

Everything a parent may see carries status 'pending' until a reviewer
approves it; approval writes status, approved_by and approved_at in one
transaction. approved_at is what the evening digest reads (store.secondary.news: items
approved in (previous cutoff, this cutoff]), so it is taken *inside* the
write transaction: a digest run that fixed its cutoff before our commit
either waits for it (its run row needs the same write lock) or has a cutoff
older than our approved_at, and the items go in the next digest — never in
none.

The tables and how each joins to its school and class are the review specs
(store.registry.review.REVIEW_SPECS, each declared beside its domain); a
group key's ``kind`` is its table's spec.

Groups: kind, class, subject, who entered the rows (an import file is
``import:<file>``) and the local date they were entered — one import file
or one teacher's day of entries is one group.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlite_utils

from store.registry import review as review_registry
from store.core.clock import now_iso, parse_iso
from store.core.connection import transaction
from store.core.errors import StoreError
from store.review.status import APPROVAL, ReviewStatus as R, sql_in
from store.review.spec import ReviewSpec


class ApprovalError(StoreError):
    """A group or rows that cannot be approved as asked (foreign school, not a group key)."""


@dataclass(frozen=True)
class GroupKey:
    """Identifies a group of pending rows: the unit a reviewer approves."""

    kind: ReviewSpec    # the table (store.registry.review)
    school_id: int
    class_id: int | None
    subject: str
    entered_by: str | None
    day: date           # local date the rows were entered

    def as_list(self) -> list:
        """A JSON-friendly form (for a form field)."""
        return [self.kind.value, self.school_id, self.class_id, self.subject, self.entered_by, self.day.isoformat()]

    @classmethod
    def from_list(cls, value) -> "GroupKey":
        """The inverse of as_list(); ApprovalError when ``value`` is not a group key."""
        try:
            kind, school_id, class_id, subject, entered_by, day = value
            if not isinstance(school_id, int) or not (class_id is None or isinstance(class_id, int)):
                raise TypeError("ids must be integers")
            if not isinstance(subject, str) or not (entered_by is None or isinstance(entered_by, str)):
                raise TypeError("subject and entered_by must be text")
            return cls(review_registry.spec(kind), school_id, class_id, subject, entered_by, date.fromisoformat(day))
        except (TypeError, ValueError) as e:
            raise ApprovalError(f"not a group of the approval queue: {value!r}") from e


@dataclass(frozen=True)
class Group:
    """Pending rows of one group, counted."""

    key: GroupKey
    school_code: str
    class_name: str | None
    count: int
    corrected: int       # grades changed after an earlier approval ("sửa")
    first_at: str
    last_at: str


@dataclass(frozen=True)
class Row:
    """One pending row, for the reviewer to read before approving."""

    id: int              # rowid in the kind's table
    student_id: int | None
    student_code: str | None
    student_name: str | None
    subject: str
    corrected: bool
    entered_at: str
    detail: str


def day_bounds(day: date, tz: str) -> tuple[str, str]:
    """[start, end) of local date ``day`` as stored UTC timestamps."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    return _stamp(start), _stamp(end)


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _scope(spec: ReviewSpec, school_id: int | None, class_ids) -> tuple[str, list]:
    where, params = [f"t.status = '{R.PENDING.value}'"], []
    if school_id is not None:
        where.append(f"{spec.school} = ?")
        params.append(school_id)
    if class_ids is not None:
        ids = sorted(class_ids)
        where.append(f"{spec.klass} IN ({','.join('?' * len(ids))})" if ids else "0")
        params += ids
    return " AND ".join(where), params


def pending_groups(db: sqlite_utils.Database, tz: str, *, school_id: int | None = None,
                   class_ids=None) -> list[Group]:
    """Every group of pending rows of ``school_id`` (None: every school), only ``class_ids`` when given."""
    groups: dict[GroupKey, list] = {}
    names = {r[0]: r[1] for r in db.execute("SELECT id, code FROM schools")}
    for spec in review_registry.REVIEW_SPECS:
        where, params = _scope(spec, school_id, class_ids)
        sql = (f"SELECT {spec.school}, {spec.klass}, c.name, {spec.subject}, t.entered_by, t.entered_at, "
               f"count(*), sum({spec.corrected}) FROM {spec.source} WHERE {where} "
               "GROUP BY 1, 2, 4, 5, 6")
        for sid, cid, cname, subject, by, at, n, fixed in db.execute(sql, params):
            day = parse_iso(at).astimezone(ZoneInfo(tz)).date()
            key = GroupKey(spec, sid, cid, subject or "", by, day)
            g = groups.setdefault(key, [cname, 0, 0, at, at])
            g[1] += n
            g[2] += fixed or 0
            g[3], g[4] = min(g[3], at), max(g[4], at)
    out = [Group(k, names.get(k.school_id, "?"), v[0], v[1], v[2], v[3], v[4]) for k, v in groups.items()]
    out.sort(key=lambda g: (g.school_code, -g.key.day.toordinal(), review_registry.order(g.key.kind),
                            g.class_name or "",
                            g.key.subject, g.key.entered_by or ""))
    return out


def _group_filter(spec: ReviewSpec, key: GroupKey, tz: str) -> tuple[str, list]:
    start, end = day_bounds(key.day, tz)
    return (f"t.status = '{R.PENDING.value}' AND {spec.school} = ? AND {spec.klass} IS ? AND {spec.subject} = ? "
            "AND t.entered_by IS ? AND t.entered_at >= ? AND t.entered_at < ?",
            [key.school_id, key.class_id, key.subject, key.entered_by, start, end])


def pending_rows(db: sqlite_utils.Database, key: GroupKey, tz: str, *, class_ids=None,
                 limit: int = 1000) -> list[Row]:
    """The pending rows of one group (a teacher's ``class_ids`` limit what they see)."""
    spec = key.kind
    where, params = _group_filter(spec, key, tz)
    if class_ids is not None:
        ids = sorted(class_ids)
        where += f" AND {spec.klass} IN ({','.join('?' * len(ids))})" if ids else " AND 0"
        params += ids
    student = "s.id, s.code, s.full_name" if spec.per_student else "NULL, NULL, NULL"
    order = "s.full_name, s.code, t.rowid" if spec.per_student else "t.date, t.rowid"
    sql = (f"SELECT t.rowid, {student}, {spec.subject}, {spec.corrected}, t.entered_at, {spec.detail} "
           f"FROM {spec.source} WHERE {where} ORDER BY {order} LIMIT ?")
    return [Row(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], spec.describe(tuple(r[7:])))
            for r in db.execute(sql, [*params, limit])]


def approve(db: sqlite_utils.Database, keys: list[GroupKey], *, actor: str, tz: str, school_id: int | None,
            row_ids: list[int] | None = None) -> int:
    """Approve the pending rows of ``keys`` (only ``row_ids`` of them when given); returns rows approved.

    ``school_id`` is the approver's scope (None: an operator): a key of another
    school raises ApprovalError before anything is written. One transaction for
    all keys; rows approved meanwhile by someone else are simply not counted.
    """
    for key in keys:
        if school_id is not None and key.school_id != school_id:
            raise ApprovalError("that group belongs to another school")
    if row_ids is not None and len(keys) != 1:
        raise ApprovalError("rows can be chosen within one group only")
    approved = 0
    with transaction(db):
        at = now_iso()     # inside the write lock: see the module docstring
        for key in keys:
            spec = key.kind
            where, params = _group_filter(spec, key, tz)
            if row_ids is not None:
                where += f" AND t.rowid IN ({','.join('?' * len(row_ids))})" if row_ids else " AND 0"
                params += list(row_ids)
            table = spec.name
            cur = db.execute(f"UPDATE {table} SET status = '{R.APPROVED.value}', approved_by = ?, approved_at = ? "
                             f"WHERE status IN {sql_in(APPROVAL.sources_of(R.APPROVED))} "
                             f"AND rowid IN (SELECT t.rowid FROM {spec.source} WHERE {where})",
                             [actor, at, *params])
            approved += cur.rowcount
    return approved


# -- the staff home --------------------------------------------------------------------------------------------
_PENDING_BY_STUDENT = tuple(s.name for s in review_registry.REVIEW_SPECS if s.per_student)   # events: per school


def pending_approvals(db: sqlite_utils.Database, school_id: int, class_ids: Collection[int] | None = None) -> int:
    """Rows of a school (or of ``class_ids``' students and events) still waiting for approval."""
    params: dict = {"school_id": school_id}
    if class_ids is None:
        students = "SELECT id FROM students WHERE school_id = :school_id"
        events = "school_id = :school_id"
    else:
        params["class_ids"] = json.dumps(sorted(int(v) for v in class_ids))
        students = "SELECT student_id FROM enrollments WHERE class_id IN (SELECT value FROM json_each(:class_ids))"
        events = "school_id = :school_id AND class_id IN (SELECT value FROM json_each(:class_ids))"
    parts = [f"(SELECT count(*) FROM {t} WHERE status = '{R.PENDING.value}' AND student_id IN ({students}))"
             for t in _PENDING_BY_STUDENT]
    parts.append(f"(SELECT count(*) FROM events WHERE status = '{R.PENDING.value}' AND {events})")
    return db.execute("SELECT " + " + ".join(parts), params).fetchone()[0]
