"""Polls and sign-ups: making one, opening it to its guardians, closing it (SPEC §13).

A poll is made pending; opening it records who is asked (one row per
guardian and child in the target that school year), which the outbox turns
into one invitation per guardian. Closing drops who answered an anonymous
poll. Every state change goes through poll_rules.TRANSITIONS.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from store.core import audit
from store.core.clock import iso, now_iso, parse_iso, utcnow
from store.core.connection import atomic
from .poll_rules import (MAX_QUESTION, Option, PollError, PollKind, PollStatus, Target, check_transition)
from . import poll_privacy


@dataclass(frozen=True)
class Poll:
    """A poll with its options and what it targets."""

    id: int
    school_id: int
    school_name: str
    school_year: str
    kind: PollKind
    target: Target
    grade: int | None
    class_id: int | None
    class_name: str | None
    question: str
    anonymous: bool
    public_tally: bool
    closes_at: str
    status: PollStatus
    sms_text: str | None
    created_by: str
    created_at: str
    opened_at: str | None
    closed_at: str | None
    reminded_at: str | None
    options: tuple[Option, ...]

    @property
    def target_label(self) -> str:
        """How the SMS and the pages name who is asked: `6A`, `khoi 6`, `toan truong`."""
        return {Target.CLASS: f"lớp {self.class_name}", Target.GRADE: f"khối {self.grade}",
                Target.SCHOOL: "toàn trường"}[self.target]

    def option(self, number: int) -> Option | None:
        return next((o for o in self.options if o.number == number), None)

    def is_past(self, now: datetime | None = None) -> bool:
        return parse_iso(self.closes_at) <= (now or utcnow())


_POLL_SQL = ("SELECT p.id, p.school_id, s.name, p.school_year, p.kind, p.target, p.grade, p.class_id, c.name, "
             "p.question, p.anonymous, p.public_tally, p.closes_at, p.status, p.sms_text, p.created_by, p.created_at, "
             "p.opened_at, p.closed_at, p.reminded_at FROM polls p JOIN schools s ON s.id = p.school_id "
             "LEFT JOIN classes c ON c.id = p.class_id ")


def _poll(db: sqlite_utils.Database, row) -> Poll:
    options = tuple(Option(*r) for r in db.execute(
        "SELECT number, label, capacity FROM poll_options WHERE poll_id = ? ORDER BY number", [row[0]]))
    return Poll(row[0], row[1], row[2], row[3], PollKind(row[4]), Target(row[5]), row[6], row[7], row[8], row[9],
                bool(row[10]), bool(row[11]), row[12], PollStatus(row[13]), *row[14:20], options)


def get(db: sqlite_utils.Database, poll_id: int) -> Poll | None:
    """One poll by id (the caller checks the school)."""
    row = db.execute(_POLL_SQL + "WHERE p.id = ?", [poll_id]).fetchone()
    return _poll(db, row) if row else None


def for_school(db: sqlite_utils.Database, school_id: int | None, limit: int = 200) -> list[Poll]:
    """The polls of a school (None: every school), newest first."""
    where, params = ("WHERE p.school_id = ? ", [school_id]) if school_id is not None else ("", [])
    rows = db.execute(_POLL_SQL + where + "ORDER BY p.id DESC LIMIT ?", [*params, limit]).fetchall()
    return [_poll(db, r) for r in rows]


def create(db: sqlite_utils.Database, *, school_id: int, school_year: str, kind: PollKind, target: Target,
           grade: int | None, class_id: int | None, question: str, options: tuple[Option, ...], anonymous: bool,
           public_tally: bool, closes_at: datetime, created_by: str) -> int:
    """A pending poll; returns its id. Raises PollError for an empty or long question or a past closing time."""
    question = " ".join((question or "").split())
    if not question:
        raise PollError("câu hỏi đang trống")
    if len(question) > MAX_QUESTION:
        raise PollError(f"câu hỏi dài {len(question)} ký tự, tối đa {MAX_QUESTION}")
    if closes_at <= utcnow():
        raise PollError("thời hạn trả lời đã qua: chọn một thời điểm trong tương lai")
    if kind is PollKind.POLL and any(o.capacity for o in options):
        raise PollError("số chỗ chỉ dùng cho đăng ký")
    if anonymous and any(o.capacity for o in options):
        # Who holds a place must be known to the school, and moving a family up from the waiting list
        # is an SMS to that number: a sign-up with places cannot keep its families' choices secret.
        raise PollError("đăng ký có giới hạn số chỗ không thể ẩn danh: nhà trường cần biết ai giữ chỗ "
                        "và ai đang trong danh sách chờ")
    with atomic(db):
        poll_id = db.execute(
            "INSERT INTO polls (school_id, school_year, kind, target, grade, class_id, question, anonymous, "
            "public_tally, closes_at, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [school_id, school_year, kind.value, target.value, grade if target is Target.GRADE else None,
             class_id if target is Target.CLASS else None, question, int(anonymous), int(public_tally),
             iso(closes_at), PollStatus.PENDING.value, created_by, now_iso()]).lastrowid
        for o in options:
            db.execute("INSERT INTO poll_options (poll_id, number, label, capacity) VALUES (?, ?, ?, ?)",
                       [poll_id, o.number, o.label, o.capacity])
        audit.record(db, created_by, "poll:create", school_id=school_id, poll=poll_id, target=target.value)
    return poll_id


@dataclass(frozen=True)
class Invitee:
    """A guardian to text once, with the children of theirs the poll asks about."""

    guardian_id: int
    phone: str
    children: tuple[tuple[int, int], ...]      # (student_id, class_id)


def invitees(db: sqlite_utils.Database, poll: Poll) -> list[Invitee]:
    """Guardians (active links this school year) of the children in the poll's target, by guardian id."""
    rows = db.execute(
        "SELECT g.id, g.phone, l.student_id, e.class_id FROM guardian_links l JOIN guardians g ON g.id = l.guardian_id "
        "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
        "JOIN classes c ON c.id = e.class_id WHERE l.active = 1 AND l.school_year = :year AND c.school_id = :school "
        "AND (:grade IS NULL OR c.grade = :grade) AND (:class IS NULL OR c.id = :class) "
        "ORDER BY g.id, l.student_id",
        {"year": poll.school_year, "school": poll.school_id, "grade": poll.grade, "class": poll.class_id}).fetchall()
    out: dict[int, Invitee] = {}
    for gid, phone, sid, cid in rows:
        prev = out.get(gid)
        out[gid] = Invitee(gid, phone, (prev.children if prev else ()) + ((sid, cid),))
    return list(out.values())


def open_poll(db: sqlite_utils.Database, poll_id: int, *, by: str, sms_text: str) -> list[Invitee]:
    """PENDING → OPEN: record who is asked and the exact invitation; returns the invitees to text."""
    poll = get(db, poll_id)
    if poll is None:
        raise PollError(f"không có khảo sát số {poll_id}")
    check_transition(poll.status, PollStatus.OPEN)
    if poll.is_past():
        raise PollError("thời hạn trả lời đã qua: không thể gửi")
    people = invitees(db, poll)
    if not people:
        raise PollError("không có phụ huynh nào trong phạm vi khảo sát")
    with atomic(db):
        cur = db.execute("UPDATE polls SET status = 'open', opened_by = ?, opened_at = ?, sms_text = ? "
                         "WHERE id = ? AND status = 'pending'", [by, now_iso(), sms_text, poll_id])
        if cur.rowcount != 1:
            raise PollError("khảo sát vừa được người khác gửi")
        for person in people:
            for sid, cid in person.children:
                db.execute("INSERT INTO poll_recipients (poll_id, guardian_id, student_id, class_id) VALUES (?, ?, ?, ?)",
                           [poll_id, person.guardian_id, sid, cid])
        audit.record(db, by, "poll:open", school_id=poll.school_id, poll=poll_id, guardians=len(people))
    return people


def set_invitation(db: sqlite_utils.Database, poll_id: int, guardian_id: int, message_id: int) -> None:
    """Remember the invitation message of a guardian (the delivery report links it)."""
    db.execute("UPDATE poll_recipients SET message_id = ? WHERE poll_id = ? AND guardian_id = ?",
               [message_id, poll_id, guardian_id])


def cancel(db: sqlite_utils.Database, poll_id: int, *, by: str) -> None:
    """PENDING → CANCELLED (a reviewer turns a teacher's poll down)."""
    poll = get(db, poll_id)
    if poll is None:
        raise PollError(f"không có khảo sát số {poll_id}")
    check_transition(poll.status, PollStatus.CANCELLED)
    with atomic(db):
        db.execute("UPDATE polls SET status = 'cancelled', closed_at = ? WHERE id = ?", [now_iso(), poll_id])
        audit.record(db, by, "poll:cancel", school_id=poll.school_id, poll=poll_id)


def close(db: sqlite_utils.Database, poll_id: int, *, by: str, dedup_window_s: int) -> bool:
    """OPEN → CLOSED; an anonymous poll keeps its tally and drops who answered. False when already closed.

    ``dedup_window_s``: store.messaging.inbox.dedup_window(settings.sms), how long a texted answer's dedup key
    must still recognise a re-delivery (store.community.poll_privacy)."""
    poll = get(db, poll_id)
    if poll is None or poll.status is not PollStatus.OPEN:
        return False
    with atomic(db):
        stamp = now_iso()
        cur = db.execute("UPDATE polls SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                         [stamp, poll_id])
        if cur.rowcount != 1:
            return False
        if poll.anonymous:
            poll_privacy.forget_voters(db, poll_id, poll.opened_at or poll.created_at, stamp, dedup_window_s)
        audit.record(db, by, "poll:close", school_id=poll.school_id, poll=poll_id, anonymous=poll.anonymous)
    return True


def close_due(db: sqlite_utils.Database, now: datetime | None = None, *, dedup_window_s: int) -> list[int]:
    """Close every open poll past its closing time (serve's scheduler calls this); the ids closed.

    Also blanks what was still in flight or in the dedup window when an anonymous poll closed
    (store.community.poll_privacy.forget_settled: reads first, writes only what is left)."""
    due = [r[0] for r in db.execute("SELECT id FROM polls WHERE status = 'open' AND closes_at <= ?",
                                    [iso(now or utcnow())])]
    closed = [pid for pid in due if close(db, pid, by="scheduler", dedup_window_s=dedup_window_s)]
    poll_privacy.forget_settled(db, dedup_window_s, now)
    return closed


def open_for_guardian(db: sqlite_utils.Database, guardian_id: int, now: datetime | None = None) -> list[Poll]:
    """Open polls, not past closing, that ask this guardian about one of their children."""
    rows = db.execute(_POLL_SQL + "WHERE p.status = 'open' AND p.closes_at > ? AND EXISTS (SELECT 1 FROM "
                      "poll_recipients r WHERE r.poll_id = p.id AND r.guardian_id = ?) ORDER BY p.id",
                      [iso(now or utcnow()), guardian_id]).fetchall()
    return [_poll(db, r) for r in rows]
