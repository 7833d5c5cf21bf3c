"""The approval queue: pending rows of one school, grouped, and their approval.

Everything a parent may see carries status 'pending' until a reviewer
approves it; approval writes status, approved_by and approved_at in one
transaction. approved_at is what the evening digest reads (store.news: items
approved in (previous cutoff, this cutoff]), so it is taken *inside* the
write transaction: a digest run that fixed its cutoff before our commit
either waits for it (its run row needs the same write lock) or has a cutoff
older than our approved_at, and the items go in the next digest — never in
none.

Groups: kind, class, subject, who entered the rows (an import file is
``import:<file>``) and the local date they were entered — one import file
or one teacher's day of entries is one group.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from zoneinfo import ZoneInfo

import sqlite_utils

from .clock import now_iso, parse_iso
from .connection import transaction
from .errors import StoreError
from .periods import Semester
from .preschool import rules as preschool_rules
from .primary import tt27
from .review_status import APPROVAL, ReviewStatus as R, sql_in


class ApprovalError(StoreError):
    """A group or rows that cannot be approved as asked (foreign school, not a group key)."""


class Kind(str, Enum):
    """What kind of rows a group holds (the table they live in)."""

    GRADES = "grades"
    CONDUCT = "conduct"
    ATTENDANCE = "attendance"
    COMMENTS = "comments"
    EVENTS = "events"
    RESULTS = "results"
    PRIMARY = "primary_assessments"          # TT27 levels, test scores, comments (store/primary/)
    QUALITIES = "primary_qualities"
    PRIMARY_RESULTS = "primary_results"
    DAILY_NOTES = "daily_notes"              # kindergarten (store/preschool/)
    GROWTH = "growth_measurements"
    PRESCHOOL = "preschool_assessments"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {Kind.GRADES: "Điểm", Kind.CONDUCT: "Rèn luyện", Kind.ATTENDANCE: "Chuyên cần",
          Kind.COMMENTS: "Nhận xét", Kind.EVENTS: "Sự kiện / thông báo", Kind.RESULTS: "Kết quả học tập",
          Kind.PRIMARY: "Đánh giá tiểu học", Kind.QUALITIES: "Phẩm chất, năng lực",
          Kind.PRIMARY_RESULTS: "Kết quả cuối năm (tiểu học)", Kind.DAILY_NOTES: "Nhật ký mầm non",
          Kind.GROWTH: "Cân đo (mầm non)", Kind.PRESCHOOL: "Đánh giá giai đoạn (mầm non)"}

# The school year of a dated row ('YYYY-MM-DD'): August starts a new one (store.clock.school_year_of).
_YEAR_OF_DATE = ("(CASE WHEN CAST(substr(t.date, 6, 2) AS INTEGER) >= 8 "
                 "THEN substr(t.date, 1, 4) || '-' || (CAST(substr(t.date, 1, 4) AS INTEGER) + 1) "
                 "ELSE (CAST(substr(t.date, 1, 4) AS INTEGER) - 1) || '-' || substr(t.date, 1, 4) END)")


@dataclass(frozen=True)
class _Spec:
    """How one table joins to its school and class, and what a row shows."""

    school: str
    klass: str
    subject: str
    corrected: str
    source: str
    detail: str     # columns for Row.detail, in describe()'s order


def _student_source(table: str, year: str) -> str:
    return (f"{table} t JOIN students s ON s.id = t.student_id "
            f"LEFT JOIN enrollments e ON e.student_id = t.student_id AND e.school_year = {year} "
            "LEFT JOIN classes c ON c.id = e.class_id")


SPECS: dict[Kind, _Spec] = {
    Kind.GRADES: _Spec("s.school_id", "e.class_id", "t.subject_code", "t.corrected",
                       _student_source("grades", "t.school_year"), "t.term, t.kind, t.seq, t.value"),
    Kind.CONDUCT: _Spec("s.school_id", "e.class_id", "''", "0", _student_source("conduct", "t.school_year"),
                        "t.term, t.rating"),
    Kind.RESULTS: _Spec("s.school_id", "e.class_id", "''", "0", _student_source("results", "t.school_year"),
                        "t.term, t.learning"),
    Kind.ATTENDANCE: _Spec("s.school_id", "e.class_id", "''", "0", _student_source("attendance", _YEAR_OF_DATE),
                           "t.date, t.session, t.excused, t.reason"),
    Kind.COMMENTS: _Spec("s.school_id", "e.class_id", "t.subject_code", "0",
                         _student_source("comments", _YEAR_OF_DATE), "t.date, t.subject_code, t.body"),
    Kind.PRIMARY: _Spec("s.school_id", "e.class_id", "t.subject_code", "t.corrected",
                        _student_source("primary_assessments", "t.school_year"), "t.point, t.level, t.score, t.comment"),
    Kind.QUALITIES: _Spec("s.school_id", "e.class_id", "''", "t.corrected",
                          _student_source("primary_qualities", "t.school_year"), "t.point, t.code, t.level"),
    Kind.PRIMARY_RESULTS: _Spec("s.school_id", "e.class_id", "''", "0",
                                _student_source("primary_results", "t.school_year"), "t.result, t.commendation"),
    Kind.DAILY_NOTES: _Spec("s.school_id", "e.class_id", "''", "0", _student_source("daily_notes", _YEAR_OF_DATE),
                            "t.date, t.present, t.an, t.ngu, t.nhac, t.nhan_xet"),
    Kind.GROWTH: _Spec("s.school_id", "e.class_id", "''", "0", _student_source("growth_measurements", _YEAR_OF_DATE),
                       "t.date, t.weight_kg, t.height_cm"),
    Kind.PRESCHOOL: _Spec("s.school_id", "e.class_id", "''", "0",
                          _student_source("preschool_assessments", "t.school_year"), "t.dot, t.domain, t.level, t.comment"),
    Kind.EVENTS: _Spec("t.school_id", "t.class_id", "''", "0",
                       "events t LEFT JOIN classes c ON c.id = t.class_id", "t.date, t.kind, t.title, t.body"),
}


@dataclass(frozen=True)
class GroupKey:
    """Identifies a group of pending rows: the unit a reviewer approves."""

    kind: Kind
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
            return cls(Kind(kind), school_id, class_id, subject, entered_by, date.fromisoformat(day))
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


def _scope(spec: _Spec, school_id: int | None, class_ids) -> tuple[str, list]:
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
    for kind, spec in SPECS.items():
        where, params = _scope(spec, school_id, class_ids)
        sql = (f"SELECT {spec.school}, {spec.klass}, c.name, {spec.subject}, t.entered_by, t.entered_at, "
               f"count(*), sum({spec.corrected}) FROM {spec.source} WHERE {where} "
               "GROUP BY 1, 2, 4, 5, 6")
        for sid, cid, cname, subject, by, at, n, fixed in db.execute(sql, params):
            day = parse_iso(at).astimezone(ZoneInfo(tz)).date()
            key = GroupKey(kind, sid, cid, subject or "", by, day)
            g = groups.setdefault(key, [cname, 0, 0, at, at])
            g[1] += n
            g[2] += fixed or 0
            g[3], g[4] = min(g[3], at), max(g[4], at)
    out = [Group(k, names.get(k.school_id, "?"), v[0], v[1], v[2], v[3], v[4]) for k, v in groups.items()]
    kinds = list(Kind)
    out.sort(key=lambda g: (g.school_code, -g.key.day.toordinal(), kinds.index(g.key.kind), g.class_name or "",
                            g.key.subject, g.key.entered_by or ""))
    return out


def _group_filter(spec: _Spec, key: GroupKey, tz: str) -> tuple[str, list]:
    start, end = day_bounds(key.day, tz)
    return (f"t.status = '{R.PENDING.value}' AND {spec.school} = ? AND {spec.klass} IS ? AND {spec.subject} = ? "
            "AND t.entered_by IS ? AND t.entered_at >= ? AND t.entered_at < ?",
            [key.school_id, key.class_id, key.subject, key.entered_by, start, end])


def describe(kind: Kind, values: tuple) -> str:
    """What a pending row says, in Vietnamese for the reviewer."""
    def term(stored: int) -> str:
        return Semester(stored).short
    if kind is Kind.GRADES:
        t, k, seq, value = values
        return f"{term(t)} {k}{seq if k == 'TX' else ''}: {value}"
    if kind is Kind.CONDUCT:
        return f"Rèn luyện {term(values[0])}: {values[1]}"
    if kind is Kind.RESULTS:
        return f"Học tập {term(values[0])}: {values[1] or '-'}"
    if kind in (Kind.PRIMARY, Kind.QUALITIES, Kind.PRIMARY_RESULTS):
        return describe_primary(kind, values)
    if kind in (Kind.DAILY_NOTES, Kind.GROWTH, Kind.PRESCHOOL):
        return describe_preschool(kind, values)
    if kind is Kind.ATTENDANCE:
        day, session, excused, reason = values
        return f"Vắng {day} buổi {session} ({'có phép' if excused else 'không phép'}){': ' + reason if reason else ''}"
    if kind is Kind.COMMENTS:
        day, subject, body = values
        return f"{day} {subject or 'GVCN'}: {body}"
    day, ev_kind, title, body = values
    return f"{day} [{ev_kind}] {title}{' — ' + body if body else ''}"


def describe_primary(kind: Kind, values: tuple) -> str:
    """What a pending TT27 row says: 'CK1 mức T, KTĐK 9: Tính nhanh', 'CK1 Chăm chỉ: Đạt', 'Hoàn thành tốt'."""
    if kind is Kind.PRIMARY:
        point, level, score, comment = values
        return (f"{point} mức {level}{'' if score is None else f', KTĐK {score}'}"
                f"{': ' + comment if comment else ''}")
    if kind is Kind.QUALITIES:
        point, code, level = values
        return f"{point} {tt27.quality_name(code)}: {tt27.QualityLevel(level).label}"
    result, award = values
    return tt27.YearResult(result).label + (f", {tt27.Commendation(award).label}" if award else "")


def describe_preschool(kind: Kind, values: tuple) -> str:
    """What a pending kindergarten row says: '2026-03-10 ăn ít; nhắc mang: bỉm/tã', '2026-03-10 15,2 kg 101 cm'."""
    if kind is Kind.DAILY_NOTES:
        day, present, an, ngu, nhac, remark = values
        parts = ["vắng"] if not present else [f"ăn {an}", f"ngủ {ngu}"]
        parts += [f"nhắc: {nhac.replace(';', ', ')}"] * bool(nhac) + [remark] * bool(remark)
        return f"{day} " + "; ".join(parts)
    if kind is Kind.GROWTH:
        day, weight, height = values
        return f"{day} {weight:g} kg, {height:g} cm"
    dot, domain, level, comment = values
    return f"{dot} {preschool_rules.DOMAINS[domain]}: {preschool_rules.LEVELS[level]}{': ' + comment if comment else ''}"


def pending_rows(db: sqlite_utils.Database, key: GroupKey, tz: str, *, class_ids=None,
                 limit: int = 1000) -> list[Row]:
    """The pending rows of one group (a teacher's ``class_ids`` limit what they see)."""
    spec = SPECS[key.kind]
    where, params = _group_filter(spec, key, tz)
    if class_ids is not None:
        ids = sorted(class_ids)
        where += f" AND {spec.klass} IN ({','.join('?' * len(ids))})" if ids else " AND 0"
        params += ids
    student = "s.id, s.code, s.full_name" if key.kind is not Kind.EVENTS else "NULL, NULL, NULL"
    order = "s.full_name, s.code, t.rowid" if key.kind is not Kind.EVENTS else "t.date, t.rowid"
    sql = (f"SELECT t.rowid, {student}, {spec.subject}, {spec.corrected}, t.entered_at, {spec.detail} "
           f"FROM {spec.source} WHERE {where} ORDER BY {order} LIMIT ?")
    return [Row(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], describe(key.kind, tuple(r[7:])))
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
            spec = SPECS[key.kind]
            where, params = _group_filter(spec, key, tz)
            if row_ids is not None:
                where += f" AND t.rowid IN ({','.join('?' * len(row_ids))})" if row_ids else " AND 0"
                params += list(row_ids)
            table = key.kind.value
            cur = db.execute(f"UPDATE {table} SET status = '{R.APPROVED.value}', approved_by = ?, approved_at = ? "
                             f"WHERE status IN {sql_in(APPROVAL.sources_of(R.APPROVED))} "
                             f"AND rowid IN (SELECT t.rowid FROM {spec.source} WHERE {where})",
                             [actor, at, *params])
            approved += cur.rowcount
    return approved

