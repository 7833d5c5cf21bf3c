"""Group commit of inbound rows: reader threads hand a write over, one thread commits a batch.

A deliver_sm is still answered only after its row is committed (the
session sends the deferred response then), but one commit serves every
deliver_sm that arrived meanwhile, and the reader threads never wait for
the database: they go on reading responses and receipts.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from typing import Any, Callable

from store.connection import transaction
from store.disk import describe, is_transient

logger = logging.getLogger(__name__)

Work = Callable[[Any], Any]          # runs inside the transaction with the db; returns a value
Done = Callable[[Any, BaseException | None], None]   # called after the commit (value, error)


class Journal:
    """One writer thread for inbound rows."""

    def __init__(self, db_factory, max_batch: int = 500):
        self.db_factory = db_factory
        self.max_batch = max_batch
        self.queue: queue.Queue = queue.Queue()
        self.batches = 0
        self.rows = 0
        self.problem: str | None = None     # why the last batch could not be written (disk full, read-only)
        self._thread: threading.Thread | None = None

    def put(self, work: Work, done: Done) -> None:
        """Queue ``work``; ``done(value, None)`` after its commit, ``done(None, error)`` if it failed."""
        self.queue.put((work, done))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="inbound-journal", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.queue.put(None)
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        db = None
        while db is None:
            try:
                db = self.db_factory()
            except Exception:
                logger.exception("journal cannot open the database; retrying")
                time.sleep(1.0)
        while True:
            item = self.queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(db, batch)
            if stop:
                return

    def _commit(self, db, batch: list) -> None:
        try:
            with transaction(db):
                values = [work(db) for work, _ in batch]
        except Exception as e:     # sqlite3.Error above all; anything else must not kill the journal either
            if is_transient(e):
                # A full disk or a read-only database refuses every row alike: no point in
                # retrying them one by one. The SMSC gets ESME_RX_T_APPN and delivers again later.
                self.problem = describe(e)
                logger.error("cannot store %s inbound rows (%s); the SMSC gets a temporary error",
                             len(batch), self.problem)
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                for _, done in batch:
                    self._finish(done, None, e)
                return
            if len(batch) == 1:
                logger.exception("could not store an inbound row; the SMSC gets a temporary error")
                self._finish(batch[0][1], None, sqlite3.Error("store failed"))
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                return
            # One bad row must not refuse the others: commit them one by one.
            for item in batch:
                self._commit(db, [item])
            return
        if self.problem is not None:
            logger.warning("inbound rows are stored again (after: %s)", self.problem)
            self.problem = None
        self.batches += 1
        self.rows += len(batch)
        for (_, done), value in zip(batch, values):
            self._finish(done, value, None)

    @staticmethod
    def _finish(done: Done, value, error) -> None:
        try:
            done(value, error)
        except Exception:
            logger.exception("inbound completion failed")
