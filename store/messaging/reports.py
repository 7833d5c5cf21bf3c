"""Staff reports: the delivery report (per school, class and day: counts per state and failures with the
SMSC's reason), the parents' texts with their answers, and the staff home's overview counts."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Collection
from zoneinfo import ZoneInfo

import sqlite_utils

from store.messaging import redact
from store.core.clock import iso, local_today, school_year_of
from store.messaging.states import FAILED, LABELS, sql_in
from store.core.text import fold

# Outcomes a staff member may resend (outbox.messages.requeue takes exactly these), from the state table.
FAILED_STATES = tuple(s.value for s in FAILED)
# Every message state in Vietnamese, in the table's order (the report's columns and legends).
STATE_LABELS = {s.value: label for s, label in LABELS.items()}


@dataclass(frozen=True)
class DeliveryReport:
    """What happened to a day's messages."""

    day: date
    school: str | None
    class_name: str | None
    counts: dict[str, int]
    failures: list[dict] = field(default_factory=list)
    duplicates: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _day_bounds(day: date, tz: str) -> tuple[str, str]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone)
    return iso(start), iso(start + timedelta(days=1))


def _ids(values: Collection[int]) -> str:
    """A list of ids as one bound parameter (read back with json_each)."""
    return json.dumps(sorted(int(v) for v in values))


def _filter(day: date, tz: str, school_code: str | None, class_name: str | None, *, school_id: int | None = None,
            class_ids: Collection[int] | None = None) -> tuple[str, dict]:
    """The WHERE clause (over ``messages m``) of one day's report, and its parameters.

    ``school_code`` / ``class_name`` scope by name (the CLI, the API); ``school_id`` / ``class_ids`` by id
    (a staff member's scope; an empty ``class_ids`` means no class at all).
    """
    start, end = _day_bounds(day, tz)
    where = ["m.created_at >= :start", "m.created_at < :end"]
    params: dict = {"start": start, "end": end}
    if school_code:
        where.append("m.school_id = (SELECT id FROM schools WHERE code = :school)")
        params["school"] = school_code
    if school_id is not None:
        where.append("m.school_id = :school_id")
        params["school_id"] = school_id
    if class_name:
        where.append("(m.class_id IN (SELECT id FROM classes WHERE name = :class) OR m.student_id IN "
                     "(SELECT e.student_id FROM enrollments e JOIN classes c ON c.id = e.class_id "
                     "WHERE c.name = :class))")
        params["class"] = class_name
    if class_ids is not None:
        # A class row belongs to one school year, so its enrollments are that year's students.
        where.append("(m.class_id IN (SELECT value FROM json_each(:class_ids)) OR m.student_id IN "
                     "(SELECT e.student_id FROM enrollments e WHERE e.class_id IN "
                     "(SELECT value FROM json_each(:class_ids))))")
        params["class_ids"] = _ids(class_ids)
    return " AND ".join(where), params


def delivery(db: sqlite_utils.Database, day: date, tz: str, *, school_code: str | None = None,
             class_name: str | None = None, school_id: int | None = None,
             class_ids: Collection[int] | None = None) -> DeliveryReport:
    """Messages created on local ``day`` (optionally of one school / class), by state."""
    clause, params = _filter(day, tz, school_code, class_name, school_id=school_id, class_ids=class_ids)
    counts = dict(db.execute(f"SELECT m.state, count(*) FROM messages m WHERE {clause} GROUP BY m.state "
                             "ORDER BY m.state", params).fetchall())
    failures = [dict(zip(("id", "phone", "kind", "state", "reason", "created_at", "school_id"), r)) for r in db.execute(
        f"SELECT m.id, m.phone, m.kind, m.state, m.reason, m.created_at, m.school_id FROM messages m WHERE {clause} "
        f"AND m.state IN {sql_in(FAILED)} ORDER BY m.id LIMIT 500", params)]
    duplicates = db.execute(f"SELECT coalesce(sum(m.duplicates), 0) FROM messages m WHERE {clause}",
                            params).fetchone()[0]
    return DeliveryReport(day, school_code, class_name, counts, failures, duplicates)


MESSAGE_FIELDS = ("id", "kind", "phone", "state", "parts", "attempts", "duplicates", "error_code", "reason",
                  "created_at", "submitted_at", "final_at", "school", "class")


def delivery_messages(db: sqlite_utils.Database, day: date, tz: str, *, school_code: str | None = None,
                      class_name: str | None = None, after_id: int = 0, limit: int = 200) -> list[dict]:
    """The report's messages one page at a time (id order, ids above ``after_id``), with school and class.

    The class is the message's own, else its student's latest class at that school.
    """
    clause, params = _filter(day, tz, school_code, class_name)
    rows = db.execute(
        "SELECT m.id, m.kind, m.phone, m.state, m.parts, m.attempts, m.duplicates, m.error_code, m.reason, "
        "m.created_at, m.submitted_at, m.final_at, s.code, c.name FROM messages m "
        "LEFT JOIN schools s ON s.id = m.school_id "
        "LEFT JOIN classes c ON c.id = coalesce(m.class_id, (SELECT e.class_id FROM enrollments e "
        "JOIN classes ec ON ec.id = e.class_id WHERE e.student_id = m.student_id AND ec.school_id = m.school_id "
        "ORDER BY e.school_year DESC LIMIT 1)) "
        f"WHERE {clause} AND m.id > :after ORDER BY m.id LIMIT :limit",
        {**params, "after": after_id, "limit": limit}).fetchall()
    return [dict(zip(MESSAGE_FIELDS, r)) for r in rows]


def delivery_by_class(db: sqlite_utils.Database, day: date, tz: str, *, school_id: int,
                      class_ids: Collection[int] | None = None) -> dict[str, dict[str, int]]:
    """The day's messages of one school per class name and state (messages of no class under '')."""
    start, end = _day_bounds(day, tz)
    params: dict = {"start": start, "end": end, "school_id": school_id, "year": school_year_of(day)}
    only = ""
    if class_ids is not None:
        only = "WHERE class_id IN (SELECT value FROM json_each(:class_ids))"
        params["class_ids"] = _ids(class_ids)
    rows = db.execute(
        "WITH day AS (SELECT m.state, coalesce(m.class_id, (SELECT e.class_id FROM enrollments e "
        "  WHERE e.student_id = m.student_id AND e.school_year = :year)) AS class_id "
        "  FROM messages m WHERE m.created_at >= :start AND m.created_at < :end AND m.school_id = :school_id) "
        f"SELECT coalesce(c.name, ''), day.state, count(*) FROM (SELECT * FROM day {only}) day "
        "LEFT JOIN classes c ON c.id = day.class_id GROUP BY 1, 2 ORDER BY 1, 2", params)
    table: dict[str, dict[str, int]] = {}
    for name, state, n in rows:
        table.setdefault(name, {})[state] = n
    return table


def message_scope(db: sqlite_utils.Database, message_id: int) -> dict | None:
    """The school, student and state of one outbox message (what a resend must check first)."""
    row = db.execute("SELECT id, school_id, student_id, state FROM messages WHERE id = ?", [message_id]).fetchone()
    return dict(zip(("id", "school_id", "student_id", "state"), row)) if row else None


def school_classes(db: sqlite_utils.Database, school_id: int, school_year: str) -> list[tuple[int, str]]:
    """(id, name) of a school's classes in a school year, by name."""
    return [tuple(r) for r in db.execute("SELECT id, name FROM classes WHERE school_id = ? AND school_year = ? "
                                         "ORDER BY grade, name", [school_id, school_year])]


def classes_named(db: sqlite_utils.Database, class_ids: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the given classes, by name (a teacher's own classes)."""
    return [tuple(r) for r in db.execute("SELECT id, name FROM classes WHERE id IN (SELECT value FROM json_each(?)) "
                                         "ORDER BY grade, name, school_year DESC", [_ids(class_ids)])]


def schools(db: sqlite_utils.Database) -> list[dict]:
    """Every school (id, code, name), by code."""
    rows = db.execute("SELECT id, code, name FROM schools ORDER BY code")
    return [dict(zip(("id", "code", "name"), r)) for r in rows]


# -- parents' texts --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Texts:
    """One page of parents' texts, newest first."""

    rows: list[dict]
    page: int
    has_next: bool


def _folded(text: str | None) -> str | None:
    return fold(text).lower() if text is not None else None


def texts(db: sqlite_utils.Database, *, tz: str, school_id: int | None = None, class_ids: Collection[int] | None = None,
          day: date | None = None, page: int = 1, per_page: int = 50, search: str | None = None) -> Texts:
    """Parents' texts (inbox) with the answer sent, newest first.

    ``school_id`` None: every text, strangers' too (operators). Otherwise the texts answered for that school,
    and texts with no school (help, unknown words) from a number linked to one of its students this school
    year (a recycled number, or a family that moved school, is no longer that school's).
    ``class_ids``: only texts about students of those classes (a teacher).
    ``search``: only texts whose words or answer contain it, accents and case ignored ('sot' finds 'sốt').
    """
    where, params = [], {}
    if school_id is not None:
        where.append("(i.school_id = :school_id OR (i.school_id IS NULL AND EXISTS (SELECT 1 FROM guardians g "
                     "JOIN guardian_links l ON l.guardian_id = g.id JOIN students st ON st.id = l.student_id "
                     "WHERE g.phone = i.phone AND l.active = 1 AND l.school_year = :year "
                     "AND st.school_id = :school_id)))")
        params["school_id"] = school_id
        params["year"] = school_year_of(local_today(tz))
    if class_ids is not None:
        where.append("(EXISTS (SELECT 1 FROM messages r2 JOIN enrollments e ON e.student_id = r2.student_id "
                     "WHERE r2.id = i.reply_id AND e.class_id IN (SELECT value FROM json_each(:class_ids))) "
                     "OR EXISTS (SELECT 1 FROM teacher_messages t WHERE t.inbox_id = i.id "
                     "AND t.class_id IN (SELECT value FROM json_each(:class_ids))))")
        params["class_ids"] = _ids(class_ids)
    if day is not None:
        params["start"], params["end"] = _day_bounds(day, tz)
        where.append("i.received_at >= :start AND i.received_at < :end")
    if search:
        db.conn.create_function("sll_fold", 1, _folded, deterministic=True)
        where.append("(sll_fold(i.text) LIKE :search ESCAPE '\\' OR "
                     "(r.kind IS NOT 'otp' AND sll_fold(r.body) LIKE :search ESCAPE '\\'))")
        params["search"] = "%" + _folded(search).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    page = max(1, page)
    params["limit"], params["offset"] = per_page + 1, (page - 1) * per_page
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    cols = ("id", "received_at", "phone", "source_addr", "text", "state", "command", "school_id", "school",
            "reply_id", "reply", "reply_state", "reply_reason", "reply_kind")
    # An MK reply carries a live one-time code: its text never leaves the store (staff could log in as the parent).
    rows = [dict(zip(cols, r)) for r in db.execute(
        "SELECT i.id, i.received_at, i.phone, i.source_addr, i.text, i.state, i.command, i.school_id, s.code, "
        "r.id, CASE WHEN r.kind = 'otp' THEN NULL ELSE r.body END, r.state, r.reason, r.kind "
        "FROM inbox i LEFT JOIN messages r ON r.id = i.reply_id "
        f"LEFT JOIN schools s ON s.id = i.school_id {clause} "
        "ORDER BY i.received_at DESC, i.id DESC LIMIT :limit OFFSET :offset", params)]
    if school_id is not None:
        rows = redact.for_school(db, rows, school_id)
    return Texts(rows[:per_page], page, len(rows) > per_page)


# -- the staff home --------------------------------------------------------------------------------------------
def unanswered_teacher_messages(db: sqlite_utils.Database, school_id: int,
                                class_ids: Collection[int] | None = None) -> int:
    """GV / NGHI texts of a school (or of ``class_ids``) that have no answer yet."""
    sql = "SELECT count(*) FROM teacher_messages WHERE school_id = ? AND answered_at IS NULL"
    params: list = [school_id]
    if class_ids is not None:
        sql += " AND class_id IN (SELECT value FROM json_each(?))"
        params.append(_ids(class_ids))
    return db.execute(sql, params).fetchone()[0]
