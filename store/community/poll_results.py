"""A poll's results for staff: counts per option, response rate per class, who has not answered, the export.

Guardians only ever get the public tally (KQBC): counts, never names or
another family's answer.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from .polls import Poll


@dataclass(frozen=True)
class OptionCount:
    number: int
    label: str
    capacity: int | None
    confirmed: int
    waiting: int


@dataclass(frozen=True)
class ClassRate:
    class_name: str
    asked: int          # children asked about
    answered: int


def counts(db: sqlite_utils.Database, poll: Poll) -> list[OptionCount]:
    """Every option with its confirmed and waiting answers (one per child)."""
    got = {(r[0], r[1]): r[2] for r in db.execute(
        "SELECT option, place, COUNT(*) FROM poll_answers WHERE poll_id = ? GROUP BY option, place", [poll.id])}
    return [OptionCount(o.number, o.label, o.capacity, got.get((o.number, "confirmed"), 0),
                        got.get((o.number, "waiting"), 0)) for o in poll.options]


def per_class(db: sqlite_utils.Database, poll: Poll) -> list[ClassRate]:
    """Children asked and answered per class (answers are counted by class, so anonymous polls keep their rates)."""
    rows = db.execute(
        "SELECT c.name, (SELECT COUNT(*) FROM poll_recipients r WHERE r.poll_id = :p AND r.class_id = c.id), "
        "(SELECT COUNT(*) FROM poll_answers a WHERE a.poll_id = :p AND a.class_id = c.id) "
        "FROM classes c WHERE c.id IN (SELECT class_id FROM poll_recipients WHERE poll_id = :p) ORDER BY c.grade, c.name",
        {"p": poll.id}).fetchall()
    return [ClassRate(*r) for r in rows]


@dataclass(frozen=True)
class Missing:
    class_name: str
    student_code: str
    student_name: str
    phone: str


def not_answered(db: sqlite_utils.Database, poll: Poll) -> list[Missing]:
    """Children asked about without an answer (named polls only: an anonymous one never tells who answered)."""
    if poll.anonymous:
        return []
    rows = db.execute(
        "SELECT c.name, s.code, s.full_name, g.phone FROM poll_recipients r JOIN students s ON s.id = r.student_id "
        "JOIN classes c ON c.id = r.class_id JOIN guardians g ON g.id = r.guardian_id WHERE r.poll_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM poll_answers a WHERE a.poll_id = r.poll_id AND a.guardian_id = r.guardian_id "
        "AND a.student_id = r.student_id) ORDER BY c.grade, c.name, s.full_name", [poll.id]).fetchall()
    return [Missing(*r) for r in rows]


def to_remind(db: sqlite_utils.Database, poll: Poll) -> list[tuple[int, str]]:
    """(guardian_id, phone) of guardians with a child asked about and not answered, never reminded yet."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT DISTINCT r.guardian_id, g.phone FROM poll_recipients r JOIN guardians g ON g.id = r.guardian_id "
        "WHERE r.poll_id = ? AND r.reminded = 0 AND NOT EXISTS (SELECT 1 FROM poll_answers a WHERE "
        "a.poll_id = r.poll_id AND a.guardian_id = r.guardian_id AND a.student_id = r.student_id) "
        "ORDER BY r.guardian_id", [poll.id])]


def answers(db: sqlite_utils.Database, poll: Poll) -> list[tuple]:
    """Every answer for the export: (class, student code, student name, option, label, place, source, at).

    An anonymous poll's rows have no student and no source (nothing links an answer to a family).
    """
    labels = {o.number: o.label for o in poll.options}
    rows = db.execute(
        "SELECT c.name, s.code, s.full_name, a.option, a.place, a.source, a.answered_at FROM poll_answers a "
        "JOIN classes c ON c.id = a.class_id LEFT JOIN students s ON s.id = a.student_id WHERE a.poll_id = ? "
        "ORDER BY c.grade, c.name, s.full_name, a.id", [poll.id]).fetchall()
    hide = poll.anonymous          # nor the channel: with the SMS log it would tell who chose what
    return [(r[0], None if hide else r[1], None if hide else r[2], r[3], labels.get(r[3]), r[4],
             None if hide else r[5], r[6]) for r in rows]
