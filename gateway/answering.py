"""Answering stored MO off the reader threads: commands -> a reply row in the outbox."""
from __future__ import annotations

import logging
import queue

from commands.service import answer
from outbox import messages
from outbox.queue_thread import QueueThread
from outbox.wake import Wake
from store import inbox
from store.connection import transaction

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

    def _run(self) -> None:
        db = self.db_factory()
        for inbox_id in inbox.pending(db):
            self.queue.put(inbox_id)
        while not self._stop.is_set():
            try:
                inbox_id = self.queue.get(timeout=5.0)
            except queue.Empty:
                for pending_id in inbox.pending(db):    # e.g. stored by another process that died
                    self.queue.put(pending_id)
                continue
            if inbox_id is None:
                break
            try:
                if self.answer_one(db, inbox_id):
                    self.wake.ring()
            except Exception:
                logger.exception("could not answer inbox #%s; it stays `received` and is retried", inbox_id)

    def answer_one(self, db, inbox_id: int) -> bool:
        """Answer one stored MO exactly once; True when a reply was queued."""
        with transaction(db):
            row = db.execute("SELECT connection, source_addr, phone, text, state FROM inbox WHERE id = ?",
                             [inbox_id]).fetchone()
            if row is None or row[4] != "received":
                return False
            connection, source_addr, phone, text, _ = row
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
        return reply_id is not None
