"""Answering a poll: one answer per guardian and child, replaced until closing; places and the waiting list.

All of one answer happens in one write transaction (BEGIN IMMEDIATE), so
concurrent answers to a full option queue up instead of over-booking: a place
is confirmed only while the option has fewer confirmed answers than places,
otherwise the answer waits, first come first served. A freed place (a
withdrawal `BC 31 0`, or a change of mind) moves the first waiting answer up;
the caller texts that guardian.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from store.core.clock import iso, utcnow
from store.core.connection import atomic
from .poll_rules import Place, PollError, PollStatus
from .polls import Poll


@dataclass(frozen=True)
class ChildAnswer:
    """What happened for one child: the option now held (None: withdrawn), its place, whether it changed."""

    student_id: int
    option: int | None
    place: Place | None
    changed: bool


@dataclass(frozen=True)
class Promoted:
    """An answer moved up from the waiting list: whom to text."""

    guardian_id: int
    student_id: int | None
    option: int


@dataclass(frozen=True)
class AnswerResult:
    answers: tuple[ChildAnswer, ...]
    promoted: tuple[Promoted, ...]


def asked_children(db: sqlite_utils.Database, poll_id: int, guardian_id: int) -> list[tuple[int, int]]:
    """(student_id, class_id) of the guardian's children the poll asks about."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT student_id, class_id FROM poll_recipients WHERE poll_id = ? AND guardian_id = ? ORDER BY student_id",
        [poll_id, guardian_id])]


def _confirmed(db, poll_id: int, option: int) -> int:
    return db.execute("SELECT COUNT(*) FROM poll_answers WHERE poll_id = ? AND option = ? AND place = 'confirmed'",
                      [poll_id, option]).fetchone()[0]


def _promote(db, poll: Poll, option: int) -> list[Promoted]:
    capacity = poll.option(option).capacity if poll.option(option) else None
    if capacity is None:
        return []
    out = []
    while _confirmed(db, poll.id, option) < capacity:
        row = db.execute("SELECT id, guardian_id, student_id FROM poll_answers WHERE poll_id = ? AND option = ? "
                         "AND place = 'waiting' ORDER BY id LIMIT 1", [poll.id, option]).fetchone()
        if row is None:
            break
        db.execute("UPDATE poll_answers SET place = 'confirmed' WHERE id = ?", [row[0]])
        out.append(Promoted(row[1], row[2], option))
    return out


def _one(db, poll: Poll, guardian_id: int, student_id: int, class_id: int, option: int, source: str,
         now: str) -> tuple[ChildAnswer, int | None]:
    """Set one child's answer; returns it and the option whose confirmed place was freed (or None)."""
    old = db.execute("SELECT id, option, place FROM poll_answers WHERE poll_id = ? AND guardian_id = ? "
                     "AND student_id = ?", [poll.id, guardian_id, student_id]).fetchone()
    if old and old[1] == option:
        return ChildAnswer(student_id, option, Place(old[2]), False), None
    freed = old[1] if old and old[2] == Place.CONFIRMED.value else None
    if old:
        db.execute("DELETE FROM poll_answers WHERE id = ?", [old[0]])
    if option == 0:
        return ChildAnswer(student_id, None, None, old is not None), freed
    capacity = poll.option(option).capacity
    place = Place.CONFIRMED if capacity is None or _confirmed(db, poll.id, option) < capacity else Place.WAITING
    db.execute("INSERT INTO poll_answers (poll_id, guardian_id, student_id, class_id, option, place, source, "
               "answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [poll.id, guardian_id, student_id, class_id, option, place.value, source, now])
    return ChildAnswer(student_id, option, place, True), freed


def answer(db: sqlite_utils.Database, poll: Poll, guardian_id: int, option: int, *,
           student_ids: list[int] | None = None, source: str = "sms", now: datetime | None = None) -> AnswerResult:
    """Record ``option`` (0 withdraws) for the guardian's asked children (all of them, or ``student_ids``).

    Raises PollError when the poll is not open or past closing, the option
    does not exist, or the guardian (or the named child) is not asked.
    """
    now = now or utcnow()
    if poll.status is not PollStatus.OPEN or poll.is_past(now):
        raise PollError("khảo sát đã đóng")
    if option != 0 and poll.option(option) is None:
        raise PollError(f"không có lựa chọn {option}")
    asked = asked_children(db, poll.id, guardian_id)
    if student_ids is not None:
        asked = [(s, c) for s, c in asked if s in student_ids]
    if not asked:
        raise PollError("khảo sát này không hỏi về con của số này")
    results, promoted = [], []
    with atomic(db):
        for sid, cid in asked:
            result, freed = _one(db, poll, guardian_id, sid, cid, option, source, iso(now))
            results.append(result)
            if freed is not None:
                promoted += _promote(db, poll, freed)
    return AnswerResult(tuple(results), tuple(promoted))


def current(db: sqlite_utils.Database, poll_id: int, guardian_id: int) -> dict[int, tuple[int, Place]]:
    """student_id -> (option, place) of the guardian's answers so far."""
    return {r[0]: (r[1], Place(r[2])) for r in db.execute(
        "SELECT student_id, option, place FROM poll_answers WHERE poll_id = ? AND guardian_id = ?",
        [poll_id, guardian_id])}


def refusals(poll: Poll) -> list[str]:
    """LIKE patterns of the one polite refusal for this poll (templates_sms/bc_dong.txt), unaccented and accented."""
    return [f"{word} {poll.id} {closed},%" for word, closed in (("Khao sat", "da dong"), ("Dang ky", "da dong"),
                                                                  ("Khảo sát", "đã đóng"), ("Đăng ký", "đã đóng"))]


def refused_before(db: sqlite_utils.Database, phone: str, poll: Poll, inbox_id: int | None) -> bool:
    """Whether this number was already answered "closed" for this poll: a reply since closing that was this
    poll's refusal (a bare digit answering another poll, or a refusal for another one, does not count).

    The one polite refusal (SPEC §13): a second BC to a closed poll gets no reply.
    """
    closed = min(t for t in (poll.closes_at, poll.closed_at) if t)
    patterns = refusals(poll)
    return db.execute(f"SELECT 1 FROM inbox i JOIN messages m ON m.id = i.reply_id WHERE i.phone = ? "
                      f"AND i.received_at >= ? AND i.id IS NOT ? AND i.command = 'BC' "
                      f"AND ({' OR '.join(['m.body LIKE ?'] * len(patterns))}) LIMIT 1",
                      [phone, closed, inbox_id, *patterns]).fetchone() is not None
