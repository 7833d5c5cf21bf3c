"""The delivery report: per school, class and day, counts per state and failures with the SMSC's reason."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from .clock import iso


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


def _filter(day: date, tz: str, school_code: str | None, class_name: str | None) -> tuple[str, dict]:
    """The WHERE clause (over ``messages m``) of one day's report, and its parameters."""
    start, end = _day_bounds(day, tz)
    where = ["m.created_at >= :start", "m.created_at < :end"]
    params: dict = {"start": start, "end": end}
    if school_code:
        where.append("m.school_id = (SELECT id FROM schools WHERE code = :school)")
        params["school"] = school_code
    if class_name:
        where.append("(m.class_id IN (SELECT id FROM classes WHERE name = :class) OR m.student_id IN "
                     "(SELECT e.student_id FROM enrollments e JOIN classes c ON c.id = e.class_id "
                     "WHERE c.name = :class))")
        params["class"] = class_name
    return " AND ".join(where), params


def delivery(db: sqlite_utils.Database, day: date, tz: str, *, school_code: str | None = None,
             class_name: str | None = None) -> DeliveryReport:
    """Messages created on local ``day`` (optionally of one school / class), by state."""
    clause, params = _filter(day, tz, school_code, class_name)
    counts = dict(db.execute(f"SELECT m.state, count(*) FROM messages m WHERE {clause} GROUP BY m.state "
                             "ORDER BY m.state", params).fetchall())
    failures = [dict(zip(("id", "phone", "kind", "state", "reason", "created_at"), r)) for r in db.execute(
        f"SELECT m.id, m.phone, m.kind, m.state, m.reason, m.created_at FROM messages m WHERE {clause} "
        "AND m.state IN ('failed', 'undeliverable', 'expired', 'rejected', 'unknown') ORDER BY m.id LIMIT 500",
        params)]
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
