"""Writing what the SMSC said into the outbox: submit results and delivery receipts.

Both arrive on the SMPP reader threads; they are written here in batches
(one transaction per batch) by the sender's writer thread, so the reader
keeps reading. Receipts are first journaled in `receipts` (part_id NULL)
so none is lost before it is matched; a receipt whose submit_sm_resp has
not been written yet stays an orphan and is matched when it is.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import sqlite_utils

from store.core.clock import iso, utcnow
from store.core.connection import write_lock

from .states import MessageState as S
from .states import (FINAL, IN_FLIGHT, ReceiptStat, SubmitOutcome, UnknownReceiptStat, can_move, classify, settle,
                     sources_of, sql_in, status_reason)
from .transport import SubmitResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartOutcome:
    """One part's submit result, as the sender collected it."""

    seq: int
    result: SubmitResult


@dataclass(frozen=True)
class MessageOutcome:
    """Every submitted part of one message with its result."""

    message_id: int
    connection: str
    parts: tuple[PartOutcome, ...]


@dataclass(frozen=True)
class Decision:
    """What a message's outcome amounts to (for the sender's back-off and the logs)."""

    state: S
    throttled: bool = False
    retry_in: float = 0.0



@functools.cache       # on the writer thread's hot path: computed once per target state
def _open(target: S) -> str:
    """A submit result only moves a part (or message) that is still waiting for one, and only as the state
    table allows: a late result after a recovery never overwrites what a receipt or a second copy settled."""
    return sql_in(sources_of(target, among=IN_FLIGHT))


def _update_part(db, message_id: int, seq: int, state: S, **cols) -> None:
    sets = ", ".join(f"{k} = ?" for k in cols)
    db.execute(f"UPDATE message_parts SET state = ?{', ' + sets if sets else ''} WHERE message_id = ? AND seq = ? "
               f"AND state IN {_open(state)}", [state.value, *cols.values(), message_id, seq])


@dataclass
class _PartsRead:
    """What one message's part results amount to, as _apply_part_results wrote them."""

    throttled: bool = False
    transient: bool = False
    ambiguous: bool = False
    permanent_reason: str | None = None
    error_code: int | None = None
    accepted_ids: list = field(default_factory=list)


def _apply_part_results(db, outcome: MessageOutcome, stamp: str) -> _PartsRead:
    """Move each part by its submit_sm_resp status (or its missing one)."""
    read = _PartsRead()
    for part in outcome.parts:
        res = part.result
        if res.command_status is None:
            _update_part(db, outcome.message_id, part.seq, S.ambiguous)
            read.ambiguous = True
            continue
        kind = classify(res.command_status)
        if kind is SubmitOutcome.ok:
            _update_part(db, outcome.message_id, part.seq, S.submitted, smsc_id=res.message_id, submitted_at=stamp)
            read.accepted_ids.append(res.message_id)
            continue
        read.error_code = res.command_status
        if kind is SubmitOutcome.permanent:
            _update_part(db, outcome.message_id, part.seq, S.failed, error_code=res.command_status)
            read.permanent_reason = status_reason(res.command_status)
        else:
            _update_part(db, outcome.message_id, part.seq, S.queued, error_code=res.command_status)
            read.throttled |= kind is SubmitOutcome.throttled
            read.transient |= kind is SubmitOutcome.transient
    return read


def apply_submit(db: sqlite_utils.Database, outcome: MessageOutcome, *, max_attempts: int,
                 throttle_backoff: float = 1.0) -> Decision:
    """Write one message's submit results (caller holds the transaction)."""
    now = utcnow()
    stamp = iso(now)
    read = _apply_part_results(db, outcome, stamp)
    row = db.execute("SELECT attempts FROM messages WHERE id = ?", [outcome.message_id]).fetchone()
    attempts = row[0] + (1 if (read.transient or read.permanent_reason) else 0)
    if read.permanent_reason or (read.transient and attempts >= max_attempts):
        reason = read.permanent_reason or f"{status_reason(read.error_code)} ({attempts} attempts)"
        db.execute(f"UPDATE messages SET state = '{S.failed.value}', attempts = ?, error_code = ?, reason = ?, "
                   f"final_at = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND state IN {_open(S.failed)}",
                   [attempts, read.error_code, reason, stamp, stamp, outcome.message_id])
        return Decision(S.failed)
    if read.throttled or read.transient:
        # Exponential back-off for transient errors; throttling keeps the attempt.
        delay = throttle_backoff if not read.transient else min(300.0, 2.0 ** attempts)
        db.execute(f"UPDATE messages SET state = '{S.queued.value}', attempts = ?, error_code = ?, not_before = ?, "
                   f"lease_until = NULL, updated_at = ? WHERE id = ? AND state IN {_open(S.queued)}",
                   [attempts, read.error_code, iso(now + timedelta(seconds=delay)), stamp, outcome.message_id])
        return Decision(S.queued, throttled=read.throttled, retry_in=delay)
    state = S.ambiguous if read.ambiguous else S.submitted
    db.execute("UPDATE messages SET state = ?, attempts = ?, submitted_at = coalesce(submitted_at, ?), "
               f"lease_until = NULL, updated_at = ? WHERE id = ? AND state IN {_open(state)}",
               [state.value, attempts, stamp, stamp, outcome.message_id])
    # Receipts that beat their submit_sm_resp (orphans) apply now that the ids are known.
    for smsc_id in read.accepted_ids:
        match_orphans(db, outcome.connection, smsc_id)
    if state is not S.ambiguous:
        _settle_message(db, outcome.message_id, stamp)
    return Decision(state)


def apply_submits(db: sqlite_utils.Database, outcomes: list[MessageOutcome], *, max_attempts: int) -> list[Decision]:
    """apply_submit for a batch (caller holds the transaction): the common case, every part accepted,
    in a few statements for the whole batch; anything else message by message."""
    return apply_batch(db, outcomes, [], max_attempts=max_attempts)[0]


def apply_batch(db: sqlite_utils.Database, outcomes: list[MessageOutcome], receipt_ids: list[int], *,
                max_attempts: int) -> tuple[list[Decision], int]:
    """apply_submits, then apply_receipts of ``receipt_ids`` (caller holds the transaction): the decisions,
    and how many receipts were matched here, orphans that the results found included."""
    decisions, orphans_applied = _apply_submits(db, outcomes, max_attempts=max_attempts)
    applied = apply_receipts(db, receipt_ids)[0] if receipt_ids else 0
    return decisions, orphans_applied + applied


def _apply_submits(db, outcomes: list[MessageOutcome], *, max_attempts: int) -> tuple[list[Decision], int]:
    plain = [o for o in outcomes if o.parts and all(p.result.command_status == 0 and p.result.message_id
                                                     for p in o.parts)]
    plain_ids = {o.message_id for o in plain}
    orphans_applied = 0
    decisions = {o.message_id: apply_submit(db, o, max_attempts=max_attempts)
                 for o in outcomes if o.message_id not in plain_ids}
    if plain:
        stamp = iso(utcnow())
        db.conn.executemany(
            f"UPDATE message_parts SET state = '{S.submitted.value}', smsc_id = ?, submitted_at = ? "
            f"WHERE message_id = ? AND seq = ? AND state IN {_open(S.submitted)}",
            [(p.result.message_id, stamp, o.message_id, p.seq) for o in plain for p in o.parts])
        db.conn.executemany(
            f"UPDATE messages SET state = '{S.submitted.value}', submitted_at = coalesce(submitted_at, ?), "
            f"lease_until = NULL, updated_at = ? WHERE id = ? AND state IN {_open(S.submitted)}",
            [(stamp, stamp, o.message_id) for o in plain])
        for i in range(0, len(plain), 400):
            orphans_applied += _after_plain_submits(db, plain[i:i + 400], stamp)
        decisions.update((o.message_id, Decision(S.submitted)) for o in plain)
    return [decisions[o.message_id] for o in outcomes], orphans_applied


def _after_plain_submits(db, plain: list[MessageOutcome], stamp: str) -> int:
    """Orphan receipts of the newly known ids applied; messages with other parts (a resend) settled.
    Returns how many orphans were applied."""
    applied = 0
    for connection in {o.connection for o in plain}:
        ids = [p.result.message_id for o in plain if o.connection == connection for p in o.parts]
        marks = ",".join("?" * len(ids))
        orphans = [rid for (rid,) in db.execute(f"SELECT id FROM receipts WHERE connection = ? AND part_id IS NULL "
                                                f"AND smsc_id IN ({marks}) ORDER BY id", [connection, *ids])]
        if orphans:     # common when the SMSC sends the receipt right behind the resp: a few statements for all
            applied += apply_receipts(db, orphans)[0]
    sent = {o.message_id: len(o.parts) for o in plain}
    marks = ",".join("?" * len(sent))
    for mid, total in db.execute(f"SELECT message_id, count(*) FROM message_parts WHERE message_id IN ({marks}) "
                                 "GROUP BY message_id", list(sent)).fetchall():
        if total > sent[mid]:
            _settle_message(db, mid, stamp)
    return applied


def journal_receipt(db: sqlite_utils.Database, connection: str, smsc_id: str, stat: str, err: str | None,
                    raw: str | None) -> int:
    """Store a receipt as it arrived (before the deliver_sm_resp); returns its row id."""
    with write_lock(db):
        cur = db.execute("INSERT INTO receipts (connection, smsc_id, stat, err, received_at, raw) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [connection, smsc_id, stat, err, iso(utcnow()), raw])
    return cur.lastrowid


def apply_receipt(db: sqlite_utils.Database, receipt_id: int) -> bool:
    """Match a journaled receipt to its part and move the part and message; False = orphan."""
    row = db.execute("SELECT connection, smsc_id, stat, err FROM receipts WHERE id = ?", [receipt_id]).fetchone()
    if row is None:
        return False
    connection, smsc_id, stat_text, err = row
    part = db.execute("SELECT id, message_id, state FROM message_parts WHERE connection = ? AND smsc_id = ? "
                      "ORDER BY id DESC LIMIT 1", [connection, smsc_id]).fetchone()
    if part is None:
        return False
    part_id, message_id, part_state = part
    db.execute("UPDATE receipts SET part_id = ? WHERE id = ?", [part_id, receipt_id])
    try:
        stat = ReceiptStat.parse(stat_text)
    except UnknownReceiptStat:
        logger.warning("receipt %s has an unknown stat %r; kept, not applied", receipt_id, stat_text)
        return True
    new = stat.message_state
    stamp = iso(utcnow())
    if new is not None and can_move(part_state, new):
        error = int(err) if err and err.isascii() and err.isdigit() else None
        db.execute("UPDATE message_parts SET state = ?, final_at = ?, error_code = coalesce(?, error_code) "
                   "WHERE id = ?", [new.value, stamp, error if new is not S.delivered else None, part_id])
        _settle_message(db, message_id, stamp, reason=None if new is S.delivered else f"receipt {stat.value} err:{err}")
    return True


def apply_receipts(db: sqlite_utils.Database, receipt_ids: list[int]) -> tuple[int, int]:
    """apply_receipt for a batch (caller holds the transaction) in a few statements; (applied, orphans)."""
    applied = orphans = 0
    for i in range(0, len(receipt_ids), 400):
        a, o = _apply_receipt_chunk(db, receipt_ids[i:i + 400])
        applied, orphans = applied + a, orphans + o
    return applied, orphans


def _apply_receipt_chunk(db, ids: list[int]) -> tuple[int, int]:
    marks = ",".join("?" * len(ids))
    rows = db.execute(f"SELECT id, connection, smsc_id, stat, err, part_id FROM receipts WHERE id IN ({marks}) "
                      "ORDER BY id", ids).fetchall()
    # A receipt already matched (the writer applied it as an orphan right behind its submit_sm_resp) is done:
    # not matched, moved or counted again.
    receipts = [r[:5] for r in rows if r[5] is None]
    parts: dict[tuple[str, str], list] = {}      # (connection, smsc_id) -> [part id, message id, state]
    if not receipts:
        return 0, 0
    for connection in {r[1] for r in receipts}:
        smsc_ids = [r[2] for r in receipts if r[1] == connection]
        for pid, mid, state, smsc_id in db.execute(
                f"SELECT id, message_id, state, smsc_id FROM message_parts WHERE connection = ? "
                f"AND smsc_id IN ({','.join('?' * len(smsc_ids))}) ORDER BY id", [connection, *smsc_ids]):
            parts[(connection, smsc_id)] = [pid, mid, state]      # the newest part with that id wins
    stamp = iso(utcnow())
    matched, moves, reasons = [], [], {}
    for rid, connection, smsc_id, stat_text, err in receipts:
        part = parts.get((connection, smsc_id))
        if part is None:
            continue
        matched.append((part[0], rid))
        try:
            stat = ReceiptStat.parse(stat_text)
        except UnknownReceiptStat:
            logger.warning("receipt %s has an unknown stat %r; kept, not applied", rid, stat_text)
            continue
        new = stat.message_state
        if new is not None and can_move(part[2], new):
            error = int(err) if err and err.isascii() and err.isdigit() else None
            moves.append((new.value, stamp, error if new is not S.delivered else None, part[0]))
            part[2] = new.value
            failure = None if new is S.delivered else f"receipt {stat.value} err:{err}"
            reasons[part[1]] = failure or reasons.get(part[1])     # a failure's reason is not lost to a later success
    db.conn.executemany("UPDATE receipts SET part_id = ? WHERE id = ?", matched)
    db.conn.executemany("UPDATE message_parts SET state = ?, final_at = ?, error_code = coalesce(?, error_code) "
                        "WHERE id = ?", moves)
    _settle_messages(db, reasons, stamp)
    return len(matched), len(receipts) - len(matched)


def _settle_messages(db, reasons: dict[int, str | None], stamp: str) -> None:
    """_settle_message for many messages (message id -> failure reason): read in two queries, one UPDATE."""
    if not reasons:
        return
    ids = list(reasons)
    marks = ",".join("?" * len(ids))
    states = dict(db.execute(f"SELECT id, state FROM messages WHERE id IN ({marks})", ids).fetchall())
    parts: dict[int, list[str]] = {}
    for mid, state in db.execute(f"SELECT message_id, state FROM message_parts WHERE message_id IN ({marks})", ids):
        parts.setdefault(mid, []).append(state)
    updates = []
    for mid, reason in reasons.items():
        if mid not in states or not parts.get(mid):
            continue
        new = settle(states[mid], parts[mid])
        if new.value != states[mid]:
            updates.append((new.value, new in FINAL, stamp, reason if new is not S.delivered else None, stamp, mid))
    db.conn.executemany("UPDATE messages SET state = ?, final_at = CASE WHEN ? THEN ? ELSE final_at END, "
                        "reason = coalesce(?, reason), updated_at = ? WHERE id = ?", updates)



def _settle_message(db, message_id: int, stamp: str, reason: str | None = None) -> None:
    msg = db.execute("SELECT state FROM messages WHERE id = ?", [message_id]).fetchone()
    parts = [r[0] for r in db.execute("SELECT state FROM message_parts WHERE message_id = ?", [message_id])]
    if not msg or not parts:
        return
    new = settle(msg[0], parts)
    if new.value != msg[0]:
        final = new in FINAL
        db.execute("UPDATE messages SET state = ?, final_at = CASE WHEN ? THEN ? ELSE final_at END, "
                   "reason = coalesce(?, reason), updated_at = ? WHERE id = ?",
                   [new.value, final, stamp, reason if new is not S.delivered else None, stamp, message_id])


def match_orphans(db: sqlite_utils.Database, connection: str, smsc_id: str | None) -> int:
    """Apply receipts that arrived before this submit_sm_resp was written."""
    if not smsc_id:
        return 0
    ids = [r[0] for r in db.execute("SELECT id FROM receipts WHERE connection = ? AND smsc_id = ? AND part_id IS NULL "
                                    "ORDER BY id", [connection, smsc_id])]
    return sum(apply_receipt(db, rid) for rid in ids)


def expire_unknown(db: sqlite_utils.Database, receipt_timeout_s: int) -> int:
    """Messages submitted longer ago than receipt_timeout with no final receipt become `unknown`."""
    cutoff = iso(utcnow() - timedelta(seconds=receipt_timeout_s))
    stamp = iso(utcnow())
    unknown, waiting = S.unknown.value, sql_in(sources_of(S.unknown))
    cur = db.execute(f"UPDATE messages SET state = '{unknown}', updated_at = ? WHERE state IN {waiting} "
                     "AND submitted_at < ?", [stamp, cutoff])
    db.execute(f"UPDATE message_parts SET state = '{unknown}' WHERE state IN {waiting} AND submitted_at < ?",
               [cutoff])
    return cur.rowcount


def awaiting_receipts(db: sqlite_utils.Database, connections: list[str], since: str) -> int:
    """Messages of ``connections`` submitted (or resent) since ``since``, still waiting for their final receipt."""
    marks = ",".join("?" * len(connections))
    return db.execute(f"SELECT count(*) FROM messages WHERE state = 'submitted' AND connection IN ({marks}) "
                      "AND updated_at >= ?", [*connections, since]).fetchone()[0]


def expire_stale_queued(db: sqlite_utils.Database) -> int:
    """Queued messages whose validity passed (a digest after 21:00) are `expired` without sending."""
    stamp = iso(utcnow())
    # Only rows no worker holds: a claimed one is expired by its worker (sender._prepare).
    # INDEXED BY: the partial index of migration 023 (only queued rows, by validity; without statistics SQLite
    # would walk every queued row through messages_state_kind), an error rather than a walk if it stops fitting.
    cur = db.execute(f"UPDATE messages INDEXED BY messages_queued_valid SET state = '{S.expired.value}', "
                     f"reason = 'validity passed before sending', "
                     f"final_at = ?, updated_at = ? WHERE state IN {sql_in(sources_of(S.expired, among=[S.queued]))} "
                     "AND valid_until IS NOT NULL "
                     "AND valid_until < ?", [stamp, stamp, stamp])
    return cur.rowcount
