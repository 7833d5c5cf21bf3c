"""Helpers for the review pages' tests on the demo school: a student's ids this year, the messages of one kind,
the announcement composer's targets and preview."""
from __future__ import annotations

import re

from .builders import this_year as year
from .fixtures_web import post_form

TZ = "Asia/Ho_Chi_Minh"


def student(db, code):
    """(student id, class id, school id)."""
    return db.execute("SELECT s.id, e.class_id, s.school_id FROM students s JOIN enrollments e ON e.student_id = s.id "
                      "AND e.school_year = ? WHERE s.code = ?", [year(), code]).fetchone()


def outbox(db, kind):
    return db.execute("SELECT id, phone, body, kind, school_id, student_id, not_before, created_at, state FROM "
                      "messages WHERE kind = ? ORDER BY id", [kind]).fetchall()


def class_target(db, code):
    return f"class:{student(db, code)[1]}"


def class_guardians(db, code):
    return {r[0] for r in db.execute(
        "SELECT DISTINCT g.phone FROM guardian_links l JOIN guardians g ON g.id = l.guardian_id "
        "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
        "WHERE e.class_id = ? AND l.active = 1 AND l.school_year = ?", [student(db, code)[1], year()])}


def preview(client, target, text, **extra):
    resp = post_form(client, "/staff/announce", {"target": target, "text": text, "action": "preview", **extra})
    html = resp.get_data(as_text=True)
    found = {k: int(re.search(rf'id="{k}">(\d+)<', html)[1]) for k in ("parts", "recipients", "total")
             if re.search(rf'id="{k}">(\d+)<', html)}
    return resp, html, found
