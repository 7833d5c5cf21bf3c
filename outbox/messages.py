"""Outbox rows in SQLite, the source of truth: enqueue, claim with a lease, recover.

Redis only wakes the senders; whatever Redis loses, the rows here say what
is still to send. A worker claims due rows (queued, not_before passed) by
moving them to `sending` with a lease; rows whose lease ran out belong to a
worker that died and are taken back by :func:`recover`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import sqlite_utils

from store.core.clock import iso, utcnow
from store.core.connection import transaction

from . import quiet
from .states import FAILED, IN_FLIGHT, INITIAL, MessageState as S, sources_of, sql_in

logger = logging.getLogger(__name__)


class MessageKind(str, Enum):
    """What a message is; replies go first and are never held by quiet hours."""

    REPLY = "reply"
    OTP = "otp"
    HINT = "hint"
    DIGEST = "digest"
    ANNOUNCEMENT = "announcement"
    TEACHER = "teacher"
    ALERT = "alert"

    @property
    def is_reply(self) -> bool:
        return self in (MessageKind.REPLY, MessageKind.OTP, MessageKind.HINT)

    @property
    def priority(self) -> int:
        """REPLIES_LANE (0), served before BULK_LANE (1)."""
        return REPLIES_LANE if self.is_reply else BULK_LANE


# messages.priority: the two lanes. Queries name a lane by equality, so the index (state, priority,
# not_before) seeks straight to the due rows: `priority > 0` walked every queued bulk row that is not due yet
# (100k digests held by quiet hours: 15 ms a claim inside the write lock, on every bell).
REPLIES_LANE, BULK_LANE = 0, 1
LANES = (REPLIES_LANE, BULK_LANE)




# What staff may resend (a new copy; the original keeps its outcome).
RESENDABLE = frozenset(s.value for s in FAILED)


@dataclass(frozen=True)
class Message:
    """A claimed outbox row: what the sender needs to submit it."""

    id: int
    connection: str
    phone: str
    body: str
    kind: MessageKind
    encoding: str | None
    parts: int | None
    valid_until: str | None
    attempts: int
    duplicates: int
    concat_ref: int | None = None


def enqueue(db: sqlite_utils.Database, settings, *, phone: str, body: str, kind: MessageKind | str,
            connection: str | None = None, school_id: int | None = None, class_id: int | None = None,
            student_id: int | None = None, guardian_id: int | None = None, inbox_id: int | None = None,
            not_before: datetime | None = None, valid_for_s: int | None = None,
            valid_until: datetime | None = None) -> int:
    """Insert a queued message; bulk kinds wait for the end of quiet hours. Returns its id.

    The caller commits (or wraps several enqueues in one transaction) and
    then wakes the senders.
    """
    kind = MessageKind(kind)
    reply = kind.is_reply
    now = utcnow()
    due = not_before or now
    if not reply:
        due = max(due, quiet.next_send_time(due, settings.sms.quiet_hours or None, settings.sms.timezone))
    if valid_until is None:
        seconds = valid_for_s or (settings.sms.otp_validity if kind is MessageKind.OTP else settings.sms.reply_validity
                                  if reply else None)
        valid_until = due + timedelta(seconds=seconds) if seconds else None
    connection = connection or settings.smsc[0].name
    stamp = iso(now)
    cur = db.execute(
        "INSERT INTO messages (connection, phone, body, kind, priority, state, school_id, class_id, student_id, "
        "guardian_id, inbox_id, not_before, valid_until, created_at, updated_at) "
        f"VALUES (?, ?, ?, ?, ?, '{INITIAL.value}', ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        connection, phone, body, kind.value, kind.priority, school_id, class_id, student_id, guardian_id, inbox_id,
        stamp if due is now else iso(due), iso(valid_until) if valid_until else None, stamp, stamp])
    return cur.lastrowid


def enqueue_many(db: sqlite_utils.Database, settings, rows: list[tuple[str, str, int | None, int | None, int | None]],
                 *, kind: MessageKind | str, connection: str | None = None, not_before: datetime | None = None,
                 valid_until: datetime | None = None) -> list[int]:
    """Insert queued messages of one kind and timing, ``rows`` of (phone, body, school_id, guardian_id,
    student_id), in one statement; returns their ids in order.

    Inside the caller's write transaction (BEGIN IMMEDIATE): the ids are
    taken after the largest one, which no one else can take meanwhile.
    """
    kind = MessageKind(kind)
    now = utcnow()
    due = not_before or now
    if not kind.is_reply:
        due = max(due, quiet.next_send_time(due, settings.sms.quiet_hours or None, settings.sms.timezone))
    connection = connection or settings.smsc[0].name
    first = (db.execute("SELECT max(id) FROM messages").fetchone()[0] or 0) + 1
    stamp, due_at, until = iso(now), iso(due), iso(valid_until) if valid_until else None
    values = [(first + i, connection, phone, body, kind.value, kind.priority, school_id, student_id, guardian_id,
               due_at, until, stamp, stamp) for i, (phone, body, school_id, guardian_id, student_id) in enumerate(rows)]
    insert_rows(db, "INSERT INTO messages (id, connection, phone, body, kind, priority, state, school_id, student_id, "
                "guardian_id, not_before, valid_until, created_at, updated_at) VALUES ", values,
                f"(?, ?, ?, ?, ?, ?, '{INITIAL.value}', ?, ?, ?, ?, ?, ?, ?)")
    return list(range(first, first + len(rows)))


MULTI_ROWS = 250    # rows of one multi-row INSERT (13 values a row: well under SQLite's 32,766 parameters)


def insert_rows(db: sqlite_utils.Database, head: str, rows: list[tuple], row_marks: str | None = None) -> None:
    """``head`` ("INSERT INTO t (a, b) VALUES ") with ``rows``, MULTI_ROWS to a statement.

    One statement for many rows, not executemany's one execution a row: 7.4 against 17.6 µs a `messages` row
    with the CHECK lists, 3.7 against 7.1 as OR chains (`bench/bench_check_lists.py`). ``row_marks``: one
    row's placeholders (default one ? a value)."""
    if not rows:
        return
    marks = row_marks or "(" + ", ".join("?" * len(rows[0])) + ")"
    for i in range(0, len(rows), MULTI_ROWS):
        chunk = rows[i:i + MULTI_ROWS]
        db.conn.execute(head + ", ".join([marks] * len(chunk)), [v for row in chunk for v in row])


def claim(db: sqlite_utils.Database, connections: list[str], limit: int, lease_s: float,
          bulk_limit: int | None = None) -> list[Message]:
    """Move up to ``limit`` due replies and ``bulk_limit`` (default ``limit``) due bulk rows of
    ``connections`` to `sending` under a lease, oldest first.

    Replies are sent first; the bulk slice is kept small by the sender, so it
    comes back for replies soon. One IMMEDIATE transaction, so two workers
    never claim the same row.
    """
    now = utcnow()
    marks = ",".join("?" * len(connections))
    # Only queued rows: an ambiguous one is taken back by recover(), which counts the duplicate.
    waiting = sql_in(sources_of(S.sending, among=[S.queued]))
    due = f"SELECT id FROM messages WHERE state IN {waiting} AND not_before <= ? AND connection IN ({marks})"
    bulk = limit if bulk_limit is None else min(limit, bulk_limit)
    with transaction(db):
        rows = db.execute(
            f"UPDATE messages SET state = '{S.sending.value}', lease_until = ?, updated_at = ? WHERE id IN ("
            f" SELECT id FROM ({due} AND priority = {REPLIES_LANE} ORDER BY not_before, id LIMIT ?)"
            f" UNION ALL SELECT id FROM ({due} AND priority = {BULK_LANE} ORDER BY not_before, id LIMIT ?)) "
            "RETURNING id, connection, phone, body, kind, encoding, parts, valid_until, attempts, duplicates, "
            "concat_ref",
            [iso(now + timedelta(seconds=lease_s)), iso(now), iso(now), *connections, limit, iso(now),
             *connections, bulk]).fetchall()
    rows.sort(key=lambda r: r[0])
    return [Message(r[0], r[1], r[2], r[3] or "", MessageKind(r[4]), r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows]


def next_due(db: sqlite_utils.Database, connections: list[str]) -> datetime | None:
    """When the next queued row of ``connections`` becomes due (None when there is none)."""
    marks = ",".join("?" * len(connections))
    # One seek a lane (the first row of each in the index), not min() over every queued row.
    firsts = [row[0] for lane in LANES for row in db.execute(
        f"SELECT not_before FROM messages WHERE state = 'queued' AND priority = ? AND connection IN ({marks}) "
        "ORDER BY not_before LIMIT 1", [lane, *connections])]
    return datetime.fromisoformat(min(firsts).replace("Z", "+00:00")) if firsts else None


def recover(db: sqlite_utils.Database, connections: list[str]) -> dict[str, int]:
    """Take back rows of dead workers (lease expired) and resend ambiguous submits.

    A part left in `sending` may or may not have reached the SMSC: it is
    sent again and counted as a duplicate, so a crash costs at most the
    window of unanswered submits in duplicates, never a lost message.
    """
    now = iso(utcnow())
    marks = ",".join("?" * len(connections))
    with transaction(db):
        stale = [r[0] for r in db.execute(
            f"SELECT id FROM messages WHERE state = 'sending' AND lease_until < ? AND connection IN ({marks})",
            [now, *connections])]
        ambiguous = [r[0] for r in db.execute(
            f"SELECT id FROM messages WHERE state = 'ambiguous' AND connection IN ({marks})", connections)]
        duplicates, back = 0, sql_in(sources_of(S.queued, among=[S.sending, S.ambiguous]))
        for mid in stale + ambiguous:
            n = db.execute(f"UPDATE message_parts SET state = '{S.queued.value}' WHERE message_id = ? "
                           f"AND state IN {back}", [mid]).rowcount
            duplicates += n
            db.execute(f"UPDATE messages SET state = '{S.queued.value}', lease_until = NULL, "
                       f"duplicates = duplicates + ?, updated_at = ? WHERE id = ? AND state IN {back}",
                       [1 if n else 0, now, mid])
    if stale or ambiguous:
        logger.warning("recovered %s stale and %s ambiguous messages (%s parts resent)", len(stale),
                       len(ambiguous), duplicates)
    return {"stale": len(stale), "ambiguous": len(ambiguous), "parts_resent": duplicates}


def pending_copy(db: sqlite_utils.Database, message_id: int) -> int | None:
    """The id of a resent copy of ``message_id`` still waiting to go (queued or sending), if any."""
    row = db.execute("SELECT id FROM messages WHERE id > ? AND state IN ('queued', 'sending') AND reason LIKE ? "
                     "ORDER BY id LIMIT 1", [message_id, f"resent by % (copy of #{message_id})"]).fetchone()
    return row[0] if row else None


def requeue(db: sqlite_utils.Database, message_id: int, *, actor: str) -> int | None:
    """Staff's resend of a failed / expired / undelivered message: a new queued copy, whose id is returned.

    None when the message is not in one of those states, or a copy of it is
    still waiting to go (a double click resends once).
    """
    now = iso(utcnow())
    with transaction(db):
        row = db.execute("SELECT state FROM messages WHERE id = ?", [message_id]).fetchone()
        if row is None or row[0] not in RESENDABLE or pending_copy(db, message_id) is not None:
            return None
        cur = db.execute(
            "INSERT INTO messages (connection, phone, body, kind, priority, state, school_id, class_id, student_id, "
            "guardian_id, inbox_id, not_before, valid_until, created_at, updated_at, reason) "
            # To the guardian's number of today: a school that corrected a wrong number resends to the right one.
            "SELECT connection, coalesce((SELECT g.phone FROM guardians g WHERE g.id = messages.guardian_id), phone), "
            f"body, kind, priority, '{INITIAL.value}', school_id, class_id, student_id, guardian_id, "
            "inbox_id, ?, NULL, ?, ?, ? FROM messages WHERE id = ?",
            [now, now, now, f"resent by {actor} (copy of #{message_id})", message_id])
        return cur.lastrowid


def mark_sending(db: sqlite_utils.Database, message_ids: list[int], lease_until: str) -> None:
    """The parts still to send of claimed messages become `sending`, their lease renewed (caller holds the
    transaction): marked just before the writes, so after a crash only these are in doubt."""
    marks = ",".join("?" * len(message_ids))
    db.execute(f"UPDATE message_parts SET state = '{S.sending.value}' WHERE message_id IN ({marks}) "
               f"AND state IN {sql_in(sources_of(S.sending))}", message_ids)
    db.execute(f"UPDATE messages SET lease_until = ? WHERE state = '{S.sending.value}' AND id IN ({marks})",
               [lease_until, *message_ids])


def release(db: sqlite_utils.Database, message_ids: list[int], stamp: str) -> None:
    """Claimed rows that were not written: queued again now, their parts too (caller holds the transaction)."""
    marks = ",".join("?" * len(message_ids))
    held = sql_in(sources_of(S.queued, among=[S.sending]))
    db.execute(f"UPDATE message_parts SET state = '{S.queued.value}' WHERE message_id IN ({marks}) "
               f"AND state IN {held}", message_ids)
    db.execute(f"UPDATE messages SET state = '{S.queued.value}', lease_until = NULL, updated_at = ? "
               f"WHERE id IN ({marks}) AND state IN {held}", [stamp, *message_ids])


def give_up(db: sqlite_utils.Database, expired: list[int], unsendable: list[tuple[str, int]], stamp: str) -> None:
    """Claimed rows the sender will not submit: validity passed (`expired`) or text unsendable (`failed`,
    with its reason), before any part was written (caller holds the transaction)."""
    db.conn.executemany(
        f"UPDATE messages SET state = '{S.expired.value}', reason = 'validity passed before sending', final_at = ?, "
        f"lease_until = NULL, updated_at = ? WHERE id = ? AND state IN {_held(S.expired)}",
        [(stamp, stamp, mid) for mid in expired])
    db.conn.executemany(
        f"UPDATE messages SET state = '{S.failed.value}', reason = ?, final_at = ?, lease_until = NULL, "
        f"updated_at = ? WHERE id = ? AND state IN {_held(S.failed)}",
        [(reason, stamp, stamp, mid) for reason, mid in unsendable])


def parts_to_send(db: sqlite_utils.Database, message_ids: list[int]) -> dict[int, set[int]]:
    """message id -> the seqs of its parts still to send (a recovered message: not yet answered)."""
    if not message_ids:
        return {}
    marks = ",".join("?" * len(message_ids))
    todo: dict[int, set[int]] = {}
    for mid, seq in db.execute(f"SELECT message_id, seq FROM message_parts WHERE message_id IN ({marks}) "
                               f"AND state IN {sql_in(IN_FLIGHT)}", message_ids):
        todo.setdefault(mid, set()).add(seq)
    return todo


def add_parts(db: sqlite_utils.Database, rows: list[tuple[int, str, list[int], str, int | None]]) -> None:
    """Part rows of messages segmented for the first time, ``(message id, connection, seqs, encoding, concat
    reference)`` each: every part queued, the message's part count, encoding and reference kept for a resend
    (caller holds the transaction)."""
    insert_rows(db, "INSERT OR IGNORE INTO message_parts (message_id, seq, connection, state) VALUES ",
                [(mid, seq, connection) for mid, connection, seqs, _, _ in rows for seq in seqs],
                f"(?, ?, ?, '{INITIAL.value}')")
    db.conn.executemany("UPDATE messages SET parts = ?, encoding = ?, concat_ref = ? WHERE id = ?",
                        [(len(seqs), encoding, ref or None, mid) for mid, _, seqs, encoding, ref in rows])


def renew_leases(db: sqlite_utils.Database, message_ids: list[int], lease_until: str) -> None:
    """Messages still in flight in this worker keep their lease, so no other worker takes them back."""
    if message_ids:
        marks = ",".join("?" * len(message_ids))
        db.execute(f"UPDATE messages SET lease_until = ? WHERE state = '{S.sending.value}' AND id IN ({marks})",
                   [lease_until, *message_ids])


def _held(target: S) -> str:
    """The in-flight states that may move to ``target``, as SQL."""
    return sql_in(sources_of(target, among=IN_FLIGHT))
