"""Group commit of inbound rows: reader threads hand a write over, one thread commits a batch.

A deliver_sm is still answered only after its row is committed (the
session sends the deferred response then), but one commit serves every
deliver_sm that arrived meanwhile, and the reader threads never wait for
the database: they go on reading responses and receipts.
"""
from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from typing import Any, Callable

from store.core.connection import transaction
from store.core.disk import describe, fsync_path, is_transient

from .wire import corked

logger = logging.getLogger(__name__)

# Under load (the last batch had more than one row) the writer lets rows gather this long before a
# commit: the reader threads then hand rows over without waking it for each one.
LINGER = 0.001

Work = Callable[[Any], Any]          # runs inside the transaction with the db; returns a value
Done = Callable[[Any, BaseException | None], None]   # called after the commit (value, error)


class Journal:
    """One writer thread for inbound rows."""

    def __init__(self, db_factory, max_batch: int = 500, sync_wal: bool = False):
        self.db_factory = db_factory
        self.max_batch = max_batch
        # GROUP durability: commit without SQLite's own fsync (the write lock is held only for the
        # commit), then one fdatasync of the WAL for the whole batch before its resps go out.
        self.sync_wal = sync_wal
        self._wal_path = ""
        self._dir_synced = False
        self._synced: queue.Queue = queue.Queue()      # committed batches waiting for their fsync
        self._syncer: threading.Thread | None = None
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
        if self.sync_wal:
            self._syncer = threading.Thread(target=self._sync_loop, name="inbound-fsync", daemon=True)
            self._syncer.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.queue.put(None)
        if self._thread:
            self._thread.join(timeout)
        if self._syncer:
            self._synced.put(None)
            self._syncer.join(timeout)

    def _run(self) -> None:
        db = None
        while db is None:
            try:
                db = self.db_factory()
            except Exception:
                logger.exception("journal cannot open the database; retrying")
                time.sleep(1.0)
        self._wal_path = db.execute("PRAGMA database_list").fetchone()[2] + "-wal"
        last = 0
        while True:
            item = self.queue.get()
            if item is None:
                return
            if last > 1:
                time.sleep(LINGER)
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
            last = len(batch)
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
        if self.sync_wal:
            # Pipelined: the next batch commits while this one waits for its fsync.
            self._synced.put([(done, value) for (_, done), value in zip(batch, values)])
            return
        with corked():
            for (_, done), value in zip(batch, values):
                self._finish(done, value, None)

    def _sync_loop(self) -> None:
        """GROUP: one fdatasync of the WAL for every batch committed meanwhile, then their resps."""
        while True:
            groups = [self._synced.get()]
            while groups[-1] is not None:
                try:
                    groups.append(self._synced.get_nowait())
                except queue.Empty:
                    break
            stop = groups[-1] is None
            groups = [g for g in groups if g is not None]
            error = None
            if groups:
                try:
                    self._fsync_wal()
                except OSError as e:
                    # Committed but maybe not on the disk: the SMSC gets a temporary error and delivers
                    # again; the re-delivery is recognised as a duplicate, the text is answered once.
                    error = e
                    self.problem = describe(e)
                    logger.error("cannot fsync the inbound journal (%s); the SMSC gets a temporary error", e)
            with corked():          # the batches' deliver_sm_resps in one write per link
                for group in groups:
                    for done, value in group:
                        self._finish(done, None if error else value, error)
            if stop:
                return

    def _fsync_wal(self) -> None:
        """Flush the committed WAL frames to the disk (they are what recovery replays after a power loss).

        Done outside the write lock, so other writers go on meanwhile, and one call also covers
        every commit other connections made before it. A WAL that was checkpointed and removed
        meanwhile needs nothing: the checkpoint synced the database file.
        """
        if not self._dir_synced:
            fsync_path(os.path.dirname(self._wal_path) or ".")     # the WAL's directory entry, once
            self._dir_synced = True
        try:
            fd = os.open(self._wal_path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fdatasync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _finish(done: Done, value, error) -> None:
        try:
            done(value, error)
        except Exception:
            logger.exception("inbound completion failed")

