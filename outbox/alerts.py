"""The immediate absence alert (SPEC §5): an approved absence texted at once, for schools that want it.

Schools opt in (`schools.absence_alert`, `school set CODE --absence-alert`).
An approved absence of today or yesterday (local) is texted to each guardian
of the child linked for that school year, one SMS per child listing the
sessions approved together; `attendance.alerted_at` is written in the same
transaction as the messages, so an absence is alerted once whoever calls
(the scheduler's tick every 20 s, the approval page right away). Guardians
who texted HUY/STOP for the child get nothing unasked; an alert is bulk kind,
so quiet hours hold it until the morning. Older absences only appear in the
digest; turning alerts on sends the approved absences of today and yesterday
not alerted yet.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta

import sqlite_utils

from store.core.clock import iso, local_today, school_year_of, utcnow
from store.core.connection import transaction

from . import messages
from .render import prepare
from .templating import render

logger = logging.getLogger(__name__)

SESSION = {"S": "sáng", "C": "chiều", "N": "cả ngày"}
LOOKBACK_DAYS = 1      # today and yesterday: an alert about last week is not "at once"


def _due(db, today: date) -> list[tuple]:
    since_date = (today - timedelta(days=LOOKBACK_DAYS)).isoformat()
    since_approved = iso(utcnow() - timedelta(days=LOOKBACK_DAYS + 1))
    return db.execute(
        "SELECT a.id, a.student_id, a.date, a.session, a.excused, s.full_name, s.school_id "
        "FROM attendance a JOIN students s ON s.id = a.student_id JOIN schools sc ON sc.id = s.school_id "
        "WHERE a.approved_at >= ? AND a.status = 'approved' AND a.alerted_at IS NULL AND a.date >= ? "
        "AND sc.absence_alert = 1 "
        "ORDER BY a.student_id, a.date, CASE a.session WHEN 'S' THEN 0 WHEN 'C' THEN 1 ELSE 2 END",
        [since_approved, since_date]).fetchall()


def _guardians(db, student_id: int, school_year: str) -> list[tuple]:
    return db.execute(
        "SELECT g.id, g.phone, c.id, c.name FROM guardian_links l JOIN guardians g ON g.id = l.guardian_id "
        "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
        "JOIN classes c ON c.id = e.class_id "
        "WHERE l.student_id = ? AND l.school_year = ? AND l.active = 1 AND l.digest_opt_out = 0 ORDER BY g.id",
        [student_id, school_year]).fetchall()


def send_absence_alerts(db: sqlite_utils.Database, settings, *, today: date | None = None) -> int:
    """Queue the alerts of absences approved and not alerted yet; returns the messages queued."""
    today = today or local_today(settings.sms.timezone)
    queued = 0
    with transaction(db):
        rows = _due(db, today)
        by_student: dict[tuple[int, str], list[tuple]] = defaultdict(list)
        for row in rows:
            by_student[(row[1], school_year_of(date.fromisoformat(row[2])))].append(row)
        for (student_id, year), items in by_student.items():
            name, school_id = items[0][5], items[0][6]
            listed = [{"date": date.fromisoformat(r[2]), "session": SESSION[r[3]], "excused": bool(r[4])}
                      for r in items]
            for guardian_id, phone, class_id, class_name in _guardians(db, student_id, year):
                text = prepare(render("vang_bao.txt", child=name, class_name=class_name, items=listed),
                               settings.sms.transliterate)[0]
                messages.enqueue(db, settings, phone=phone, body=text, kind=messages.MessageKind.ALERT,
                                 school_id=school_id, class_id=class_id, student_id=student_id,
                                 guardian_id=guardian_id)
                queued += 1
        stamp = iso(utcnow())
        for row in rows:
            db.execute("UPDATE attendance SET alerted_at = ? WHERE id = ?", [stamp, row[0]])
    if queued:
        logger.info("absence alerts: %s queued for %s absences", queued, len(rows))
    return queued
