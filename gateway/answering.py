"""Answering stored MO off the reader threads: commands -> a reply row in the outbox."""
from __future__ import annotations

import logging
import queue

from commands.service import answer
from outbox import messages
from outbox.queue_thread import QueueThread
from outbox.wake import Wake
from store.messaging import inbox
from store.core.connection import transaction
from store.core.disk import describe, is_transient

logger = logging.getLogger(__name__)


class MoAnswerer(QueueThread):
    """A thread that answers inbox rows (ids submitted by the router once stored); rows left
    `received` by a crash are answered on start."""

    thread_name = "mo-answerer"

    def __init__(self, db_factory, settings, wake: Wake):
        super().__init__()
        self.db_factory = db_factory
        self.settings = settings
        self.wake = wake
        self.answered = 0
        self._failures: dict[int, int] = {}

    BATCH = 50   # answers per transaction: under a burst fewer commits and claims (MO ceiling ~1,400 -> ~1,750/s at 20 -> 50); the lock is held ~20 ms at most

    def _run(self) -> None:
        db = self.db_factory()
        for inbox_id in inbox.pending(db):
            self.queue.put(inbox_id)
        while not self._stop.is_set():
            try:
                first = self.queue.get(timeout=5.0)
            except queue.Empty:
                try:
                    for pending_id in inbox.pending(db):    # stored by a process that died, or left by disk trouble
                        self.queue.put(pending_id)
                except Exception:
                    logger.exception("cannot read the pending texts now; retrying")
                continue
            batch = [first]
            while first is not None and len(batch) < self.BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            stop = None in batch
            if self.answer_batch(db, [i for i in batch if i is not None]):
                self.wake.ring(reply=True)
            if stop:
                break

    def answer_batch(self, db, inbox_ids: list[int]) -> int:
        """Answer stored MOs in one transaction (one by one if one fails); returns replies queued."""
        if not inbox_ids:
            return 0
        try:
            with transaction(db):
                return sum(self._answer(db, i) for i in inbox_ids)
        except Exception as e:
            if is_transient(e):
                # A full disk or a read-only database is not the text's fault: it stays
                # `received`, and the sweep of pending rows answers it once writes work again.
                logger.warning("cannot answer %s texts now (%s); they wait", len(inbox_ids), describe(e))
                return 0
            if len(inbox_ids) == 1:
                self._failed(db, inbox_ids[0])
                return 0
        return sum(self.answer_batch(db, [i]) for i in inbox_ids)

    MAX_FAILURES = 3

    def _failed(self, db, inbox_id: int) -> None:
        """A text whose answer keeps failing is retried a few times, then set aside (logged, never lost)."""
        n = self._failures[inbox_id] = self._failures.get(inbox_id, 0) + 1
        if n < self.MAX_FAILURES:
            logger.exception("could not answer inbox #%s (%s); it stays `received` and is retried", inbox_id, n)
            return
        logger.exception("could not answer inbox #%s after %s tries; marked `ignored` (command ERROR)", inbox_id, n)
        try:
            with transaction(db):
                inbox.mark(db, inbox_id, "ignored", command="ERROR")
            self._failures.pop(inbox_id, None)
        except Exception:
            logger.exception("could not mark inbox #%s either", inbox_id)

    def answer_one(self, db, inbox_id: int) -> bool:
        """Answer one stored MO exactly once; True when a reply was queued."""
        return self.answer_batch(db, [inbox_id]) == 1

    def _answer(self, db, inbox_id: int) -> int:
        row = db.execute("SELECT connection, source_addr, phone, text, state FROM inbox WHERE id = ?",
                         [inbox_id]).fetchone()
        if row is None or row[4] != "received":
            return 0
        connection, source_addr, phone, text, _ = row
        if phone is None:
            # Not a numeric MSISDN (store.school.phones.from_mo): no guardian, no reply, never re-read as a number.
            inbox.mark(db, inbox_id, "ignored", command=None, school_id=None, reply_id=None)
            self.answered += 1
            return 0
        result = answer(db, self.settings, phone or source_addr, text, connection=connection, inbox_id=inbox_id)
        reply_id = None
        if result.reply is not None:
            reply = result.reply
            reply_id = messages.enqueue(
                db, self.settings, phone=result.phone, body=reply.text, kind=reply.kind.value,
                connection=connection, school_id=reply.school_id, inbox_id=inbox_id,
                student_id=reply.student_ids[0] if len(reply.student_ids) == 1 else None,
                valid_for_s=reply.meta.get("validity"))
        inbox.mark(db, inbox_id, "answered" if reply_id else "ignored", command=result.command,
                   school_id=result.reply.school_id if result.reply else None, reply_id=reply_id)
        self.answered += 1
        return 1 if reply_id else 0
